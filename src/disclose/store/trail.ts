/**
 * The audit trail: every change, message and decision, in order, each event's hash covering the
 * one before it. Rewriting or removing an event breaks every hash after it, which
 * `leakproof disclose verify-log` finds; the database's triggers refuse updates and deletes besides.
 */
import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import type { Kysely, Transaction } from 'kysely';
import type { Dialect } from './database.ts';
import type { Tables } from './tables.ts';

/** The hash before the first event. */
export const GENESIS = '0'.repeat(64);

export interface TrailEntry {
  at: number;
  /** `user:ID`, `reporter`, `system` or `gate`. */
  actor: string;
  caseId: number | null;
  /** What happened, e.g. `case.received`, `case.acknowledged`, `message.sent`. */
  action: string;
  data: Record<string, unknown>;
}

export interface TrailEvent extends TrailEntry {
  seq: number;
  hash: string;
}

/** An arbitrary constant naming the trail's lock in PostgreSQL. */
const TRAIL_LOCK = 7_311_001;

/** The hash of an event: over its predecessor's hash and every stored column, as stored. */
export function eventHash(prevHash: string, seq: number, at: number, actor: string, caseId: number | null, action: string, data: string): string {
  return createHash('sha256').update(JSON.stringify([prevHash, seq, at, actor, caseId, action, data])).digest('hex');
}

/**
 * Appends an event inside the caller's transaction, so the event exists exactly when the change
 * it records does. Appends are serialised: SQLite has one writer, and PostgreSQL takes a
 * transaction-scoped advisory lock before reading the chain's head.
 */
export async function appendEvent(trx: Transaction<Tables>, dialect: Dialect, entry: TrailEntry): Promise<TrailEvent> {
  if (dialect === 'postgres') await sql`SELECT pg_advisory_xact_lock(${TRAIL_LOCK})`.execute(trx);
  const head = await trx.selectFrom('events').select(['seq', 'hash']).orderBy('seq', 'desc').limit(1).executeTakeFirst();
  const seq = (head?.seq ?? 0) + 1;
  const prevHash = head?.hash ?? GENESIS;
  const data = JSON.stringify(entry.data);
  const hash = eventHash(prevHash, seq, entry.at, entry.actor, entry.caseId, entry.action, data);
  await trx.insertInto('events').values({ seq, at: entry.at, actor: entry.actor, case_id: entry.caseId, action: entry.action, data, prev_hash: prevHash, hash }).execute();
  return { ...entry, seq, hash };
}

export interface TrailCheck {
  /** Events checked. */
  events: number;
  /** The last event's hash: record it elsewhere to detect a trail rewritten from its start. */
  head: string;
  /** The first event that does not check, and why; undefined when the whole trail holds. */
  broken: { seq: number; reason: string } | undefined;
}

const PAGE = 5_000;

/** Walks the whole trail in order, a page at a time, recomputing every hash. */
export async function verifyTrail(db: Kysely<Tables>): Promise<TrailCheck> {
  let prevHash = GENESIS;
  let expected = 1;
  let events = 0;
  for (;;) {
    const rows = await db.selectFrom('events').selectAll().where('seq', '>=', expected).orderBy('seq').limit(PAGE).execute();
    for (const row of rows) {
      const broken = (reason: string): TrailCheck => ({ events, head: prevHash, broken: { seq: row.seq, reason } });
      if (row.seq !== expected) return { events, head: prevHash, broken: { seq: expected, reason: `event ${expected} is missing (the next is ${row.seq})` } };
      if (row.prev_hash !== prevHash) return broken(`its link to event ${expected - 1} does not match that event's hash`);
      if (eventHash(row.prev_hash, row.seq, row.at, row.actor, row.case_id, row.action, row.data) !== row.hash) return broken('its content does not match its hash: it was changed after it was written');
      prevHash = row.hash;
      expected += 1;
      events += 1;
    }
    if (rows.length < PAGE) return { events, head: prevHash, broken: undefined };
  }
}

/** A case's events, oldest first, for its history page. */
export async function caseEvents(db: Kysely<Tables>, caseId: number): Promise<TrailEvent[]> {
  const rows = await db.selectFrom('events').selectAll().where('case_id', '=', caseId).orderBy('seq').execute();
  return rows.map((row) => ({ seq: row.seq, at: row.at, actor: row.actor, caseId: row.case_id, action: row.action, data: JSON.parse(row.data) as Record<string, unknown>, hash: row.hash }));
}
