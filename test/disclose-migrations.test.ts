/**
 * Upgrading a tracker's database made by an older release, in SQLite and in the real PostgreSQL:
 * a database at migration 0002, holding what a service of that release wrote (staff with a session
 * and an API token, a case with its thread, the hash-chained trail), is migrated when the service
 * starts. Every row is kept, the new column takes its default, the trail verifies to the head it
 * had and goes on from it, the service serves the case to its reporter and to staff with their old
 * credentials, and migrating again changes nothing.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { bufferIo } from '../src/cli/io.ts';
import { main } from '../src/cli/main.ts';
import { hashPassword, newToken, tokenHash } from '../src/disclose/credentials.ts';
import type { Database } from '../src/disclose/store/database.ts';
import { openDatabase } from '../src/disclose/store/database.ts';
import { migrate } from '../src/disclose/store/migrations.ts';
import { eventHash, GENESIS } from '../src/disclose/store/trail.ts';
import type { TestService } from './fixtures/disclose.ts';
import { Browser, DAY, dropStores, freshStore, PELOTON_REPORT, STORE_KINDS, startTestService } from './fixtures/disclose.ts';

const PASSWORD = 'correct horse battery staple';
const CVSS = 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N';
const HOUR = 3_600_000;
const RELEASE_0002 = ['0001-initial', '0002-clock-indexes'];

/** The tables release 0002 had, each with the column that orders it. */
const TABLES_0002 = { users: 'id', sessions: 'token_hash', api_tokens: 'token_hash', cases: 'id', messages: 'id', verifications: 'id', notices: 'key', digests: 'recipient', notice_deliveries: 'notice_key', events: 'seq' } as const;

type Row = Record<string, unknown>;
type Contents = Record<keyof typeof TABLES_0002, Row[]>;

/** What release 0002 left behind, and the secrets its people still hold. */
interface Release0002 {
  caseId: number;
  trackingToken: string;
  session: string;
  apiToken: string;
  events: number;
  head: string;
}

/** One row, written with plain SQL as that release's service wrote it; the row as stored. */
async function insert(database: Database, table: string, row: Row): Promise<Row> {
  const columns = sql.join(Object.keys(row).map((name) => sql.ref(name)));
  const values = sql.join(Object.values(row));
  const { rows } = await sql<Row>`INSERT INTO ${sql.table(table)} (${columns}) VALUES (${values}) RETURNING *`.execute(database.db);
  const [stored] = rows;
  assert.ok(stored);
  return stored;
}

/**
 * A month-old case being fixed: filed by a reporter, acknowledged, triaged and assigned by Ada,
 * taken up by Eve, with a question from the reporter, an answer and an internal note; each step an
 * event in the chain.
 */
async function writeRelease0002(database: Database): Promise<Release0002> {
  const start = Date.now() - 30 * DAY;
  let head = GENESIS;
  let seq = 0;
  const event = async (at: number, actor: string, caseId: number | null, action: string, data: Row) => {
    seq += 1;
    const text = JSON.stringify(data);
    const hash = eventHash(head, seq, at, actor, caseId, action, text);
    await insert(database, 'events', { seq, at, actor, case_id: caseId, action, data: text, prev_hash: head, hash });
    head = hash;
  };
  const passwordHash = await hashPassword(PASSWORD);
  const ada = Number((await insert(database, 'users', { email: 'ada@example.com', name: 'Ada', role: 'admin', password_hash: passwordHash, disabled: 0, created_at: start - DAY })).id);
  await event(start - DAY, 'system', null, 'user.created', { id: ada, email: 'ada@example.com', role: 'admin' });
  const eve = Number((await insert(database, 'users', { email: 'eve@example.com', name: 'Eve', role: 'engineer', password_hash: passwordHash, disabled: 0, created_at: start - DAY + HOUR })).id);
  await event(start - DAY + HOUR, `user:${String(ada)}`, null, 'user.created', { id: eve, email: 'eve@example.com', role: 'engineer' });

  const trackingToken = newToken();
  const assessment = { operations: ['POST /stats/workouts/details'], dataClasses: ['location', 'weight'], peopleAffected: 3_000_000, exploited: 'unknown', evidence: null };
  const caseId = Number((await insert(database, 'cases', {
    state: 'fixing', triage: 'valid', duplicate_of: null, severity: 'high', cvss31: CVSS, cvss40: null, score: 7.5, owner_id: eve,
    title: PELOTON_REPORT.title, asset: PELOTON_REPORT.asset, description: PELOTON_REPORT.description, steps: PELOTON_REPORT.steps, impact: PELOTON_REPORT.impact,
    contact: PELOTON_REPORT.contact, probe: null, assessment: JSON.stringify(assessment), tracking_hash: tokenHash(trackingToken),
    received_at: start, acknowledged_at: start + HOUR, assessed_at: start + DAY, fix_submitted_at: null, resolved_at: null, disclosed_at: null,
    reporter_updated_at: start + 2 * DAY, contested_at: null, contested_from: null, version: 5,
  })).id);
  await event(start, 'reporter', caseId, 'case.received', { title: PELOTON_REPORT.title, asset: PELOTON_REPORT.asset, anonymous: false, probe: false });
  await event(start + HOUR, `user:${String(ada)}`, caseId, 'case.acknowledge', { from: 'new', to: 'acknowledged' });
  await event(start + DAY, `user:${String(ada)}`, caseId, 'case.triage', { triage: 'valid', severity: 'high', from: 'acknowledged', to: 'triaged' });
  await event(start + DAY, `user:${String(ada)}`, caseId, 'case.assign', { ownerId: eve, from: 'triaged', to: 'triaged' });
  await event(start + DAY + HOUR, `user:${String(eve)}`, caseId, 'case.start-fix', { from: 'triaged', to: 'fixing' });
  const thread = [
    { author: 'reporter', user_id: null, body: 'Is there any news on a fix?', internal: 0, at: start + 2 * DAY - HOUR },
    { author: 'staff', user_id: eve, body: 'Yes: the fix is in review and ships this week.', internal: 0, at: start + 2 * DAY },
    { author: 'staff', user_id: eve, body: 'Rollout on Friday, behind the auth middleware.', internal: 1, at: start + 2 * DAY + HOUR },
  ];
  for (const message of thread) {
    const id = Number((await insert(database, 'messages', { case_id: caseId, ...message })).id);
    await event(message.at, message.author === 'reporter' ? 'reporter' : `user:${String(eve)}`, caseId, 'message.added', { id, author: message.author, internal: message.internal === 1, length: message.body.length });
  }

  const session = newToken();
  const now = Date.now();
  await insert(database, 'sessions', { token_hash: tokenHash(session), user_id: ada, created_at: now - HOUR, expires_at: now + 11 * HOUR });
  const apiToken = newToken();
  await insert(database, 'api_tokens', { token_hash: tokenHash(apiToken), user_id: eve, label: 'ci', created_at: start });
  return { caseId, trackingToken, session, apiToken, events: seq, head };
}

/** Every row of release 0002's tables, as plain objects (SQLite's rows have no prototype). */
async function contents(database: Database): Promise<Contents> {
  const tables: Partial<Contents> = {};
  for (const [table, order] of Object.entries(TABLES_0002) as [keyof Contents, string][]) {
    const { rows } = await sql<Row>`SELECT * FROM ${sql.table(table)} ORDER BY ${sql.ref(order)}`.execute(database.db);
    tables[table] = rows.map((row) => ({ ...row }));
  }
  return tables as Contents;
}

/** The migrations applied, with when: migrating again must not re-run or re-date any. */
async function applied(database: Database): Promise<Row[]> {
  const { rows } = await sql<Row>`SELECT name, timestamp FROM schema_migrations ORDER BY name`.execute(database.db);
  return rows.map((row) => ({ ...row }));
}

/** Each of the tracker's tables with its columns, in this database's schema only. */
async function schemaOf(database: Database): Promise<Record<string, string[]>> {
  const tables = await database.db.introspection.getTables();
  const ours = tables.filter((t) => database.schema === undefined || t.schema === database.schema);
  return Object.fromEntries(ours.map((t): [string, string[]] => [t.name, t.columns.map((c) => c.name).sort()]));
}

async function verifyLog(store: string): Promise<{ code: number; stdout: string }> {
  const io = bufferIo();
  const code = await main(['disclose', 'verify-log', '--store', store], io);
  return { code, stdout: io.stdout.join('\n') };
}

after(async () => {
  await dropStores();
});

for (const kind of STORE_KINDS) {
  describe(`a database from release 0002 is upgraded when the service starts, in ${kind}`, () => {
    let store: string;
    let old: Release0002;
    let oldContents: Contents;
    let oldMigrations: Row[];
    let oldSchema: Record<string, string[]>;
    let test: TestService;

    before(async () => {
      store = freshStore(kind);
      const database = await openDatabase(store);
      try {
        await migrate(database, '0002-clock-indexes');
        old = await writeRelease0002(database);
        oldContents = await contents(database);
        oldMigrations = await applied(database);
        oldSchema = await schemaOf(database);
      } finally {
        await database.close();
      }
      test = await startTestService({ store });
    });
    after(async () => {
      await test.close();
    });

    it('started from release 0002\'s schema: two migrations, no credit, no advisory revisions', () => {
      assert.deepEqual(oldMigrations.map((m) => m.name), RELEASE_0002);
      assert.deepEqual(Object.keys(oldSchema).sort(), [...Object.keys(TABLES_0002), 'schema_migrations', 'schema_migrations_lock'].sort());
      assert.ok(!oldSchema.cases?.includes('credit'));
      assert.equal(oldContents.events.length, old.events);
    });

    it('applies the later migrations once, keeping when the first two ran', async () => {
      const database = test.service.tracker.database;
      const now = await applied(database);
      assert.deepEqual(now.map((m) => m.name), [...RELEASE_0002, '0003-advisories']);
      assert.deepEqual(now.slice(0, 2), oldMigrations);
      const schema = await schemaOf(database);
      assert.deepEqual(schema.cases, [...(oldSchema.cases ?? []), 'credit'].sort(), 'cases gained credit');
      assert.ok(schema.advisory_revisions, 'the advisory revisions table exists');
    });

    it('keeps every row as it was, and gives the new column its default', async () => {
      const database = test.service.tracker.database;
      const now = await contents(database);
      assert.deepEqual(now.cases.map((row) => row.credit), [null], 'nobody is credited without saying so');
      assert.deepEqual({ ...now, cases: now.cases.map(({ credit: _credit, ...row }) => row) }, oldContents, 'every other column of every row is as it was');
      const { rows } = await sql<Row>`SELECT * FROM advisory_revisions`.execute(database.db);
      assert.equal(rows.length, 0);
      assert.equal((await test.service.tracker.getCase(old.caseId)).credit, null);
    });

    it('verifies the trail to the head it had, through the library and verify-log', async () => {
      const check = await test.service.tracker.verifyTrail();
      assert.deepEqual(check, { events: old.events, head: old.head, broken: undefined });
      const log = await verifyLog(store);
      assert.equal(log.code, 0, log.stdout);
      assert.ok(log.stdout.includes(`The audit trail verifies: ${String(old.events)} events, head ${old.head}.`), log.stdout);
    });

    it('serves the case to its reporter, and to staff with their old session, API token and password', async () => {
      const reporter = await new Browser(test.url).get(`/track/${old.trackingToken}`);
      assert.equal(reporter.status, 200);
      assert.ok(reporter.text.includes(PELOTON_REPORT.title));
      assert.ok(reporter.text.includes('Yes: the fix is in review and ships this week.'));
      assert.ok(!reporter.text.includes('Rollout on Friday'), 'never the internal note');

      const staff = new Browser(test.url);
      staff.cookies.set('lp_session', old.session);
      const page = await staff.get(`/cases/${String(old.caseId)}`);
      assert.equal(page.status, 200, 'the session from before the upgrade still opens the case');
      assert.ok(page.text.includes(PELOTON_REPORT.title) && page.text.includes('Rollout on Friday, behind the auth middleware.'));

      const api = await new Browser(test.url).send(`/api/v1/cases/${String(old.caseId)}`, { headers: { authorization: `Bearer ${old.apiToken}` } });
      assert.equal(api.status, 200, api.text);
      const detail = JSON.parse(api.text) as { case: { state: string; credit: unknown; version: number }; thread: unknown[] };
      assert.deepEqual([detail.case.state, detail.case.credit, detail.case.version, detail.thread.length], ['fixing', null, 5, 3]);

      const signIn = await new Browser(test.url).post('/login', { email: 'ada@example.com', password: PASSWORD }, '/login');
      assert.equal(signIn.status, 303, 'the password hashed before the upgrade signs in');
    });

    it('goes on from the old trail: the reporter agrees to be credited, staff write, and the chain holds', async () => {
      const credited = await new Browser(test.url).send(`/api/v1/reports/VR-${String(old.caseId).padStart(4, '0')}/credit`, { json: { credit: 'Jan the rider' }, headers: { authorization: `Bearer ${old.trackingToken}` } });
      assert.equal(credited.status, 200, credited.text);
      const staff = new Browser(test.url);
      staff.cookies.set('lp_session', old.session);
      assert.equal((await staff.post(`/cases/${String(old.caseId)}/message`, { message: 'Fix deployed to production.' }, `/cases/${String(old.caseId)}`)).status, 303);

      const { tracker } = test.service;
      assert.equal((await tracker.getCase(old.caseId)).credit, 'Jan the rider');
      const check = await tracker.verifyTrail();
      assert.equal(check.broken, undefined);
      assert.equal(check.events, old.events + 2);
      const first = await tracker.database.db.selectFrom('events').select(['action', 'prev_hash']).where('seq', '=', old.events + 1).executeTakeFirstOrThrow();
      assert.deepEqual({ ...first }, { action: 'case.credit', prev_hash: old.head }, 'the first new event links to the old head');
    });

    it('changes nothing when migrating again, twice', async () => {
      const database = test.service.tracker.database;
      const before = { migrations: await applied(database), schema: await schemaOf(database), contents: await contents(database) };
      await migrate(database);
      await migrate(database);
      assert.deepEqual({ migrations: await applied(database), schema: await schemaOf(database), contents: await contents(database) }, before);
      const log = await verifyLog(store);
      assert.equal(log.code, 0, 'and a command opening the store migrates nothing either');
      assert.deepEqual(await applied(database), before.migrations);
    });
  });
}
