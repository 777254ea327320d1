/** Reading a PostgreSQL store string (the access log's, the tracker's): a libpq URL, plus an optional `schema` for the tables. */
import { UsageError } from './errors.ts';

export interface PostgresTarget {
  /** The URL without `schema`, for the driver. */
  connectionString: string;
  /** The schema the tables live in, created if missing (default `leakproof`: apart from the application's own tables). */
  schema: string;
  /** Where, for messages: host, port and database, never the password. */
  label: string;
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

export function parsePostgresTarget(text: string): PostgresTarget {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`'${redact(text)}' is not a PostgreSQL URL`, { hint: 'postgres://USER@HOST:PORT/DATABASE' });
  }
  const schema = url.searchParams.get('schema') ?? 'leakproof';
  if (!IDENTIFIER.test(schema)) throw new UsageError(`the schema '${schema}' in the PostgreSQL URL must be letters, digits and _, and not start with a digit`);
  url.searchParams.delete('schema');
  const database = decodeURIComponent(url.pathname.replace(/^\//, ''));
  return { connectionString: url.href, schema, label: `postgres://${url.host}/${database}?schema=${schema}` };
}

/** The schema's name quoted for SQL; safe because `parsePostgresTarget` allows only identifier characters. */
export function quoteIdentifier(name: string): string {
  return `"${name}"`;
}

function redact(text: string): string {
  return text.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@');
}
