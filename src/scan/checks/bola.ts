/** BOLA: a member reads another member's private values by naming their id. */
import type { Check } from '../context.ts';
import { buildFinding, list } from '../evidence.ts';
import { crossReadings } from './cross-reading.ts';
import type { CrossReading } from './cross-reading.ts';
import { firstGap, ownerServed, strangerAsked } from './coverage.ts';

/** The part of a reading that the private flag does not explain: fields private even on a public profile. */
export function bolaFields(reading: CrossReading, publicFields: ReadonlySet<string>): string[] {
  const flagBypass = reading.subject.private && !reading.subject.followers.has(reading.caller);
  return reading.leaked.map((l) => l.field).filter((field) => !(flagBypass && publicFields.has(field.slice(field.lastIndexOf('.') + 1))));
}

export const bola: Check = {
  id: 'bola',
  title: 'Broken object-level authorization',
  owasp: 'API1:2023',
  cwe: 'CWE-639',
  severity: 'high',
  description:
    'A caller who is not the owner received the owner\'s private values by putting the owner\'s id in the request. ' +
    'Authentication says who is calling; only an object-level check on the server decides whose data they may read. ' +
    'This is the 2 February 2021 Peloton "fix": a login was required, but any member still read any member.',
  remediation:
    'Check on the server, for every object returned, that the caller may see it (owner, or a relation the owner allowed), ' +
    'and return only the fields of the caller\'s view. Deny by default; never rely on the client to hide fields.',
  helpUrl: 'https://owasp.org/API-Security/editions/2023/en/0xa1-broken-object-level-authorization/',
  undecided: (context, operation) => firstGap(ownerServed(context, operation), strangerAsked(context, operation)),
  run(context) {
    const byOperation = new Map<string, { readings: CrossReading[]; fields: Set<string> }>();
    for (const reading of crossReadings(context)) {
      if (reading.caller === 'anonymous') continue;
      const fields = bolaFields(reading, context.visibility.public);
      if (fields.length === 0) continue;
      const group = byOperation.get(reading.observation.operation.id) ?? { readings: [], fields: new Set() };
      group.readings.push(reading);
      for (const field of fields) group.fields.add(field);
      byOperation.set(reading.observation.operation.id, group);
    }
    return [...byOperation.values()].map(({ readings, fields }) => {
      const [first] = readings;
      if (!first) throw new Error('a group has at least one reading');
      const pairs = [...new Set(readings.map((r) => `${r.caller} → ${r.subject.name}`))];
      const operation = first.observation.operation;
      return buildFinding({
        check: bola,
        operation,
        title: `${operation.method} ${operation.path} serves other members' ${list([...fields])}`,
        message: `Callers read records they do not own (${list(pairs)}), receiving the owner's ${list([...fields])}.`,
        observations: [first.observation, ...(first.ownerObservation ? [first.ownerObservation] : [])],
        fields: [...fields],
        subjects: readings.map((r) => r.subject.name),
        identity: ['member'],
      });
    });
  },
};
