/**
 * The tracker's workflow, in SQLite and in the real PostgreSQL: a report walks from intake to
 * disclosure, only the roles that may act can, the verification gate refuses the February half fix
 * and accepts the real one, the reporter can contest within the window, and the hash-chained trail
 * records every step and shows any tampering.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { createGate } from '../src/disclose/gate.ts';
import type { Case } from '../src/disclose/model.ts';
import type { Staff, Tracker } from '../src/disclose/tracker.ts';
import { verifyTrail } from '../src/disclose/store/trail.ts';
import type { ReferenceApi } from '../src/reference-api/index.ts';
import { startReferenceApi } from '../src/reference-api/index.ts';
import type { Probe } from '../src/scan/probe.ts';
import type { LeakproofError } from '../src/core/errors.ts';
import { DAY, dropStores, freshStore, headlineProbe, PELOTON_REPORT, referenceScanConfig, STORE_KINDS, TestClock, testTracker } from './fixtures/disclose.ts';

const PELOTON_CVSS = 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N';

let probe: Probe;
const deployments: Partial<Record<'authonly' | 'fixed', ReferenceApi>> = {};
/** Which fix is deployed: the gate retests whatever is there, as it would after a real deploy. */
let deployed: 'authonly' | 'fixed' = 'authonly';

before(async () => {
  probe = await headlineProbe();
  deployments.authonly = await startReferenceApi({ mode: 'authonly' });
  deployments.fixed = await startReferenceApi({ mode: 'fixed' });
});

after(async () => {
  await deployments.authonly?.close();
  await deployments.fixed?.close();
  await dropStores();
});

async function gate(candidate: Probe) {
  const config = await referenceScanConfig();
  const api = deployments[deployed];
  if (!api) throw new Error('no deployment');
  return createGate({ config, target: api.url, rateLimit: 1_000_000 })(candidate);
}

function failsWith(code: string, pattern?: RegExp) {
  return (error: LeakproofError) => {
    assert.equal(error.code, code, error.message);
    if (pattern) assert.match(error.message, pattern);
    return true;
  };
}

for (const kind of STORE_KINDS) {
  describe(`the tracker in ${kind}`, () => {
    let tracker: Tracker;
    let clock: TestClock;
    let admin: Staff;
    let triager: Staff;
    let engineer: Staff;
    let viewer: Staff;

    before(async () => {
      clock = new TestClock();
      tracker = await testTracker(freshStore(kind), { clock, gate });
      admin = await tracker.staff.createUser({ email: 'ada@example.com', name: 'Ada', role: 'admin', password: 'correct horse battery' });
      triager = await tracker.staff.createUser({ email: 'tom@example.com', name: 'Tom', role: 'triager', password: 'correct horse battery' });
      engineer = await tracker.staff.createUser({ email: 'eve@example.com', name: 'Eve', role: 'engineer', password: 'correct horse battery' });
      viewer = await tracker.staff.createUser({ email: 'vic@example.com', name: 'Vic', role: 'viewer', password: 'correct horse battery' });
    });

    after(async () => {
      await tracker.close();
    });

    it('walks a report from intake to disclosure through the gate, which refuses the half fix', async () => {
      deployed = 'authonly';
      const { case: filed, token } = await tracker.submitReport({ ...PELOTON_REPORT, probe });
      assert.equal(filed.state, 'new');
      assert.equal(filed.reference, `VR-${String(filed.id).padStart(4, '0')}`);
      clock.advance(DAY);
      await tracker.acknowledge(filed.id, triager);
      const triaged = await tracker.triage(filed.id, triager, { triage: 'valid', cvss31: PELOTON_CVSS });
      assert.deepEqual([triaged.severity, triaged.score], ['high', 7.5]);
      await tracker.assign(filed.id, triager, engineer.id);
      await tracker.startFix(filed.id, engineer);
      await tracker.submitFix(filed.id, engineer, 'Bulk details now require a login.');

      const refused = await tracker.verify(filed.id, engineer);
      assert.equal(refused.verification.verdict, 'fail');
      assert.equal(refused.case.state, 'fixing', 'a failed retest sends the case back to fixing');
      assert.equal((refused.verification.evidence as { verdict: string }).verdict, 'fail', 'the retest result is kept as evidence');

      deployed = 'fixed';
      await tracker.submitFix(filed.id, engineer, 'Object-level rules now apply.');
      const accepted = await tracker.verify(filed.id, engineer);
      assert.equal(accepted.verification.verdict, 'pass');
      assert.equal(accepted.case.state, 'resolved');
      assert.equal(accepted.case.resolvedAt, clock.now);

      const disclosed = await tracker.disclose(filed.id, triager);
      assert.equal(disclosed.state, 'disclosed');
      const thread = await tracker.thread(filed.id, { internal: false });
      assert.ok(thread.every((m) => !m.internal), 'the reporter never reads internal notes');
      assert.ok(!thread.some((m) => m.body.includes('require a login')), 'the fix notes are internal');
      assert.ok(thread.some((m) => m.body.includes('did not hold')), 'the reporter is told the first fix failed');
      assert.ok(thread.some((m) => m.body.includes('is fixed')), 'and that the second held');
      assert.equal((await tracker.caseForToken(token))?.id, filed.id);
      const check = await verifyTrail(tracker.database.db);
      assert.equal(check.broken, undefined);
    });

    it('lets only the roles that may act take each step', async () => {
      const { case: filed } = await tracker.submitReport(PELOTON_REPORT);
      await assert.rejects(tracker.acknowledge(filed.id, viewer), failsWith('ERR_DISCLOSE_TRANSITION', /needs the triager role/));
      await assert.rejects(tracker.acknowledge(filed.id, engineer), failsWith('ERR_DISCLOSE_TRANSITION'));
      await tracker.acknowledge(filed.id, triager);
      await assert.rejects(tracker.acknowledge(filed.id, triager), failsWith('ERR_DISCLOSE_TRANSITION', /is acknowledged: acknowledge is possible from new only/));
      await assert.rejects(tracker.startFix(filed.id, engineer), failsWith('ERR_DISCLOSE_TRANSITION'));
      await assert.rejects(tracker.message(filed.id, viewer, 'hello', false), failsWith('ERR_DISCLOSE_TRANSITION'));
      await assert.rejects(tracker.triage(filed.id, triager, { triage: 'valid' }), failsWith('ERR_DISCLOSE_INPUT', /needs a CVSS/));
      await assert.rejects(tracker.triage(filed.id, triager, { triage: 'valid', cvss31: 'CVSS:3.1/AV:N' }), failsWith('ERR_DISCLOSE_INPUT', /^cvss: /));
      await assert.rejects(tracker.triage(filed.id, triager, { triage: 'duplicate' }), failsWith('ERR_DISCLOSE_INPUT', /names the other case/));
      await assert.rejects(tracker.override(filed.id, triager, 'it is fixed, trust me, really'), failsWith('ERR_DISCLOSE_TRANSITION', /admin/));
    });

    it('refuses to verify without a probe, and lets an admin override with a written reason only', async () => {
      const { case: filed } = await tracker.submitReport(PELOTON_REPORT);
      await tracker.triage(filed.id, triager, { triage: 'valid', cvss31: PELOTON_CVSS });
      await tracker.startFix(filed.id, engineer);
      await tracker.submitFix(filed.id, engineer);
      await assert.rejects(tracker.verify(filed.id, engineer), failsWith('ERR_DISCLOSE_TRANSITION', /no probe to retest/));
      await assert.rejects(tracker.override(filed.id, admin, 'fixed'), failsWith('ERR_DISCLOSE_INPUT', /at least 20 characters/));
      const resolved = await tracker.override(filed.id, admin, 'Verified by hand: the route was removed from the deployment.');
      assert.equal(resolved.state, 'resolved');
      const [verification] = await tracker.verifications(filed.id);
      assert.deepEqual([verification?.verdict, verification?.userId], ['override', admin.id]);
    });

    it('lets the reporter contest within the window, which reopens the case, and not after', async () => {
      const { case: filed, token } = await tracker.submitReport(PELOTON_REPORT);
      await tracker.triage(filed.id, triager, { triage: 'not-applicable', note: 'Working as intended.' });
      clock.advance(3 * DAY);
      const contested = await tracker.contest(token, 'It is not intended: private profiles leak.');
      assert.deepEqual([contested.state, contested.contestedFrom, contested.contestedAt], ['contested', 'triaged', clock.now]);
      const told = await tracker.thread(filed.id, { internal: false });
      assert.match(told.at(-1)?.body ?? '', /is reopened: the team has been told/, 'the reporter hears that the case reopened');
      const retriaged = await tracker.triage(filed.id, triager, { triage: 'valid', cvss31: PELOTON_CVSS });
      assert.equal(retriaged.state, 'triaged');
      await assert.rejects(tracker.contest(token, 'again'), failsWith('ERR_DISCLOSE_TRANSITION', /nothing to contest yet/));

      const { case: late, token: lateToken } = await tracker.submitReport(PELOTON_REPORT);
      await tracker.triage(late.id, triager, { triage: 'duplicate', duplicateOf: filed.id });
      clock.advance(15 * DAY);
      await assert.rejects(tracker.contest(lateToken, 'Not a duplicate.'), failsWith('ERR_DISCLOSE_TRANSITION', /window to contest .* closed/));
      await assert.rejects(tracker.contest('not-a-token', 'x'), failsWith('ERR_DISCLOSE_NOT_FOUND'));
    });

    it("never opens one reporter's case with another's tracking link", async () => {
      const first = await tracker.submitReport(PELOTON_REPORT);
      const second = await tracker.submitReport({ ...PELOTON_REPORT, title: 'Another report' });
      assert.equal((await tracker.caseForToken(first.token))?.id, first.case.id);
      assert.equal((await tracker.caseForToken(second.token))?.id, second.case.id);
      assert.equal(await tracker.caseForToken(first.token.slice(0, -1)), undefined);
      assert.equal(await tracker.caseForToken(''), undefined);
      const stored = await tracker.database.db.selectFrom('cases').select('tracking_hash').where('id', '=', first.case.id).executeTakeFirstOrThrow();
      assert.notEqual(stored.tracking_hash, first.token, 'only a hash of the token is stored');
    });

    it('refuses a change made on a stale read', async () => {
      const { case: filed } = await tracker.submitReport(PELOTON_REPORT);
      const [a, b] = await Promise.allSettled([tracker.acknowledge(filed.id, triager), tracker.acknowledge(filed.id, triager)]);
      const outcomes = [a.status, b.status].sort();
      assert.deepEqual(outcomes, ['fulfilled', 'rejected']);
      const rejected = [a, b].find((r) => r.status === 'rejected');
      assert.match(((rejected as PromiseRejectedResult).reason as LeakproofError).code, /ERR_DISCLOSE_(CONFLICT|TRANSITION)/);
    });

    it('keeps the trail append-only, and verify-log finds an event changed behind its back', async () => {
      const { case: filed } = await tracker.submitReport(PELOTON_REPORT);
      const db = tracker.database.db;
      await assert.rejects(db.updateTable('events').set({ actor: 'nobody' }).where('case_id', '=', filed.id).execute(), /append-only/);
      await assert.rejects(db.deleteFrom('events').where('case_id', '=', filed.id).execute(), /append-only/);
      const before = await verifyTrail(db);
      assert.equal(before.broken, undefined);
      const target = await db.selectFrom('events').select('seq').where('case_id', '=', filed.id).executeTakeFirstOrThrow();
      // Someone with the database's owner rights removes the guard and rewrites history.
      if (kind === 'sqlite') {
        await sql`DROP TRIGGER events_no_update`.execute(db);
      } else {
        await sql`ALTER TABLE events DISABLE TRIGGER events_append_only`.execute(db);
      }
      await db.updateTable('events').set({ data: '{"title":"nothing to see"}' }).where('seq', '=', target.seq).execute();
      const after = await verifyTrail(db);
      assert.deepEqual(after.broken, { seq: target.seq, reason: 'its content does not match its hash: it was changed after it was written' });
    });
  });
}

describe('a retest interrupted by a stop', () => {
  it('leaves the case waiting for verification again, with a trail event', async () => {
    const store = freshStore('sqlite');
    const tracker = await testTracker(store);
    const engineer = await tracker.staff.createUser({ email: 'eve@example.com', name: 'Eve', role: 'admin', password: 'correct horse battery' });
    const { case: filed } = await tracker.submitReport({ ...PELOTON_REPORT, probe });
    await tracker.triage(filed.id, engineer, { triage: 'valid', cvss31: PELOTON_CVSS });
    await tracker.startFix(filed.id, engineer);
    await tracker.submitFix(filed.id, engineer);
    await tracker.database.db.updateTable('cases').set({ state: 'verifying' }).where('id', '=', filed.id).execute();
    await tracker.close();
    const reopened = await testTracker(store);
    try {
      const c: Case = await reopened.getCase(filed.id);
      assert.equal(c.state, 'fix-submitted');
      const events = await reopened.database.db.selectFrom('events').select('action').where('case_id', '=', filed.id).orderBy('seq', 'desc').executeTakeFirstOrThrow();
      assert.equal(events.action, 'case.verify-interrupted');
    } finally {
      await reopened.close();
    }
  });
});
