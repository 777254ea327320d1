/**
 * Opening an access log from one string, as `--store` and the gateway's configuration give it:
 *
 * - a file path, or `sqlite:PATH`: SQLite (the default);
 * - `postgres://...` or `postgresql://...`: PostgreSQL (`?schema=NAME` for the tables' schema, default `leakproof`);
 * - `-`, or `ndjson:PATH`: NDJSON lines to standard output or appended to a file, for a SIEM (write only).
 */
import { UsageError } from '../../core/errors.ts';
import type { BatchOptions } from './batch-writer.ts';
import { NdjsonAccessLog } from './ndjson.ts';
import { PostgresAccessLog } from './postgres.ts';
import { parsePostgresTarget } from '../../core/postgres-target.ts';
import type { AccessLogSink, AccessLogStore } from './record.ts';
import { SqliteAccessLog } from './sqlite.ts';
import type { SqliteConnectionOptions } from './sqlite-writer.ts';

export type StoreTarget =
  | { kind: 'sqlite'; file: string }
  | { kind: 'postgres'; url: string }
  /** `file` is undefined for standard output. */
  | { kind: 'ndjson'; file: string | undefined };

export type AccessLogOptions = BatchOptions & SqliteConnectionOptions;

const STORES_HINT = 'a file path or sqlite:PATH, postgres://USER@HOST/DB, or - / ndjson:PATH';

export function parseStoreTarget(text: string): StoreTarget {
  if (text === '-') return { kind: 'ndjson', file: undefined };
  const [, scheme = '', rest = ''] = /^([a-z][a-z0-9+.-]*):(.*)$/is.exec(text) ?? [];
  switch (scheme.toLowerCase()) {
    case 'ndjson':
      if (rest === '') break;
      return { kind: 'ndjson', file: rest === '-' ? undefined : rest };
    case 'sqlite':
      if (rest === '') break;
      return { kind: 'sqlite', file: rest };
    case 'postgres':
    case 'postgresql':
      return { kind: 'postgres', url: text };
    default:
      // Anything else that looks like a URL is a store we do not know; a plain name (even C:\...) is a file.
      if (rest.startsWith('//')) throw new UsageError(`unknown access log store '${scheme}:'`, { hint: STORES_HINT });
      if (text !== '') return { kind: 'sqlite', file: text };
  }
  throw new UsageError(`'${text}' does not name an access log store`, { hint: STORES_HINT });
}

/** The store for messages: a PostgreSQL URL without its password, anything else as given. */
export function describeStore(target: string): string {
  return parseStoreTarget(target).kind === 'postgres' ? parsePostgresTarget(target).label : target;
}

/**
 * Opens a log to write to, making it if it does not exist. Only a file that cannot be an SQLite
 * access log fails here; a PostgreSQL server is first contacted by the first batch.
 *
 * @example
 * ```ts
 * const log = await openAccessLog('leakproof-access.db', { onError: (error) => logger.warn(error.message) });
 * log.write(record);
 * await log.close();
 * ```
 */
export function openAccessLog(target: string, options: AccessLogOptions = {}): Promise<AccessLogSink> {
  const store = parseStoreTarget(target);
  if (store.kind === 'ndjson') return Promise.resolve(new NdjsonAccessLog(store.file, options));
  return openAccessLogStore(target, { ...options, create: true });
}

/**
 * Opens a log to query. Without `create`, it must exist: a missing file or an empty database is an
 * `AccessLogNotFoundError`, never an empty answer.
 *
 * @example
 * ```ts
 * const log = await openAccessLogStore('leakproof-access.db');
 * console.log(await log.whoRead('erin'));
 * await log.close();
 * ```
 */
export async function openAccessLogStore(target: string, options: AccessLogOptions & { create?: boolean } = {}): Promise<AccessLogStore> {
  const store = parseStoreTarget(target);
  const create = options.create ?? false;
  switch (store.kind) {
    case 'sqlite':
      return new SqliteAccessLog(store.file, { ...options, create });
    case 'postgres':
      return create ? new PostgresAccessLog(store.url, options) : await PostgresAccessLog.openExisting(store.url, options);
    case 'ndjson':
      throw new UsageError(`the store '${target}' is NDJSON lines, which can be written but not queried`, {
        hint: 'query the SQLite file or the PostgreSQL database the gateway writes to',
      });
  }
}
