/**
 * The metrics page's figures, in SQLite and PostgreSQL: open cases by age and severity, medians
 * over the cases that reached each step (odd and even counts), and the cases past a clock.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { compileClockPolicy } from '../src/disclose/clocks.ts';
import { programmeMetrics } from '../src/disclose/metrics.ts';
import { DAY, dropStores, freshStore, PELOTON_REPORT, STORE_KINDS, TestClock, testTracker } from './fixtures/disclose.ts';

const HOUR = 3_600_000;
const policy = compileClockPolicy(undefined);

after(async () => {
  await dropStores();
});

for (const kind of STORE_KINDS) {
  describe(`programme metrics in ${kind}`, () => {
    it('counts open cases by age and severity, takes medians over the cases that got there, and lists the late ones', async () => {
      const clock = new TestClock();
      const tracker = await testTracker(freshStore(kind), { clock });
      try {
        const triager = await tracker.staff.createUser({ email: 'tom@example.com', name: 'Tom', role: 'triager', password: 'correct horse battery' });
        const ids: number[] = [];
        for (let i = 0; i < 4; i += 1) ids.push((await tracker.submitReport(PELOTON_REPORT)).case.id);
        const [a = 0, b = 0, c = 0, d = 0] = ids;
        clock.advance(2 * HOUR);
        await tracker.acknowledge(a, triager);
        clock.advance(2 * HOUR);
        await tracker.acknowledge(b, triager);
        clock.advance(6 * HOUR);
        await tracker.acknowledge(c, triager);
        await tracker.triage(c, triager, { triage: 'valid', cvss31: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N' });
        await tracker.triage(d, triager, { triage: 'not-applicable' });
        clock.advance(40 * DAY);

        const metrics = await programmeMetrics(tracker, policy, clock.now);
        assert.equal(metrics.open, 3, 'the case closed as not applicable is not open');
        const month = metrics.byAge['30–90 days'];
        assert.ok(month);
        assert.equal(month.unscored, 2);
        assert.equal(month.high, 1);
        assert.equal(metrics.medianMs.acknowledge, 7 * HOUR, 'the median of 2, 4, 10 and 10 hours (a triage acknowledges too)');
        assert.equal(metrics.medianMs.assess, 10 * HOUR, 'both triaged 10 hours in');
        assert.equal(metrics.medianMs.fix, null, 'nothing resolved yet');
        assert.deepEqual(metrics.overdue.map((o) => o.c.id).sort(), [a, b, c].sort(), 'every open case is past its update and assess clocks');
        assert.ok(metrics.overdue.find((o) => o.c.id === a)?.deadlines.some((dl) => dl.clock === 'assess'));
      } finally {
        await tracker.close();
      }
    });
  });
}
