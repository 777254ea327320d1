/**
 * The SQLite access log, the default: one file, no server. Batches are written on a thread of their
 * own (sqlite-worker.ts); queries run on the caller's thread, on a connection of their own, which
 * WAL lets read while the writer writes.
 */
import { existsSync } from 'node:fs';
import type { DatabaseSync } from 'node:sqlite';
import type { BatchOptions } from './batch-writer.ts';
import { BatchedSink } from './batch-writer.ts';
import { AccessLogFormatError, AccessLogNotFoundError, AccessLogStoreError, messageOf } from './errors.ts';
import type { AccessLogStore, ReaderCount, ReaderRow, SubjectCount } from './record.ts';
import { SqliteQueries } from './sqlite-queries.ts';
import { checkSchema, migrate } from './sqlite-schema.ts';
import type { SqliteConnectionOptions } from './sqlite-writer.ts';
import { openConnection } from './sqlite-writer.ts';
import { SqliteWriterThread } from './sqlite-writer-thread.ts';

export interface SqliteAccessLogOptions extends BatchOptions, SqliteConnectionOptions {
  /** Create the file if it does not exist, and upgrade an older one (default true). Without, a missing file is an error. */
  create?: boolean;
}

export class SqliteAccessLog extends BatchedSink implements AccessLogStore {
  readonly file: string;
  readonly #db: DatabaseSync;
  readonly #queries: SqliteQueries;
  readonly #thread: SqliteWriterThread;

  /** Opens (or, with `create`, makes) the access log in `file`. Throws when the file cannot be one. */
  constructor(file: string, options: SqliteAccessLogOptions = {}) {
    super((records) => this.#thread.write(records), options);
    this.file = file;
    const create = options.create ?? true;
    if (!create && !existsSync(file)) {
      throw new AccessLogNotFoundError(`there is no access log at ${file}`, { hint: "give the gateway's store with --store FILE or --store postgres://..." });
    }
    this.#db = open(file, options, create);
    this.#queries = new SqliteQueries(this.#db);
    this.#thread = new SqliteWriterThread({ file, busyTimeoutMs: options.busyTimeoutMs });
  }

  protected async release(): Promise<void> {
    await this.#thread.close();
    this.#db.close();
  }

  whoRead(subject: string, options?: { since?: number; limit?: number }): Promise<ReaderRow[]> {
    return this.#query(() => this.#queries.whoRead(subject, options));
  }

  topReaders(options: { since: number; limit?: number }): Promise<ReaderCount[]> {
    return this.#query(() => this.#queries.topReaders(options));
  }

  subjectCount(principal: string, options?: { since?: number }): Promise<SubjectCount> {
    return this.#query(() => this.#queries.subjectCount(principal, options));
  }

  #query<T>(ask: () => T): Promise<T> {
    try {
      return Promise.resolve(ask());
    } catch (error) {
      return Promise.reject(new AccessLogStoreError(`could not read the access log ${this.file}: ${messageOf(error)}`, { cause: error }));
    }
  }
}

function open(file: string, options: SqliteAccessLogOptions, create: boolean): DatabaseSync {
  let db: DatabaseSync | undefined;
  try {
    db = openConnection(file, { ...options, readOnly: !create });
    if (create) migrate(db, file);
    else checkSchema(db, file);
    return db;
  } catch (error) {
    db?.close();
    if (error instanceof AccessLogFormatError) throw error;
    if (isNotADatabase(error)) throw new AccessLogFormatError(`${file} is not an SQLite database, so not a Leakproof access log`, { cause: error });
    throw new AccessLogStoreError(`could not open the access log ${file}: ${messageOf(error)}`, { cause: error });
  }
}

/** SQLITE_NOTADB: the file exists and is something else. */
function isNotADatabase(error: unknown): boolean {
  return (error as { errcode?: unknown } | undefined)?.errcode === 26;
}
