/** Writing batches of records into an SQLite access log: one transaction per batch. */
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { distinctSubjects, fieldSetKey } from './field-set.ts';
import type { AccessRecord } from './record.ts';
import { SegmentSpans, segmentOf } from './segments.ts';
import { loadSqlite } from './sqlite-module.ts';

export interface SqliteConnectionOptions {
  /** How long to wait for another connection's write lock before a batch fails (default 5 s). */
  busyTimeoutMs?: number;
}

/** Opens a connection tuned for the access log; the file must already have its tables. */
export function openConnection(file: string, options: SqliteConnectionOptions & { readOnly?: boolean } = {}): DatabaseSync {
  const { DatabaseSync } = loadSqlite();
  const db = new DatabaseSync(file, { timeout: options.busyTimeoutMs ?? 5000, readOnly: options.readOnly ?? false });
  // In WAL mode NORMAL survives a crash of the process; only a power loss may take the last batches.
  db.exec('PRAGMA synchronous = NORMAL');
  // The page cache stays for the connection's life. A gateway's writer filled 64 MiB of it over its
  // first minutes as the file grew, which the 5-minute soak saw as memory that kept rising; 4 MiB
  // ingests as fast (bench/README "Access log", "Gateway" section 5), since appends touch few pages.
  db.exec(`PRAGMA cache_size = ${options.readOnly === true ? -65536 : -4096}`);
  // Reading pages straight from the mapped file cut the median who-read over ten million records
  // from 33 to 11 ms here (SQLite maps at most 2 GiB of it in Node's build).
  // Only to read: an I/O error in a mapping is a signal that ends the process, not an error to report.
  if (options.readOnly === true) db.exec('PRAGMA mmap_size = 4294967296');
  return db;
}

export class SqliteRecordWriter {
  readonly #db: DatabaseSync;
  readonly #insertRecord: StatementSync;
  readonly #insertSubject: StatementSync;
  readonly #mergeSegment: StatementSync;
  readonly #insertFieldSet: StatementSync;
  readonly #lastId: StatementSync;
  /** Field-set ids known to be committed, by the fields as records give them. */
  readonly #fieldSets = new Map<string, number>();

  constructor(db: DatabaseSync) {
    this.#db = db;
    this.#insertRecord = db.prepare(`INSERT INTO access_records
      (id, segment, time, request_id, principal, operation, method, path, status, subjects, field_set, view, decision)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    this.#insertSubject = db.prepare('INSERT INTO access_subjects (segment, subject, record_id, time, principal, field_set) VALUES (?, ?, ?, ?, ?, ?)');
    this.#mergeSegment = db.prepare(`INSERT INTO access_segments (segment, first_time, last_time) VALUES (?, ?, ?)
      ON CONFLICT (segment) DO UPDATE SET first_time = min(first_time, excluded.first_time), last_time = max(last_time, excluded.last_time)`);
    this.#insertFieldSet = db.prepare('INSERT INTO access_field_sets (fields) VALUES (?) ON CONFLICT (fields) DO UPDATE SET fields = excluded.fields RETURNING id');
    this.#lastId = db.prepare('SELECT coalesce(max(id), 0) AS id FROM access_records');
  }

  /** Stores the batch in one transaction, or nothing of it. */
  write(records: readonly AccessRecord[]): void {
    const added = new Map<string, number>();
    // IMMEDIATE takes the write lock first, so the ids read next stay ours when several processes write.
    this.#db.exec('BEGIN IMMEDIATE');
    try {
      let id = (this.#lastId.get() as { id: number }).id;
      const spans = new SegmentSpans();
      for (const record of records) {
        id += 1;
        const segment = segmentOf(id);
        const fieldSet = this.#fieldSetId(record.fields, added);
        const subjects = distinctSubjects(record.subjects);
        const { time, principal } = record;
        this.#insertRecord.run(id, segment, time, record.requestId, principal, record.operation, record.method, record.path, record.status, JSON.stringify(subjects), fieldSet, record.view ?? null, record.decision);
        if (record.decision !== 'deny') for (const subject of subjects) this.#insertSubject.run(segment, subject, id, time, principal, fieldSet);
        spans.add(segment, time);
      }
      for (const [segment, { first, last }] of spans.entries()) this.#mergeSegment.run(segment, first, last);
      this.#db.exec('COMMIT');
    } catch (error) {
      if (this.#db.isTransaction) this.#db.exec('ROLLBACK');
      throw error;
    }
    // Only now are the new ids committed: a rolled-back batch must not leave ids that do not exist.
    for (const [key, id] of added) this.#fieldSets.set(key, id);
  }

  /** Keyed by the fields as given, so that the usual case, a set seen before, costs no sort. */
  #fieldSetId(fields: readonly string[], added: Map<string, number>): number {
    const asGiven = JSON.stringify(fields);
    const known = this.#fieldSets.get(asGiven) ?? added.get(asGiven);
    if (known !== undefined) return known;
    const { id } = this.#insertFieldSet.get(fieldSetKey(fields)) as { id: number };
    added.set(asGiven, id);
    return id;
  }
}
