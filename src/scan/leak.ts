/**
 * The decision at the heart of BOLA and private-flag checks, made on *content*, not status codes:
 * did a caller receive the owner's private values? A value counts only when
 * - it is the owner's (read from the owner's own answer to the same request),
 * - it is personal data,
 * - it is stable (the same in two answers to the owner: timestamps, ETags and request ids are not),
 * - it is not public by design: anonymous callers get it too, or the caller may see that field.
 * A 403 that still carries the data leaks; a 200 that carries only the public card does not.
 */
import { recordsOf } from './records.ts';

/** Keys that name whose a record is: asking for someone's id and getting it back leaks nothing. */
const IDENTIFYING_KEYS = new Set(['id', 'user_id', 'userId', 'owner_id', 'ownerId', 'member_id', 'memberId', 'person_id', 'personId']);

export interface LeakContext {
  /** Whose data: the id the request asked about. */
  subjectId: string;
  /** The owner's own answers to the same request; two or more, so volatile fields show. */
  ownerAnswers: readonly unknown[];
  /** What an anonymous caller got (a successful answer's body), if anything. */
  anonymousAnswer: unknown;
  /** Fields the caller may see by design (by name, e.g. `username`, or dotted path). */
  allowed: ReadonlySet<string>;
  /** Whether a field holds personal data (decided by the personal-data classifier). */
  isPersonal: (path: string, value: unknown) => boolean;
}

export interface LeakedValue {
  /** Dotted path inside the subject's record, e.g. `age`, `profile.city`. */
  field: string;
  value: unknown;
}

/** The owner's private values, as the owner's own answers show them. */
export function privateValues(context: LeakContext): Map<string, unknown> {
  const [first, ...others] = context.ownerAnswers;
  const facts = new Map<string, unknown>();
  for (const record of recordsOf(first, context.subjectId)) {
    for (const [field, value] of record.values) {
      if (value === null || value === '' || IDENTIFYING_KEYS.has(lastSegment(field))) continue;
      if (context.allowed.has(field) || context.allowed.has(lastSegment(field))) continue;
      if (!context.isPersonal(field, value)) continue;
      facts.set(field, value);
    }
  }
  for (const answer of others) {
    const again = valuesOf(answer, context.subjectId);
    for (const [field, value] of facts) if (again.get(field) !== value) facts.delete(field);
  }
  const publicValues = valuesOf(context.anonymousAnswer, context.subjectId);
  for (const [field, value] of facts) if (publicValues.get(field) === value) facts.delete(field);
  return facts;
}

/** Which of the owner's private values `answer` carries, in the subject's own records. */
export function leakedValues(answer: unknown, context: LeakContext): LeakedValue[] {
  const facts = privateValues(context);
  const received = valuesOf(answer, context.subjectId);
  const leaked: LeakedValue[] = [];
  for (const [field, value] of facts) if (received.get(field) === value) leaked.push({ field, value });
  return leaked;
}

function valuesOf(answer: unknown, subjectId: string): Map<string, unknown> {
  const values = new Map<string, unknown>();
  for (const record of recordsOf(answer, subjectId)) for (const [field, value] of record.values) values.set(field, value);
  return values;
}

function lastSegment(path: string): string {
  return path.slice(path.lastIndexOf('.') + 1);
}
