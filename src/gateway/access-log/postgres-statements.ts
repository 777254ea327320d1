/**
 * The PostgreSQL access log's statements. A batch is one INSERT of parallel arrays through
 * `unnest`, so a thousand records cost one round trip and one implicit transaction.
 */
import { quoteIdentifier } from '../../core/postgres-target.ts';
import { distinctSubjects } from './field-set.ts';
import type { AccessRecord } from './record.ts';
import { SEGMENT_RECORDS } from './segments.ts';

export interface PostgresStatements {
  /** Adds the field sets named in $1 (JSON keys) and returns the id of each. */
  fieldSets: string;
  insertBatch: string;
  whoRead: string;
  topReaders: string;
  subjectCount: string;
}

export function postgresStatements(schema: string): PostgresStatements {
  const s = quoteIdentifier(schema);
  // An array, not IN (SELECT ...): without fresh statistics (right after a bulk load) the planner
  // turned the IN into a hash join over a sequential scan of every subject row, 1.2 s against 80 ms.
  const segmentsSince = (parameter: string): string => `ARRAY(SELECT segment FROM ${s}.access_segments WHERE last_time >= ${parameter})`;
  return {
    fieldSets: `INSERT INTO ${s}.access_field_sets (fields) SELECT unnest($1::text[])
      ON CONFLICT (md5(fields)) DO UPDATE SET fields = excluded.fields RETURNING id, fields`,
    // The input is MATERIALIZED so that each record draws its id once for both tables.
    insertBatch: `WITH input AS MATERIALIZED (
        SELECT nextval('${s}.access_records_id_seq') AS id, t.*
        FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::integer[], $8::text[], $9::integer[], $10::text[], $11::text[])
          AS t(time, request_id, principal, operation, method, path, status, subjects, field_set, view, decision)
      ), records AS (
        INSERT INTO ${s}.access_records (id, segment, time, request_id, principal, operation, method, path, status, subjects, field_set, view, decision)
        SELECT id, id / ${SEGMENT_RECORDS}, time, request_id, principal, operation, method, path, status,
          ARRAY(SELECT jsonb_array_elements_text(subjects::jsonb)), field_set, view, decision
        FROM input
      ), subjects AS (
        INSERT INTO ${s}.access_subjects (segment, subject, record_id, time, principal, field_set)
        SELECT i.id / ${SEGMENT_RECORDS}, j.subject, i.id, i.time, i.principal, i.field_set
        FROM input AS i CROSS JOIN LATERAL jsonb_array_elements_text(i.subjects::jsonb) AS j(subject)
        WHERE i.decision <> 'deny'
      )
      INSERT INTO ${s}.access_segments AS g (segment, first_time, last_time)
      SELECT id / ${SEGMENT_RECORDS}, min(time), max(time) FROM input GROUP BY 1
      ON CONFLICT (segment) DO UPDATE SET first_time = least(g.first_time, excluded.first_time), last_time = greatest(g.last_time, excluded.last_time)`,
    whoRead: `SELECT s.principal, f.fields, count(*)::integer AS records, min(s.time) AS first, max(s.time) AS last
      FROM ${s}.access_subjects AS s JOIN ${s}.access_field_sets AS f ON f.id = s.field_set
      WHERE s.segment = ANY(${segmentsSince('$2')}) AND s.subject = $1 AND s.time >= $2
      GROUP BY s.principal, f.fields`,
    // `decision <> 'deny'` is the condition of the partial index the two queries below read.
    topReaders: `SELECT r.principal, count(DISTINCT j.subject)::integer AS subjects, count(DISTINCT r.id)::integer AS records, min(r.time) AS first, max(r.time) AS last
      FROM ${s}.access_records AS r LEFT JOIN LATERAL unnest(r.subjects) AS j(subject) ON true
      WHERE r.segment = ANY(${segmentsSince('$1')}) AND r.time >= $1 AND r.decision <> 'deny'
      GROUP BY r.principal
      ORDER BY subjects DESC, records DESC, r.principal COLLATE "C"
      LIMIT $2`,
    subjectCount: `SELECT count(DISTINCT j.subject)::integer AS subjects, count(DISTINCT r.id)::integer AS records, min(r.time) AS first, max(r.time) AS last
      FROM ${s}.access_records AS r LEFT JOIN LATERAL unnest(r.subjects) AS j(subject) ON true
      WHERE r.segment = ANY(${segmentsSince('$2')}) AND r.principal = $1 AND r.time >= $2 AND r.decision <> 'deny'`,
  };
}

/** The parameters of `insertBatch`: one array per column, in the order of its `unnest`. */
export function batchColumns(records: readonly AccessRecord[], fieldSet: (record: AccessRecord) => number): unknown[][] {
  const columns: unknown[][] = Array.from({ length: 11 }, () => []);
  for (const record of records) {
    const subjects = JSON.stringify(distinctSubjects(record.subjects).map(pgText));
    const row = [record.time, pgText(record.requestId), pgText(record.principal), pgText(record.operation), pgText(record.method), pgText(record.path),
      record.status, subjects, fieldSet(record), record.view === undefined ? null : pgText(record.view), record.decision];
    row.forEach((value, index) => columns[index]?.push(value));
  }
  return columns;
}

/**
 * PostgreSQL text cannot hold NUL, and a request path is the caller's to choose: one NUL would
 * fail its batch at every attempt. It is stored as U+FFFD, the replacement character.
 */
export function pgText(text: string): string {
  return text.includes('\0') ? text.replaceAll('\0', '\uFFFD') : text;
}
