/**
 * The programme's health at a glance: open cases by age and severity, the median time to
 * acknowledge, assess and fix, and the cases past any clock. The figures that show a report
 * sitting for 90 days before anyone does.
 */
import type { ClockPolicy, Deadline } from './clocks.ts';
import { deadlinesOf } from './clocks.ts';
import type { Case, Severity } from './model.ts';
import { SEVERITIES } from './model.ts';
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
  /** Open cases with at least one clock past its deadline, most overdue first. */
  overdue: { c: Case; deadlines: Deadline[] }[];
}

const DAY_MS = 86_400_000;
const PAGE = 1000;

export async function programmeMetrics(tracker: Tracker, policy: ClockPolicy, now: number): Promise<ProgrammeMetrics> {
  const byAge: ProgrammeMetrics['byAge'] = {};
  for (const bucket of AGE_BUCKETS) byAge[bucket.label] = Object.fromEntries([...SEVERITIES, 'unscored'].map((s) => [s, 0])) as Record<Severity | 'unscored', number>;
  const overdue: ProgrammeMetrics['overdue'] = [];
  let open = 0;
  for (let offset = 0; ; offset += PAGE) {
    const page = await tracker.listCases({ open: true, limit: PAGE, offset });
    for (const c of page) {
      open += 1;
      const ageDays = (now - c.receivedAt) / DAY_MS;
      const bucket = AGE_BUCKETS.find((b) => ageDays < b.maxDays) ?? AGE_BUCKETS[AGE_BUCKETS.length - 1];
      const row = bucket ? byAge[bucket.label] : undefined;
      if (row) row[c.severity ?? 'unscored'] += 1;
      const late = deadlinesOf(c, policy, now).filter((d) => d.status === 'overdue');
      if (late.length > 0) overdue.push({ c, deadlines: late });
    }
    if (page.length < PAGE) break;
  }
  overdue.sort((a, b) => Math.min(...a.deadlines.map((d) => d.dueAt)) - Math.min(...b.deadlines.map((d) => d.dueAt)));
  const db = tracker.database.db;
  const spans = await db.selectFrom('cases').select(['received_at', 'acknowledged_at', 'assessed_at', 'resolved_at']).execute();
  const median = (values: number[]): number | null => {
    if (values.length === 0) return null;
    const sorted = values.sort((a, b) => a - b);
    const middle = Math.floor(sorted.length / 2);
    return sorted.length % 2 === 1 ? (sorted[middle] ?? null) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
  };
  const since = (field: 'acknowledged_at' | 'assessed_at' | 'resolved_at') => spans.flatMap((s) => {
    const at = s[field];
    return at === null ? [] : [at - s.received_at];
  });
  return { open, byAge, medianMs: { acknowledge: median(since('acknowledged_at')), assess: median(since('assessed_at')), fix: median(since('resolved_at')) }, overdue };
}

/** A span as people say it: 3 h, 2.5 days. */
export function formatSpan(ms: number | null): string {
  if (ms === null) return '—';
  if (ms < DAY_MS) return `${(ms / 3_600_000).toFixed(1)} h`;
  return `${(ms / DAY_MS).toFixed(1)} days`;
}
