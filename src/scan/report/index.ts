/**
 * Report writers: pure functions from a scan's findings and summary to the text of a report, in
 * the formats people and CI systems read. Every format lists findings in the same order (most
 * severe first, then operation path, check id, line and fingerprint), so reports diff cleanly.
 *
 * @example
 * ```ts
 * import { writeReport } from './scan/report/index.ts';
 * await writeFile('leakproof.sarif', writeReport('sarif', findings, summary));
 * io.out(writeReport('console', findings, summary, { colors: io.colors }));
 * ```
 *
 * Given a baseline comparison, every format tells new findings from accepted ones, judges the run
 * on the new ones only, and lists the accepted findings the run did not report. Without one, the
 * reports say nothing of baselines.
 */
import pc from 'picocolors';
import type { Io } from '../../cli/io.ts';
import type { Finding, ScanSummary } from '../finding.ts';
import { writeConsoleReport } from './console.ts';
import type { ReportBaseline } from './findings.ts';
import { writeHtmlReport } from './html.ts';
import { writeJsonReport } from './json.ts';
import { writeJunitReport } from './junit.ts';
import { writeSarifReport } from './sarif.ts';

export const REPORT_FORMATS = ['console', 'json', 'sarif', 'junit', 'html'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export interface ReportOptions {
  /** Colours for the console format (`io.colors`); plain text when not given. */
  colors?: Io['colors'];
  /** The findings compared with a baseline (`applyBaseline`), and the baseline's file. */
  baseline?: ReportBaseline;
}

export function isReportFormat(value: string): value is ReportFormat {
  return (REPORT_FORMATS as readonly string[]).includes(value);
}

/** The text of a report in `format`. The console report ends without a newline; files end with one. */
export function writeReport(format: ReportFormat, findings: readonly Finding[], summary: ScanSummary, options: ReportOptions = {}): string {
  switch (format) {
    case 'console': return writeConsoleReport(findings, summary, options.colors ?? pc.createColors(false), options.baseline);
    case 'json': return writeJsonReport(findings, summary, options.baseline);
    case 'sarif': return writeSarifReport(findings, summary, options.baseline);
    case 'junit': return writeJunitReport(findings, summary, options.baseline);
    case 'html': return writeHtmlReport(findings, summary, options.baseline);
  }
}

export { writeConsoleReport } from './console.ts';
export { HTML_BODY_LIMIT, writeHtmlReport } from './html.ts';
export { jsonReport, writeJsonReport } from './json.ts';
export type { JsonBaseline, JsonFinding, JsonReport, Jsonified } from './json.ts';
export { writeJunitReport } from './junit.ts';
export { FINGERPRINT_KEY, sarifLog, writeSarifReport } from './sarif.ts';
export { compareFindings, countBySeverity, failingFindings, sortFindings } from './findings.ts';
export type { ReportBaseline, SeverityCounts } from './findings.ts';
