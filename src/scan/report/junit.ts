/**
 * JUnit XML, the test report every CI system reads: one test suite per check, one test case per
 * operation the check found something in (failing when a finding is at or above `failOn`), and
 * one passing test case for a check that found nothing. Under a baseline only new findings fail:
 * a test case whose findings the baseline all accepts is skipped, "accepted by the baseline", and
 * the accepted findings this run did not report are listed in their check's suite output.
 */
import { formatLocation } from '../../core/location.ts';
import type { BaselineEntry } from '../baseline.ts';
import type { CheckDescription, Finding, ScanSummary } from '../finding.ts';
import { atOrAbove, severityRank } from '../finding.ts';
import type { ReportBaseline } from './findings.ts';
import { acceptedFingerprints, checkIndex, compareOperations, groupBy, operationLabel, reportedCheckIds, sortFindings } from './findings.ts';
import { escapeAttribute, escapeText } from './markup.ts';

interface TestCase {
  name: string;
  /** New findings at or above `failOn`. */
  failing: Finding[];
  /** New findings below it. */
  passing: Finding[];
  /** Findings the baseline accepts, whatever their severity. */
  accepted: Finding[];
}

/**
 * @example
 * ```ts
 * await writeFile('leakproof.junit.xml', writeJunitReport(findings, summary));
 * ```
 */
export function writeJunitReport(findings: readonly Finding[], summary: ScanSummary, baseline?: ReportBaseline): string {
  const checks = checkIndex(summary);
  const sorted = sortFindings(findings);
  const accepted = acceptedFingerprints(baseline);
  const timestamp = junitTimestamp(summary.startedAt);
  const absent = baseline?.fixed ?? [];
  const suites = reportedCheckIds([...sorted, ...absent], summary).map((id) => {
    const cases = testCases(sorted.filter((f) => f.checkId === id), summary, accepted);
    return suite(id, checks.get(id), cases, absent.filter((entry) => entry.checkId === id), timestamp);
  });
  const tests = suites.reduce((n, s) => n + s.tests, 0);
  const failures = suites.reduce((n, s) => n + s.failures, 0);
  const skipped = suites.reduce((n, s) => n + s.skipped, 0);
  const attributes = {
    name: `leakproof ${summary.kind}${summary.target === undefined ? '' : ` of ${summary.target}`}`,
    tests,
    failures,
    errors: 0,
    skipped,
    time: seconds(summary.durationMs),
    ...(timestamp === undefined ? {} : { timestamp }),
  };
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites ${attributeList(attributes)}>`,
    ...suites.flatMap((s) => s.xml),
    '</testsuites>',
    '',
  ].join('\n');
}

function testCases(findings: Finding[], summary: ScanSummary, accepted: ReadonlySet<string>): TestCase[] {
  if (findings.length === 0) return [{ name: 'no findings', failing: [], passing: [], accepted: [] }];
  const byOperation = groupBy([...findings].sort(compareOperations), operationKey);
  return byOperation.map(({ items }) => {
    const fresh = items.filter((f) => !accepted.has(f.fingerprint));
    return {
      name: caseName(items[0]),
      failing: fresh.filter((f) => atOrAbove(f, summary.failOn)),
      passing: fresh.filter((f) => !atOrAbove(f, summary.failOn)),
      accepted: items.filter((f) => accepted.has(f.fingerprint)),
    };
  });
}

/** Nothing new fails it, and the baseline accepts something in it. */
function isSkipped(testCase: TestCase): boolean {
  return testCase.failing.length === 0 && testCase.accepted.length > 0;
}

function operationKey(finding: Finding): string {
  return operationLabel(finding) ?? '';
}

function caseName(finding: Finding | undefined): string {
  const label = finding === undefined ? undefined : operationLabel(finding);
  return label === undefined || finding?.operation === undefined ? 'API-wide' : `${label} (${finding.operation.id})`;
}

function suite(id: string, check: CheckDescription | undefined, cases: TestCase[], absent: BaselineEntry[], timestamp: string | undefined) {
  const failures = cases.filter((c) => c.failing.length > 0).length;
  const skipped = cases.filter(isSkipped).length;
  const attributes = {
    name: check ? `${check.title} (${id})` : id,
    tests: cases.length,
    failures,
    errors: 0,
    skipped,
    time: '0',
    ...(timestamp === undefined ? {} : { timestamp }),
  };
  const properties = check
    ? [
        '    <properties>',
        ...Object.entries({ check: id, owasp: check.owasp, cwe: check.cwe, severity: check.severity, help: check.helpUrl })
          .map(([name, value]) => `      <property ${attributeList({ name, value })}/>`),
        '    </properties>',
      ]
    : [];
  const xml = [
    `  <testsuite ${attributeList(attributes)}>`,
    ...properties,
    ...cases.flatMap((c) => testCase(c, id)),
    ...(absent.length === 0 ? [] : [`    <system-out>${escapeText(absentText(absent))}</system-out>`]),
    '  </testsuite>',
  ];
  return { tests: cases.length, failures, skipped, xml };
}

function testCase(testCase: TestCase, checkId: string): string[] {
  const open = `    <testcase ${attributeList({ name: testCase.name, classname: `leakproof.${checkId}`, time: '0' })}`;
  if (testCase.failing.length === 0 && testCase.passing.length === 0 && testCase.accepted.length === 0) return [`${open}/>`];
  const lines = [`${open}>`];
  const worst = testCase.failing.reduce<Finding | undefined>(
    (w, f) => (w === undefined || severityRank(f.severity) > severityRank(w.severity) ? f : w),
    undefined,
  );
  if (worst) {
    const message = testCase.failing.map((f) => f.title).join('; ');
    lines.push(
      `      <failure ${attributeList({ message, type: worst.severity })}>${escapeText(testCase.failing.map(details).join('\n\n'))}</failure>`,
    );
  }
  if (isSkipped(testCase)) lines.push(`      <skipped ${attributeList({ message: 'accepted by the baseline' })}/>`);
  const output = [
    ...(testCase.accepted.length > 0 ? [`Accepted by the baseline:\n\n${testCase.accepted.map(details).join('\n\n')}`] : []),
    ...(testCase.passing.length > 0 ? [`Below the failure threshold:\n\n${testCase.passing.map(details).join('\n\n')}`] : []),
  ];
  if (output.length > 0) lines.push(`      <system-out>${escapeText(output.join('\n\n'))}</system-out>`);
  lines.push('    </testcase>');
  return lines;
}

/** No test case: nothing was found to pass or fail, only an entry to prune from the baseline. */
function absentText(entries: BaselineEntry[]): string {
  const lines = entries.map((entry) => `${entry.operation ?? 'API-wide'}: ${entry.title}\nfingerprint: ${entry.fingerprint}`);
  return `Accepted by the baseline, not found this time (fixed, or not tested):\n\n${lines.join('\n\n')}`;
}

/** What a person needs to act on a finding from a CI log, reproduction line last. */
function details(finding: Finding): string {
  const { evidence } = finding;
  return [
    `[${finding.severity}] ${finding.title}`,
    finding.message,
    finding.location ? `at ${formatLocation(finding.location)}` : '',
    evidence.fields.length > 0 ? `fields: ${evidence.fields.join(', ')}` : '',
    evidence.subjects.length > 0 ? `subjects: ${evidence.subjects.join(', ')}` : '',
    `fingerprint: ${finding.fingerprint}`,
    evidence.curl,
  ].filter((line) => line !== '').join('\n');
}

function attributeList(attributes: Record<string, string | number>): string {
  return Object.entries(attributes).map(([name, value]) => `${name}="${escapeAttribute(String(value))}"`).join(' ');
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(3);
}

/** The JUnit schema's timestamp: ISO 8601 without a time zone (here always UTC). */
function junitTimestamp(startedAt: string): string | undefined {
  const start = Date.parse(startedAt);
  return Number.isNaN(start) ? undefined : new Date(start).toISOString().slice(0, 19);
}
