/**
 * Seeds a tracker's store for bench/disclose.ts with batched inserts straight into the tables: a
 * few staff, N cases in varied states, severities and ages, their threads, and (optionally) the
 * audit trail of all of it, hash-chained exactly as `appendEvent` chains it, so that
 * `verifyTrail` checks the seeded trail and whatever the service appends after it. Going through
 * the tracker would take minutes: every event reads the chain's head in its own transaction.
 */
import { createHash, randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import type { Insertable } from 'kysely';
import { hashPassword, tokenHash } from '../src/disclose/credentials.ts';
import type { Assessment, CaseState, Severity, Triage } from '../src/disclose/model.ts';
import { ASSESSMENT_NONE } from '../src/disclose/model.ts';
import type { Database } from '../src/disclose/store/database.ts';
import type { CasesTable, EventsTable, MessagesTable, VerificationsTable } from '../src/disclose/store/tables.ts';
import { eventHash, GENESIS } from '../src/disclose/store/trail.ts';
import { random } from '../test/fixtures/random.ts';

const DAY = 86_400_000;
const HOUR = 3_600_000;

export const ADMIN = { email: 'bench-admin@example.com', password: 'correct horse battery staple', name: 'Bench Admin' };

export interface SeedOptions {
  cases: number;
  /**
   * `history`: a programme's last three years, most cases closed long ago and the open ones
   * mostly recent. `open`: every case not yet disclosed (what the sweep reads), in every other
   * state, received over the last 180 days.
   */
  mix: 'history' | 'open';
  /** Threads and the audit trail (the sweep reads neither). */
  threads: boolean;
  /** The instant the ages count back from. */
  now: number;
  seed?: number;
}

export interface Seeded {
  cases: number;
  messages: number;
  events: number;
  /** Case ids with 3 to 6 messages in their thread. */
  threaded: number[];
  /** Tracking tokens of cases of every state (at most 2,000). */
  tokens: string[];
  /** A staff API token (admin). */
  apiToken: string;
  openCases: number;
  byState: Record<string, number>;
}


const VECTORS: Record<Severity, { cvss31: string; score: number }> = {
  critical: { cvss31: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', score: 9.8 },
  high: { cvss31: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N', score: 7.5 },
  medium: { cvss31: 'CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:L/I:L/A:N', score: 5.4 },
  low: { cvss31: 'CVSS:3.1/AV:N/AC:H/PR:L/UI:N/S:U/C:L/I:N/A:N', score: 3.1 },
  none: { cvss31: 'CVSS:3.1/AV:N/AC:H/PR:H/UI:R/S:U/C:N/I:N/A:N', score: 0 },
};

const ASSETS = ['GET /api/user/{id}', 'GET /api/user/search/{q}', 'POST /stats/workouts/details', 'GET /api/user/{id}/workouts', 'POST /graphql', 'api.example.com', 'members.example.com', 'GET /api/leaderboard', 'POST /api/auth/login', 'GET /api/export/{id}'];
const FLAWS = ['returns private profiles to anyone', 'leaks the birthday and weight of other riders', 'answers without authentication', 'lets one member read another member\'s workouts', 'exposes email addresses in search results', 'accepts any id in a bulk lookup', 'reflects input into the page (XSS)', 'reveals whether an account exists', 'skips the privacy flag on the leaderboard', 'returns the full profile where a card was expected'];
const DATA = ['location', 'birthday', 'age', 'gender', 'weight', 'email', 'heart rate', 'workout history'];

/** Picks by weight: [[value, weight], ...]. */
function weighted<T>(next: () => number, table: readonly (readonly [T, number])[]): T {
  const total = table.reduce((sum, [, w]) => sum + w, 0);
  let roll = next() * total;
  for (const [value, w] of table) {
    roll -= w;
    if (roll < 0) return value;
  }
  return (table[table.length - 1] as readonly [T, number])[0];
}

type Outcome = { state: CaseState; triage: Triage | null };

const HISTORY_RECENT: readonly (readonly [Outcome, number])[] = [
  [{ state: 'new', triage: null }, 25], [{ state: 'acknowledged', triage: null }, 20], [{ state: 'triaged', triage: 'valid' }, 12],
  [{ state: 'fixing', triage: 'valid' }, 15], [{ state: 'fix-submitted', triage: 'valid' }, 5], [{ state: 'triaged', triage: 'not-applicable' }, 15],
  [{ state: 'triaged', triage: 'duplicate' }, 8],
];
const HISTORY_OLD: readonly (readonly [Outcome, number])[] = [
  [{ state: 'disclosed', triage: 'valid' }, 42], [{ state: 'resolved', triage: 'valid' }, 8], [{ state: 'triaged', triage: 'not-applicable' }, 18],
  [{ state: 'triaged', triage: 'duplicate' }, 12], [{ state: 'fixing', triage: 'valid' }, 9], [{ state: 'fix-submitted', triage: 'valid' }, 3],
  [{ state: 'triaged', triage: 'valid' }, 3], [{ state: 'contested', triage: 'valid' }, 2], [{ state: 'acknowledged', triage: null }, 2], [{ state: 'new', triage: null }, 1],
];
const OPEN: readonly (readonly [Outcome, number])[] = [
  [{ state: 'new', triage: null }, 14], [{ state: 'acknowledged', triage: null }, 14], [{ state: 'triaged', triage: 'valid' }, 10],
  [{ state: 'fixing', triage: 'valid' }, 24], [{ state: 'fix-submitted', triage: 'valid' }, 9],
  [{ state: 'resolved', triage: 'valid' }, 14], [{ state: 'contested', triage: 'valid' }, 5], [{ state: 'triaged', triage: 'not-applicable' }, 6],
  [{ state: 'triaged', triage: 'duplicate' }, 4],
];

const STEP_ORDER = ['acknowledged', 'triaged', 'fixing', 'fix-submitted', 'verifying', 'resolved', 'disclosed'] as const;
/** How far along the lifecycle a state is, for the timestamps it has. */
function stage(state: CaseState): number {
  if (state === 'new') return 0;
  if (state === 'contested') return 6;
  return (STEP_ORDER as readonly string[]).indexOf(state) + 1;
}

interface CaseSeed {
  row: Insertable<CasesTable> & { id: number };
  messages: (Insertable<MessagesTable> & { id: number })[];
  events: { at: number; actor: string; caseId: number | null; action: string; data: Record<string, unknown> }[];
}

/** Seeds an empty, migrated store. */
export async function seedStore(database: Database, options: SeedOptions): Promise<Seeded> {
  const { db, dialect } = database;
  const next = random(options.seed ?? 20_261_125);
  const between = (low: number, high: number): number => low + next() * (high - low);
  const { now } = options;
  const oldest = now - (options.mix === 'history' ? 3 * 365 : 180) * DAY;

  // Staff: an admin (who signs in), triagers, engineers, a viewer.
  const passwordHash = await hashPassword(ADMIN.password);
  const staff = [
    { email: ADMIN.email, name: ADMIN.name, role: 'admin' },
    ...Array.from({ length: 3 }, (_, i) => ({ email: `triager${i + 1}@example.com`, name: `Triager ${i + 1}`, role: 'triager' })),
    ...Array.from({ length: 8 }, (_, i) => ({ email: `engineer${i + 1}@example.com`, name: `Engineer ${i + 1}`, role: 'engineer' })),
    { email: 'viewer@example.com', name: 'Viewer', role: 'viewer' },
  ].map((u, i) => ({ id: i + 1, ...u, password_hash: passwordHash, disabled: 0, created_at: oldest - DAY }));
  const triagers = staff.filter((u) => u.role === 'triager' || u.role === 'admin').map((u) => u.id);
  const engineers = staff.filter((u) => u.role === 'engineer').map((u) => u.id);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)] as T;

  const events: CaseSeed['events'] = staff.map((u) => ({ at: u.created_at, actor: 'system', caseId: null, action: 'user.created', data: { id: u.id, email: u.email, role: u.role } }));
  const rows: CaseSeed['row'][] = [];
  const messages: CaseSeed['messages'] = [];
  const verifications: Insertable<VerificationsTable>[] = [];
  const threaded: number[] = [];
  const tokens: string[] = [];
  const byState: Record<string, number> = {};
  let openCases = 0;
  let messageId = 0;

  for (let id = 1; id <= options.cases; id += 1) {
    // Ids grow with time: the newest case has the highest id, as when filed through the tracker.
    const receivedAt = Math.round(oldest + ((now - oldest - HOUR) * (id - 1 + next() * 0.9)) / options.cases);
    const age = now - receivedAt;
    const outcome = weighted(next, options.mix === 'open' ? OPEN : age < 30 * DAY ? HISTORY_RECENT : HISTORY_OLD);
    const { state, triage } = outcome;
    const reached = stage(state);
    // The lifecycle's steps as offsets from receipt, squeezed into the case's age when they would pass now.
    const raw = [between(2 * HOUR, 4 * DAY), between(HOUR, 6 * DAY), between(HOUR, 3 * DAY), between(3 * DAY, 60 * DAY), between(HOUR, 2 * DAY), between(HOUR, DAY), between(20 * DAY, 40 * DAY)];
    const offsets: number[] = [];
    let sum = 0;
    for (let s = 0; s < reached; s += 1) offsets.push((sum += raw[s] ?? 0));
    const span = Math.max(1, offsets[offsets.length - 1] ?? 1);
    const scale = span > age * 0.95 ? (age * 0.95) / span : 1;
    const at = (s: number): number | null => (s < reached ? receivedAt + Math.round((offsets[s] ?? 0) * scale) : null);
    const scored = triage === 'valid';
    const severity: Severity | null = scored ? weighted(next, [['critical', 5], ['high', 25], ['medium', 45], ['low', 20], ['none', 5]] as const) : null;
    const asset = pick(ASSETS);
    const flaw = pick(FLAWS);
    const classes = DATA.filter(() => next() < 0.3);
    const assessment: Assessment = scored && reached >= 2 ? { operations: [asset], dataClasses: classes, peopleAffected: Math.floor(next() * 200_000), exploited: pick(['unknown', 'no', 'yes'] as const), evidence: 'leakproof logs who-read --since 90d' } : ASSESSMENT_NONE;
    const token = randomBytes(32).toString('base64url');
    if (tokens.length < 2000 && next() < 0.5) tokens.push(token);
    const contact = next() < 0.3 ? null : `researcher${id}@example.org`;
    const resolvedAt = at(5);
    const contestedAt = state === 'contested' ? Math.min(now - HOUR, (resolvedAt ?? receivedAt) + Math.round(between(HOUR, 5 * DAY) * scale)) : null;
    const ownerId = reached >= 2 && scored ? pick(engineers) : null;
    const row: CaseSeed['row'] = {
      id, state, triage, duplicate_of: triage === 'duplicate' && id > 1 ? Math.max(1, id - 1 - Math.floor(next() * Math.min(id - 1, 500))) : null,
      severity, cvss31: severity === null ? null : VECTORS[severity].cvss31, cvss40: null, score: severity === null ? null : VECTORS[severity].score, owner_id: ownerId,
      title: `${asset} ${flaw}`,
      asset,
      description: `The endpoint ${asset} ${flaw}. `.repeat(4 + Math.floor(next() * 12)) + `Data exposed: ${classes.join(', ') || 'none confirmed'}.`,
      steps: `1. Sign in as a member (or not at all).\n2. curl https://api.example.com${asset.replace(/^\w+ /, '')} with another rider's id.\n3. Read the answer: ${classes.join(', ')}.`,
      impact: `Anyone can read ${classes.join(', ') || 'profile data'} of any of the ${Math.floor(next() * 4_000_000)} members.`,
      contact, probe: null, assessment: JSON.stringify(assessment), tracking_hash: tokenHash(token),
      received_at: receivedAt, acknowledged_at: at(0), assessed_at: at(1), fix_submitted_at: at(3), resolved_at: resolvedAt, disclosed_at: at(6),
      reporter_updated_at: receivedAt, contested_at: contestedAt, contested_from: contestedAt === null ? null : 'resolved', version: 1,
    };
    if (state === 'contested') row.disclosed_at = null;
    byState[`${state}${state === 'triaged' ? ` (${String(triage)})` : ''}`] = (byState[`${state}${state === 'triaged' ? ` (${String(triage)})` : ''}`] ?? 0) + 1;
    if (!(state === 'resolved' || state === 'disclosed' || (state === 'triaged' && triage !== 'valid'))) openCases += 1;

    if (options.threads) {
      events.push({ at: receivedAt, actor: 'reporter', caseId: id, action: 'case.received', data: { title: row.title, asset, anonymous: contact === null, probe: false } });
      const thread: { at: number; author: string; userId: number | null; body: string; internal: number }[] = [];
      let changes = 0;
      const step = (s: number, action: string, actor: string, data: Record<string, unknown>, tell?: string): void => {
        const t = at(s);
        if (t === null) return;
        changes += 1;
        events.push({ at: t, actor, caseId: id, action, data });
        if (tell !== undefined) thread.push({ at: t, author: 'system', userId: null, body: tell, internal: 0 });
      };
      const triager = pick(triagers);
      step(0, 'case.acknowledge', `user:${triager}`, { from: 'new', to: 'acknowledged' }, `Thank you: we have received VR-${id} and will assess it.`);
      step(1, 'case.triage', `user:${triager}`, { triage, cvss31: row.cvss31, cvss40: null, duplicateOf: row.duplicate_of, from: 'acknowledged', to: 'triaged' }, triage === 'valid' ? `We confirmed VR-${id} (severity: ${String(severity)}) and are working on a fix.` : 'We assessed this report.');
      if (ownerId !== null) step(1, 'case.assign', `user:${triager}`, { ownerId, from: 'triaged', to: 'triaged' });
      step(2, 'case.start-fix', `user:${ownerId ?? triager}`, { from: 'triaged', to: 'fixing' });
      step(3, 'case.submit-fix', `user:${ownerId ?? triager}`, { note: null, from: 'fixing', to: 'fix-submitted' });
      step(4, 'case.verify', `user:${triager}`, { from: 'fix-submitted', to: 'verifying' });
      step(5, 'case.verified', 'gate', { verdict: 'pass', reason: 'fail-to-exploit as anonymous, unrelated and low-privilege callers', target: 'https://api.example.com', from: 'verifying', to: 'resolved' }, `VR-${id} is fixed: a retest of your reproduction no longer reaches the data.`);
      step(6, 'case.disclose', `user:${triager}`, { from: 'resolved', to: 'disclosed' }, `VR-${id} is now publicly disclosed.`);
      if (resolvedAt !== null) {
        const evidence = { verdict: 'fail-to-exploit', identities: ['anonymous', 'unrelated', 'low-privilege'], requests: 3, status: [401, 403, 403] };
        verifications.push({ case_id: id, verdict: 'pass', reason: 'fail-to-exploit as anonymous, unrelated and low-privilege callers', evidence: JSON.stringify(evidence), target: 'https://api.example.com', user_id: triager, at: resolvedAt });
      }
      if (contestedAt !== null) {
        changes += 1;
        events.push({ at: contestedAt, actor: 'reporter', caseId: id, action: 'case.contest', data: { from: 'resolved', reason: 'The fix does not cover the GraphQL route.', to: 'contested' } });
        thread.push({ at: contestedAt, author: 'reporter', userId: null, body: 'The fix does not cover the GraphQL route: the same query still returns the birthday.', internal: 0 });
      }
      // Replies, updates and internal notes between receipt and now (or the last step).
      const last = Math.max(receivedAt + 1, ...thread.map((m) => m.at));
      for (let k = Math.floor(next() * 4); k > 0; k -= 1) {
        const t = Math.round(between(receivedAt + 1, Math.min(now - 1, last + 20 * DAY)));
        const kind = next();
        thread.push(kind < 0.35 ? { at: t, author: 'reporter', userId: null, body: 'Any news on this? I can still reproduce it as of today.', internal: 0 }
          : kind < 0.75 ? { at: t, author: 'staff', userId: ownerId ?? triager, body: 'We are still working on this: the fix is in review and should ship within two weeks.', internal: 0 }
            : { at: t, author: 'staff', userId: ownerId ?? triager, body: 'Internal: the bulk route shares the serializer with the profile route; fix both.', internal: 1 });
      }
      thread.sort((a, b) => a.at - b.at);
      for (const m of thread) {
        messageId += 1;
        messages.push({ id: messageId, case_id: id, author: m.author, user_id: m.userId, body: m.body, internal: m.internal, at: m.at });
        if (m.author !== 'system') events.push({ at: m.at, actor: m.author === 'reporter' ? 'reporter' : `user:${String(m.userId)}`, caseId: id, action: 'message.added', data: { id: messageId, author: m.author, internal: m.internal === 1, length: m.body.length } });
        if (m.author !== 'reporter' && m.internal === 0) row.reporter_updated_at = Math.max(row.reporter_updated_at, m.at);
      }
      if (thread.length >= 3 && thread.length <= 6) threaded.push(id);
      row.version = 1 + changes;
    } else {
      // No thread: the last word to the reporter came with the last step, or some days after receipt.
      const lastStep = [row.acknowledged_at, row.assessed_at, row.resolved_at, row.contested_at].filter((t): t is number => typeof t === 'number');
      row.reporter_updated_at = Math.max(receivedAt, ...lastStep);
    }
    rows.push(row);
  }

  const apiToken = randomBytes(32).toString('base64url');
  const chunk = <T>(list: T[], size: number): T[][] => Array.from({ length: Math.ceil(list.length / size) }, (_, i) => list.slice(i * size, (i + 1) * size));
  // The trail in time order, each event's hash over its predecessor's, as appendEvent writes it.
  events.sort((a, b) => a.at - b.at);
  let prevHash = GENESIS;
  const eventRows: Insertable<EventsTable>[] = events.map((e, i) => {
    const seq = i + 1;
    const data = JSON.stringify(e.data);
    const hash = eventHash(prevHash, seq, e.at, e.actor, e.caseId, e.action, data);
    const row = { seq, at: e.at, actor: e.actor, case_id: e.caseId, action: e.action, data, prev_hash: prevHash, hash };
    prevHash = hash;
    return row;
  });

  await db.transaction().execute(async (trx) => {
    await trx.insertInto('users').values(staff).execute();
    await trx.insertInto('api_tokens').values({ token_hash: tokenHash(apiToken), user_id: 1, label: 'bench', created_at: now }).execute();
    for (const batch of chunk(rows, 500)) await trx.insertInto('cases').values(batch).execute();
    for (const batch of chunk(messages, 1000)) await trx.insertInto('messages').values(batch).execute();
    for (const batch of chunk(verifications, 1000)) await trx.insertInto('verifications').values(batch).execute();
    if (options.threads) for (const batch of chunk(eventRows, 1000)) await trx.insertInto('events').values(batch).execute();
  });
  if (dialect === 'postgres') {
    // Explicit ids leave the sequences behind: the service's own inserts start after the seeded rows.
    for (const table of ['users', 'cases', 'messages'] as const) {
      await sql`SELECT setval(pg_get_serial_sequence(${table}, 'id'), (SELECT max(id) FROM ${sql.table(table)}))`.execute(db);
    }
    await sql`ANALYZE`.execute(db);
  } else {
    await sql`ANALYZE`.execute(db);
  }
  return { cases: rows.length, messages: messages.length, events: options.threads ? eventRows.length : 0, threaded, tokens, apiToken, openCases, byState };
}

/** A fingerprint of the options, for naming cached stores. */
export function seedKey(options: SeedOptions): string {
  return createHash('sha256').update(JSON.stringify(options)).digest('hex').slice(0, 12);
}

