/**
 * The tracker's tables as Kysely sees them. Times are epoch milliseconds; booleans are 0/1 and
 * structured values JSON text, so that one schema serves SQLite and PostgreSQL alike.
 */
import type { Generated } from 'kysely';

export interface Tables {
  users: UsersTable;
  sessions: SessionsTable;
  api_tokens: ApiTokensTable;
  cases: CasesTable;
  messages: MessagesTable;
  verifications: VerificationsTable;
  notices: NoticesTable;
  digests: DigestsTable;
  notice_deliveries: NoticeDeliveriesTable;
  advisory_revisions: AdvisoryRevisionsTable;
  events: EventsTable;
}

export interface UsersTable {
  id: Generated<number>;
  email: string;
  name: string;
  role: string;
  password_hash: string;
  disabled: number;
  created_at: number;
}

/** Sessions and tokens are stored as SHA-256 hashes: a copy of the database opens no account. */
export interface SessionsTable {
  token_hash: string;
  user_id: number;
  created_at: number;
  expires_at: number;
}

export interface ApiTokensTable {
  token_hash: string;
  user_id: number;
  label: string;
  created_at: number;
}

export interface CasesTable {
  id: Generated<number>;
  state: string;
  triage: string | null;
  duplicate_of: number | null;
  severity: string | null;
  cvss31: string | null;
  cvss40: string | null;
  score: number | null;
  owner_id: number | null;
  title: string;
  asset: string;
  description: string;
  steps: string;
  impact: string;
  contact: string | null;
  probe: string | null;
  assessment: string;
  /** The reporter's tracking link, hashed: only the reporter holds the token. */
  tracking_hash: string;
  received_at: number;
  acknowledged_at: number | null;
  assessed_at: number | null;
  fix_submitted_at: number | null;
  resolved_at: number | null;
  disclosed_at: number | null;
  reporter_updated_at: number;
  contested_at: number | null;
  contested_from: string | null;
  /** The name the reporter agreed to be credited by in the advisory; null: no credit. */
  credit: string | null;
  version: number;
}

export interface MessagesTable {
  id: Generated<number>;
  case_id: number;
  author: string;
  user_id: number | null;
  body: string;
  internal: number;
  at: number;
}

export interface VerificationsTable {
  id: Generated<number>;
  case_id: number;
  verdict: string;
  reason: string;
  evidence: string | null;
  target: string | null;
  user_id: number | null;
  at: number;
}

/** Reminders and escalations, keyed so that each is recorded, and sent, once. */
export interface NoticesTable {
  key: string;
  case_id: number;
  clock: string;
  kind: string;
  due_at: number;
  created_at: number;
  digested_at: number | null;
  webhook_at: number | null;
}

/** One row per recipient and day: the claim that makes a digest go out once. */
export interface DigestsTable {
  recipient: string;
  day: string;
  sent_at: number;
}

/** Which staff member's digest carried which notice: each person hears of a notice once. */
export interface NoticeDeliveriesTable {
  notice_key: string;
  user_id: number;
  day: string;
}

/** A published revision of a case's advisory, both forms as they went out. */
export interface AdvisoryRevisionsTable {
  case_id: number;
  number: number;
  at: number;
  summary: string;
  user_id: number;
  csaf: string;
  markdown: string;
}

/** The audit trail: append-only, each row's hash covering the row before it. */
export interface EventsTable {
  seq: number;
  at: number;
  actor: string;
  case_id: number | null;
  action: string;
  data: string;
  prev_hash: string;
  hash: string;
}
