/** Improper inventory: a route the description leaves out still serves people's records. */
import type { Check } from '../context.ts';
import { isSuccess } from '../context.ts';
import { buildFinding, list } from '../evidence.ts';
import { recordsOf } from '../records.ts';

export const undocumentedEndpoint: Check = {
  id: 'undocumented-endpoint',
  title: 'Undocumented route serves personal data',
  owasp: 'API9:2023',
  cwe: 'CWE-1059',
  severity: 'high',
  description:
    'A route that the API description does not name (a version-prefixed twin of a documented one) answered with a ' +
    'person\'s record. Forgotten versions escape reviews, tests and gateways: fixing the documented route leaves them open.',
  remediation: 'Retire old versions on the server (404), or describe and protect them like the current ones; route only described operations through a gateway that denies the rest.',
  helpUrl: 'https://owasp.org/API-Security/editions/2023/en/0xa9-improper-inventory-management/',
  run(context) {
    const findings = [];
    const seen = new Set<string>();
    for (const { observation, mirrors } of context.inventory) {
      if (seen.has(observation.operation.id) || !isSuccess(observation.exchange) || observation.caller === observation.subject) continue;
      const subject = observation.subject === undefined ? undefined : context.people.get(observation.subject);
      const records = subject ? recordsOf(observation.exchange.response?.json, subject.id) : [];
      const fields = [...new Set(records.flatMap((r) => [...r.values.keys()]))].filter((f) => f !== 'id');
      if (fields.length === 0) continue;
      seen.add(observation.operation.id);
      const operation = observation.operation;
      findings.push(
        buildFinding({
          check: undocumentedEndpoint,
          operation,
          title: `${operation.method} ${operation.path} is not in the description but serves ${subject?.name ?? 'a person'}'s record`,
          message: `A twin of ${mirrors.method} ${mirrors.path} (${mirrors.id}) answered ${observation.caller} with HTTP ${observation.exchange.response?.status ?? 0} and ${list(fields, 8)}.`,
          observations: [observation],
          fields,
          subjects: subject ? [subject.name] : [],
          identity: [observation.caller === 'anonymous' ? 'anonymous' : 'member'],
        }),
      );
    }
    return findings;
  },
};
