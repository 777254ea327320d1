/**
 * The machine-readable report: everything the scan knows, in a stable shape and a stable order.
 *
 * Shape (every member is always present; what the scan did not have is `null`, never missing):
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
 * `failing` counts the findings at or above `failOn`. Findings are sorted most severe first, then
 * by operation path, method, check id, place in the description and fingerprint, so two reports
 * of the same scan are equal byte for byte. `response.json` is the parsed body or `null` (compare
 * `text` to tell a JSON `null` body from a non-JSON one).
 */
import type { Exchange } from '../exchange.ts';
import type { CheckDescription, Finding, ScanSummary } from '../finding.ts';
import type { SeverityCounts } from './findings.ts';
import { countBySeverity, failingFindings, sortFindings } from './findings.ts';

/** `T` as it reads back from JSON: optional and undefined members become `null`. */
export type Jsonified<T> = T extends undefined
  ? null
  : T extends readonly (infer U)[]
    ? Jsonified<U>[]
    : T extends object
      ? { [K in keyof T]-?: Jsonified<T[K]> }
      : T;

export type JsonFinding = Jsonified<Finding>;

export interface JsonReport {
  tool: ScanSummary['tool'];
  summary: Jsonified<Omit<ScanSummary, 'tool'>> & { counts: SeverityCounts; total: number; failing: number };
  findings: JsonFinding[];
}

/**
 * @example
 * ```ts
 * await writeFile('leakproof.json', writeJsonReport(findings, summary));
 * ```
 */
export function writeJsonReport(findings: readonly Finding[], summary: ScanSummary): string {
  return `${JSON.stringify(jsonReport(findings, summary), null, 2)}\n`;
}

/** The report as a value, before it is written. */
export function jsonReport(findings: readonly Finding[], summary: ScanSummary): JsonReport {
  const sorted = sortFindings(findings);
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
      failing: failingFindings(sorted, summary).length,
    },
    findings: sorted.map(jsonFinding),
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
