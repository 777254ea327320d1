/**
 * The machine-readable report: everything the scan knows, in a stable shape and a stable order.
 *
 * Shape (every member here is always present; what the scan did not have is `null`, never missing):
 * ```
 * {
 *   tool:     { name: 'leakproof', version },
 *   summary:  { kind, target, spec, startedAt, durationMs, requests, operations, identities,
 *               failOn, checks: CheckDescription[],
 *               counts: { critical, high, medium, low, info }, total, failing },
 *   findings: [{ checkId, severity, title, message,
 *                operation: { id, method, path } | null,
 *                location: { file, line, column, pointer } | null,
 *                evidence: { curl, fields, subjects,
 *                            exchanges: [{ id, identity, operationId, startedAt, durationMs,
 *                                          request: { method, url, headers, body },
 *                                          response: { status, headers, json, text, truncated } | null,
 *                                          error }] },
 *                retestOperation: string | null,
 *                fingerprint }]
 * }
 * ```
 * Two more, written only when the run had a baseline (so that a report without one is unchanged):
 * ```
 *   baseline: { file: string | null, new, known,
 *               absent: [{ fingerprint, checkId, operation, title, acceptedAt?, reason? }] },
 *   findings: [{ …, baseline: 'new' | 'known' }]
 * ```
 * `baseline` comes after `summary`; `new` and `known` count the findings the baseline does not
 * hold and those it accepts, and `absent` holds the accepted findings this run did not report, as
 * their entries read in the baseline file.
 *
 * `failing` counts the findings that fail the run: at or above `failOn`, and new under a baseline.
 * Findings are sorted most severe first, then by operation path, method, check id, place in the
 * description and fingerprint, so two reports of the same scan are equal byte for byte.
 * `response.json` is the parsed body or `null` (compare `text` to tell a JSON `null` body from a
 * non-JSON one).
 */
import type { BaselineEntry } from '../baseline.ts';
import type { Exchange } from '../exchange.ts';
import type { CheckDescription, Finding, ScanSummary } from '../finding.ts';
import type { ReportBaseline, SeverityCounts } from './findings.ts';
import { acceptedFingerprints, countBySeverity, failingFindings, sortFindings } from './findings.ts';

/** `T` as it reads back from JSON: optional and undefined members become `null`. */
export type Jsonified<T> = T extends undefined
  ? null
  : T extends readonly (infer U)[]
    ? Jsonified<U>[]
    : T extends object
      ? { [K in keyof T]-?: Jsonified<T[K]> }
      : T;

export type JsonFinding = Jsonified<Finding> & {
  /** Only under a baseline: whether it accepts the finding. */
  baseline?: 'new' | 'known';
};

/** What a run with a baseline adds to the report. */
export interface JsonBaseline {
  file: string | null;
  new: number;
  known: number;
  /** Accepted findings this run did not report. */
  absent: BaselineEntry[];
}

export interface JsonReport {
  tool: ScanSummary['tool'];
  summary: Jsonified<Omit<ScanSummary, 'tool'>> & { counts: SeverityCounts; total: number; failing: number };
  /** Only under a baseline. */
  baseline?: JsonBaseline;
  findings: JsonFinding[];
}

/**
 * @example
 * ```ts
 * await writeFile('leakproof.json', writeJsonReport(findings, summary));
 * ```
 */
export function writeJsonReport(findings: readonly Finding[], summary: ScanSummary, baseline?: ReportBaseline): string {
  return `${JSON.stringify(jsonReport(findings, summary, baseline), null, 2)}\n`;
}

/** The report as a value, before it is written. */
export function jsonReport(findings: readonly Finding[], summary: ScanSummary, baseline?: ReportBaseline): JsonReport {
  const sorted = sortFindings(findings);
  const accepted = acceptedFingerprints(baseline);
  const known = sorted.filter((finding) => accepted.has(finding.fingerprint)).length;
  return {
    tool: { name: summary.tool.name, version: summary.tool.version },
    summary: {
      kind: summary.kind,
      target: summary.target ?? null,
      spec: summary.spec ?? null,
      startedAt: summary.startedAt,
      durationMs: summary.durationMs,
      requests: summary.requests,
      operations: summary.operations,
      identities: [...summary.identities],
      failOn: summary.failOn,
      checks: summary.checks.map(jsonCheck),
      counts: countBySeverity(sorted),
      total: sorted.length,
      failing: failingFindings(sorted, summary, baseline).length,
    },
    ...(baseline === undefined
      ? {}
      : { baseline: { file: baseline.file ?? null, new: sorted.length - known, known, absent: baseline.fixed.map((entry) => ({ ...entry })) } }),
    findings: baseline === undefined
      ? sorted.map(jsonFinding)
      : sorted.map((finding) => ({ ...jsonFinding(finding), baseline: accepted.has(finding.fingerprint) ? 'known' : 'new' })),
  };
}

function jsonCheck(check: CheckDescription): CheckDescription {
  const { id, title, owasp, cwe, severity, description, remediation, helpUrl } = check;
  return { id, title, owasp, cwe, severity, description, remediation, helpUrl };
}

function jsonFinding(finding: Finding): JsonFinding {
  const { operation, location, evidence } = finding;
  return {
    checkId: finding.checkId,
    severity: finding.severity,
    title: finding.title,
    message: finding.message,
    operation: operation ? { id: operation.id, method: operation.method, path: operation.path } : null,
    location: location ? { file: location.file, line: location.line, column: location.column, pointer: location.pointer } : null,
    evidence: {
      exchanges: evidence.exchanges.map(jsonExchange),
      curl: evidence.curl,
      fields: [...evidence.fields],
      subjects: [...evidence.subjects],
    },
    retestOperation: finding.retestOperation ?? null,
    fingerprint: finding.fingerprint,
  };
}

function jsonExchange(exchange: Exchange): Jsonified<Exchange> {
  const { request, response } = exchange;
  return {
    id: exchange.id,
    identity: exchange.identity,
    operationId: exchange.operationId ?? null,
    request: { method: request.method, url: request.url, headers: sortedHeaders(request.headers), body: request.body ?? null },
    response: response
      ? {
          status: response.status,
          headers: sortedHeaders(response.headers),
          json: response.json ?? null,
          text: response.text,
          truncated: response.truncated,
        }
      : null,
    error: exchange.error ?? null,
    startedAt: exchange.startedAt,
    durationMs: exchange.durationMs,
  };
}

function sortedHeaders(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
