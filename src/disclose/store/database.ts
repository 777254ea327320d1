/**
 * The tracker's database: embedded SQLite (`node:sqlite`) by default, PostgreSQL when one machine is
 * not enough. Both sit behind Kysely, so every query is written once, with its values always bound
 * as parameters, never spliced into SQL.
 *
 * @example
 * ```ts
 * const db = await openDatabase('sqlite:leakproof-disclose.db');
 * const db2 = await openDatabase('postgres://postgres@127.0.0.1:5432/test?schema=disclose');
 * ```
 */
import { DatabaseSync } from 'node:sqlite';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import type { SqliteDatabase } from 'kysely';
import pg from 'pg';
import { LeakproofError, ExitCode } from '../../core/errors.ts';
import { parsePostgresTarget, quoteIdentifier } from '../../core/postgres-target.ts';
import type { Tables } from './tables.ts';

export type Dialect = 'sqlite' | 'postgres';

export interface Database {
  db: Kysely<Tables>;
  dialect: Dialect;
  /** Where, for messages: a file, or host/port/database, never a password. */
  label: string;
  /** PostgreSQL: the schema the tables live in. */
  schema?: string | undefined;
  close(): Promise<void>;
}

/** The store could not be opened or used. */
export class StoreError extends LeakproofError {
  override readonly code = 'ERR_DISCLOSE_STORE';
  override readonly exitCode = ExitCode.Runtime;
}

/**
 * Opens `sqlite:PATH`, a plain path, `:memory:`, or `postgres://…[?schema=NAME]` (default schema
 * `leakproof_disclose`, created when missing). Does not create tables: see `migrate`.
 */
export async function openDatabase(store: string): Promise<Database> {
  if (/^postgres(ql)?:\/\//.test(store)) return openPostgres(store);
  const file = store.replace(/^sqlite:/, '');
  let sqlite: DatabaseSync;
  try {
    sqlite = new DatabaseSync(file);
    sqlite.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000');
  } catch (error) {
    throw new StoreError(`cannot open the tracker's SQLite database ${file}: ${(error as Error).message}`, { cause: error });
  }
  const db = new Kysely<Tables>({ dialect: new SqliteDialect({ database: adaptSqlite(sqlite) }) });
  return { db, dialect: 'sqlite', label: file, close: () => db.destroy() };
}

async function openPostgres(store: string): Promise<Database> {
  const target = parsePostgresTarget(store.includes('schema=') ? store : `${store}${store.includes('?') ? '&' : '?'}schema=leakproof_disclose`);
  // Times and ids are int8: numbers well inside 2^53, which pg would otherwise hand back as strings.
  const types = new pg.TypeOverrides();
  types.setTypeParser(pg.types.builtins.INT8, Number);
  const pool = new pg.Pool({
    connectionString: target.connectionString,
    max: 10,
    connectionTimeoutMillis: 10_000,
    types,
    options: `-c search_path=${target.schema}`,
  });
  try {
    await pool.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdentifier(target.schema)}`);
  } catch (error) {
    await pool.end();
    throw new StoreError(`cannot reach the tracker's PostgreSQL database ${target.label}: ${(error as Error).message}`, { cause: error });
  }
  const db = new Kysely<Tables>({ dialect: new PostgresDialect({ pool }) });
  return { db, dialect: 'postgres', label: target.label, schema: target.schema, close: () => db.destroy() };
}

/** `node:sqlite` in the shape Kysely's SQLite dialect drives (better-sqlite3's). */
function adaptSqlite(sqlite: DatabaseSync): SqliteDatabase {
  return {
    close: () => { sqlite.close(); },
    prepare(sql) {
      // Kysely opens transactions with a plain BEGIN, which takes the write lock only at the first
      // write: two processes that both read first then deadlock, and SQLite fails one at once,
      // whatever the busy timeout. BEGIN IMMEDIATE takes it up front, and waits its turn.
      const statement = sqlite.prepare(/^\s*begin\s*$/i.test(sql) ? 'BEGIN IMMEDIATE' : sql);
      return {
        reader: statement.columns().length > 0,
        all: (parameters) => statement.all(...(parameters as never[])),
        run: (parameters) => statement.run(...(parameters as never[])),
        iterate: (parameters) => statement.iterate(...(parameters as never[])),
      };
    },
  };
}
