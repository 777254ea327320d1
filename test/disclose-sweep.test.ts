/**
 * The clock sweep and the digest against a real store and a real SMTP server, on an injected clock
 * that moves an hour at a time: reminders and escalations are recorded at the first sweep after
 * they fall due, each person gets at most one digest a day, from the digest hour on, and neither a
 * restart nor a second sweeper sends anything twice.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { SMTPServerDataStream, SMTPServerSession } from 'smtp-server';
import { SMTPServer } from 'smtp-server';
import { sql } from 'kysely';
import { compileClockPolicy } from '../src/disclose/clocks.ts';
import type { Mailer } from '../src/disclose/notify/index.ts';
import { createMailer } from '../src/disclose/notify/index.ts';
import { Sweeper } from '../src/disclose/sweep.ts';
import type { Staff, Tracker } from '../src/disclose/tracker.ts';
import { DAY, dropStores, freshStore, PELOTON_REPORT, STORE_KINDS, TestClock, testTracker } from './fixtures/disclose.ts';

const HOUR = 3_600_000;
const policy = compileClockPolicy(undefined);
/** Friday 2026-01-16, 18:00 UTC: the acknowledge clock (3 business days) falls due on Wednesday at 18:00. */
const FRIDAY_EVENING = Date.UTC(2026, 0, 16, 18);
const WEDNESDAY_EVENING = Date.UTC(2026, 0, 21, 18);
/** Its reminder, one business day before: Tuesday at 18:00. */
const TUESDAY_EVENING = Date.UTC(2026, 0, 20, 18);

interface Mail {
  to: string[];
  subject: string;
  at: number;
}

let smtp: SMTPServer;
let smtpUrl = '';
const received: Mail[] = [];
let clock: TestClock;

before(async () => {
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream: SMTPServerDataStream, session: SMTPServerSession, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const subject = /^Subject: (.*)$/m.exec(Buffer.concat(chunks).toString('utf8'))?.[1] ?? '';
        received.push({ to: session.envelope.rcptTo.map((r) => r.address), subject, at: clock.now });
        callback();
      });
    },
  });
  smtp.listen(0, '127.0.0.1');
  await once(smtp.server, 'listening');
  smtpUrl = `smtp://127.0.0.1:${String((smtp.server.address() as AddressInfo).port)}`;
});

after(async () => {
  await new Promise<void>((resolve) => { smtp.close(resolve); });
  await dropStores();
});

for (const kind of STORE_KINDS) {
  describe(`the sweep and the digest in ${kind}`, () => {
    let store: string;
    let tracker: Tracker;
    let mailer: Mailer;
    let triager: Staff;
    let engineer: Staff;

    const sweeper = (t: Tracker) => new Sweeper(t, { policy, mailer, publicUrl: 'http://127.0.0.1:8090', digestHour: 8 });

    before(async () => {
      received.length = 0;
      clock = new TestClock(FRIDAY_EVENING);
      store = freshStore(kind);
      tracker = await testTracker(store, { clock });
      mailer = createMailer({ smtpUrl, from: 'security@example.com' });
      await tracker.staff.createUser({ email: 'ada@example.com', name: 'Ada', role: 'admin', password: 'correct horse battery' });
      triager = await tracker.staff.createUser({ email: 'tom@example.com', name: 'Tom', role: 'triager', password: 'correct horse battery' });
      engineer = await tracker.staff.createUser({ email: 'eve@example.com', name: 'Eve', role: 'engineer', password: 'correct horse battery' });
    });

    after(async () => {
      mailer.close();
      await tracker.close();
    });

    it('fires reminders and escalations at the first sweep after they fall due, and each digest once, across a restart', async () => {
      const { case: unacknowledged } = await tracker.submitReport(PELOTON_REPORT);
      const { case: owned } = await tracker.submitReport({ ...PELOTON_REPORT, title: 'Search enumerates riders' });
      await tracker.assign(owned.id, triager, engineer.id);
      await tracker.acknowledge(owned.id, triager);
      let sweeps = sweeper(tracker);
      const created: { key: string; at: number }[] = [];
      const digests: number[] = [];
      const runUntil = async (end: number) => {
        while (clock.now < end) {
          clock.advance(HOUR);
          for (const notice of (await sweeps.sweep(clock.now)).created) created.push({ key: notice.key, at: clock.now });
          digests.push(await sweeps.digest(clock.now));
        }
      };

      await runUntil(Date.UTC(2026, 0, 20, 12));
      // A restart: the store is all the state there is.
      await tracker.close();
      tracker = await testTracker(store, { clock });
      sweeps = sweeper(tracker);
      await runUntil(FRIDAY_EVENING + 14 * DAY);

      const keyOf = (id: number, clockName: string, kind: string, dueAt: number) => `${String(id)}:${clockName}:${kind}:${String(dueAt)}`;
      const firedAt = (key: string) => created.filter((c) => c.key === key).map((c) => c.at);
      assert.deepEqual(firedAt(keyOf(unacknowledged.id, 'acknowledge', 'reminder', WEDNESDAY_EVENING)), [TUESDAY_EVENING], 'the reminder, exactly when it falls due');
      assert.deepEqual(firedAt(keyOf(unacknowledged.id, 'acknowledge', 'escalation', WEDNESDAY_EVENING)), [WEDNESDAY_EVENING], 'the escalation, exactly at the deadline');
      assert.equal(firedAt(keyOf(owned.id, 'acknowledge', 'reminder', WEDNESDAY_EVENING)).length, 0, 'an acknowledged case has no acknowledge clock');
      const assessDue = FRIDAY_EVENING + 7 * DAY;
      assert.deepEqual(firedAt(keyOf(owned.id, 'assess', 'escalation', assessDue)), [assessDue]);
      assert.equal(new Set(created.map((c) => c.key)).size, created.length, 'no notice is created twice');
      const stored = await tracker.database.db.selectFrom('notices').select('key').execute();
      assert.equal(stored.length, created.length);

      const perDay = new Map<string, number>();
      for (const mail of received) {
        for (const to of mail.to) {
          const day = `${to} ${new Date(mail.at).toISOString().slice(0, 10)}`;
          perDay.set(day, (perDay.get(day) ?? 0) + 1);
        }
        assert.ok(new Date(mail.at).getUTCHours() >= 8, 'no digest before the digest hour');
      }
      assert.ok([...perDay.values()].every((n) => n === 1), 'at most one digest per person per day');
      assert.ok(received.some((m) => m.to.includes('eve@example.com')), 'the owner hears of her case');
      assert.ok(received.some((m) => m.to.includes('ada@example.com') && m.subject.includes('overdue')), 'an admin hears of escalations');
      assert.ok(!received.some((m) => m.to.includes('eve@example.com') && m.subject.includes(unacknowledged.reference)), 'nobody hears of a case not theirs');
      const deliveries = await tracker.database.db.selectFrom('notice_deliveries').select(['notice_key', 'user_id']).execute();
      assert.equal(new Set(deliveries.map((d) => `${d.notice_key} ${String(d.user_id)}`)).size, deliveries.length);
      assert.equal(digests.reduce((a, b) => a + b, 0), received.length);
    });

    it('sends nothing twice when two sweepers run on one store', async () => {
      const before = received.length;
      const other = await testTracker(store, { clock });
      try {
        clock.now = Date.UTC(2026, 1, 6, 18);
        const { case: late } = await tracker.submitReport({ ...PELOTON_REPORT, title: 'Another unacknowledged report' });
        // Friday evening again: the reminder is due on Tuesday at 18:00.
        clock.now = Date.UTC(2026, 1, 10, 19);
        // PostgreSQL serves both at once. Two SQLite connections in one process cannot: node:sqlite
        // blocks the thread while it waits for the other's lock, so there they take turns, as two
        // processes would.
        const both = <T>(run: (t: Tracker) => Promise<T>): Promise<T[]> => (kind === 'postgres' ? Promise.all([run(tracker), run(other)]) : sequence(run));
        const sequence = async <T>(run: (t: Tracker) => Promise<T>): Promise<T[]> => [await run(tracker), await run(other)];
        const [a, b] = await both((t) => sweeper(t).sweep(clock.now));
        const reminder = `${String(late.id)}:acknowledge:reminder:${String(Date.UTC(2026, 1, 11, 18))}`;
        assert.equal([...(a?.created ?? []), ...(b?.created ?? [])].filter((n) => n.key === reminder).length, 1, 'one sweeper creates the reminder, the other finds it');
        const [first = 0, second = 0] = await both((t) => sweeper(t).digest(clock.now));
        assert.equal(first + second, 2, 'one digest each for the triager and the admin, the case having no owner');
        assert.equal(received.length - before, 2);
        assert.deepEqual(received.slice(before).flatMap((m) => m.to).sort(), ['ada@example.com', 'tom@example.com']);
        assert.equal(await sweeper(other).digest(clock.now), 0, 'and nothing more that day');
      } finally {
        await other.close();
      }
    });

    it('fails the sweep when the store refuses a notice, and records it at the next sweep', async () => {
      const db = tracker.database.db;
      clock.now = Date.UTC(2026, 2, 6, 18);
      const { case: refused } = await tracker.submitReport({ ...PELOTON_REPORT, title: 'A report swept while the store refuses notices' });
      clock.now = Date.UTC(2026, 2, 10, 19);
      if (kind === 'sqlite') {
        await sql`CREATE TRIGGER refuse_notices BEFORE INSERT ON notices BEGIN SELECT RAISE(ABORT, 'notices refused'); END`.execute(db);
      } else {
        await sql`CREATE FUNCTION refuse_notices() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'notices refused'; END $$`.execute(db);
        await sql`CREATE TRIGGER refuse_notices BEFORE INSERT ON notices FOR EACH ROW EXECUTE FUNCTION refuse_notices()`.execute(db);
      }
      const sweeps = sweeper(tracker);
      try {
        await assert.rejects(sweeps.sweep(clock.now), /notices refused/);
      } finally {
        await sql`DROP TRIGGER refuse_notices${kind === 'postgres' ? sql` ON notices` : sql``}`.execute(db);
        if (kind === 'postgres') await sql`DROP FUNCTION refuse_notices()`.execute(db);
      }
      const reminder = `${String(refused.id)}:acknowledge:reminder:${String(Date.UTC(2026, 2, 11, 18))}`;
      assert.deepEqual((await sweeps.sweep(clock.now)).created.map((n) => n.key).filter((key) => key.startsWith(`${String(refused.id)}:`)), [reminder], 'the same sweeper records it once the store takes it');
    });
  });
}
