/**
 * The PostgreSQL access log's tables: the same as SQLite's (see sqlite-schema.ts), in a schema of
 * their own choosing, created and upgraded in order by number under an advisory lock, so that
 * gateways starting together migrate once.
 */
import type { PoolClient } from 'pg';
import { AccessLogFormatError, AccessLogNotFoundError } from './errors.ts';
import { quoteIdentifier } from '../../core/postgres-target.ts';

const migrations = (s: string): readonly string[] => [
  `CREATE TABLE ${s}.access_field_sets (
     id serial PRIMARY KEY,
     fields text NOT NULL
   );
   CREATE UNIQUE INDEX access_field_sets_fields ON ${s}.access_field_sets (md5(fields));
   CREATE TABLE ${s}.access_records (
     id bigint PRIMARY KEY,
     segment bigint NOT NULL,
     time bigint NOT NULL,
     request_id text NOT NULL,
     principal text NOT NULL,
     operation text NOT NULL,
     method text NOT NULL,
     path text NOT NULL,
     status integer NOT NULL,
     subjects text[] NOT NULL,
     field_set integer NOT NULL,
     view text,
     decision text NOT NULL CHECK (decision IN ('allow', 'filtered', 'deny'))
   );
   CREATE SEQUENCE ${s}.access_records_id_seq OWNED BY ${s}.access_records.id;
   CREATE INDEX access_records_by_principal ON ${s}.access_records (segment, principal, time) WHERE decision <> 'deny';
   CREATE TABLE ${s}.access_subjects (
     segment bigint NOT NULL,
     subject text NOT NULL,
     record_id bigint NOT NULL,
     time bigint NOT NULL,
     principal text NOT NULL,
     field_set integer NOT NULL,
     PRIMARY KEY (segment, subject, record_id) INCLUDE (time, principal, field_set)
   );
   CREATE TABLE ${s}.access_segments (
     segment bigint PRIMARY KEY,
     first_time bigint NOT NULL,
     last_time bigint NOT NULL
   );`,
];

export const POSTGRES_SCHEMA_VERSION = migrations('s').length;

export async function migratePostgres(client: PoolClient, schema: string, label: string): Promise<void> {
  const s = quoteIdentifier(schema);
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`leakproof access log ${schema}`]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${s}`);
    await client.query(`CREATE TABLE IF NOT EXISTS ${s}.schema_version (version integer NOT NULL)`);
    const version = (await storedVersion(client, s)) ?? 0;
    if (version > POSTGRES_SCHEMA_VERSION) throw newerError(label, version);
    for (const sql of migrations(s).slice(version)) await client.query(sql);
    await client.query(`DELETE FROM ${s}.schema_version`);
    await client.query(`INSERT INTO ${s}.schema_version (version) VALUES ($1)`, [POSTGRES_SCHEMA_VERSION]);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  }
}

/** Refuses a database without an access log, or with one of another version, without changing it. */
export async function checkPostgresSchema(client: PoolClient, schema: string, label: string): Promise<void> {
  const s = quoteIdentifier(schema);
  const { rows } = await client.query<{ table: string | null }>('SELECT to_regclass($1) AS table', [`${s}.schema_version`]);
  if (rows[0]?.table == null) throw new AccessLogNotFoundError(`there is no access log in ${label}`, { hint: 'the gateway creates it when it first writes there' });
  const version = await storedVersion(client, s);
  if (version === undefined) throw new AccessLogFormatError(`${label} has an empty schema_version: not a Leakproof access log`);
  if (version > POSTGRES_SCHEMA_VERSION) throw newerError(label, version);
  if (version < POSTGRES_SCHEMA_VERSION) {
    throw new AccessLogFormatError(`${label} holds an access log of schema ${version}, older than this Leakproof's ${POSTGRES_SCHEMA_VERSION}`, {
      hint: 'the gateway upgrades it when it next writes there',
    });
  }
}

async function storedVersion(client: PoolClient, s: string): Promise<number | undefined> {
  const { rows } = await client.query<{ version: number | null }>(`SELECT max(version) AS version FROM ${s}.schema_version`);
  return rows[0]?.version ?? undefined;
}

function newerError(label: string, version: number): AccessLogFormatError {
  return new AccessLogFormatError(`${label} holds an access log of schema ${version}, written by a newer Leakproof (this one knows up to ${POSTGRES_SCHEMA_VERSION})`, {
    hint: 'upgrade Leakproof to read it',
  });
}
