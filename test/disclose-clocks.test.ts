/**
 * The disclosure clocks, with the time always handed in: which clocks a case runs by its state,
 * business days across weekends and holidays, reminders and escalations to the millisecond, keys
 * that make every notice go out once across sweeps and restarts, per-severity policies, and the
 * configuration's errors.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Ajv } from 'ajv';
import type { ClockName, ClockPolicy, Notice } from '../src/disclose/clocks.ts';
import { clocksConfigSchema, compileClockPolicy, deadlinesOf, dueNotices, parseDuration, runningClocks, shiftBusinessDays } from '../src/disclose/clocks.ts';
import { ConfigError } from '../src/core/errors.ts';
import type { Case } from '../src/disclose/model.ts';
import { ASSESSMENT_NONE, caseReference } from '../src/disclose/model.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** 2026-03-06 is a Friday. */
const FRIDAY_EVENING = Date.UTC(2026, 2, 6, 18, 0);
const defaults = compileClockPolicy(undefined);

function at(iso: string): number {
  return Date.parse(`${iso}Z`);
}

function aCase(overrides: Partial<Case> = {}): Case {
  const id = overrides.id ?? 42;
  const receivedAt = overrides.receivedAt ?? FRIDAY_EVENING;
  return {
    id,
    reference: caseReference(id),
    title: 'Workout details leak every user\'s age and city',
    asset: 'POST /stats/workouts/details',
    description: 'd',
    steps: 's',
    impact: 'i',
    contact: 'reporter@example.org',
    probe: null,
    state: 'new',
    triage: null,
    duplicateOf: null,
    severity: null,
    cvss31: null,
    cvss40: null,
    score: null,
    ownerId: null,
    assessment: ASSESSMENT_NONE,
    receivedAt,
    acknowledgedAt: null,
    assessedAt: null,
    fixSubmittedAt: null,
    resolvedAt: null,
    disclosedAt: null,
    reporterUpdatedAt: receivedAt,
    contestedAt: null,
    contestedFrom: null,
    credit: null,
    version: 1,
    ...overrides,
  };
}

function clocksOf(c: Case, policy: ClockPolicy = defaults): ClockName[] {
  return runningClocks(c, policy).map((running) => running.clock);
}

function clock(c: Case, name: ClockName, policy: ClockPolicy = defaults) {
  const found = runningClocks(c, policy).find((running) => running.clock === name);
  assert.ok(found, `${name} is running`);
  return found;
}

function noticesFor(c: Case, name: ClockName, now: number, policy: ClockPolicy = defaults): Notice[] {
  return dueNotices(c, policy, now).filter((notice) => notice.clock === name);
}

describe('which clocks run is decided by the case\'s state', () => {
  it('a new case runs acknowledge, assess and the reporter-update clock', () => {
    assert.deepEqual(clocksOf(aCase()), ['acknowledge', 'assess', 'update']);
  });

  it('acknowledging stops the acknowledge clock; assess runs until triage', () => {
    assert.deepEqual(clocksOf(aCase({ state: 'acknowledged' })), ['assess', 'update']);
  });

  it('a valid case runs the fix clock from triage until it is resolved', () => {
    for (const state of ['triaged', 'fixing', 'fix-submitted', 'verifying'] as const) {
      assert.deepEqual(clocksOf(aCase({ state, triage: 'valid' })), ['update', 'fix'], state);
    }
  });

  it('a duplicate or a case that does not apply is closed: no clock runs', () => {
    assert.deepEqual(clocksOf(aCase({ state: 'triaged', triage: 'duplicate', duplicateOf: 7 })), []);
    assert.deepEqual(clocksOf(aCase({ state: 'triaged', triage: 'not-applicable' })), []);
  });

  it('a resolved case runs only the disclose clock, from its resolution', () => {
    const resolvedAt = FRIDAY_EVENING + 40 * DAY;
    const c = aCase({ state: 'resolved', triage: 'valid', resolvedAt });
    assert.deepEqual(clocksOf(c), ['disclose']);
    assert.equal(clock(c, 'disclose').startedAt, resolvedAt);
    assert.equal(clock(c, 'disclose').dueAt, resolvedAt + 30 * DAY);
  });

  it('a disclosed case runs nothing', () => {
    assert.deepEqual(clocksOf(aCase({ state: 'disclosed', triage: 'valid', resolvedAt: FRIDAY_EVENING + DAY, disclosedAt: FRIDAY_EVENING + 2 * DAY })), []);
  });

  it('a contested case runs its own contest clock from the contest, and the reporter-update clock', () => {
    const contestedAt = FRIDAY_EVENING + 50 * DAY;
    const c = aCase({ state: 'contested', triage: 'valid', contestedAt, contestedFrom: 'resolved', reporterUpdatedAt: contestedAt });
    assert.deepEqual(clocksOf(c), ['update', 'contest']);
    assert.equal(clock(c, 'contest').startedAt, contestedAt);
    assert.equal(clock(c, 'contest').dueAt, contestedAt + 14 * DAY);
  });

  it('acknowledge, assess and fix count from receipt; the update clock from the last word to the reporter', () => {
    const c = aCase({ state: 'fixing', triage: 'valid', reporterUpdatedAt: FRIDAY_EVENING + 20 * DAY });
    assert.equal(clock(c, 'fix').startedAt, FRIDAY_EVENING);
    assert.equal(clock(c, 'fix').dueAt, FRIDAY_EVENING + 90 * DAY);
    assert.equal(clock(c, 'update').startedAt, FRIDAY_EVENING + 20 * DAY);
    assert.equal(clock(c, 'update').dueAt, FRIDAY_EVENING + 34 * DAY);
    assert.equal(clock(aCase(), 'assess').dueAt, FRIDAY_EVENING + 7 * DAY);
  });

  it('a clock whose start time is missing from the case does not run', () => {
    assert.deepEqual(clocksOf(aCase({ state: 'resolved', triage: 'valid', resolvedAt: null })), []);
    assert.deepEqual(clocksOf(aCase({ state: 'contested', contestedAt: null })), ['update']);
  });
});

describe('business days skip Saturdays, Sundays and holidays, and keep the time of day', () => {
  it('a report on Friday evening is due to be acknowledged on Wednesday at the same time', () => {
    assert.equal(clock(aCase({ receivedAt: at('2026-03-06T18:00') }), 'acknowledge').dueAt, at('2026-03-11T18:00'));
  });

  it('a report on the weekend counts from Monday: due on Wednesday at its own time of day', () => {
    assert.equal(clock(aCase({ receivedAt: at('2026-03-07T10:00') }), 'acknowledge').dueAt, at('2026-03-11T10:00'));
    assert.equal(clock(aCase({ receivedAt: at('2026-03-08T23:59') }), 'acknowledge').dueAt, at('2026-03-11T23:59'));
  });

  it('a report on Monday is due on Thursday; one on Wednesday, over the weekend, on Monday', () => {
    assert.equal(clock(aCase({ receivedAt: at('2026-03-09T09:00') }), 'acknowledge').dueAt, at('2026-03-12T09:00'));
    assert.equal(clock(aCase({ receivedAt: at('2026-03-11T09:00') }), 'acknowledge').dueAt, at('2026-03-16T09:00'));
  });

  it('the last millisecond of a Friday and the first of a Saturday land on different days', () => {
    assert.equal(shiftBusinessDays(at('2026-03-06T23:59:59.999'), 1, 1, new Set()), at('2026-03-09T23:59:59.999'));
    assert.equal(shiftBusinessDays(at('2026-03-07T00:00'), 1, 1, new Set()), at('2026-03-09T00:00'));
  });

  it('a configured holiday is skipped like a weekend day', () => {
    const policy = compileClockPolicy({ holidays: ['2026-12-24', '2026-12-25'] });
    // Wednesday 23 December: Thursday and Friday are holidays, then the weekend.
    const c = aCase({ receivedAt: at('2026-12-23T09:00') });
    assert.equal(clock(c, 'acknowledge', policy).dueAt, at('2026-12-30T09:00'));
    assert.equal(clock(c, 'acknowledge').dueAt, at('2026-12-28T09:00'));
  });

  it('a holiday on a weekend changes nothing', () => {
    const policy = compileClockPolicy({ holidays: ['2026-03-07'] });
    assert.equal(clock(aCase(), 'acknowledge', policy).dueAt, at('2026-03-11T18:00'));
  });

  it('counts backwards the same way: the reminder a business day before a Monday deadline is on Friday', () => {
    const c = aCase({ receivedAt: at('2026-03-11T09:00') });
    assert.equal(clock(c, 'acknowledge').dueAt, at('2026-03-16T09:00'));
    assert.equal(clock(c, 'acknowledge').remindAt, at('2026-03-13T09:00'));
  });

  it('days that are not business days are exact 24-hour days, weekends included', () => {
    assert.equal(clock(aCase(), 'assess').dueAt, at('2026-03-13T18:00'));
    assert.equal(clock(aCase(), 'assess').remindAt, at('2026-03-11T18:00'));
  });
});

describe('a reminder is due from remindBefore ahead of the deadline, an escalation from the deadline on', () => {
  const c = aCase();
  const { remindAt, dueAt } = clock(c, 'acknowledge');

  it('nothing one millisecond before the reminder', () => {
    assert.equal(remindAt, at('2026-03-10T18:00'));
    assert.deepEqual(noticesFor(c, 'acknowledge', remindAt - 1), []);
  });

  it('the reminder from its instant to one millisecond before the deadline', () => {
    const reminder: Notice = { key: `42:acknowledge:reminder:${dueAt}`, caseId: 42, clock: 'acknowledge', kind: 'reminder', dueAt };
    assert.deepEqual(noticesFor(c, 'acknowledge', remindAt), [reminder]);
    assert.deepEqual(noticesFor(c, 'acknowledge', dueAt - 1), [reminder]);
  });

  it('only the escalation from the deadline\'s instant on', () => {
    const escalation: Notice = { key: `42:acknowledge:escalation:${dueAt}`, caseId: 42, clock: 'acknowledge', kind: 'escalation', dueAt };
    assert.deepEqual(noticesFor(c, 'acknowledge', dueAt), [escalation]);
    assert.deepEqual(noticesFor(c, 'acknowledge', dueAt + 30 * DAY), [escalation]);
  });

  it('a sweep that first runs after the deadline sends no stale reminder', () => {
    const late = dueNotices(c, defaults, FRIDAY_EVENING + 8 * DAY);
    assert.deepEqual(late.map((n) => `${n.clock}:${n.kind}`), ['acknowledge:escalation', 'assess:escalation']);
  });

  it('deadlines read ok, due-soon and overdue at the same instants', () => {
    const status = (now: number) => deadlinesOf(c, defaults, now).find((d) => d.clock === 'acknowledge')?.status;
    assert.equal(status(remindAt - 1), 'ok');
    assert.equal(status(remindAt), 'due-soon');
    assert.equal(status(dueAt - 1), 'due-soon');
    assert.equal(status(dueAt), 'overdue');
  });
});

describe('every notice goes out once, across sweeps and restarts', () => {
  /** A store that inserts a notice only if its key is new, as the tracker's store does. */
  function sweepEvery(step: number, from: number, to: number, c: Case, sent: Map<string, Notice>, policy: ClockPolicy): void {
    for (let now = from; now <= to; now += step) {
      for (const notice of dueNotices(c, policy, now)) if (!sent.has(notice.key)) sent.set(notice.key, notice);
    }
  }

  it('sweeping every minute for three weeks, with a restart halfway, yields one reminder and one escalation per clock', () => {
    const c = aCase();
    const sent = new Map<string, Notice>();
    const restart = FRIDAY_EVENING + 10 * DAY;
    sweepEvery(MINUTE, FRIDAY_EVENING, restart, c, sent, compileClockPolicy(undefined));
    sweepEvery(MINUTE, restart + 7 * MINUTE, FRIDAY_EVENING + 21 * DAY, c, sent, compileClockPolicy(undefined));
    const kinds = [...sent.values()].map((n) => `${n.clock}:${n.kind}`).sort();
    assert.deepEqual(kinds, ['acknowledge:escalation', 'acknowledge:reminder', 'assess:escalation', 'assess:reminder', 'update:escalation', 'update:reminder']);
  });

  it('a new word to the reporter restarts the update clock, with new keys; the old ones never come back', () => {
    const c = aCase({ state: 'acknowledged' });
    const before = noticesFor(c, 'update', FRIDAY_EVENING + 13 * DAY);
    assert.equal(before[0]?.kind, 'reminder');
    const updated = { ...c, reporterUpdatedAt: FRIDAY_EVENING + 13 * DAY + HOUR };
    assert.deepEqual(noticesFor(updated, 'update', FRIDAY_EVENING + 13 * DAY + 2 * HOUR), []);
    const after = noticesFor(updated, 'update', updated.reporterUpdatedAt + 14 * DAY);
    assert.equal(after[0]?.kind, 'escalation');
    assert.equal(after[0].dueAt, updated.reporterUpdatedAt + 14 * DAY);
    assert.notEqual(after[0].key, before[0].key.replace('reminder', 'escalation'));
  });

  it('keys are caseId:clock:kind:dueAt', () => {
    const [notice] = noticesFor(aCase({ id: 7 }), 'assess', FRIDAY_EVENING + 7 * DAY);
    assert.equal(notice?.key, `7:assess:escalation:${FRIDAY_EVENING + 7 * DAY}`);
  });
});

describe('a severity may have clocks of its own, over the defaults', () => {
  const policy = compileClockPolicy({ severities: { critical: { fix: '30 days', remindBefore: '5d' }, high: { fix: { remindBefore: '7d' } } } });
  const fixing = (severity: Case['severity']) => aCase({ state: 'fixing', triage: 'valid', severity });

  it('a critical case is due to be fixed in 30 days, reminded 5 days before', () => {
    assert.equal(clock(fixing('critical'), 'fix', policy).dueAt, FRIDAY_EVENING + 30 * DAY);
    assert.equal(clock(fixing('critical'), 'fix', policy).remindAt, FRIDAY_EVENING + 25 * DAY);
  });

  it('what the severity does not set comes from the defaults', () => {
    assert.equal(clock(fixing('critical'), 'update', policy).dueAt, FRIDAY_EVENING + 14 * DAY);
    assert.equal(clock(fixing('high'), 'fix', policy).dueAt, FRIDAY_EVENING + 90 * DAY);
    assert.equal(clock(fixing('high'), 'fix', policy).remindAt, FRIDAY_EVENING + 83 * DAY);
    assert.equal(clock(fixing('low'), 'fix', policy).dueAt, FRIDAY_EVENING + 90 * DAY);
  });

  it('a case not yet scored runs on the defaults', () => {
    assert.equal(clock(fixing(null), 'fix', policy).dueAt, FRIDAY_EVENING + 90 * DAY);
  });

  it('scoring a case moves its deadline, and so its keys', () => {
    const now = FRIDAY_EVENING + 31 * DAY;
    assert.deepEqual(noticesFor(fixing(null), 'fix', now, policy), []);
    assert.deepEqual(noticesFor(fixing('critical'), 'fix', now, policy).map((n) => n.key), [`42:fix:escalation:${FRIDAY_EVENING + 30 * DAY}`]);
  });

  it('a clock\'s own remindBefore wins over the level\'s', () => {
    const own = compileClockPolicy({ remindBefore: '3d', update: { remindBefore: '1d' }, severities: { low: { remindBefore: '4d' } } });
    assert.equal(own.rules.unscored.assess.remindBefore.text, '3 days');
    assert.equal(own.rules.unscored.update.remindBefore.text, '1 day');
    assert.equal(own.rules.low.assess.remindBefore.text, '4 days');
    assert.equal(own.rules.low.update.remindBefore.text, '1 day');
    assert.equal(own.rules.low.acknowledge.remindBefore.text, '4 days');
  });
});

describe('the defaults are common practice', () => {
  it('acknowledge in 3 business days, assess in 7 days, update every 14, fix in 90, disclose 30 after, contest 14', () => {
    const texts = Object.fromEntries(Object.entries(defaults.rules.unscored).map(([name, rule]) => [name, [rule.within.text, rule.remindBefore.text]]));
    assert.deepEqual(texts, {
      acknowledge: ['3 business days', '1 business day'],
      assess: ['7 days', '2 days'],
      update: ['14 days', '2 days'],
      fix: ['90 days', '2 days'],
      disclose: ['30 days', '2 days'],
      contest: ['14 days', '2 days'],
    });
    assert.deepEqual(defaults.rules.critical, defaults.rules.unscored);
  });
});

describe('durations are a whole number and a unit', () => {
  it('reads business days, weeks, days, hours and minutes', () => {
    assert.deepEqual(parseDuration('3 business days'), { kind: 'business', days: 3, text: '3 business days' });
    assert.deepEqual(parseDuration('1 business day'), { kind: 'business', days: 1, text: '1 business day' });
    assert.deepEqual(parseDuration('7d'), { kind: 'elapsed', ms: 7 * DAY, text: '7 days' });
    assert.deepEqual(parseDuration('14 days'), { kind: 'elapsed', ms: 14 * DAY, text: '14 days' });
    assert.deepEqual(parseDuration('36h'), { kind: 'elapsed', ms: 36 * HOUR, text: '36 hours' });
    assert.deepEqual(parseDuration('2w'), { kind: 'elapsed', ms: 14 * DAY, text: '14 days' });
    assert.deepEqual(parseDuration('90 minutes'), { kind: 'elapsed', ms: 90 * MINUTE, text: '90 minutes' });
  });

  it('refuses anything else with the forms it takes', () => {
    for (const text of ['3', 'three days', '1.5d', '-2d', '3 workdays', '7D', '']) {
      assert.throws(() => parseDuration(text), (error: ConfigError) => {
        assert.equal(error.code, 'ERR_CONFIG');
        assert.equal(error.message, `'${text}' is not a duration`);
        assert.match(error.hint ?? '', /7d, 14 days, .*3 business days/);
        return true;
      });
    }
    assert.throws(() => parseDuration('101 business days'), /more than 100 business days/);
  });
});

describe('the configuration\'s errors name the key that is wrong', () => {
  const fails = (section: unknown, message: string) => {
    assert.throws(() => compileClockPolicy(section), (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.equal(error.message, message);
      return true;
    });
  };

  it('a duration that is not one', () => {
    fails({ fix: '90 dayz' }, 'disclose.clocks.fix: \'90 dayz\' is not a duration');
    fails({ severities: { critical: { fix: { within: '30' } } } }, 'disclose.clocks.severities.critical.fix.within: \'30\' is not a duration');
    fails({ remindBefore: 2 }, 'disclose.clocks.remindBefore: 2 is not a duration');
    fails({ assess: true }, 'disclose.clocks.assess: must be a duration, or a mapping with `within` and/or `remindBefore`');
  });

  it('a deadline of zero', () => {
    fails({ acknowledge: '0 business days' }, 'disclose.clocks.acknowledge: a deadline must fall after its start');
  });

  it('an unknown key, at every level', () => {
    fails({ acknowlege: '3d' }, 'disclose.clocks.acknowlege: unknown key \'acknowlege\'');
    fails({ severities: { urgent: { fix: '7d' } } }, 'disclose.clocks.severities.urgent: unknown key \'urgent\'');
    fails({ severities: { critical: { holidays: [] } } }, 'disclose.clocks.severities.critical.holidays: unknown key \'holidays\'');
    fails({ fix: { within: '30d', remind: '1d' } }, 'disclose.clocks.fix.remind: unknown key \'remind\'');
  });

  it('a holiday that is not a date', () => {
    fails({ holidays: ['2026-12-25', '2026-02-30'] }, 'disclose.clocks.holidays[1]: "2026-02-30" is not a date');
    fails({ holidays: '2026-12-25' }, 'disclose.clocks.holidays: must be a list of dates (YYYY-MM-DD)');
  });

  it('a section that is not a mapping', () => {
    fails('90d', 'disclose.clocks: must be a mapping of clocks to durations');
    fails({ severities: { critical: '30d' } }, 'disclose.clocks.severities.critical: must be a mapping of clocks to durations');
  });

  it('points at the file and line when it can locate the node', () => {
    const section = { fix: 'soon' };
    const location = { file: 'disclose.yaml', line: 4, column: 10, pointer: '/disclose/clocks/fix' };
    assert.throws(
      () => compileClockPolicy(section, { path: 'clocks', locate: (node, member) => (node === section && member === 'fix' ? location : undefined) }),
      (error: ConfigError) => error.message === 'clocks.fix: \'soon\' is not a duration' && error.location === location,
    );
  });
});

describe('the section\'s JSON Schema agrees with the reader', () => {
  const validate = new Ajv({ allErrors: true, strict: true, strictRequired: false }).compile(clocksConfigSchema);

  it('accepts what the reader accepts', () => {
    const section = {
      acknowledge: '3 business days',
      fix: { within: '90 days', remindBefore: '7d' },
      remindBefore: '2 days',
      holidays: ['2026-12-25'],
      severities: { critical: { fix: '30d', update: { remindBefore: '1 business day' } } },
    };
    assert.equal(validate(section), true, JSON.stringify(validate.errors));
    compileClockPolicy(section);
  });

  it('refuses unknown keys and malformed durations', () => {
    assert.equal(validate({ acknowlege: '3d' }), false);
    assert.equal(validate({ fix: '90 dayz' }), false);
    assert.equal(validate({ severities: { urgent: {} } }), false);
    assert.equal(validate({ fix: { within: '3d', remind: '1d' } }), false);
  });
});
