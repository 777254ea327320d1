/**
 * Field sets: the personal-data fields of a response, sorted and without repeats. Stores keep each
 * distinct set once and refer to it by number, because a handful of sets (one per view and
 * operation) covers millions of records.
 */

/** The stored form of a set of fields: a JSON array, sorted, without repeats. */
export function fieldSetKey(fields: readonly string[]): string {
  return JSON.stringify([...new Set(fields)].sort());
}

/** The fields of a stored set. */
export function fieldSetFields(key: string): string[] {
  return JSON.parse(key) as string[];
}

/** The subjects of a record without repeats, in their first order: one record counts once for a person. */
export function distinctSubjects(subjects: readonly string[]): string[] {
  return subjects.length < 2 ? [...subjects] : [...new Set(subjects)];
}
