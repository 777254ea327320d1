/** Rows to the model and back: JSON columns parsed, 0/1 to booleans, states to their types. */
import type { ExpressionBuilder, Selectable } from 'kysely';
import type { Probe } from '../../scan/probe.ts';
import type { Assessment, Case, CaseState, Message, Role, Severity, Triage, User, Verification } from '../model.ts';
import { caseReference } from '../model.ts';
import type { CasesTable, MessagesTable, Tables, UsersTable, VerificationsTable } from './tables.ts';

/** The columns the clocks read (all of them in the cases_clocks index): the sweep and the metrics read only these. */
export const CLOCK_COLUMNS = ['id', 'state', 'triage', 'severity', 'received_at', 'reporter_updated_at', 'resolved_at', 'contested_at'] as const;

export type ClockRow = Pick<Selectable<CasesTable>, (typeof CLOCK_COLUMNS)[number]>;

/** A case as the clocks see it, from its clock columns; the other fields are never read by `clocks.ts`. */
export function clockCase(row: ClockRow): Case {
  return {
    id: row.id, reference: caseReference(row.id), state: row.state as CaseState, triage: row.triage as Triage | null, severity: row.severity as Severity | null,
    receivedAt: row.received_at, reporterUpdatedAt: row.reporter_updated_at, resolvedAt: row.resolved_at, contestedAt: row.contested_at,
  } as Case;
}

/** Open cases, as `isClosed` (lifecycle.ts) says in SQL: not resolved or disclosed, and not closed at triage. */
export function openCase(eb: ExpressionBuilder<Tables, 'cases'>) {
  return eb.and([eb('state', 'not in', ['resolved', 'disclosed']), eb.or([eb('state', '!=', 'triaged'), eb('triage', '=', 'valid')])]);
}

export function caseFromRow(row: Selectable<CasesTable>): Case {
  return {
    id: row.id,
    reference: caseReference(row.id),
    title: row.title,
    asset: row.asset,
    description: row.description,
    steps: row.steps,
    impact: row.impact,
    contact: row.contact,
    probe: row.probe === null ? null : (JSON.parse(row.probe) as Probe),
    state: row.state as CaseState,
    triage: row.triage as Triage | null,
    duplicateOf: row.duplicate_of,
    severity: row.severity as Severity | null,
    cvss31: row.cvss31,
    cvss40: row.cvss40,
    score: row.score,
    ownerId: row.owner_id,
    assessment: JSON.parse(row.assessment) as Assessment,
    receivedAt: row.received_at,
    acknowledgedAt: row.acknowledged_at,
    assessedAt: row.assessed_at,
    fixSubmittedAt: row.fix_submitted_at,
    resolvedAt: row.resolved_at,
    disclosedAt: row.disclosed_at,
    reporterUpdatedAt: row.reporter_updated_at,
    contestedAt: row.contested_at,
    contestedFrom: row.contested_from as CaseState | null,
    credit: row.credit,
    version: row.version,
  };
}

export function messageFromRow(row: Selectable<MessagesTable>): Message {
  return { id: row.id, caseId: row.case_id, author: row.author as Message['author'], userId: row.user_id, body: row.body, internal: row.internal === 1, at: row.at };
}

export function userFromRow(row: Pick<Selectable<UsersTable>, 'id' | 'email' | 'name' | 'role' | 'disabled' | 'created_at'>): User {
  return { id: row.id, email: row.email, name: row.name, role: row.role as Role, disabled: row.disabled === 1, createdAt: row.created_at };
}

export function verificationFromRow(row: Selectable<VerificationsTable>): Verification {
  return {
    id: row.id,
    caseId: row.case_id,
    verdict: row.verdict as Verification['verdict'],
    reason: row.reason,
    evidence: row.evidence === null ? null : (JSON.parse(row.evidence) as unknown),
    target: row.target,
    userId: row.user_id,
    at: row.at,
  };
}
