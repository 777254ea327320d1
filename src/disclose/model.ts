/**
 * The disclosure tracker's model: a case is one vulnerability report, from intake to public
 * disclosure. Times are epoch milliseconds (UTC), so that clocks compare numbers, in SQLite and in
 * PostgreSQL alike.
 */
import type { Probe } from '../scan/probe.ts';

/**
 * Where a case stands. `triaged` with a triage other than `valid` is a closing state (a duplicate,
 * or not applicable); `contested` is a resolution or a triage the reporter disputes, with a
 * deadline of its own.
 */
export const CASE_STATES = ['new', 'acknowledged', 'triaged', 'fixing', 'fix-submitted', 'verifying', 'resolved', 'disclosed', 'contested'] as const;
export type CaseState = (typeof CASE_STATES)[number];

export const TRIAGES = ['valid', 'duplicate', 'not-applicable'] as const;
export type Triage = (typeof TRIAGES)[number];

/** Qualitative severity, as CVSS names its score ranges (3.1 and 4.0 alike). */
export const SEVERITIES = ['critical', 'high', 'medium', 'low', 'none'] as const;
export type Severity = (typeof SEVERITIES)[number];

/**
 * Staff roles, each able to do what the ones after it can: an admin manages accounts and may
 * override the verification gate; a triager acknowledges, scores, assigns and closes; an engineer
 * works the cases (fixes, submits for verification); a viewer reads.
 */
export const ROLES = ['admin', 'triager', 'engineer', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

/** Whether the flaw was used before it was fixed: the access log may answer it. */
export const EXPLOITED = ['unknown', 'no', 'yes'] as const;
export type Exploited = (typeof EXPLOITED)[number];

/** What the triager found the flaw touches. */
export interface Assessment {
  /** Affected operations, as `METHOD /path` or operation ids. */
  operations: string[];
  /** Personal-data classes exposed (location, birthday, health...). */
  dataClasses: string[];
  /** How many people's data was reachable or known to have left; null when not known. */
  peopleAffected: number | null;
  exploited: Exploited;
  /** The access-log question that answers "were we exploited?", e.g. `leakproof logs top-readers --since 90d`. */
  evidence: string | null;
}

/** What a reporter sends. */
export interface Report {
  title: string;
  /** The affected asset or endpoint (`api.example.com`, `POST /stats/workouts/details`). */
  asset: string;
  description: string;
  steps: string;
  impact: string;
  /** How to reach the reporter (an email address); null for an anonymous report. */
  contact: string | null;
  /** The reproduction as a scan probe (`leakproof scan --probes`), when the reporter has one. */
  probe: Probe | null;
  /** The name to credit the reporter by in the public advisory; absent or null: no credit. */
  credit?: string | null;
}

export interface Case extends Report {
  id: number;
  /** The public reference, `VR-<id>` (for vulnerability report). */
  reference: string;
  state: CaseState;
  triage: Triage | null;
  /** For a duplicate: the case it duplicates. */
  duplicateOf: number | null;
  severity: Severity | null;
  /** CVSS 3.1 and 4.0 vectors, validated; the score is the one the severity comes from. */
  cvss31: string | null;
  cvss40: string | null;
  score: number | null;
  /** The staff member who owns the case. */
  ownerId: number | null;
  assessment: Assessment;
  receivedAt: number;
  acknowledgedAt: number | null;
  assessedAt: number | null;
  fixSubmittedAt: number | null;
  resolvedAt: number | null;
  disclosedAt: number | null;
  /** When the reporter was last told something (or the case was received): the update clock's start. */
  reporterUpdatedAt: number;
  /** When the reporter last contested, which starts the contest clock. */
  contestedAt: number | null;
  /** The state a contested case was in. */
  contestedFrom: CaseState | null;
  /** The reporter's consent to be credited: the name they chose, or null. Only the reporter sets it. */
  credit: string | null;
  /** Bumped by every change: an update names the version it read, so two people never overwrite each other. */
  version: number;
}

/** A message on a case's thread. Internal notes are staff-only; the rest the reporter reads. */
export interface Message {
  id: number;
  caseId: number;
  author: 'reporter' | 'staff' | 'system';
  /** The staff member, for staff messages. */
  userId: number | null;
  body: string;
  internal: boolean;
  at: number;
}

export interface User {
  id: number;
  email: string;
  name: string;
  role: Role;
  disabled: boolean;
  createdAt: number;
}

/** The result of one run of the verification gate, kept on the case as evidence. */
export interface Verification {
  id: number;
  caseId: number;
  /** `pass` lets the case resolve; `fail` sends it back to fixing; `inconclusive` blocks. */
  verdict: 'pass' | 'fail' | 'inconclusive' | 'override';
  /** The retest's reason, or the admin's written reason for an override. */
  reason: string;
  /** The whole retest result (JSON), or null for an override. */
  evidence: unknown;
  target: string | null;
  userId: number | null;
  at: number;
}

/** A published revision of a case's advisory. */
export interface AdvisoryRevision {
  caseId: number;
  /** 1 for the first release, then 2, 3...: CSAF's integer versioning. */
  number: number;
  at: number;
  /** What changed, as the revision history says it. */
  summary: string;
  userId: number;
}

/** A case whose advisory is public: the facts of its latest revision that the CSAF distribution lists. */
export interface PublishedAdvisory {
  caseId: number;
  reference: string;
  /** The latest revision's number. */
  revision: number;
  /** When revision 1 went out: CSAF's initial release. */
  initialAt: number;
  /** When the latest revision went out: CSAF's current release. */
  currentAt: number;
}

export const ASSESSMENT_NONE: Assessment = { operations: [], dataClasses: [], peopleAffected: null, exploited: 'unknown', evidence: null };

/** The reference a case is known by, in pages, mails and advisories. */
export function caseReference(id: number): string {
  return `VR-${String(id).padStart(4, '0')}`;
}

/** Whether a role may do what `needed` may. */
export function roleAtLeast(role: Role, needed: Role): boolean {
  return ROLES.indexOf(role) <= ROLES.indexOf(needed);
}
