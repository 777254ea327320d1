/** Private-flag bypass: a private profile's data reaches callers the owner did not allow. */
import type { Check, Observation, Person, ScanContext } from '../context.ts';
import { isSuccess } from '../context.ts';
import { buildFinding, byOperation, list } from '../evidence.ts';
import { recordsWithId } from '../records.ts';
import { crossReadings } from './cross-reading.ts';
import { firstGap, listServed, ownerServed, strangerAsked } from './coverage.ts';

export const privateFlagBypass: Check = {
  id: 'private-flag-bypass',
  title: 'Private profile served to strangers',
  owasp: 'API1:2023',
  cwe: 'CWE-359',
  severity: 'high',
  description:
    'People who set their profile to private still had their personal data served to callers who are neither them nor ' +
    'a follower they accepted. In 2021 Peloton applied the private flag only in its apps\' interface; the API ignored it.',
  remediation:
    'Enforce the private flag on the server, in every route that returns people (profile, search, bulk lookups, GraphQL): ' +
    'a caller who is not the owner or an accepted follower gets only the fields a private profile shows to everyone.',
  helpUrl: 'https://owasp.org/API-Security/editions/2023/en/0xa1-broken-object-level-authorization/',
  undecided(context, operation) {
    const bySubject = context.observations.some((o) => o.operation.id === operation.id && o.purpose === 'owner');
    return bySubject ? firstGap(ownerServed(context, operation), strangerAsked(context, operation, true)) : listServed(context, operation);
  },
  run(context) {
    const findings = [];
    const known = flaggedKnown(context);
    const listed = flaggedInLists(context);
    for (const [operationId, group] of byOperation(context.observations)) {
      const readings = known.filter((r) => r.operationId === operationId);
      const strangers = listed.filter((r) => r.operationId === operationId);
      if (readings.length === 0 && strangers.length === 0) continue;
      const fields = [...new Set([...readings, ...strangers].flatMap((r) => r.fields))];
      const operation = group[0]?.operation;
      const decisive = readings[0]?.observation ?? strangers[0]?.observation;
      if (!operation || !decisive) continue;
      const people = [...new Set([...readings.map((r) => r.subject), ...strangers.map((r) => r.subject)])];
      findings.push(
        buildFinding({
          check: privateFlagBypass,
          operation,
          title: `${operation.method} ${operation.path} serves private profiles' ${list(fields)}`,
          message: `${people.length} private ${people.length === 1 ? 'profile was' : 'profiles were'} served to callers the owner did not allow (${list([...new Set([...readings, ...strangers].map((r) => r.observation.caller))])}): ${list(fields)}.`,
          observations: [decisive],
          fields,
          subjects: people,
          identity: [],
        }),
      );
    }
    return findings;
  },
};

interface FlaggedReading {
  operationId: string;
  observation: ScanContext['observations'][number];
  subject: string;
  fields: string[];
}

/**
 * Known private identities read by callers who are not their followers: the fields a public
 * profile would show (what the flag exists to hide). Fields private even on a public profile are
 * BOLA's to report.
 */
function flaggedKnown(context: ScanContext): FlaggedReading[] {
  const readings: FlaggedReading[] = [];
  for (const r of crossReadings(context)) {
    if (!r.subject.private || r.subject.followers.has(r.caller)) continue;
    const fields = r.leaked.map((l) => l.field).filter((field) => context.visibility.public.has(field.slice(field.lastIndexOf('.') + 1)));
    if (fields.length > 0) readings.push({ operationId: r.observation.operation.id, observation: r.observation, subject: r.subject.name, fields });
  }
  return readings;
}

/**
 * Records flagged private in search and bulk answers (people the scan has no identity for) that
 * carry more than the private view, to a caller who is not that person.
 */
function flaggedInLists(context: ScanContext): FlaggedReading[] {
  const flag = context.visibility.privateFlag;
  if (flag === undefined) return [];
  const exposed: { observation: Observation; record: Record<string, unknown>; knownPerson: Person | undefined; fields: string[] }[] = [];
  for (const observation of context.observations) {
    if (observation.purpose !== 'list' || !isSuccess(observation.exchange)) continue;
    const caller = context.people.get(observation.caller);
    for (const record of recordsWithId(observation.exchange.response?.json)) {
      if (record[flag] !== true || record.id === caller?.id) continue;
      const knownPerson = [...context.people.values()].find((p) => p.id === record.id);
      if (knownPerson?.followers.has(observation.caller)) continue;
      const fields = Object.entries(record)
        .filter(([field, value]) => field !== 'id' && value !== null && value !== '' && !context.visibility.privateVisible.has(field))
        .filter(([field, value]) => context.classifier.classifyValue(field, value, { personLike: true }) !== undefined)
        .map(([field]) => field);
      exposed.push({ observation, record, knownPerson, fields });
    }
  }
  // Someone the scan has no identity for may have accepted one of its identities as a follower: when other members get
  // only the private view of the same record, the server does apply the flag, and the richer answer is a follower's.
  const applied = new Set(exposed.filter((e) => e.fields.length === 0 && e.observation.caller !== 'anonymous').map((e) => `${e.observation.operation.id} ${String(e.record.id)}`));
  return exposed
    .filter((e) => e.fields.length > 0 && (e.knownPerson !== undefined || !applied.has(`${e.observation.operation.id} ${String(e.record.id)}`)))
    .map((e) => ({ operationId: e.observation.operation.id, observation: e.observation, subject: e.knownPerson?.name ?? String(e.record.id), fields: e.fields }));
}
