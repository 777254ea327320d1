/**
 * The report a person reads in a terminal or a CI log: findings grouped by severity, then by
 * operation, each with where it is described and the line that reproduces it; then one verdict.
 * Under a baseline, accepted findings are tagged, the accepted ones this run did not report are
 * listed (so the baseline can be pruned), and the verdict counts what is new.
 * Colour comes only from the colours handed in, so the text is plain when piped.
 */
import type { Io } from '../../cli/io.ts';
import { formatLocation } from '../../core/location.ts';
import type { BaselineEntry } from '../baseline.ts';
import type { Finding, ScanSummary, Severity } from '../finding.ts';
import type { ReportBaseline } from './findings.ts';
import {
  SEVERITIES_DESCENDING, acceptedFingerprints, countBySeverity, failingFindings, formatCount, formatDuration, groupBy,
  operationLabel, plural, sortFindings,
} from './findings.ts';

type Colors = Io['colors'];

const WIDTH = 100;

/**
 * @example
 * ```ts
 * io.out(writeConsoleReport(findings, summary, io.colors));
 * ```
 */
export function writeConsoleReport(findings: readonly Finding[], summary: ScanSummary, colors: Colors, baseline?: ReportBaseline): string {
  const sorted = sortFindings(findings);
  const accepted = acceptedFingerprints(baseline);
  const lines = [heading(summary, colors), ''];
  if (sorted.length === 0) lines.push('No findings.', '');
  for (const group of groupBy(sorted, (f) => f.severity)) {
    lines.push(...severitySection(group.key as Severity, group.items, accepted, colors), '');
  }
  if (baseline && baseline.fixed.length > 0) lines.push(...absentSection(baseline.fixed, colors), '');
  lines.push(...verdict(sorted, summary, baseline, colors));
  return lines.join('\n');
}

function heading(summary: ScanSummary, colors: Colors): string {
  const of = summary.target ?? summary.spec ?? 'the API';
  const spec = summary.target !== undefined && summary.spec !== undefined ? ` (${oneLine(summary.spec)})` : '';
  return colors.bold(`Leakproof ${summary.kind} of ${oneLine(of)}${spec}`);
}

function severitySection(severity: Severity, findings: Finding[], accepted: ReadonlySet<string>, colors: Colors): string[] {
  const lines = [paint(severity, `${severity.toUpperCase()} (${plural(findings.length, 'finding')})`, colors)];
  for (const operation of groupBy(findings, (f) => operationLabel(f) ?? '')) {
    const [first] = operation.items;
    const label = first?.operation
      ? `${colors.bold(oneLine(operation.key))}  ${colors.dim(oneLine(first.operation.id))}`
      : colors.bold('API-wide');
    lines.push(`  ${label}`);
    for (const finding of operation.items) lines.push(...findingLines(finding, accepted.has(finding.fingerprint), colors));
  }
  return lines;
}

function findingLines(finding: Finding, accepted: boolean, colors: Colors): string[] {
  const { evidence } = finding;
  const tag = accepted ? ` ${colors.dim('(accepted)')}` : '';
  const lines = wrap(`${oneLine(finding.title)} ${colors.dim(`[${finding.checkId}]`)}${tag}`, '    ', '      ');
  if (finding.location) lines.push(`      ${formatLocation(finding.location)}`);
  if (evidence.fields.length > 0) lines.push(...wrap(`fields: ${evidence.fields.map(oneLine).join(', ')}`, '      ', '        '));
  if (evidence.subjects.length > 0) lines.push(...wrap(`subjects: ${evidence.subjects.map(oneLine).join(', ')}`, '      ', '        '));
  // Never wrapped: the curl line is for copying.
  if (evidence.curl !== '') lines.push(`      ${colors.dim(oneLine(evidence.curl))}`);
  return lines;
}

/** Accepted findings this run did not report, one line each, to be pruned from the baseline once fixed. */
function absentSection(entries: readonly BaselineEntry[], colors: Colors): string[] {
  const lines = [colors.green(`NO LONGER FOUND (${plural(entries.length, 'accepted finding')}: fixed, or not tested this time)`)];
  for (const entry of entries) {
    lines.push(...wrap(`${oneLine(entry.operation ?? 'API-wide')}: ${oneLine(entry.title)} ${colors.dim(`[${oneLine(entry.checkId)}]`)}`, '  ', '    '));
  }
  return lines;
}

function verdict(findings: Finding[], summary: ScanSummary, baseline: ReportBaseline | undefined, colors: Colors): string[] {
  const failing = failingFindings(findings, summary, baseline).length;
  const outcome = failing > 0
    ? colors.red(colors.bold(`fails at --fail-on ${summary.failOn} (${formatCount(failing)}${baseline ? ' new' : ''} at or above)`))
    : colors.green(`passes at --fail-on ${summary.failOn}`);
  const total = baseline ? baselineTotal(findings, baseline) : severityTotal(findings, 'finding');
  const who = summary.identities.length > 0 ? ` as ${summary.identities.map(oneLine).join(', ')}` : '';
  const work = summary.kind === 'scan'
    ? `${plural(summary.requests, 'request')} to ${plural(summary.operations, 'operation')}${who}`
    : plural(summary.operations, 'operation');
  return [`${total} — ${outcome}`, colors.dim(`${work} in ${formatDuration(summary.durationMs)}`)];
}

/** `7 findings: 2 critical, 2 high, 1 medium, 1 low, 1 info`. */
function severityTotal(findings: readonly Finding[], noun: string): string {
  if (findings.length === 0) return plural(0, noun);
  const counts = countBySeverity(findings);
  return `${plural(findings.length, noun)}: ${SEVERITIES_DESCENDING.map((s) => `${formatCount(counts[s])} ${s}`).join(', ')}`;
}

/** New findings first, by severity: the run is judged on them; then what the baseline accounts for. */
function baselineTotal(findings: readonly Finding[], baseline: ReportBaseline): string {
  const accepted = acceptedFingerprints(baseline);
  const fresh = findings.filter((finding) => !accepted.has(finding.fingerprint));
  const known = findings.length - fresh.length;
  return `${severityTotal(fresh, 'new finding')}; ${formatCount(known)} accepted by the baseline, ${formatCount(baseline.fixed.length)} accepted no longer found`;
}

function paint(severity: Severity, text: string, colors: Colors): string {
  switch (severity) {
    case 'critical': return colors.bold(colors.red(text));
    case 'high': return colors.red(text);
    case 'medium': return colors.yellow(text);
    case 'low': return colors.cyan(text);
    case 'info': return colors.blue(text);
  }
}

/**
 * Keeps response-derived text from moving the cursor or changing the terminal: line breaks and tabs
 * become spaces, other control characters (ESC among them) a visible `\u001B`.
 */
function oneLine(text: string): string {
  return text
    .replace(/[\r\n\t]+/g, ' ')
    // eslint-disable-next-line no-control-regex -- matching control characters is the point
    .replace(/[\u0000-\u001F\u007F-\u009F]/g, (c) => `\\u${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`);
}

/** Word-wraps at 100 columns, measuring without colour codes. */
function wrap(text: string, indent: string, hanging: string): string[] {
  const lines: string[] = [];
  let line = indent;
  let width = indent.length;
  for (const word of text.split(' ')) {
    const length = visibleLength(word);
    const fresh = line === indent || line === hanging;
    if (!fresh && width + 1 + length > WIDTH) {
      lines.push(line);
      line = hanging + word;
      width = hanging.length + length;
    } else {
      line += fresh ? word : ` ${word}`;
      width += fresh ? length : 1 + length;
    }
  }
  lines.push(line);
  return lines;
}

function visibleLength(text: string): number {
  // eslint-disable-next-line no-control-regex -- ANSI colour codes take no columns
  return text.replace(/\u001B\[[0-9;]*m/g, '').length;
}
