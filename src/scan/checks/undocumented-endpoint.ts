/** Improper inventory: a route the description leaves out still serves people's records. */
import type { Check } from '../context.ts';
import { allowedFor, isSuccess } from '../context.ts';
import { leakedValues } from '../leak.ts';
import { buildFinding, list } from '../evidence.ts';
import { firstGap, ownerServed } from './coverage.ts';

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
  undecided(context, operation) {
    const twins = context.inventory.filter((i) => i.mirrors.id === operation.id);
    const answered = twins.length > 0 && twins.every((i) => (i.observation.exchange.response?.status ?? 500) < 500);
    return firstGap(
      ownerServed(context, operation),
      twins.length === 0 ? `${operation.method} ${operation.path} has no version-prefixed twin to try` : answered ? undefined : `not every twin of ${operation.method} ${operation.path} answered`,
    );
  },
  run(context) {
    const findings = [];
    const seen = new Set<string>();
    for (const { observation, mirrors } of context.inventory) {
      if (seen.has(observation.operation.id) || !isSuccess(observation.exchange) || observation.caller === observation.subject) continue;
      const subject = observation.subject === undefined ? undefined : context.people.get(observation.subject);
      if (!subject) continue;
      // Judged like the documented route: an alias that serves only what is public by design to this caller leaks nothing.
      const documented = context.observations.filter((o) => o.operation.id === mirrors.id && o.subject === subject.name && isSuccess(o.exchange));
      const anonymous = documented.find((o) => o.caller === 'anonymous' && o.purpose === 'cross');
      const leaked = leakedValues(observation.exchange.response?.json, {
        subjectId: subject.id,
        ownerAnswers: documented.filter((o) => o.purpose === 'owner').map((o) => o.exchange.response?.json),
        anonymousAnswer: observation.caller === 'anonymous' ? undefined : anonymous?.exchange.response?.json,
        allowed: allowedFor(observation.caller, subject, context.visibility),
        isPersonal: (path, value) => context.classifier.classifyValue(path.slice(path.lastIndexOf('.') + 1), value, { personLike: true }) !== undefined,
      });
      const fields = leaked.map((l) => l.field);
      if (fields.length === 0) continue;
      seen.add(observation.operation.id);
      const operation = observation.operation;
      findings.push(
        buildFinding({
          check: undocumentedEndpoint,
          operation,
          title: `${operation.method} ${operation.path} is not in the description but serves ${subject.name}'s record`,
          message: `A twin of ${mirrors.method} ${mirrors.path} (${mirrors.id}) answered ${observation.caller} with HTTP ${observation.exchange.response?.status ?? 0} and ${list(fields, 8)}.`,
          observations: [observation],
          fields,
          subjects: [subject.name],
          identity: [observation.caller === 'anonymous' ? 'anonymous' : 'member'],
          retestOperation: mirrors,
        }),
      );
    }
    return findings;
  },
};
