/**
 * What callers received of other people's records when they asked for them by id (one id in the
 * path, or a list in a bulk body): the shared evidence of BOLA, private-flag bypass and missing
 * authentication.
 */
import type { Observation, Person, ScanContext } from '../context.ts';
import { allowedFor, isSuccess } from '../context.ts';
import type { LeakedValue } from '../leak.ts';
import { leakedValues } from '../leak.ts';
import { recordsOf } from '../records.ts';

export interface CrossReading {
  observation: Observation;
  caller: string;
  subject: Person;
  leaked: LeakedValue[];
  /** The owner's answer the leak was measured against. */
  ownerObservation: Observation | undefined;
}

/** Three checks read the same readings of one scan: computed once per context. */
const computed = new WeakMap<ScanContext, CrossReading[]>();

/** Every cross request that received some of its subject's private values. */
export function crossReadings(context: ScanContext): CrossReading[] {
  let readings = computed.get(context);
  if (!readings) {
    readings = computeReadings(context);
    computed.set(context, readings);
  }
  return readings;
}

function computeReadings(context: ScanContext): CrossReading[] {
  const readings: CrossReading[] = [];
  const answers = (o: Observation): unknown => o.exchange.response?.json;
  for (const observation of context.observations) {
    if (observation.purpose !== 'cross' || observation.subject === undefined || observation.caller === observation.subject) continue;
    const subject = [...context.people.values()].find((p) => p.name === observation.subject);
    if (!subject) continue;
    const same = context.observations.filter((o) => o.operation === observation.operation && o.subject === observation.subject);
    const owner = same.filter((o) => o.purpose === 'owner' && isSuccess(o.exchange));
    const anonymous = same.find((o) => o.caller === 'anonymous' && o.purpose === 'cross' && isSuccess(o.exchange));
    const leaked = leakedValues(answers(observation), {
      subjectId: subject.id,
      ownerAnswers: owner.map(answers),
      anonymousAnswer: observation.caller === 'anonymous' ? undefined : anonymous ? answers(anonymous) : undefined,
      allowed: allowedFor(observation.caller, subject, context.visibility),
      isPersonal: (path, value) => context.classifier.classifyValue(path.slice(path.lastIndexOf('.') + 1), value, { personLike: true }) !== undefined,
    });
    // A value the caller also gets in its own record is an echo of the caller (its address, its session), not the owner's.
    const callerPerson = context.people.get(observation.caller);
    const echoes = new Map<string, unknown>();
    for (const own of context.observations.filter((o) => callerPerson && o.operation === observation.operation && o.subject === observation.caller && o.purpose === 'owner' && isSuccess(o.exchange))) {
      for (const record of recordsOf(answers(own), callerPerson?.id ?? '')) for (const [field, value] of record.values) echoes.set(field, value);
    }
    const unechoed = leaked.filter((l) => !echoes.has(l.field) || echoes.get(l.field) !== l.value);
    if (unechoed.length > 0) readings.push({ observation, caller: observation.caller, subject, leaked: unechoed, ownerObservation: owner[0] });
  }
  return readings;
}
