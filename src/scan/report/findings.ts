/**
 * The order and the groups every report shows findings in, so that two reports of the same scan
 * are identical and two scans diff cleanly.
 */
import type { BaselineComparison } from '../baseline.ts';
import type { CheckDescription, Finding, ScanSummary, Severity } from '../finding.ts';
import { SEVERITIES, atOrAbove, severityRank } from '../finding.ts';

/** Most severe first: the order of report sections. */
export const SEVERITIES_DESCENDING: readonly Severity[] = [...SEVERITIES].reverse();

/** `METHOD /path`, or undefined for an API-wide finding. */
export function operationLabel(finding: Finding): string | undefined {
  const { operation } = finding;
  return operation ? `${operation.method.toUpperCase()} ${operation.path}` : undefined;
}

/** Code-unit order, never the locale's: reports must not depend on the machine that wrote them. */
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Severity (most severe first), then operation path (API-wide findings first), method, check id,
 * place in the description (an audit finds several things per operation, each at its own line)
 * and fingerprint.
 */
export function compareFindings(a: Finding, b: Finding): number {
  return (
    severityRank(b.severity) - severityRank(a.severity) ||
    compareOperations(a, b) ||
    compareText(a.checkId, b.checkId) ||
    compareLocations(a, b) ||
    compareText(a.fingerprint, b.fingerprint)
  );
}

/** By file, line and column; findings without a location first. */
function compareLocations(a: Finding, b: Finding): number {
  if (!a.location || !b.location) return Number(a.location !== undefined) - Number(b.location !== undefined);
  return compareText(a.location.file, b.location.file) || a.location.line - b.location.line || a.location.column - b.location.column;
}

/** By operation path, then method; API-wide findings first. */
export function compareOperations(a: Finding, b: Finding): number {
  return (
    compareText(a.operation?.path ?? '', b.operation?.path ?? '') ||
    compareText(a.operation?.method.toUpperCase() ?? '', b.operation?.method.toUpperCase() ?? '')
  );
}

/** A sorted copy; the input is left as it was. */
export function sortFindings(findings: readonly Finding[]): Finding[] {
  return [...findings].sort(compareFindings);
}

export type SeverityCounts = Record<Severity, number>;

export function countBySeverity(findings: readonly Finding[]): SeverityCounts {
  const counts: SeverityCounts = { critical: 0, high: 0, medium: 0, low: 0, info: 0 };
  for (const finding of findings) counts[finding.severity] += 1;
  return counts;
}

/** A run's findings compared with a baseline, as reports show it. */
export interface ReportBaseline extends BaselineComparison {
  /** The baseline file, as the user named it. */
  file?: string;
}

/** The fingerprints of the findings a baseline accepts; none without a baseline. */
export function acceptedFingerprints(baseline: BaselineComparison | undefined): ReadonlySet<string> {
  return new Set(baseline?.known.map((finding) => finding.fingerprint));
}

/**
 * The findings that fail the run: at or above `summary.failOn` and, when there is a baseline, not
 * accepted by it.
 */
export function failingFindings(findings: readonly Finding[], summary: ScanSummary, baseline?: BaselineComparison): Finding[] {
  const accepted = acceptedFingerprints(baseline);
  return findings.filter((finding) => atOrAbove(finding, summary.failOn) && !accepted.has(finding.fingerprint));
}

/** Consecutive runs of equal keys, in order: for sorted findings, sections without a second sort. */
export function groupBy<T>(items: readonly T[], key: (item: T) => string): { key: string; items: T[] }[] {
  const groups: { key: string; items: T[] }[] = [];
  for (const item of items) {
    const k = key(item);
    const last = groups.at(-1);
    if (last?.key === k) last.items.push(item);
    else groups.push({ key: k, items: [item] });
  }
  return groups;
}

/**
 * The check ids a report covers: the scan's checks in registry order, then, sorted, any id that
 * only a finding (or a baseline entry) names: a check missing from the summary must not make a
 * finding disappear.
 */
export function reportedCheckIds(findings: readonly Pick<Finding, 'checkId'>[], summary: ScanSummary): string[] {
  const known = summary.checks.map((check) => check.id);
  const extra = [...new Set(findings.map((finding) => finding.checkId))].filter((id) => !known.includes(id));
  return [...new Set(known), ...extra.sort(compareText)];
}

export function checkIndex(summary: ScanSummary): ReadonlyMap<string, CheckDescription> {
  return new Map(summary.checks.map((check) => [check.id, check]));
}

/** `850 ms`, `3.2 s`, `2 min 5 s`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const seconds = Math.round(ms / 1000);
  return `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
}

export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

/** `1 finding`, `3 findings`. */
export function plural(n: number, noun: string): string {
  return `${formatCount(n)} ${noun}${n === 1 ? '' : 's'}`;
}
