/**
 * The disclosure clocks: which deadlines a case is running against, when each falls due, and which
 * reminders and escalations are due at a given instant. Pure: `now` is always handed in, so the
 * sweep, the pages and a test with an injected clock compute the same answers.
 *
 * Times are epoch milliseconds in UTC, as in the model. A business day is a UTC calendar date that
 * is neither a Saturday, a Sunday nor a configured holiday; N business days after an instant is the
 * same UTC time of day on the Nth business date after the instant's own date (a report received
 * on Friday at 18:00 is due to be acknowledged on Wednesday at 18:00).
 *
 * @example
 * ```yaml
 * disclose:
 *   clocks:
 *     acknowledge: 3 business days
 *     fix: { within: 90 days, remindBefore: 7 days }
 *     remindBefore: 2 days
 *     holidays: [2026-12-25, 2027-01-01]
 *     severities:
 *       critical: { fix: 30 days, update: 7 days }
 * ```
 */
import { ConfigError } from '../core/errors.ts';
import type { Locate } from '../core/schema-errors.ts';
import { isClosed } from './lifecycle.ts';
import type { Case, CaseState, Severity } from './model.ts';
import { SEVERITIES } from './model.ts';

/** The deadlines a case can run against; which are running depends on its state (see {@link runningClocks}). */
export const CLOCKS = ['acknowledge', 'assess', 'update', 'fix', 'disclose', 'contest'] as const;
export type ClockName = (typeof CLOCKS)[number];

/**
 * A length of time: elapsed milliseconds, or business days (weekends and holidays not counted).
 * `text` says it in words, for the policy page: `3 business days`, `90 days`.
 */
export type Duration =
  | { readonly kind: 'elapsed'; readonly ms: number; readonly text: string }
  | { readonly kind: 'business'; readonly days: number; readonly text: string };

/** One clock's deadline, and how long before it the reminder fires. */
export interface ClockRule {
  readonly within: Duration;
  readonly remindBefore: Duration;
}

export type ClockRules = Readonly<Record<ClockName, ClockRule>>;

/** The rules for each severity, and for a case not scored yet; built by {@link compileClockPolicy}. */
export interface ClockPolicy {
  readonly rules: Readonly<Record<Severity | 'unscored', ClockRules>>;
  /** Holidays as UTC days since 1970-01-01, so that the day-by-day walk compares numbers. */
  readonly holidays: ReadonlySet<number>;
}

/** A clock a case is running against: when it started, when its reminder fires, when it falls due. */
export interface RunningClock {
  clock: ClockName;
  startedAt: number;
  remindAt: number;
  dueAt: number;
}

/** `due-soon` from the reminder on, `overdue` from the deadline on. */
export type DeadlineStatus = 'ok' | 'due-soon' | 'overdue';

export interface Deadline extends RunningClock {
  status: DeadlineStatus;
}

export type NoticeKind = 'reminder' | 'escalation';

/**
 * A reminder or an escalation that is due. `key` names it for good: the store inserts it if absent,
 * so that it is sent once whatever the number of sweeps or restarts; a clock that restarts falls
 * due at another time and so gets new keys.
 */
export interface Notice {
  key: string;
  caseId: number;
  clock: ClockName;
  kind: NoticeKind;
  dueAt: number;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const WEEK = 7 * DAY;

/** The walk over business days is day by day, so their number is kept to what a policy needs. */
const MAX_BUSINESS_DAYS = 100;

const FIXING_STATES: ReadonlySet<CaseState> = new Set(['triaged', 'fixing', 'fix-submitted', 'verifying']);

/** When `clock` started on `c`, or null when the case's state does not run it. */
function startOf(clock: ClockName, c: Case): number | null {
  switch (clock) {
    case 'acknowledge':
      return c.state === 'new' ? c.receivedAt : null;
    case 'assess':
      return c.state === 'new' || c.state === 'acknowledged' ? c.receivedAt : null;
    case 'update':
      return isClosed(c) ? null : c.reporterUpdatedAt;
    case 'fix':
      // Disclosure programmes count the fix window from the report, not from the triage.
      return c.triage === 'valid' && FIXING_STATES.has(c.state) ? c.receivedAt : null;
    case 'disclose':
      return c.state === 'resolved' ? c.resolvedAt : null;
    case 'contest':
      return c.state === 'contested' ? c.contestedAt : null;
  }
}

/** Whether a UTC day (days since 1970-01-01, a Thursday) is a business day. */
function isBusinessDay(day: number, holidays: ReadonlySet<number>): boolean {
  const weekday = (((day + 4) % 7) + 7) % 7; // 0 for Sunday
  return weekday !== 0 && weekday !== 6 && !holidays.has(day);
}

/**
 * The instant `days` business days after (`direction` 1) or before (-1) `at`: the same UTC time of
 * day, on the `days`th business date counted from the date after (or before) `at`'s own.
 *
 * @example
 * ```ts
 * // Friday 2026-01-02 18:00 UTC + 3 business days: Wednesday 2026-01-07 18:00 UTC.
 * shiftBusinessDays(Date.UTC(2026, 0, 2, 18), 3, 1, new Set());
 * ```
 */
export function shiftBusinessDays(at: number, days: number, direction: 1 | -1, holidays: ReadonlySet<number>): number {
  let t = at;
  for (let left = days; left > 0;) {
    t += direction * DAY;
    if (isBusinessDay(Math.floor(t / DAY), holidays)) left--;
  }
  return t;
}

function shift(at: number, duration: Duration, direction: 1 | -1, holidays: ReadonlySet<number>): number {
  return duration.kind === 'elapsed' ? at + direction * duration.ms : shiftBusinessDays(at, duration.days, direction, holidays);
}

/**
 * The clocks `c` is running against, with the rules for its severity (the `unscored` rules until it
 * is scored). A clock whose start time is missing from the case is not running.
 *
 * @example
 * ```ts
 * for (const { clock, dueAt } of runningClocks(c, policy)) console.log(clock, new Date(dueAt));
 * ```
 */
export function runningClocks(c: Case, policy: ClockPolicy): RunningClock[] {
  const rules = policy.rules[c.severity ?? 'unscored'];
  const running: RunningClock[] = [];
  for (const clock of CLOCKS) {
    const startedAt = startOf(clock, c);
    if (startedAt === null) continue;
    const rule = rules[clock];
    const dueAt = shift(startedAt, rule.within, 1, policy.holidays);
    running.push({ clock, startedAt, remindAt: shift(dueAt, rule.remindBefore, -1, policy.holidays), dueAt });
  }
  return running;
}

/**
 * The case's deadlines at `now`, each `ok`, `due-soon` (from its reminder on) or `overdue`.
 *
 * @example
 * ```ts
 * const late = deadlinesOf(c, policy, now).filter((d) => d.status === 'overdue');
 * ```
 */
export function deadlinesOf(c: Case, policy: ClockPolicy, now: number): Deadline[] {
  return runningClocks(c, policy).map((running) => ({ ...running, status: statusAt(running, now) }));
}

function statusAt(running: RunningClock, now: number): DeadlineStatus {
  if (now >= running.dueAt) return 'overdue';
  return now >= running.remindAt ? 'due-soon' : 'ok';
}

/**
 * The notices due for `c` at `now`: a reminder in [remindAt, dueAt), an escalation from dueAt on.
 * A sweep that first runs after a deadline produces only the escalation, never a stale reminder.
 *
 * @example
 * ```ts
 * for (const notice of dueNotices(c, policy, now)) await store.insertNoticeIfAbsent(notice);
 * ```
 */
export function dueNotices(c: Case, policy: ClockPolicy, now: number): Notice[] {
  const notices: Notice[] = [];
  for (const running of runningClocks(c, policy)) {
    const status = statusAt(running, now);
    if (status === 'ok') continue;
    const kind: NoticeKind = status === 'overdue' ? 'escalation' : 'reminder';
    notices.push({ key: `${c.id}:${running.clock}:${kind}:${running.dueAt}`, caseId: c.id, clock: running.clock, kind, dueAt: running.dueAt });
  }
  return notices;
}

// Configuration.

const DURATION_SOURCE = '^\\s*(\\d{1,6})\\s*(business days?|weeks?|w|days?|d|hours?|h|minutes?|m)\\s*$';
const DURATION = new RegExp(DURATION_SOURCE);
const DURATION_HINT = 'write a whole number and a unit: 30m, 36h, 7d, 14 days, 2w or 3 business days';
const UNIT_MS: Readonly<Record<string, number>> = { m: MINUTE, minute: MINUTE, h: HOUR, hour: HOUR, d: DAY, day: DAY, w: WEEK, week: WEEK };

/** Why `text` is not a duration, or the duration. */
function readDuration(text: string): Duration | string {
  const match = DURATION.exec(text);
  if (!match) return `'${text}' is not a duration`;
  const amount = Number(match[1]);
  const unit = (match[2] ?? '').replace(/s$/, '');
  if (unit === 'business day') {
    if (amount > MAX_BUSINESS_DAYS) return `'${text}' is more than ${MAX_BUSINESS_DAYS} business days`;
    return { kind: 'business', days: amount, text: plural(amount, 'business day') };
  }
  const ms = amount * (UNIT_MS[unit] ?? 0);
  return { kind: 'elapsed', ms, text: describeElapsed(ms) };
}

function describeElapsed(ms: number): string {
  if (ms % DAY === 0) return plural(ms / DAY, 'day');
  if (ms % HOUR === 0) return plural(ms / HOUR, 'hour');
  return plural(ms / MINUTE, 'minute');
}

function plural(amount: number, unit: string): string {
  return `${amount} ${unit}${amount === 1 ? '' : 's'}`;
}

/**
 * Reads a duration as the configuration writes it: `3 business days`, `7d`, `14 days`, `36h`,
 * `30m`, `2w`. Throws `ConfigError` for anything else.
 *
 * @example
 * ```ts
 * parseDuration('3 business days'); // { kind: 'business', days: 3, text: '3 business days' }
 * parseDuration('36h');             // { kind: 'elapsed', ms: 129600000, text: '36 hours' }
 * ```
 */
export function parseDuration(text: string): Duration {
  const duration = readDuration(text);
  if (typeof duration === 'string') throw new ConfigError(duration, { hint: DURATION_HINT });
  return duration;
}

const durationSchema = {
  type: 'string',
  pattern: DURATION_SOURCE,
  description: 'A whole number and a unit: 30m, 36h, 7d, 14 days, 2w, or 3 business days (weekends and holidays not counted).',
} as const;

const clockSchema = (description: string) => ({
  description,
  anyOf: [
    durationSchema,
    {
      type: 'object',
      additionalProperties: false,
      properties: { within: durationSchema, remindBefore: { ...durationSchema, description: 'How long before this deadline the reminder fires.' } },
    },
  ],
}) as const;

const clockSettingsSchema = {
  acknowledge: clockSchema('Acknowledge a new report within (default 3 business days; reminder 1 business day before).'),
  assess: clockSchema('Triage a report within, counted from its receipt (default 7 days).'),
  update: clockSchema('Tell the reporter something at least this often until the case closes (default 14 days).'),
  fix: clockSchema('Fix a valid report within, counted from its receipt (default 90 days).'),
  disclose: clockSchema('Publish the advisory within, after the fix is verified (default 30 days).'),
  contest: clockSchema('Answer a contested resolution or triage within (default 14 days).'),
  remindBefore: { ...durationSchema, description: 'How long before a deadline its reminder fires, for clocks that do not say (default 2 days).' },
} as const;

/**
 * JSON Schema of the `disclose.clocks` section, for validation and editors' completion.
 *
 * @example
 * ```ts
 * properties: { clocks: clocksConfigSchema } // inside the disclose section's schema
 * ```
 */
export const clocksConfigSchema = {
  type: 'object',
  additionalProperties: false,
  description: 'Deadlines for each stage of a case, with reminders before them and escalations after.',
  properties: {
    ...clockSettingsSchema,
    holidays: {
      type: 'array',
      description: 'Dates (YYYY-MM-DD, UTC) that business days skip, as they skip Saturdays and Sundays.',
      items: { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$' },
    },
    severities: {
      type: 'object',
      additionalProperties: false,
      description: 'Clocks of their own for some severities, over the ones above (a case not yet scored uses the ones above).',
      properties: Object.fromEntries(SEVERITIES.map((severity) => [severity, { type: 'object', additionalProperties: false, properties: clockSettingsSchema }])),
    },
  },
} as const;

const BUILT_IN: ClockRules = {
  acknowledge: { within: parseDuration('3 business days'), remindBefore: parseDuration('1 business day') },
  assess: { within: parseDuration('7 days'), remindBefore: parseDuration('2 days') },
  update: { within: parseDuration('14 days'), remindBefore: parseDuration('2 days') },
  fix: { within: parseDuration('90 days'), remindBefore: parseDuration('2 days') },
  disclose: { within: parseDuration('30 days'), remindBefore: parseDuration('2 days') },
  contest: { within: parseDuration('14 days'), remindBefore: parseDuration('2 days') },
};

/** One level of settings (the section's top, or one severity's), as written. */
interface ClockSettings {
  clocks: Partial<Record<ClockName, Partial<ClockRule>>>;
  remindBefore: Duration | undefined;
}

export interface ClockConfigOptions {
  /** Turns a config node and member into file:line for error messages. */
  locate?: Locate | undefined;
  /** Where the section sits in its file, to name keys as the file does (default `disclose.clocks`). */
  path?: string | undefined;
}

/**
 * The clock policy from the `disclose.clocks` section (undefined: the defaults). A severity's
 * settings are merged over the section's top level, a clock's own `remindBefore` over the level's
 * `remindBefore`. Throws `ConfigError` naming the bad key (`disclose.clocks.severities.critical.fix`).
 *
 * @example
 * ```ts
 * const policy = compileClockPolicy({ acknowledge: '2 business days', severities: { critical: { fix: '30d' } } });
 * policy.rules.critical.fix.within.text; // '30 days'
 * ```
 */
export function compileClockPolicy(section: unknown, options: ClockConfigOptions = {}): ClockPolicy {
  const reader = new SectionReader(options);
  const top = section ?? {};
  if (!isRecord(top)) throw reader.error(undefined, 'must be a mapping of clocks to durations');
  reader.onlyKeys(top, '', [...CLOCKS, 'remindBefore', 'holidays', 'severities']);
  const base = reader.settings(top, '');
  const severities = top.severities ?? {};
  if (!isRecord(severities)) throw reader.error({ node: top, member: 'severities', path: 'severities' }, 'must be a mapping of severities to clocks');
  reader.onlyKeys(severities, 'severities', SEVERITIES);
  const rules = { unscored: merge(base, undefined) } as Record<Severity | 'unscored', ClockRules>;
  for (const severity of SEVERITIES) {
    const own = severities[severity];
    const path = `severities.${severity}`;
    if (own === undefined) {
      rules[severity] = rules.unscored;
      continue;
    }
    if (!isRecord(own)) throw reader.error({ node: severities, member: severity, path }, 'must be a mapping of clocks to durations');
    reader.onlyKeys(own, path, [...CLOCKS, 'remindBefore']);
    rules[severity] = merge(base, reader.settings(own, path));
  }
  return { rules, holidays: reader.holidays(top) };
}

/** A clock's setting: the severity's own, else the top level's, else the built-in default. */
function merge(base: ClockSettings, severity: ClockSettings | undefined): ClockRules {
  const rule = (clock: ClockName): ClockRule => ({
    within: severity?.clocks[clock]?.within ?? base.clocks[clock]?.within ?? BUILT_IN[clock].within,
    remindBefore: severity?.clocks[clock]?.remindBefore ?? base.clocks[clock]?.remindBefore
      ?? severity?.remindBefore ?? base.remindBefore ?? BUILT_IN[clock].remindBefore,
  });
  return Object.fromEntries(CLOCKS.map((clock) => [clock, rule(clock)])) as Record<ClockName, ClockRule>;
}

/** A value in the section: `node[member]`, known in messages by its key path inside the section. */
interface Place {
  node: object;
  member: string | number;
  path: string;
}

/** Reads the section by hand, so that it is checked the same whether or not it went through the schema first. */
class SectionReader {
  readonly #locate: Locate | undefined;
  readonly #section: string;

  constructor(options: ClockConfigOptions) {
    this.#locate = options.locate;
    this.#section = options.path ?? 'disclose.clocks';
  }

  error(place: Place | undefined, message: string, hint?: string): ConfigError {
    const name = place === undefined || place.path === '' ? this.#section : `${this.#section}.${place.path}`;
    const location = place && this.#locate ? this.#locate(place.node, place.member) : undefined;
    return new ConfigError(`${name}: ${message}`, { location, hint });
  }

  onlyKeys(node: Record<string, unknown>, path: string, allowed: readonly string[]): void {
    const unknown = Object.keys(node).find((key) => !allowed.includes(key));
    if (unknown !== undefined) throw this.error({ node, member: unknown, path: join(path, unknown) }, `unknown key '${unknown}'`, `known keys here: ${allowed.join(', ')}`);
  }

  settings(node: Record<string, unknown>, path: string): ClockSettings {
    const clocks: ClockSettings['clocks'] = {};
    for (const clock of CLOCKS) {
      const value = node[clock];
      const place = { node, member: clock, path: join(path, clock) };
      if (value === undefined) continue;
      if (typeof value === 'string') {
        clocks[clock] = { within: this.#deadline(place) };
        continue;
      }
      if (!isRecord(value)) throw this.error(place, 'must be a duration, or a mapping with `within` and/or `remindBefore`', DURATION_HINT);
      this.onlyKeys(value, place.path, ['within', 'remindBefore']);
      clocks[clock] = {
        ...(value.within === undefined ? {} : { within: this.#deadline({ node: value, member: 'within', path: `${place.path}.within` }) }),
        ...(value.remindBefore === undefined ? {} : { remindBefore: this.#duration({ node: value, member: 'remindBefore', path: `${place.path}.remindBefore` }) }),
      };
    }
    const remindBefore = node.remindBefore === undefined ? undefined : this.#duration({ node, member: 'remindBefore', path: join(path, 'remindBefore') });
    return { clocks, remindBefore };
  }

  holidays(node: Record<string, unknown>): Set<number> {
    const list = node.holidays ?? [];
    if (!Array.isArray(list)) throw this.error({ node, member: 'holidays', path: 'holidays' }, 'must be a list of dates (YYYY-MM-DD)');
    return new Set(list.map((date: unknown, index) => {
      const day = typeof date === 'string' ? utcDay(date) : undefined;
      if (day === undefined) throw this.error({ node: list, member: index, path: `holidays[${index}]` }, `${JSON.stringify(date)} is not a date`, 'write holidays as YYYY-MM-DD, e.g. 2026-12-25');
      return day;
    }));
  }

  #duration(place: Place): Duration {
    const value = (place.node as Record<string | number, unknown>)[place.member];
    const duration = typeof value === 'string' ? readDuration(value) : `${JSON.stringify(value)} is not a duration`;
    if (typeof duration === 'string') throw this.error(place, duration, DURATION_HINT);
    return duration;
  }

  #deadline(place: Place): Duration {
    const duration = this.#duration(place);
    if ((duration.kind === 'elapsed' ? duration.ms : duration.days) === 0) throw this.error(place, 'a deadline must fall after its start', DURATION_HINT);
    return duration;
  }
}

function join(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

/** `2026-12-25` as UTC days since 1970-01-01; undefined for anything that is not a real date. */
function utcDay(text: string): number | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!match) return undefined;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const at = Date.UTC(year, month - 1, day);
  const date = new Date(at);
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day ? at / DAY : undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
