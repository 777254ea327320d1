/**
 * The programme's health at a glance: open cases by age and severity, the median time to
 * acknowledge, assess and fix, and the cases past any clock. The figures that show a report
 * sitting for 90 days before anyone does.
 */
import type { ClockPolicy, Deadline } from './clocks.ts';
import { sql } from 'kysely';
import { deadlinesOf } from './clocks.ts';
import type { Case, Severity } from './model.ts';
import { SEVERITIES } from './model.ts';
import { CLOCK_COLUMNS, clockCase, openCase } from './store/rows.ts';
import type { Tracker } from './tracker.ts';

export const AGE_BUCKETS = [
  { label: 'under 7 days', maxDays: 7 },
  { label: '7–30 days', maxDays: 30 },
  { label: '30–90 days', maxDays: 90 },
  { label: 'over 90 days', maxDays: Infinity },
] as const;

export interface ProgrammeMetrics {
  open: number;
  /** Open cases: age bucket label → severity (or `unscored`) → count. */
  byAge: Record<string, Record<Severity | 'unscored', number>>;
  /** Median milliseconds from receipt, over the cases that reached the step; null when none has. */
  medianMs: { acknowledge: number | null; assess: number | null; fix: number | null };
  /** Open cases with at least one clock past its deadline, most overdue first; titles beyond the first `titled` are empty. */
  overdue: { c: Pick<Case, 'id' | 'reference' | 'title'>; deadlines: Deadline[] }[];
}

const DAY_MS = 86_400_000;

/** The figures at `now`; the titles of the `titled` most overdue cases are read (the page shows those), the rest stay empty. */
export async function programmeMetrics(tracker: Tracker, policy: ClockPolicy, now: number, titled = 100): Promise<ProgrammeMetrics> {
  const byAge: ProgrammeMetrics['byAge'] = {};
  for (const bucket of AGE_BUCKETS) byAge[bucket.label] = Object.fromEntries([...SEVERITIES, 'unscored'].map((s) => [s, 0])) as Record<Severity | 'unscored', number>;
  const overdue: ProgrammeMetrics['overdue'] = [];
  const db = tracker.database.db;
  // Only what the clocks read, all of it in the cases_clocks index: the titles are read for the late cases alone.
  const open = await db.selectFrom('cases').select(CLOCK_COLUMNS).where(openCase).execute();
  for (const row of open) {
    const c = { ...clockCase(row), title: '' };
    const ageDays = (now - c.receivedAt) / DAY_MS;
    const bucket = AGE_BUCKETS.find((b) => ageDays < b.maxDays) ?? AGE_BUCKETS[AGE_BUCKETS.length - 1];
    const counts = bucket ? byAge[bucket.label] : undefined;
    if (counts) counts[c.severity ?? 'unscored'] += 1;
    const late = deadlinesOf(c, policy, now).filter((d) => d.status === 'overdue');
    if (late.length > 0) overdue.push({ c, deadlines: late });
  }
  const earliest = new Map(overdue.map((o) => [o, o.deadlines.reduce((first, d) => Math.min(first, d.dueAt), Infinity)]));
  overdue.sort((a, b) => (earliest.get(a) ?? 0) - (earliest.get(b) ?? 0));
  await fillTitles(tracker, overdue.slice(0, titled).map((o) => o.c));
  const medians = await medianSpans(tracker);
  return { open: open.length, byAge, medianMs: medians, overdue };
}

/**
 * The median time from receipt to each step. PostgreSQL computes it (percentile_cont) and sends
 * one row; SQLite has no median, so one pass over the cases_spans index is sorted here.
 */
async function medianSpans(tracker: Tracker): Promise<ProgrammeMetrics['medianMs']> {
  const db = tracker.database.db;
  if (tracker.database.dialect === 'postgres') {
    const median = (field: string) => sql<number | null>`percentile_cont(0.5) within group (order by ${sql.ref(field)} - received_at)`;
    const row = await db.selectFrom('cases').select([median('acknowledged_at').as('acknowledge'), median('assessed_at').as('assess'), median('resolved_at').as('fix')]).executeTakeFirstOrThrow();
    return { acknowledge: row.acknowledge, assess: row.assess, fix: row.fix };
  }
  const spans = await db.selectFrom('cases').select(['received_at', 'acknowledged_at', 'assessed_at', 'resolved_at']).where('received_at', '>=', 0).execute();
  const since = (field: 'acknowledged_at' | 'assessed_at' | 'resolved_at') => median(spans.flatMap((s) => {
    const at = s[field];
    return at === null ? [] : [at - s.received_at];
  }));
  return { acknowledge: since('acknowledged_at'), assess: since('assessed_at'), fix: since('resolved_at') };
}

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = Float64Array.from(values).sort();
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] ?? null) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

const TITLE_BATCH = 500;

async function fillTitles(tracker: Tracker, cases: { id: number; title: string }[]): Promise<void> {
  const byId = new Map(cases.map((c) => [c.id, c]));
  const ids = [...byId.keys()];
  for (let i = 0; i < ids.length; i += TITLE_BATCH) {
    for (const row of await tracker.database.db.selectFrom('cases').select(['id', 'title']).where('id', 'in', ids.slice(i, i + TITLE_BATCH)).execute()) {
      const c = byId.get(row.id);
      if (c) c.title = row.title;
    }
  }
}

/** A span as people say it: 3 h, 2.5 days. */
export function formatSpan(ms: number | null): string {
  if (ms === null) return '—';
  if (ms < DAY_MS) return `${(ms / 3_600_000).toFixed(1)} h`;
  return `${(ms / DAY_MS).toFixed(1)} days`;
}
