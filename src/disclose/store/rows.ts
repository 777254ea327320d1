/** Rows to the model and back: JSON columns parsed, 0/1 to booleans, states to their types. */
import type { Selectable } from 'kysely';
import type { Probe } from '../../scan/probe.ts';
import type { Assessment, Case, CaseState, Message, Role, Severity, Triage, User, Verification } from '../model.ts';
import { caseReference } from '../model.ts';
import type { CasesTable, MessagesTable, UsersTable, VerificationsTable } from './tables.ts';

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
