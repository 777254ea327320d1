/** Missing authentication: anonymous callers get data from operations that should need credentials. */
import { allowsAnonymous } from '../../core/model.ts';
import type { Check, Observation } from '../context.ts';
import { isSuccess } from '../context.ts';
import { buildFinding, byOperation, list } from '../evidence.ts';
import { crossReadings } from './cross-reading.ts';
import { anonymousAsked, firstGap, someoneServed } from './coverage.ts';

export const missingAuthentication: Check = {
  id: 'missing-authentication',
  title: 'Missing authentication',
  owasp: 'API2:2023',
  cwe: 'CWE-306',
  severity: 'high',
  description:
    'The operation answered a caller who sent no credentials at all, although its description requires them or what it ' +
    'returned is another person\'s personal data. In January 2021 Peloton\'s profile, search, bulk-details and GraphQL ' +
    'routes answered anyone on the internet this way.',
  remediation:
    'Require authentication on the server for every operation that is not public by design, and deny by default: ' +
    'routes that are not declared public must refuse anonymous callers (401) before any data is read.',
  helpUrl: 'https://owasp.org/API-Security/editions/2023/en/0xa2-broken-authentication/',
  undecided: (context, operation) => firstGap(anonymousAsked(context, operation), someoneServed(context, operation)),
  run(context) {
    const leaks = crossReadings(context).filter((r) => r.caller === 'anonymous');
    const findings = [];
    for (const group of byOperation(context.observations).values()) {
      const anonymous = group.filter((o) => o.caller === 'anonymous' && isSuccess(o.exchange) && carriesData(o));
      const [first] = anonymous;
      if (!first) continue;
      const operation = first.operation;
      const personal = leaks.filter((r) => r.observation.operation === operation);
      const declaredSecured = !allowsAnonymous(operation);
      if (!declaredSecured && personal.length === 0) continue;
      const fields = [...new Set(personal.flatMap((r) => r.leaked.map((l) => l.field)))];
      const why = declaredSecured ? `its description requires ${operation.security.map((r) => Object.keys(r).join('+')).join(' or ')}` : 'it is declared public';
      findings.push(
        buildFinding({
          check: missingAuthentication,
          operation,
          severity: fields.length > 0 ? 'critical' : 'high',
          title: fields.length > 0
            ? `${operation.method} ${operation.path} serves people's ${list(fields)} without authentication`
            : `${operation.method} ${operation.path} answers without authentication`,
          message: `An anonymous request succeeded (HTTP ${first.exchange.response?.status ?? 0}) although ${why}` +
            (fields.length > 0 ? `, and returned other people's personal data: ${list(fields)} of ${list([...new Set(personal.map((r) => r.subject.name))])}.` : '.'),
          observations: [personal[0]?.observation ?? first],
          fields,
          subjects: personal.map((r) => r.subject.name),
          identity: ['anonymous'],
        }),
      );
    }
    return findings;
  },
};

/** An answer with a JSON body that is more than an error message. */
function carriesData(observation: Observation): boolean {
  const json = observation.exchange.response?.json;
  if (json === undefined || json === null) return false;
  if (Array.isArray(json)) return json.length > 0;
  return typeof json === 'object' && Object.keys(json).some((key) => !['error', 'message', 'errors', 'status', 'code'].includes(key));
}
