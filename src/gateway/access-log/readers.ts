/** Folding a store's per-field-set rows into the answer to "who read this subject?". */
import { fieldSetFields } from './field-set.ts';
import type { ReaderRow } from './record.ts';

/** One principal's responses carrying the subject, with one field set. */
export interface ReaderFieldSetRow {
  principal: string;
  fields: string;
  records: number;
  first: number;
  last: number;
}

/** One row per principal, with the union of its field sets; most responses first, then by name. */
export function foldReaders(rows: readonly ReaderFieldSetRow[], limit?: number): ReaderRow[] {
  const byPrincipal = new Map<string, { records: number; fields: Set<string>; first: number; last: number }>();
  for (const row of rows) {
    const reader = byPrincipal.get(row.principal);
    if (reader === undefined) {
      byPrincipal.set(row.principal, { records: row.records, fields: new Set(fieldSetFields(row.fields)), first: row.first, last: row.last });
      continue;
    }
    reader.records += row.records;
    for (const field of fieldSetFields(row.fields)) reader.fields.add(field);
    reader.first = Math.min(reader.first, row.first);
    reader.last = Math.max(reader.last, row.last);
  }
  const readers = [...byPrincipal].map(([principal, { records, fields, first, last }]) => ({ principal, records, fields: [...fields].sort(), first, last }));
  readers.sort((a, b) => b.records - a.records || compareText(a.principal, b.principal));
  return limit === undefined ? readers : readers.slice(0, limit);
}

/** Code-point order, the same in every locale and in both stores. */
export function compareText(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}
