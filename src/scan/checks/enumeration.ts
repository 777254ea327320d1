/** Enumeration: one search or bulk call hands one caller many people's personal data. */
import type { Check, Observation, ScanContext } from '../context.ts';
import { allowedFor, isSuccess } from '../context.ts';
import { buildFinding, list } from '../evidence.ts';
import { recordsWithId } from '../records.ts';
import { listServed } from './coverage.ts';

/** More people than this in one answer, with more than their public card, is enumeration. */
export const ENUMERATION_THRESHOLD = 1;

export const enumeration: Check = {
  id: 'enumeration',
  title: 'People enumerable through search or bulk lookup',
  owasp: 'API6:2023',
  cwe: 'CWE-200',
  severity: 'high',
  description:
    'One call returned personal data, beyond what is public by design, of several other people. Repeated with every ' +
    'prefix or every id, it lists the whole membership: in 2021 Peloton\'s user search returned location and profile ' +
    'details for any prefix.',
  remediation:
    'Return only public cards (or nothing) for people the caller may not see, cap results per call, require a minimum query length, ' +
    'and rate-limit and alert on callers who read many distinct people.',
  helpUrl: 'https://owasp.org/API-Security/editions/2023/en/0xa6-unrestricted-access-to-sensitive-business-flows/',
  undecided: (context, operation) => listServed(context, operation),
  run(context) {
    const findings = [];
    const worst = new Map<string, { observation: Observation; people: number; fields: Map<string, number> }>();
    for (const observation of context.observations) {
      if (observation.purpose !== 'list' || !isSuccess(observation.exchange)) continue;
      const exposure = exposureOf(observation, context);
      const current = worst.get(observation.operation.id);
      if (exposure.people > ENUMERATION_THRESHOLD && (!current || exposure.people > current.people)) worst.set(observation.operation.id, { observation, ...exposure });
    }
    for (const { observation, people, fields } of worst.values()) {
      const operation = observation.operation;
      const perField = [...fields].sort((a, b) => b[1] - a[1]).map(([field, count]) => `${field} (${count})`);
      findings.push(
        buildFinding({
          check: enumeration,
          operation,
          title: `${operation.method} ${operation.path} gives one caller the personal data of ${people} other people per call`,
          message: `One call as ${observation.caller} returned, beyond public cards, per field: ${list(perField, 8)}.`,
          observations: [observation],
          fields: [...fields.keys()],
          subjects: [],
          identity: [observation.caller === 'anonymous' ? 'anonymous' : 'member'],
        }),
      );
    }
    return findings;
  },
};

/** How many other people an answer exposes beyond what the caller may see, and how often each field. */
function exposureOf(observation: Observation, context: ScanContext): { people: number; fields: Map<string, number> } {
  const caller = context.people.get(observation.caller);
  const { visibility } = context;
  const fields = new Map<string, number>();
  let people = 0;
  for (const record of recordsWithId(observation.exchange.response?.json)) {
    if (caller !== undefined && record.id === caller.id) continue;
    const known = [...context.people.values()].find((p) => p.id === record.id);
    const flagged = visibility.privateFlag !== undefined && record[visibility.privateFlag] === true;
    const allowed = known ? allowedFor(observation.caller, known, visibility) : flagged ? visibility.privateVisible : visibility.public;
    const exposed = Object.entries(record).filter(
      ([field, value]) => value !== null && value !== '' && typeof value !== 'object' && field !== 'id' && !allowed.has(field) &&
        context.classifier.classifyValue(field, value, { personLike: true }) !== undefined,
    );
    if (exposed.length === 0) continue;
    people += 1;
    for (const [field] of exposed) fields.set(field, (fields.get(field) ?? 0) + 1);
  }
  return { people, fields };
}
