/**
 * A subject's records in a response: every object in the JSON that is about one person, found by
 * that person's id. Search results, bulk lookups and GraphQL answers wrap records at any depth
 * (`data[3]`, `data.user`), so the whole document is walked.
 */

/** Keys that say whose a record is: the person's own id, or the id of the person who owns it. */
const SUBJECT_KEYS = ['id', 'user_id', 'userId', 'owner_id', 'ownerId', 'member_id', 'memberId', 'person_id', 'personId'];

export interface SubjectRecord {
  /** Where the record sits in the response, e.g. `data[3]`, `data.user`, or `` for the root. */
  path: string;
  /** The record's fields flattened to dotted paths of primitive values: `age`, `profile.city`. */
  values: Map<string, unknown>;
}

/** Every record in `json` that belongs to `subjectId`. */
export function recordsOf(json: unknown, subjectId: string): SubjectRecord[] {
  const found: SubjectRecord[] = [];
  const seen = new Set<object>();
  const visit = (value: unknown, path: string): void => {
    if (value === null || typeof value !== 'object' || seen.has(value)) return;
    seen.add(value);
    if (Array.isArray(value)) {
      value.forEach((item, index) => { visit(item, `${path}[${index}]`); });
      return;
    }
    const record = value as Record<string, unknown>;
    if (SUBJECT_KEYS.some((key) => record[key] === subjectId)) found.push({ path, values: flatten(record) });
    for (const [key, child] of Object.entries(record)) visit(child, path === '' ? key : `${path}.${key}`);
  };
  visit(json, '');
  return found;
}

/** Primitive values of a record by dotted path; nested records of other people are not followed. */
function flatten(record: Record<string, unknown>, prefix = '', into = new Map<string, unknown>(), depth = 0): Map<string, unknown> {
  for (const [key, value] of Object.entries(record)) {
    const path = prefix === '' ? key : `${prefix}.${key}`;
    if (value === null || typeof value !== 'object') into.set(path, value);
    else if (!Array.isArray(value) && depth < 3 && !SUBJECT_KEYS.some((k) => k in value)) flatten(value as Record<string, unknown>, path, into, depth + 1);
  }
  return into;
}

/** Every object with an `id` in `json`, at any depth: the people (or things) an answer lists. */
export function recordsWithId(json: unknown): Record<string, unknown>[] {
  const records: Record<string, unknown>[] = [];
  const seen = new Set<object>();
  const visit = (value: unknown): void => {
    if (value === null || typeof value !== 'object' || seen.has(value)) return;
    seen.add(value);
    if (Array.isArray(value)) {
      value.forEach(visit);
      return;
    }
    if ('id' in value) records.push(value);
    Object.values(value).forEach(visit);
  };
  visit(json);
  return records;
}
