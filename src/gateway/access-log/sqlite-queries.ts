/**
 * The three questions, asked of an SQLite access log. Each query names the segments of its time
 * window first (see segments.ts), then seeks the subject or principal inside each of them.
 */
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type { ReaderCount, ReaderRow, SubjectCount } from './record.ts';
import type { ReaderFieldSetRow } from './readers.ts';
import { foldReaders } from './readers.ts';

const SEGMENTS_SINCE = 'SELECT segment FROM access_segments WHERE last_time >= :since';

export const WHO_READ_SQL = `SELECT s.principal, f.fields, count(*) AS records, min(s.time) AS first, max(s.time) AS last
  FROM access_subjects AS s JOIN access_field_sets AS f ON f.id = s.field_set
  WHERE s.segment IN (${SEGMENTS_SINCE}) AND s.subject = :subject AND s.time >= :since
  GROUP BY s.principal, s.field_set`;

// `decision <> 'deny'` is the condition of the partial index the two queries below read.
export const TOP_READERS_SQL = `SELECT r.principal, count(DISTINCT j.value) AS subjects, count(DISTINCT r.id) AS records, min(r.time) AS first, max(r.time) AS last
  FROM access_records AS r LEFT JOIN json_each(r.subjects) AS j
  WHERE r.segment IN (${SEGMENTS_SINCE}) AND r.time >= :since AND r.decision <> 'deny'
  GROUP BY r.principal
  ORDER BY subjects DESC, records DESC, r.principal
  LIMIT :limit`;

export const SUBJECT_COUNT_SQL = `SELECT count(DISTINCT j.value) AS subjects, count(DISTINCT r.id) AS records, min(r.time) AS first, max(r.time) AS last
  FROM access_records AS r LEFT JOIN json_each(r.subjects) AS j
  WHERE r.segment IN (${SEGMENTS_SINCE}) AND r.principal = :principal AND r.time >= :since AND r.decision <> 'deny'`;

/** No time window: every record. */
const ALL_TIME = Number.MIN_SAFE_INTEGER;

export class SqliteQueries {
  readonly #whoRead: StatementSync;
  readonly #topReaders: StatementSync;
  readonly #subjectCount: StatementSync;

  constructor(db: DatabaseSync) {
    this.#whoRead = db.prepare(WHO_READ_SQL);
    this.#topReaders = db.prepare(TOP_READERS_SQL);
    this.#subjectCount = db.prepare(SUBJECT_COUNT_SQL);
  }

  whoRead(subject: string, options: { since?: number; limit?: number } = {}): ReaderRow[] {
    const rows = this.#whoRead.all({ subject, since: options.since ?? ALL_TIME }) as unknown as ReaderFieldSetRow[];
    return foldReaders(rows, options.limit);
  }

  topReaders(options: { since: number; limit?: number }): ReaderCount[] {
    // SQLite reads LIMIT -1 as no limit.
    const rows = this.#topReaders.all({ since: options.since, limit: options.limit ?? -1 }) as unknown as ReaderCount[];
    return rows.map(({ principal, subjects, records, first, last }) => ({ principal, subjects, records, first, last }));
  }

  subjectCount(principal: string, options: { since?: number } = {}): SubjectCount {
    const row = this.#subjectCount.get({ principal, since: options.since ?? ALL_TIME }) as { subjects: number; records: number; first: number | null; last: number | null };
    return { principal, subjects: row.subjects, records: row.records, ...(row.first === null || row.last === null ? {} : { first: row.first, last: row.last }) };
  }
}
