/**
 * Schema migrations, applied in order by Kysely's migrator, which records each in its own table
 * and holds a lock while it runs: two tracker processes starting at once migrate once. A migration
 * is never edited once released; a change is a new migration.
 */
import { sql } from 'kysely';
import { Migrator } from 'kysely/migration';
import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';
import type { Database, Dialect } from './database.ts';
import { StoreError } from './database.ts';

/** An auto-numbered id column in either dialect. */
function idType(dialect: Dialect): 'bigserial' | 'integer' {
  return dialect === 'postgres' ? 'bigserial' : 'integer';
}

function initial(dialect: Dialect): Migration {
  const time = dialect === 'postgres' ? 'bigint' : 'integer';
  return {
    async up(db: Kysely<unknown>) {
      await db.schema.createTable('users')
        .addColumn('id', idType(dialect), (c) => (dialect === 'sqlite' ? c.primaryKey().autoIncrement() : c.primaryKey()))
        .addColumn('email', 'text', (c) => c.notNull().unique())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('role', 'text', (c) => c.notNull())
        .addColumn('password_hash', 'text', (c) => c.notNull())
        .addColumn('disabled', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', time, (c) => c.notNull())
        .execute();
      await db.schema.createTable('sessions')
        .addColumn('token_hash', 'text', (c) => c.primaryKey())
        .addColumn('user_id', time, (c) => c.notNull().references('users.id'))
        .addColumn('created_at', time, (c) => c.notNull())
        .addColumn('expires_at', time, (c) => c.notNull())
        .execute();
      await db.schema.createTable('api_tokens')
        .addColumn('token_hash', 'text', (c) => c.primaryKey())
        .addColumn('user_id', time, (c) => c.notNull().references('users.id'))
        .addColumn('label', 'text', (c) => c.notNull())
        .addColumn('created_at', time, (c) => c.notNull())
        .execute();
      await db.schema.createTable('cases')
        .addColumn('id', idType(dialect), (c) => (dialect === 'sqlite' ? c.primaryKey().autoIncrement() : c.primaryKey()))
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('triage', 'text')
        .addColumn('duplicate_of', time)
        .addColumn('severity', 'text')
        .addColumn('cvss31', 'text')
        .addColumn('cvss40', 'text')
        .addColumn('score', 'real')
        .addColumn('owner_id', time, (c) => c.references('users.id'))
        .addColumn('title', 'text', (c) => c.notNull())
        .addColumn('asset', 'text', (c) => c.notNull())
        .addColumn('description', 'text', (c) => c.notNull())
        .addColumn('steps', 'text', (c) => c.notNull())
        .addColumn('impact', 'text', (c) => c.notNull())
        .addColumn('contact', 'text')
        .addColumn('probe', 'text')
        .addColumn('assessment', 'text', (c) => c.notNull())
        .addColumn('tracking_hash', 'text', (c) => c.notNull().unique())
        .addColumn('received_at', time, (c) => c.notNull())
        .addColumn('acknowledged_at', time)
        .addColumn('assessed_at', time)
        .addColumn('fix_submitted_at', time)
        .addColumn('resolved_at', time)
        .addColumn('disclosed_at', time)
        .addColumn('reporter_updated_at', time, (c) => c.notNull())
        .addColumn('contested_at', time)
        .addColumn('contested_from', 'text')
        .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
        .execute();
      await db.schema.createIndex('cases_state').on('cases').columns(['state', 'received_at']).execute();
      await db.schema.createIndex('cases_owner').on('cases').column('owner_id').execute();
      await db.schema.createTable('messages')
        .addColumn('id', idType(dialect), (c) => (dialect === 'sqlite' ? c.primaryKey().autoIncrement() : c.primaryKey()))
        .addColumn('case_id', time, (c) => c.notNull().references('cases.id'))
        .addColumn('author', 'text', (c) => c.notNull())
        .addColumn('user_id', time, (c) => c.references('users.id'))
        .addColumn('body', 'text', (c) => c.notNull())
        .addColumn('internal', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('at', time, (c) => c.notNull())
        .execute();
      await db.schema.createIndex('messages_case').on('messages').columns(['case_id', 'at']).execute();
      await db.schema.createTable('verifications')
        .addColumn('id', idType(dialect), (c) => (dialect === 'sqlite' ? c.primaryKey().autoIncrement() : c.primaryKey()))
        .addColumn('case_id', time, (c) => c.notNull().references('cases.id'))
        .addColumn('verdict', 'text', (c) => c.notNull())
        .addColumn('reason', 'text', (c) => c.notNull())
        .addColumn('evidence', 'text')
        .addColumn('target', 'text')
        .addColumn('user_id', time, (c) => c.references('users.id'))
        .addColumn('at', time, (c) => c.notNull())
        .execute();
      await db.schema.createIndex('verifications_case').on('verifications').columns(['case_id', 'at']).execute();
      await db.schema.createTable('notices')
        .addColumn('key', 'text', (c) => c.primaryKey())
        .addColumn('case_id', time, (c) => c.notNull().references('cases.id'))
        .addColumn('clock', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('due_at', time, (c) => c.notNull())
        .addColumn('created_at', time, (c) => c.notNull())
        .addColumn('digested_at', time)
        .addColumn('webhook_at', time)
        .execute();
      await db.schema.createIndex('notices_pending').on('notices').columns(['digested_at', 'created_at']).execute();
      await db.schema.createTable('digests')
        .addColumn('recipient', 'text', (c) => c.notNull())
        .addColumn('day', 'text', (c) => c.notNull())
        .addColumn('sent_at', time, (c) => c.notNull())
        .addPrimaryKeyConstraint('digests_key', ['recipient', 'day'])
        .execute();
      await db.schema.createTable('notice_deliveries')
        .addColumn('notice_key', 'text', (c) => c.notNull().references('notices.key'))
        .addColumn('user_id', time, (c) => c.notNull().references('users.id'))
        .addColumn('day', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('notice_deliveries_key', ['notice_key', 'user_id'])
        .execute();
      await db.schema.createTable('events')
        .addColumn('seq', time, (c) => c.primaryKey())
        .addColumn('at', time, (c) => c.notNull())
        .addColumn('actor', 'text', (c) => c.notNull())
        .addColumn('case_id', time)
        .addColumn('action', 'text', (c) => c.notNull())
        .addColumn('data', 'text', (c) => c.notNull())
        .addColumn('prev_hash', 'text', (c) => c.notNull())
        .addColumn('hash', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('events_case').on('events').columns(['case_id', 'seq']).execute();
      await appendOnly(db, dialect);
    },
  };
}

/** The database itself refuses to change or delete a trail event, whatever the application does. */
async function appendOnly(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  if (dialect === 'sqlite') {
    await sql`CREATE TRIGGER events_no_update BEFORE UPDATE ON events BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END`.execute(db);
    await sql`CREATE TRIGGER events_no_delete BEFORE DELETE ON events BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END`.execute(db);
    return;
  }
  await sql`CREATE FUNCTION events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'the audit trail is append-only'; END $$`.execute(db);
  await sql`CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON events FOR EACH ROW EXECUTE FUNCTION events_append_only()`.execute(db);
  await sql`CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON events FOR EACH STATEMENT EXECUTE FUNCTION events_append_only()`.execute(db);
}

/**
 * Indexes that hold everything the clock sweep and the metrics page read of a case, so that
 * neither reads the cases' texts (bench/disclose.ts: the metrics page over 10,000 cases).
 */
const clockIndexes: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.createIndex('cases_clocks').on('cases').columns(['state', 'triage', 'severity', 'received_at', 'reporter_updated_at', 'resolved_at', 'contested_at', 'id']).execute();
    await db.schema.createIndex('cases_spans').on('cases').columns(['received_at', 'acknowledged_at', 'assessed_at', 'resolved_at']).execute();
  },
};

/**
 * The reporter's consent to be credited (`cases.credit`: the name they chose, null for none), and
 * each published revision of a case's advisory, kept as published: a CSAF document is never
 * changed once out, a change is a new revision.
 */
function advisories(dialect: Dialect): Migration {
  const time = dialect === 'postgres' ? 'bigint' : 'integer';
  return {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('cases').addColumn('credit', 'text').execute();
      await db.schema.createTable('advisory_revisions')
        .addColumn('case_id', time, (c) => c.notNull().references('cases.id'))
        .addColumn('number', 'integer', (c) => c.notNull())
        .addColumn('at', time, (c) => c.notNull())
        .addColumn('summary', 'text', (c) => c.notNull())
        .addColumn('user_id', time, (c) => c.notNull().references('users.id'))
        .addColumn('csaf', 'text', (c) => c.notNull())
        .addColumn('markdown', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('advisory_revisions_key', ['case_id', 'number'])
        .execute();
    },
  };
}

/**
 * Brings the database's schema up to date, or only up to the migration named `to` (the upgrade
 * tests build an older release's database with it); a failure names the migration and leaves the
 * rest undone.
 */
export async function migrate(database: Database, to?: string): Promise<void> {
  const migrations: Record<string, Migration> = { '0001-initial': initial(database.dialect), '0002-clock-indexes': clockIndexes, '0003-advisories': advisories(database.dialect) };
  const migrator = new Migrator({
    db: database.db,
    provider: { getMigrations: () => Promise.resolve(migrations) },
    migrationTableName: 'schema_migrations',
    migrationLockTableName: 'schema_migrations_lock',
    // Without it Kysely looks for its tables in every schema, and takes another schema's for ours.
    migrationTableSchema: database.schema,
  });
  const { error, results } = await (to === undefined ? migrator.migrateToLatest() : migrator.migrateTo(to));
  if (error === undefined) return;
  const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'the migrations';
  throw new StoreError(`migrating the tracker's database ${database.label} failed at ${failed}: ${error instanceof Error ? error.message : JSON.stringify(error)}`, { cause: error });
}
