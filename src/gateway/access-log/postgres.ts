/**
 * The PostgreSQL access log, for several gateways or more than one machine can hold. Opening it
 * for writing never waits on the server: the tables are made with the first batch, so a gateway
 * starts while its database is still down, and its records wait in the queue until it is up.
 */
import pg from 'pg';
import type { BatchOptions } from './batch-writer.ts';
import { BatchedSink, errorReporter } from './batch-writer.ts';
import { AccessLogStoreError, messageOf } from './errors.ts';
import { fieldSetKey } from './field-set.ts';
import type { PostgresStatements } from './postgres-statements.ts';
import { batchColumns, postgresStatements } from './postgres-statements.ts';
import { checkPostgresSchema, migratePostgres } from './postgres-schema.ts';
import type { PostgresTarget } from '../../core/postgres-target.ts';
import { parsePostgresTarget } from '../../core/postgres-target.ts';
import type { ReaderFieldSetRow } from './readers.ts';
import { foldReaders } from './readers.ts';
import type { AccessLogStore, AccessRecord, ReaderCount, ReaderRow, SubjectCount } from './record.ts';
import { LeakproofError } from '../../core/errors.ts';

export type PostgresAccessLogOptions = BatchOptions;

/** bigint columns (times) arrive as text, which is how pg keeps values past 2^53 exact; ms times are far below. */
interface TimeSpan {
  first: string | null;
  last: string | null;
}

const ALL_TIME = Number.MIN_SAFE_INTEGER;

export class PostgresAccessLog extends BatchedSink implements AccessLogStore {
  readonly target: PostgresTarget;
  readonly #pool: pg.Pool;
  readonly #sql: PostgresStatements;
  /** Field-set ids by key; a field set, once stored, never changes. */
  readonly #fieldSets = new Map<string, number>();
  #migrated: Promise<void> | undefined;

  constructor(url: string, options: PostgresAccessLogOptions = {}) {
    super((records) => this.#writeBatch(records), options);
    this.target = parsePostgresTarget(url);
    this.#pool = new pg.Pool({ connectionString: this.target.connectionString, max: 4, allowExitOnIdle: true, connectionTimeoutMillis: 10_000 });
    // An idle connection the server drops emits here; unheard, it would end the process.
    const report = errorReporter(options.onError);
    this.#pool.on('error', (error) => {
      report(this.#storeError('lost a connection to', error));
    });
    this.#sql = postgresStatements(this.target.schema);
  }

  /** Opens a log that must exist, to query it: connects now, so a server that is down is an error at once. */
  static async openExisting(url: string, options: PostgresAccessLogOptions = {}): Promise<PostgresAccessLog> {
    const log = new PostgresAccessLog(url, options);
    try {
      await log.#withClient((client) => checkPostgresSchema(client, log.target.schema, log.target.label));
      return log;
    } catch (error) {
      await log.#pool.end();
      throw error;
    }
  }

  protected release(): Promise<void> {
    return this.#pool.end();
  }

  async whoRead(subject: string, options: { since?: number; limit?: number } = {}): Promise<ReaderRow[]> {
    const rows = await this.#query<ReaderFieldSetRow & TimeSpan>(this.#sql.whoRead, [subject, options.since ?? ALL_TIME]);
    return foldReaders(rows.map((row) => ({ ...row, first: Number(row.first), last: Number(row.last) })), options.limit);
  }

  async topReaders(options: { since: number; limit?: number }): Promise<ReaderCount[]> {
    const rows = await this.#query<Omit<ReaderCount, 'first' | 'last'> & TimeSpan>(this.#sql.topReaders, [options.since, options.limit ?? null]);
    return rows.map(({ principal, subjects, records, first, last }) => ({ principal, subjects, records, first: Number(first), last: Number(last) }));
  }

  async subjectCount(principal: string, options: { since?: number } = {}): Promise<SubjectCount> {
    const [row] = await this.#query<{ subjects: number; records: number } & TimeSpan>(this.#sql.subjectCount, [principal, options.since ?? ALL_TIME]);
    const { subjects = 0, records = 0, first = null, last = null } = row ?? {};
    return { principal, subjects, records, ...(first === null || last === null ? {} : { first: Number(first), last: Number(last) }) };
  }

  async #writeBatch(records: readonly AccessRecord[]): Promise<void> {
    try {
      await this.#migrate();
      await this.#resolveFieldSets(records);
      await this.#pool.query(this.#sql.insertBatch, batchColumns(records, (record) => this.#fieldSets.get(fieldSetKey(record.fields)) ?? 0));
    } catch (error) {
      throw this.#storeError('could not write to', error);
    }
  }

  /** Makes or upgrades the tables once; a failure is forgotten, so the next batch tries again. */
  #migrate(): Promise<void> {
    this.#migrated ??= this.#withClient((client) => migratePostgres(client, this.target.schema, this.target.label)).catch((error: unknown) => {
      this.#migrated = undefined;
      throw error;
    });
    return this.#migrated;
  }

  async #resolveFieldSets(records: readonly AccessRecord[]): Promise<void> {
    const missing = [...new Set(records.map((record) => fieldSetKey(record.fields)))].filter((key) => !this.#fieldSets.has(key));
    if (missing.length === 0) return;
    const { rows } = await this.#pool.query<{ id: number; fields: string }>(this.#sql.fieldSets, [missing]);
    for (const { id, fields } of rows) this.#fieldSets.set(fields, id);
  }

  async #query<T extends pg.QueryResultRow>(sql: string, values: unknown[]): Promise<T[]> {
    try {
      return (await this.#pool.query<T>(sql, values)).rows;
    } catch (error) {
      throw this.#storeError('could not read the access log in', error);
    }
  }

  async #withClient<T>(use: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    let client: pg.PoolClient;
    try {
      client = await this.#pool.connect();
    } catch (error) {
      throw this.#storeError('could not connect to', error);
    }
    try {
      return await use(client);
    } finally {
      client.release();
    }
  }

  #storeError(what: string, error: unknown): LeakproofError {
    if (error instanceof LeakproofError) return error;
    return new AccessLogStoreError(`${what} ${this.target.label}: ${messageOf(error)}`, { cause: error });
  }
}
