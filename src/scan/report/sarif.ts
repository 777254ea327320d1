/**
 * SARIF 2.1.0 (OASIS Static Analysis Results Interchange Format), the log GitHub code scanning,
 * Azure DevOps and IDEs read: one run, one rule per check, one result per finding, located in the
 * API description so that a finding shows up on the line of the operation it is about.
 *
 * Under a baseline, each result has a `baselineState` (SARIF §3.27.24): `new`, or `unchanged` for an
 * accepted finding. Accepted findings this run did not report are not written as `absent` results:
 * GitHub code scanning does not read `baselineState`, and would show each as an open alert.
 */
import { pathToFileURL } from 'node:url';
import type { ArtifactLocation, Location, Log, ReportingDescriptor, Result, Run } from 'sarif';
import type { CheckDescription, Finding, ScanSummary, Severity } from '../finding.ts';
import type { ReportBaseline } from './findings.ts';
import { acceptedFingerprints, checkIndex, operationLabel, reportedCheckIds, sortFindings } from './findings.ts';

/** Where people read about Leakproof itself: the driver's `informationUri`. */
export const LEAKPROOF_INFORMATION_URI = 'https://www.npmjs.com/package/leakproof';

/** The key of `partialFingerprints` under which a finding's fingerprint is stored. */
export const FINGERPRINT_KEY = 'leakproofFingerprint/v1';

/** What GitHub code scanning reads from `properties['security-severity']` to rank alerts. */
const SECURITY_SEVERITY: Record<Severity, string> = { critical: '9.5', high: '8.0', medium: '5.5', low: '3.0', info: '0.0' };

const LEVEL: Record<Severity, Result.level> = { critical: 'error', high: 'error', medium: 'warning', low: 'note', info: 'note' };

/**
 * @example
 * ```ts
 * await writeFile('leakproof.sarif', writeSarifReport(findings, summary));
 * ```
 */
export function writeSarifReport(findings: readonly Finding[], summary: ScanSummary, baseline?: ReportBaseline): string {
  return `${JSON.stringify(sarifLog(findings, summary, baseline), null, 2)}\n`;
}

/** The log as a value, before it is written. */
export function sarifLog(findings: readonly Finding[], summary: ScanSummary, baseline?: ReportBaseline): Log {
  const checks = checkIndex(summary);
  const ruleIds = reportedCheckIds(findings, summary);
  const accepted = baseline === undefined ? undefined : acceptedFingerprints(baseline);
  const rules = ruleIds.map((id) => rule(id, checks.get(id)));
  const run: Run = {
    tool: {
      driver: {
        name: 'leakproof',
        version: summary.tool.version,
        semanticVersion: summary.tool.version,
        informationUri: LEAKPROOF_INFORMATION_URI,
        rules,
      },
    },
    invocations: [{ executionSuccessful: true, ...invocationTimes(summary) }],
    columnKind: 'utf16CodeUnits',
    results: sortFindings(findings).map((finding) => result(finding, ruleIds.indexOf(finding.checkId), summary, baselineState(finding, accepted))),
    properties: {
      kind: summary.kind,
      ...(summary.target === undefined ? {} : { target: summary.target }),
      requests: summary.requests,
      operations: summary.operations,
      identities: [...summary.identities],
      failOn: summary.failOn,
    },
  };
  return { $schema: 'https://json.schemastore.org/sarif-2.1.0.json', version: '2.1.0', runs: [run] };
}

function rule(id: string, check: CheckDescription | undefined): ReportingDescriptor {
  if (!check) return { id, name: ruleName(id), shortDescription: { text: `${id} (a check this scan does not describe)` } };
  return {
    id,
    name: ruleName(check.title),
    shortDescription: { text: check.title },
    fullDescription: { text: check.description },
    help: {
      text: `${check.description}\n\nRemediation: ${check.remediation}\n\nMore: ${check.helpUrl}`,
      markdown: [
        `**${check.title}** (OWASP ${check.owasp}, ${check.cwe})`,
        check.description,
        '## Remediation',
        check.remediation,
        `[More about ${check.title}](${check.helpUrl})`,
      ].join('\n\n'),
    },
    helpUri: check.helpUrl,
    defaultConfiguration: { level: LEVEL[check.severity] },
    properties: {
      tags: ['security', check.owasp, check.cwe, `external/cwe/${check.cwe.toLowerCase()}`],
      'security-severity': SECURITY_SEVERITY[check.severity],
    },
  };
}

/** `Broken object level authorization` → `BrokenObjectLevelAuthorization`. */
function ruleName(text: string): string {
  return text.split(/[^A-Za-z0-9]+/).filter((w) => w !== '').map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join('');
}

function result(finding: Finding, ruleIndex: number, summary: ScanSummary, baselineState: Result.baselineState | undefined): Result {
  return {
    ruleId: finding.checkId,
    ruleIndex,
    level: LEVEL[finding.severity],
    message: { text: finding.message === '' ? finding.title : `${finding.title}\n\n${finding.message}` },
    locations: [location(finding, summary)],
    partialFingerprints: { [FINGERPRINT_KEY]: finding.fingerprint },
    properties: {
      severity: finding.severity,
      fields: [...finding.evidence.fields],
      subjects: [...finding.evidence.subjects],
      // An audit reads a description and sends nothing: there is no request to reproduce.
      ...(finding.evidence.curl === '' ? {} : { curl: finding.evidence.curl }),
    },
    ...(baselineState === undefined ? {} : { baselineState }),
  };
}

/** `new` or `unchanged` under a baseline (`accepted` holds what it accepts); nothing without one. */
function baselineState(finding: Finding, accepted: ReadonlySet<string> | undefined): Result.baselineState | undefined {
  if (accepted === undefined) return undefined;
  return accepted.has(finding.fingerprint) ? 'unchanged' : 'new';
}

/**
 * The operation's place in the description; without one, the description itself at line 1 (code
 * scanning shows only results with a file); always the operation, or the API, as a logical location.
 */
function location(finding: Finding, summary: ScanSummary): Location {
  const { operation } = finding;
  const place = finding.location ?? (summary.spec === undefined ? undefined : { file: summary.spec, line: 1, column: undefined });
  const logical = operation
    ? { name: operation.id, fullyQualifiedName: operationLabel(finding), kind: 'function' }
    : { name: summary.target ?? summary.spec ?? 'API', kind: 'module' };
  return {
    ...(place === undefined
      ? {}
      : {
          physicalLocation: {
            artifactLocation: artifactLocation(place.file),
            region: place.column === undefined ? { startLine: place.line } : { startLine: place.line, startColumn: place.column },
          },
        }),
    logicalLocations: [logical],
  };
}

/**
 * A file as the user named it: relative paths stay relative to `%SRCROOT%` (the checkout), with
 * forward slashes and each segment percent-encoded; absolute paths become `file:` URIs.
 */
export function artifactLocation(file: string): ArtifactLocation {
  const slashed = file.replaceAll('\\', '/');
  const drive = /^([A-Za-z]):\//.exec(slashed);
  if (drive) return { uri: `file:///${drive[1] ?? ''}:/${encodeSegments(slashed.slice(3))}` };
  if (slashed.startsWith('/')) return { uri: pathToFileURL(slashed).href };
  if (/^[A-Za-z][A-Za-z0-9+.-]+:/.test(slashed) && URL.canParse(slashed)) return { uri: slashed };
  return { uri: encodeSegments(slashed.replace(/^(\.\/)+/, '')), uriBaseId: '%SRCROOT%' };
}

function encodeSegments(path: string): string {
  return path.split('/').map(encodeURIComponent).join('/');
}

function invocationTimes(summary: ScanSummary): { startTimeUtc?: string; endTimeUtc?: string } {
  const start = Date.parse(summary.startedAt);
  if (Number.isNaN(start)) return {};
  return { startTimeUtc: new Date(start).toISOString(), endTimeUtc: new Date(start + summary.durationMs).toISOString() };
}
