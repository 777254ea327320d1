/**
 * The clock sweep and the daily digest. The sweep records every reminder and escalation that has
 * fallen due, keyed so that each exists once (`notices`), and posts each new one to the webhooks.
 * Once a day, from the configured hour, every staff member gets one mail with what is pending for
 * them. Both run on an injected clock and keep all their state in the store, so a restart neither
 * loses a notice nor sends one twice:
 * - a notice is inserted if absent, whatever the number of sweeps and processes;
 * - a person's digest for a day is claimed (a row in `digests`) and the notices it carries recorded
 *   (`notice_deliveries`) before the mail is sent, and both are withdrawn if sending fails. A crash
 *   between the claim and the send loses that one mail rather than sending it twice; its notices
 *   stay pending for that person and go in the next day's digest.
 */
import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import type { ClockPolicy, Notice } from './clocks.ts';
import { dueNotices } from './clocks.ts';
import type { Severity, User } from './model.ts';
import { caseReference } from './model.ts';
import type { Mailer, PendingNotice, WebhookTarget } from './notify/index.ts';
import { buildDigests, noticeEvent, postWebhooks, recipientsOf } from './notify/index.ts';
import { CLOCK_COLUMNS, clockCase } from './store/rows.ts';
import type { Tables } from './store/tables.ts';
import type { Tracker } from './tracker.ts';

export interface SweepOptions {
  policy: ClockPolicy;
  mailer?: Mailer | undefined;
  webhooks?: readonly WebhookTarget[];
  /** The tracker's address, for links in mails. */
  publicUrl: string;
  /** The UTC hour from which the day's digest goes out. */
  digestHour: number;
  /** Reports what could not be delivered; the sweep itself never throws for a mail or webhook. */
  onProblem?: (message: string) => void;
}

export interface SweepResult {
  /** Open cases looked at. */
  cases: number;
  /** Notices that fell due since the last sweep. */
  created: Notice[];
}

const PAGE = 5_000;
const INSERT_BATCH = 500;
/** Notices per insert statement: one bound value per column whatever the number (see `#insertIfAbsent`). */
const NOTICE_BATCH = 5_000;

/** Waits for an insert started earlier, and throws what it failed with. */
async function rethrow(inserting: Promise<unknown>): Promise<void> {
  const outcome = await inserting;
  if (typeof outcome === 'object' && outcome !== null && 'failed' in outcome) throw outcome.failed;
}

export class Sweeper {
  readonly #tracker: Tracker;
  readonly #options: SweepOptions;
  /** Keys already stored, so that a sweep over 100,000 cases inserts only what is new. */
  readonly #known = new Set<string>();
  #loaded = false;

  constructor(tracker: Tracker, options: SweepOptions) {
    this.#tracker = tracker;
    this.#options = options;
  }

  get #db(): Kysely<Tables> {
    return this.#tracker.database.db;
  }

  /** Records the notices due at `now` and posts the new ones to the webhooks. */
  async sweep(now: number): Promise<SweepResult> {
    if (!this.#loaded) {
      for (const row of await this.#db.selectFrom('notices').select('key').execute()) this.#known.add(row.key);
      this.#loaded = true;
    }
    const created: Notice[] = [];
    // One page's insert runs while the next page is read and its clocks worked out (in PostgreSQL,
    // on another connection). It resolves to its failure rather than rejecting, so that a failure
    // while the next page is being read is not an unhandled rejection.
    let inserting: Promise<unknown> = Promise.resolve();
    let cases = 0;
    for (let after = 0; ;) {
      const rows = await this.#db.selectFrom('cases').select(CLOCK_COLUMNS)
        .where('state', 'not in', ['disclosed'])
        .where('id', '>', after).orderBy('id').limit(PAGE).execute();
      const due: Notice[] = [];
      for (const row of rows) {
        cases += 1;
        for (const notice of dueNotices(clockCase(row), this.#options.policy, now)) if (!this.#known.has(notice.key)) due.push(notice);
      }
      await rethrow(inserting);
      inserting = this.#insert(due, now).then((fresh) => { created.push(...fresh); }, (error: unknown) => ({ failed: error }));
      const last = rows[rows.length - 1];
      if (!last || rows.length < PAGE) break;
      after = last.id;
    }
    await rethrow(inserting);
    if (created.length > 0 && (this.#options.webhooks?.length ?? 0) > 0) await this.#postWebhooks(created, now);
    return { cases, created };
  }

  async #insert(due: Notice[], now: number): Promise<Notice[]> {
    const created: Notice[] = [];
    for (let i = 0; i < due.length; i += NOTICE_BATCH) {
      const batch = due.slice(i, i + NOTICE_BATCH);
      const fresh = new Set(await this.#insertIfAbsent(batch, now));
      for (const notice of batch) {
        this.#known.add(notice.key);
        if (fresh.has(notice.key)) created.push(notice);
      }
    }
    return created;
  }

  /**
   * Inserts the notices not stored yet and returns their keys. The batch is bound as one value (a
   * JSON array that SQLite's json_each reads) or as one array per column (PostgreSQL's unnest), not
   * as a parameter per value: building and binding a parameter per value took most of a first
   * sweep's time over 100,000 open cases (bench/disclose.ts).
   */
  async #insertIfAbsent(batch: Notice[], now: number): Promise<string[]> {
    const query = this.#tracker.database.dialect === 'sqlite'
      // `WHERE true`: SQLite's grammar needs a WHERE before ON CONFLICT in an INSERT ... SELECT.
      ? sql<{ key: string }>`INSERT INTO notices (key, case_id, clock, kind, due_at, created_at)
          SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3, value ->> 4, ${now}
          FROM json_each(${JSON.stringify(batch.map((n) => [n.key, n.caseId, n.clock, n.kind, n.dueAt]))}) WHERE true
          ON CONFLICT (key) DO NOTHING RETURNING key`
      : sql<{ key: string }>`INSERT INTO notices (key, case_id, clock, kind, due_at, created_at)
          SELECT *, ${now}::bigint FROM unnest(${batch.map((n) => n.key)}::text[], ${batch.map((n) => n.caseId)}::bigint[], ${batch.map((n) => n.clock)}::text[], ${batch.map((n) => n.kind)}::text[], ${batch.map((n) => n.dueAt)}::bigint[])
          ON CONFLICT (key) DO NOTHING RETURNING key`;
    return (await query.execute(this.#db)).rows.map((row) => row.key);
  }

  async #postWebhooks(created: Notice[], now: number): Promise<void> {
    const pending: PendingNotice[] = [];
    for (let i = 0; i < created.length; i += INSERT_BATCH) pending.push(...(await this.#pending(created.slice(i, i + INSERT_BATCH).map((n) => n.key))));
    for (const item of pending) {
      const outcomes = await postWebhooks(this.#options.webhooks ?? [], noticeEvent(item));
      for (const failed of outcomes.filter((o) => !o.delivered)) this.#options.onProblem?.(`webhook ${failed.url} refused ${item.notice.key}: ${failed.error ?? 'no answer'}`);
      await this.#db.updateTable('notices').set({ webhook_at: now }).where('key', '=', item.notice.key).execute();
    }
  }

  /**
   * From the digest hour on, once a day: one mail per staff member with the notices not yet sent
   * to them. Returns the number of mails sent.
   */
  async digest(now: number): Promise<number> {
    const mailer = this.#options.mailer;
    if (!mailer || new Date(now).getUTCHours() < this.#options.digestHour) return 0;
    const day = new Date(now).toISOString().slice(0, 10);
    const pending = await this.#pending();
    if (pending.length === 0) return 0;
    const staff = await this.#tracker.staff.users();
    const delivered = await this.#deliveries(pending);
    let sent = 0;
    for (const user of staff.filter((u) => !u.disabled)) {
      const mine = pending.filter((p) => !delivered.has(`${String(user.id)} ${p.notice.key}`));
      const [mail] = buildDigests(mine, staff, now, { caseUrl: (id) => `${this.#options.publicUrl}/cases/${String(id)}` }).filter((m) => m.userId === user.id);
      if (!mail || !(await this.#claim(user.id, day, now, mail.keys))) continue;
      try {
        await mailer.send(mail);
        sent += 1;
      } catch (error) {
        await this.#withdraw(user.id, day, mail.keys);
        this.#options.onProblem?.(`the digest for ${user.email} was not sent: ${(error as Error).message}`);
      }
    }
    await this.#markDigested(pending, staff, now);
    return sent;
  }

  /** Claims the person's digest for the day; false when it was claimed already (sent today). */
  async #claim(userId: number, day: string, now: number, keys: string[]): Promise<boolean> {
    return this.#db.transaction().execute(async (trx) => {
      const claimed = await trx.insertInto('digests').values({ recipient: String(userId), day, sent_at: now }).onConflict((oc) => oc.columns(['recipient', 'day']).doNothing()).returning('recipient').executeTakeFirst();
      if (!claimed) return false;
      for (let i = 0; i < keys.length; i += INSERT_BATCH) {
        await trx.insertInto('notice_deliveries').values(keys.slice(i, i + INSERT_BATCH).map((key) => ({ notice_key: key, user_id: userId, day }))).execute();
      }
      return true;
    });
  }

  async #withdraw(userId: number, day: string, keys: string[]): Promise<void> {
    await this.#db.transaction().execute(async (trx) => {
      await trx.deleteFrom('digests').where('recipient', '=', String(userId)).where('day', '=', day).execute();
      for (let i = 0; i < keys.length; i += INSERT_BATCH) {
        await trx.deleteFrom('notice_deliveries').where('user_id', '=', userId).where('notice_key', 'in', keys.slice(i, i + INSERT_BATCH)).execute();
      }
    });
  }

  /** A notice is digested once everyone it is for has had it. */
  async #markDigested(pending: PendingNotice[], staff: User[], now: number): Promise<void> {
    const had = await this.#deliveries(pending);
    const done = pending.filter((item) => recipientsOf(item, staff).every((user) => had.has(`${String(user.id)} ${item.notice.key}`))).map((item) => item.notice.key);
    for (let i = 0; i < done.length; i += INSERT_BATCH) {
      await this.#db.updateTable('notices').set({ digested_at: now }).where('key', 'in', done.slice(i, i + INSERT_BATCH)).execute();
    }
  }

  /** `userId key` for every delivery of these notices. */
  async #deliveries(pending: PendingNotice[]): Promise<Set<string>> {
    const had = new Set<string>();
    for (let i = 0; i < pending.length; i += INSERT_BATCH) {
      const keys = pending.slice(i, i + INSERT_BATCH).map((p) => p.notice.key);
      for (const d of await this.#db.selectFrom('notice_deliveries').select(['notice_key', 'user_id']).where('notice_key', 'in', keys).execute()) had.add(`${String(d.user_id)} ${d.notice_key}`);
    }
    return had;
  }

  /** Notices not yet digested (or those named), with what a mail says of their case. */
  async #pending(keys?: string[]): Promise<PendingNotice[]> {
    let query = this.#db.selectFrom('notices').innerJoin('cases', 'cases.id', 'notices.case_id')
      .select(['notices.key', 'notices.case_id', 'notices.clock', 'notices.kind', 'notices.due_at', 'cases.title', 'cases.severity', 'cases.owner_id']);
    query = keys === undefined ? query.where('notices.digested_at', 'is', null) : query.where('notices.key', 'in', keys);
    const rows = await query.orderBy('notices.due_at').execute();
    return rows.map((row) => ({
      notice: { key: row.key, caseId: row.case_id, clock: row.clock as Notice['clock'], kind: row.kind as Notice['kind'], dueAt: row.due_at },
      case: { id: row.case_id, reference: caseReference(row.case_id), title: row.title, severity: row.severity as Severity | null, ownerId: row.owner_id },
    }));
  }
}
