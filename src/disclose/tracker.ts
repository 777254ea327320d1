/**
 * The tracker: every change to a case goes through here, in one transaction with the audit-trail
 * event that records it, after the lifecycle has said the change is allowed for this person. The
 * web pages and the JSON API are two faces of these methods.
 *
 * @example
 * ```ts
 * const tracker = await openTracker({ store: 'sqlite:disclose.db' });
 * const { case: filed, token } = await tracker.submitReport(report);
 * await tracker.acknowledge(filed.id, triager);
 * ```
 */
import { LeakproofError, ExitCode } from '../core/errors.ts';
import type { Probe } from '../scan/probe.ts';
import { newToken, tokenHash } from './credentials.ts';
import type { Action } from './lifecycle.ts';
import { mustAllow, TransitionError } from './lifecycle.ts';
import type { AdvisoryInput, Publisher } from './advisory/index.ts';
import { csafAdvisory, markdownAdvisory } from './advisory/index.ts';
import type { AdvisoryRevision, Assessment, Case, CaseState, Message, PublishedAdvisory, Report, Severity, Triage, User, Verification } from './model.ts';
import { ASSESSMENT_NONE, caseReference } from './model.ts';
import { checkCredit, InputError, REPORT_LIMITS } from './report-input.ts';
import type { CaseSeverity } from './severity.ts';
import { caseSeverity, CvssError } from './severity.ts';
import { StaffDirectory } from './staff.ts';
import type { Database } from './store/database.ts';
import { openDatabase } from './store/database.ts';
import { migrate } from './store/migrations.ts';
import { caseFromRow, messageFromRow, openCase, verificationFromRow } from './store/rows.ts';
import type { CasesTable, Tables } from './store/tables.ts';
import type { TrailCheck, TrailEntry, TrailEvent } from './store/trail.ts';
import { appendEvent, verifyTrail } from './store/trail.ts';
import type { Transaction, Updateable } from 'kysely';

const DAY_MS = 86_400_000;

/** The case does not exist, or is not this person's to see. */
export class CaseNotFoundError extends LeakproofError {
  override readonly code = 'ERR_DISCLOSE_NOT_FOUND';
  override readonly exitCode = ExitCode.Usage;
}

/** Someone else changed the case since it was read: read it again. */
export class ConflictError extends LeakproofError {
  override readonly code = 'ERR_DISCLOSE_CONFLICT';
  override readonly exitCode = ExitCode.Runtime;
}

/** A staff member acting on a case. */
export type Staff = Pick<User, 'id' | 'role' | 'name'>;

/** What the verification gate answers for a case's probe. */
export interface GateOutcome {
  verdict: 'pass' | 'fail' | 'inconclusive';
  reason: string;
  target: string;
  /** Kept on the case as evidence: the whole retest result. */
  evidence: unknown;
}

/** Retests a probe against the deployed fix; never throws for a target that misbehaves (that is inconclusive). */
export type VerificationGate = (probe: Probe) => Promise<GateOutcome>;

export interface TrackerHooks {
  /** After every committed change: webhooks. */
  event?(event: TrailEvent, c: Case | undefined): void;
  /** When the reporter has something new to read: a mail to their contact address. */
  reporterUpdated?(c: Case, text: string): void;
}

export interface TrackerOptions {
  database: Database;
  /** The clock; injected in tests. */
  now?: () => number;
  /** How long after a resolution or a closing triage the reporter may contest it (default 14 days). */
  contestWindowMs?: number;
  gate?: VerificationGate;
  hooks?: TrackerHooks;
}

export interface CaseFilter {
  states?: CaseState[];
  ownerId?: number;
  severity?: Severity;
  /** Open cases only (not resolved, disclosed or closed at triage). */
  open?: boolean;
  limit?: number;
  offset?: number;
}

export interface TriageDecision {
  triage: Triage;
  duplicateOf?: number | null;
  cvss31?: string | null;
  cvss40?: string | null;
  /** Told to the reporter with the decision. */
  note?: string | null;
}

export class Tracker {
  readonly database: Database;
  readonly now: () => number;
  readonly contestWindowMs: number;
  readonly staff: StaffDirectory;
  readonly #gate: VerificationGate | undefined;
  readonly #hooks: TrackerHooks;

  constructor(options: TrackerOptions) {
    this.database = options.database;
    this.now = options.now ?? Date.now;
    this.contestWindowMs = options.contestWindowMs ?? 14 * DAY_MS;
    this.#gate = options.gate;
    this.#hooks = options.hooks ?? {};
    this.staff = new StaffDirectory(this.database.db, this.database.dialect, this.now);
  }

  get #db() {
    return this.database.db;
  }

  /** Checks the audit trail's hash chain from the first event (`leakproof disclose verify-log`). */
  verifyTrail(): Promise<TrailCheck> {
    return verifyTrail(this.#db);
  }

  // ——— Reporters ———

  /** Files a report; the token is the reporter's tracking link, returned once and stored only hashed. */
  async submitReport(report: Report): Promise<{ case: Case; token: string }> {
    const token = newToken();
    const at = this.now();
    const { row, event } = await this.#db.transaction().execute(async (trx) => {
      const inserted = await trx.insertInto('cases').values({
        state: 'new', title: report.title, asset: report.asset, description: report.description, steps: report.steps, impact: report.impact,
        contact: report.contact, probe: report.probe === null ? null : JSON.stringify(report.probe), assessment: JSON.stringify(ASSESSMENT_NONE), credit: report.credit ?? null,
        tracking_hash: tokenHash(token), received_at: at, reporter_updated_at: at, version: 1,
        triage: null, duplicate_of: null, severity: null, cvss31: null, cvss40: null, score: null, owner_id: null,
        acknowledged_at: null, assessed_at: null, fix_submitted_at: null, resolved_at: null, disclosed_at: null, contested_at: null, contested_from: null,
      }).returningAll().executeTakeFirstOrThrow();
      const appended = await this.#append(trx, { at, actor: 'reporter', caseId: inserted.id, action: 'case.received', data: { title: report.title, asset: report.asset, anonymous: report.contact === null, probe: report.probe !== null, credited: (report.credit ?? null) !== null } });
      return { row: inserted, event: appended };
    });
    const filed = caseFromRow(row);
    this.#hooks.event?.(event, filed);
    return { case: filed, token };
  }

  /** The case a tracking token opens; undefined for any other token. */
  async caseForToken(token: string): Promise<Case | undefined> {
    if (token.length === 0 || token.length > 100) return undefined;
    const row = await this.#db.selectFrom('cases').selectAll().where('tracking_hash', '=', tokenHash(token)).executeTakeFirst();
    return row ? caseFromRow(row) : undefined;
  }

  /** The reporter's reply on their case. */
  async reporterReply(token: string, body: string): Promise<Message> {
    const c = await this.#reporterCase(token);
    return this.#addMessage(c, { author: 'reporter', userId: null, body: checkMessage(body), internal: false }, 'reporter');
  }

  /**
   * The reporter's consent to be credited in the advisory, by the name they chose; null withdraws
   * it. An advisory already published keeps what it said until its next revision.
   */
  async setCredit(token: string, credit: string | null): Promise<Case> {
    const c = await this.#reporterCase(token);
    mustAllow(c, 'credit', { kind: 'reporter' }, this.now(), this.contestWindowMs);
    const name = checkCredit(credit);
    if (name === c.credit) return c;
    return this.#change(c, 'credit', 'reporter', { credit: name }, { credited: name !== null }, {});
  }

  /** The reporter disputes a resolution or a closing triage; the case reopens with its own deadline. */
  async contest(token: string, reason: string): Promise<Case> {
    const c = await this.#reporterCase(token);
    const at = this.now();
    mustAllow(c, 'contest', { kind: 'reporter' }, at, this.contestWindowMs);
    const text = checkMessage(reason, 'reason');
    return this.#change(c, 'contest', 'reporter', { state: 'contested', contested_at: at, contested_from: c.state }, { from: c.state, reason: text }, {
      message: { author: 'reporter', userId: null, body: text, internal: false },
      tell: `${c.reference} is reopened: the team has been told, and answers your objection before closing it again.`,
    });
  }

  async #reporterCase(token: string): Promise<Case> {
    const c = await this.caseForToken(token);
    if (!c) throw new CaseNotFoundError('no case has this tracking link');
    return c;
  }

  // ——— Staff: reading ———

  async getCase(id: number): Promise<Case> {
    const row = await this.#db.selectFrom('cases').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw new CaseNotFoundError(`there is no case ${caseReference(id)}`);
    return caseFromRow(row);
  }

  async listCases(filter: CaseFilter = {}): Promise<Case[]> {
    let query = this.#db.selectFrom('cases').selectAll();
    if (filter.states?.length) query = query.where('state', 'in', filter.states);
    if (filter.ownerId !== undefined) query = query.where('owner_id', '=', filter.ownerId);
    if (filter.severity !== undefined) query = query.where('severity', '=', filter.severity);
    if (filter.open) query = query.where(openCase);
    const rows = await query.orderBy('id', 'desc').limit(Math.min(filter.limit ?? 100, 1000)).offset(filter.offset ?? 0).execute();
    return rows.map(caseFromRow);
  }

  /** The thread: with internal notes for staff, without for the reporter. */
  async thread(caseId: number, { internal }: { internal: boolean }): Promise<Message[]> {
    let query = this.#db.selectFrom('messages').selectAll().where('case_id', '=', caseId);
    if (!internal) query = query.where('internal', '=', 0);
    return (await query.orderBy('at').orderBy('id').execute()).map(messageFromRow);
  }

  async verifications(caseId: number): Promise<Verification[]> {
    return (await this.#db.selectFrom('verifications').selectAll().where('case_id', '=', caseId).orderBy('at').orderBy('id').execute()).map(verificationFromRow);
  }

  /** The advisory's published revisions, oldest first. */
  async advisoryRevisions(caseId: number): Promise<AdvisoryRevision[]> {
    const rows = await this.#db.selectFrom('advisory_revisions').select(['case_id', 'number', 'at', 'summary', 'user_id']).where('case_id', '=', caseId).orderBy('number').execute();
    return rows.map((row) => ({ caseId: row.case_id, number: row.number, at: row.at, summary: row.summary, userId: row.user_id }));
  }

  /** A published revision as it went out, both forms; undefined when there is no such revision. */
  async publishedAdvisory(caseId: number, number: number): Promise<{ csaf: string; markdown: string } | undefined> {
    return this.#db.selectFrom('advisory_revisions').select(['csaf', 'markdown']).where('case_id', '=', caseId).where('number', '=', number).executeTakeFirst();
  }

  /**
   * Every case with a published advisory, the most recently revised first. Published revisions are
   * public and never withdrawn, whatever the case's state now.
   */
  async publishedAdvisories(): Promise<PublishedAdvisory[]> {
    const rows = await this.#db.selectFrom('advisory_revisions')
      .select((eb) => ['case_id', eb.fn.max('number').as('revision'), eb.fn.min('at').as('initial_at'), eb.fn.max('at').as('current_at')])
      .groupBy('case_id')
      .orderBy('current_at', 'desc')
      .orderBy('case_id', 'desc')
      .execute();
    return rows.map((row) => ({ caseId: row.case_id, reference: caseReference(row.case_id), revision: row.revision, initialAt: row.initial_at, currentAt: row.current_at }));
  }

  /**
   * The advisory as it would be published now: a draft before the first revision, else the latest
   * revision's history with the case as it is now (`changed` says whether that differs from what
   * the latest revision published).
   */
  async advisoryDraft(c: Case, publisher: Publisher): Promise<{ input: AdvisoryInput; revisions: AdvisoryRevision[]; changed: boolean }> {
    const revisions = await this.advisoryRevisions(c.id);
    const latest = revisions.at(-1);
    const input: AdvisoryInput = { case: c, publisher, revisions, now: this.now() };
    if (latest === undefined) return { input, revisions, changed: true };
    const published = await this.publishedAdvisory(c.id, latest.number);
    return { input, revisions, changed: published === undefined || !sameContent(csafAdvisory(input), JSON.parse(published.csaf) as object) };
  }

  /**
   * Publishes the advisory's next revision, both forms stored as they go out. The first revision
   * of a resolved case discloses it. A later one must say what changed, and is refused when
   * nothing did.
   */
  async publishAdvisory(id: number, staff: Staff, options: { publisher: Publisher; summary?: string | null }): Promise<AdvisoryRevision> {
    const c = await this.#staffCase(id, 'publish-advisory', staff);
    const { input, revisions, changed } = await this.advisoryDraft(c, options.publisher);
    const latest = revisions.at(-1);
    const number = (latest?.number ?? 0) + 1;
    const summary = blankToNull(options.summary) ?? (latest === undefined ? 'Initial release.' : null);
    if (summary === null) throw new InputError('summary', `revision ${number} needs a summary of what changed since revision ${number - 1}`);
    if (summary.length > 1000) throw new InputError('summary', 'is longer than 1000 characters');
    if (!changed) throw new InputError('summary', `nothing in ${c.reference}'s advisory changed since revision ${number - 1}`);
    const at = this.now();
    const next: AdvisoryInput = { ...input, revisions: [...input.revisions, { number, at, summary }], now: at };
    const revision = { number, at, summary, userId: staff.id, csaf: `${JSON.stringify(csafAdvisory(next), null, 2)}\n`, markdown: markdownAdvisory(next) };
    const disclosing = c.state === 'resolved';
    await this.#change(c, 'publish-advisory', actorOf(staff), disclosing ? { state: 'disclosed', disclosed_at: at } : {}, { revision: number, summary }, {
      advisory: revision,
      tell: disclosing
        ? `${c.reference} is now publicly disclosed, and its advisory is published.${c.credit === null ? '' : ` It credits you as ${c.credit}.`}`
        : `The advisory for ${c.reference} has a new revision (${number}): ${summary}`,
    });
    return { caseId: c.id, number, at, summary, userId: staff.id };
  }

  // ——— Staff: working a case ———

  async acknowledge(id: number, staff: Staff, note?: string | null): Promise<Case> {
    const c = await this.#staffCase(id, 'acknowledge', staff);
    return this.#change(c, 'acknowledge', actorOf(staff), { state: 'acknowledged', acknowledged_at: this.now() }, {}, {
      tell: note ?? `Thank you: we have received ${c.reference} and will assess it.`,
    });
  }

  async triage(id: number, staff: Staff, decision: TriageDecision): Promise<Case> {
    const c = await this.#staffCase(id, 'triage', staff);
    const scored = scoreVectors(blankToNull(decision.cvss31), blankToNull(decision.cvss40));
    const { cvss31, cvss40 } = scored;
    const changes: Updateable<CasesTable> = { state: 'triaged', triage: decision.triage, assessed_at: this.now(), acknowledged_at: c.acknowledgedAt ?? this.now(), cvss31, cvss40, severity: scored.severity, score: scored.score, duplicate_of: null };
    if (decision.triage === 'valid') {
      if (scored.severity === null) throw new InputError('cvss', 'a valid report needs a CVSS 3.1 or 4.0 vector: its severity sets the fix deadline');
    } else if (decision.triage === 'duplicate') {
      const of = decision.duplicateOf ?? null;
      if (of === null || of === id) throw new InputError('duplicateOf', 'a duplicate names the other case it duplicates');
      await this.getCase(of);
      changes.duplicate_of = of;
    }
    const note = blankToNull(decision.note);
    const told = decision.triage === 'valid'
      ? `We confirmed ${c.reference} (severity: ${String(changes.severity)}) and are working on a fix.`
      : decision.triage === 'duplicate'
        ? `${c.reference} duplicates an earlier report (${caseReference(changes.duplicate_of as number)}), which is being handled.`
        : `We assessed ${c.reference} and found it does not apply.`;
    return this.#change(c, 'triage', actorOf(staff), changes, { triage: decision.triage, cvss31, cvss40, duplicateOf: changes.duplicate_of ?? null }, {
      tell: note === null ? told : `${told}\n\n${note}`,
    });
  }

  async assign(id: number, staff: Staff, ownerId: number | null): Promise<Case> {
    const c = await this.#staffCase(id, 'assign', staff);
    if (ownerId !== null) {
      const owner = await this.#db.selectFrom('users').select(['id', 'role', 'disabled']).where('id', '=', ownerId).executeTakeFirst();
      if (!owner || owner.disabled === 1 || owner.role === 'viewer') throw new InputError('owner', 'the owner must be an active admin, triager or engineer');
    }
    return this.#change(c, 'assign', actorOf(staff), { owner_id: ownerId }, { ownerId }, {});
  }

  async assess(id: number, staff: Staff, assessment: Assessment): Promise<Case> {
    const c = await this.#staffCase(id, 'assess', staff);
    return this.#change(c, 'assess', actorOf(staff), { assessment: JSON.stringify(assessment) }, { ...assessment }, {});
  }

  async attachProbe(id: number, staff: Staff, probe: Probe): Promise<Case> {
    const c = await this.#staffCase(id, 'attach-probe', staff);
    return this.#change(c, 'attach-probe', actorOf(staff), { probe: JSON.stringify(probe) }, { check: probe.check, operation: probe.operation }, {});
  }

  async startFix(id: number, staff: Staff): Promise<Case> {
    const c = await this.#staffCase(id, 'start-fix', staff);
    return this.#change(c, 'start-fix', actorOf(staff), { state: 'fixing' }, {}, {
      tell: c.state === 'contested' ? `You contested ${c.reference}: we reopened it and are fixing it again.` : undefined,
    });
  }

  async submitFix(id: number, staff: Staff, note?: string | null): Promise<Case> {
    const c = await this.#staffCase(id, 'submit-fix', staff);
    const text = blankToNull(note);
    return this.#change(c, 'submit-fix', actorOf(staff), { state: 'fix-submitted', fix_submitted_at: this.now() }, { note: text }, {
      message: text === null ? undefined : { author: 'staff', userId: staff.id, body: text, internal: true },
    });
  }

  /**
   * The verification gate: retests the case's probe against the deployed fix. A pass resolves the
   * case, a fail sends it back to fixing, and an inconclusive retest leaves it waiting, blocked.
   * The evidence is kept either way.
   */
  async verify(id: number, staff: Staff): Promise<{ case: Case; verification: Verification }> {
    const gate = this.#gate;
    if (!gate) throw new TransitionError('the verification gate has no target: set disclose.verification.target in the configuration');
    const c = await this.#staffCase(id, 'verify', staff);
    const verifying = await this.#change(c, 'verify', actorOf(staff), { state: 'verifying' }, {}, {});
    let outcome: GateOutcome;
    try {
      outcome = await gate(c.probe as Probe);
    } catch (error) {
      outcome = { verdict: 'inconclusive', reason: `the retest could not run: ${(error as Error).message}`, target: '', evidence: null };
    }
    const next: CaseState = outcome.verdict === 'pass' ? 'resolved' : outcome.verdict === 'fail' ? 'fixing' : 'fix-submitted';
    const at = this.now();
    const tell = outcome.verdict === 'pass'
      ? `${c.reference} is fixed: a retest of your reproduction no longer reaches the data, as an anonymous caller or as other members. You may contest this within ${Math.round(this.contestWindowMs / DAY_MS)} days.`
      : outcome.verdict === 'fail' ? `A fix for ${c.reference} was tested and did not hold; we are working on it.` : undefined;
    const resolved = await this.#change(verifying, 'verified', 'gate', { state: next, resolved_at: next === 'resolved' ? at : null }, { verdict: outcome.verdict, reason: outcome.reason, target: outcome.target }, {
      verification: { verdict: outcome.verdict, reason: outcome.reason, evidence: outcome.evidence, target: outcome.target, userId: staff.id },
      tell,
    });
    const [verification] = (await this.verifications(id)).slice(-1);
    return { case: resolved, verification: verification as Verification };
  }

  /** An admin resolves without a passing retest, with a written reason kept as evidence. */
  async override(id: number, staff: Staff, reason: string): Promise<Case> {
    const c = await this.#staffCase(id, 'override', staff);
    const text = checkMessage(reason, 'reason');
    if (text.length < 20) throw new InputError('reason', 'an override needs a written reason of at least 20 characters');
    return this.#change(c, 'override', actorOf(staff), { state: 'resolved', resolved_at: this.now() }, { reason: text }, {
      verification: { verdict: 'override', reason: text, evidence: null, target: null, userId: staff.id },
      tell: `${c.reference} is fixed. You may contest this within ${Math.round(this.contestWindowMs / DAY_MS)} days.`,
    });
  }

  async disclose(id: number, staff: Staff): Promise<Case> {
    const c = await this.#staffCase(id, 'disclose', staff);
    return this.#change(c, 'disclose', actorOf(staff), { state: 'disclosed', disclosed_at: this.now() }, {}, { tell: `${c.reference} is now publicly disclosed.` });
  }

  /** A staff message: to the reporter, or an internal note. */
  async message(id: number, staff: Staff, body: string, internal: boolean): Promise<Message> {
    const c = await this.#staffCase(id, 'message', staff);
    return this.#addMessage(c, { author: 'staff', userId: staff.id, body: checkMessage(body), internal }, actorOf(staff));
  }

  /** Cases left `verifying` by a process that stopped mid-retest go back to waiting, with a trail event. */
  async recoverInterruptedVerifications(): Promise<number> {
    const stuck = await this.#db.selectFrom('cases').selectAll().where('state', '=', 'verifying').execute();
    for (const row of stuck) {
      await this.#change(caseFromRow(row), 'verify-interrupted', 'system', { state: 'fix-submitted' }, {}, {});
    }
    return stuck.length;
  }

  async #staffCase(id: number, action: Action, staff: Staff): Promise<Case> {
    const c = await this.getCase(id);
    mustAllow(c, action, { kind: 'staff', role: staff.role }, this.now(), this.contestWindowMs);
    return c;
  }

  async #addMessage(c: Case, message: Omit<Message, 'id' | 'caseId' | 'at'>, actor: string): Promise<Message> {
    const at = this.now();
    const toReporter = message.author === 'staff' && !message.internal;
    const { row, event } = await this.#db.transaction().execute(async (trx) => {
      const inserted = await trx.insertInto('messages').values({ case_id: c.id, author: message.author, user_id: message.userId, body: message.body, internal: message.internal ? 1 : 0, at }).returningAll().executeTakeFirstOrThrow();
      if (toReporter) await trx.updateTable('cases').set({ reporter_updated_at: at }).where('id', '=', c.id).execute();
      const appended = await this.#append(trx, { at, actor, caseId: c.id, action: 'message.added', data: { id: inserted.id, author: message.author, internal: message.internal, length: message.body.length } });
      return { row: inserted, event: appended };
    });
    this.#hooks.event?.(event, c);
    if (toReporter) this.#hooks.reporterUpdated?.(c, message.body);
    return messageFromRow(row);
  }

  /**
   * Applies one change: the case row (only if nobody changed it since it was read), an optional
   * message, verification and word to the reporter, and the trail event, in one transaction.
   */
  async #change(c: Case, action: Action | 'verified' | 'verify-interrupted', actor: string, changes: Updateable<CasesTable>, data: Record<string, unknown>, extra: {
    message?: Omit<Message, 'id' | 'caseId' | 'at'> | undefined;
    verification?: Omit<Verification, 'id' | 'caseId' | 'at'>;
    advisory?: Omit<AdvisoryRevision, 'caseId'> & { csaf: string; markdown: string };
    tell?: string | undefined;
  }): Promise<Case> {
    const at = this.now();
    const set: Updateable<CasesTable> = { ...changes, version: c.version + 1 };
    if (extra.tell !== undefined) set.reporter_updated_at = at;
    const { row, event } = await this.#db.transaction().execute(async (trx) => {
      const updated = await trx.updateTable('cases').set(set).where('id', '=', c.id).where('version', '=', c.version).returningAll().executeTakeFirst();
      if (!updated) throw new ConflictError(`${c.reference} was changed by someone else meanwhile: reload it and try again`);
      if (extra.message) await trx.insertInto('messages').values({ case_id: c.id, author: extra.message.author, user_id: extra.message.userId, body: extra.message.body, internal: extra.message.internal ? 1 : 0, at }).execute();
      if (extra.tell !== undefined) await trx.insertInto('messages').values({ case_id: c.id, author: 'system', user_id: null, body: extra.tell, internal: 0, at }).execute();
      if (extra.verification) {
        const v = extra.verification;
        await trx.insertInto('verifications').values({ case_id: c.id, verdict: v.verdict, reason: v.reason, evidence: v.evidence === null ? null : JSON.stringify(v.evidence), target: v.target, user_id: v.userId, at }).execute();
      }
      if (extra.advisory) {
        const r = extra.advisory;
        await trx.insertInto('advisory_revisions').values({ case_id: c.id, number: r.number, at: r.at, summary: r.summary, user_id: r.userId, csaf: r.csaf, markdown: r.markdown }).execute();
      }
      const appended = await this.#append(trx, { at, actor, caseId: c.id, action: `case.${action}`, data: { ...data, from: c.state, to: updated.state } });
      return { row: updated, event: appended };
    });
    const changed = caseFromRow(row);
    this.#hooks.event?.(event, changed);
    if (extra.tell !== undefined) this.#hooks.reporterUpdated?.(changed, extra.tell);
    return changed;
  }

  #append(trx: Transaction<Tables>, entry: TrailEntry): Promise<TrailEvent> {
    return appendEvent(trx, this.database.dialect, entry);
  }

  async close(): Promise<void> {
    await this.database.close();
  }
}

function actorOf(staff: Staff): string {
  return `user:${String(staff.id)}`;
}

function scoreVectors(cvss31: string | null, cvss40: string | null): CaseSeverity {
  try {
    return caseSeverity({ cvss31, cvss40 });
  } catch (error) {
    if (error instanceof CvssError) throw new InputError('cvss', error.message);
    throw error;
  }
}

/** Whether two CSAF documents say the same, their tracking (versions, dates, generator) aside. */
function sameContent(a: object, b: object): boolean {
  const content = (doc: object): string => JSON.stringify({ ...doc, document: { ...(doc as { document: object }).document, tracking: undefined } });
  return content(a) === content(b);
}

function blankToNull(value: string | null | undefined): string | null {
  const trimmed = value?.trim() ?? '';
  return trimmed === '' ? null : trimmed;
}

function checkMessage(body: string, field = 'message'): string {
  const text = body.trim();
  if (text === '') throw new InputError(field, 'is required');
  if (text.length > REPORT_LIMITS.message) throw new InputError(field, `is longer than ${REPORT_LIMITS.message} characters`);
  return text;
}

export interface OpenTrackerOptions extends Omit<TrackerOptions, 'database'> {
  /** `sqlite:PATH`, a path, `:memory:`, or `postgres://…`. */
  store: string;
}

/** Opens the store, brings its schema up to date and recovers retests a stopped process left half done. */
export async function openTracker(options: OpenTrackerOptions): Promise<Tracker> {
  const database = await openDatabase(options.store);
  try {
    await migrate(database);
  } catch (error) {
    await database.close();
    throw error;
  }
  const tracker = new Tracker({ ...options, database });
  await tracker.recoverInterruptedVerifications();
  return tracker;
}
