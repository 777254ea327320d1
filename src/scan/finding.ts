/**
 * What a scan (or an audit) reports: a finding is one flaw, in one operation, with the evidence
 * that proves it and what to do about it. Report writers (console, JSON, SARIF, JUnit, HTML) and
 * the baseline read only this.
 */
import type { SourceLocation } from '../core/location.ts';
import type { Exchange } from './exchange.ts';

export const SEVERITIES = ['info', 'low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** OWASP API Security Top 10, 2023 edition. */
export type OwaspApiRisk = `API${1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9 | 10}:2023`;

/** What a check is, independent of any one result: the registry entry behind findings. */
export interface CheckDescription {
  /** Stable id, e.g. `bola`, `missing-authentication`. */
  id: string;
  title: string;
  owasp: OwaspApiRisk;
  /** e.g. `CWE-639`. */
  cwe: string;
  severity: Severity;
  /** Why it matters, in a paragraph. */
  description: string;
  /** What to do about it. */
  remediation: string;
  /** Where to read more. */
  helpUrl: string;
}

export interface Evidence {
  /** The exchanges that prove the finding (secrets already redacted), in the order they were sent. */
  exchanges: Exchange[];
  /** A shell line that reproduces the decisive request. Secrets are replaced by `$VARIABLES`. */
  curl: string;
  /** Personal-data fields involved, e.g. `age`, `data[].location`. */
  fields: string[];
  /** Whose data (identity names, or object ids), when the finding is about someone's data. */
  subjects: string[];
}

export interface Finding {
  /** The check's id. */
  checkId: string;
  severity: Severity;
  /** One line: what is wrong, where, for whom. */
  title: string;
  /** The details a person needs to understand this instance. */
  message: string;
  /** `METHOD /path` and operation id; undefined for API-wide findings. */
  operation: { id: string; method: string; path: string } | undefined;
  /** Where the operation is described (SARIF locations point here). */
  location: SourceLocation | undefined;
  evidence: Evidence;
  /**
   * The described operation `leakproof retest` probes to tell whether this flaw is still there:
   * the finding's own, or for a route the description leaves out, the described one it mirrors.
   */
  retestOperation: string | undefined;
  /**
   * Stable across runs for the same flaw (check, operation, attacker identity, victim, fields):
   * what a baseline file stores to accept known findings.
   */
  fingerprint: string;
}

/** Everything a report needs besides the findings. */
export interface ScanSummary {
  tool: { name: 'leakproof'; version: string };
  /** `scan` or `audit`. */
  kind: 'scan' | 'audit';
  target: string | undefined;
  /** The API description, as the user named it. */
  spec: string | undefined;
  startedAt: string;
  durationMs: number;
  requests: number;
  operations: number;
  identities: string[];
  /** The checks that ran, for SARIF rules and JUnit test cases. */
  checks: CheckDescription[];
  /** Findings at or above this severity fail the run. */
  failOn: Severity;
}

export function severityRank(severity: Severity): number {
  return SEVERITIES.indexOf(severity);
}

export function atOrAbove(finding: Finding, threshold: Severity): boolean {
  return severityRank(finding.severity) >= severityRank(threshold);
}
