/**
 * Staff accounts: local users with scrypt password hashes, browser sessions and API tokens. A
 * session or token is a random bearer secret of which only the hash is stored; sessions expire,
 * and disabling a user ends their sessions and tokens at once, for good: enabling the account again
 * brings none back. A new password, changed or reset, ends the account's other sessions but keeps
 * its API tokens, which are credentials of their own. Every request reads the member's role and
 * state afresh, so a new role or a disabled account applies at once. The tracker always keeps an
 * active admin: only an admin manages accounts, so nobody could undo the loss of the last one.
 */
import { sql } from 'kysely';
import type { Kysely, Transaction } from 'kysely';
import { DECOY_HASH, hashPassword, MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH, newPassword, newToken, tokenHash, verifyPassword } from './credentials.ts';
import type { Role, User } from './model.ts';
import { ROLES } from './model.ts';
import { InputError, isEmail } from './report-input.ts';
import { userFromRow } from './store/rows.ts';
import type { Tables } from './store/tables.ts';
import { appendEvent } from './store/trail.ts';
import type { Dialect } from './store/database.ts';

/** Sessions last a working day of inactivity at most: 12 hours from login. */
export const SESSION_MS = 12 * 3_600_000;

/** An arbitrary constant naming, in PostgreSQL, the lock that serialises changes to who is an active admin. */
const ADMINS_LOCK = 7_311_002;

export interface NewUser {
  email: string;
  name: string;
  role: Role;
  password: string;
}

export class StaffDirectory {
  readonly #db: Kysely<Tables>;
  readonly #dialect: Dialect;
  readonly #now: () => number;

  constructor(db: Kysely<Tables>, dialect: Dialect, now: () => number) {
    this.#db = db;
    this.#dialect = dialect;
    this.#now = now;
  }

  /** Creates an account; `by` is the admin who did it (undefined for `disclose init`). */
  async createUser(input: NewUser, by?: number): Promise<User> {
    const email = input.email.trim().toLowerCase();
    if (!isEmail(email)) throw new InputError('email', 'must be an email address');
    const name = input.name.trim();
    if (name === '' || name.length > 100) throw new InputError('name', 'is required, up to 100 characters');
    if (!ROLES.includes(input.role)) throw new InputError('role', `must be one of ${ROLES.join(', ')}`);
    checkPassword(input.password);
    const existing = await this.#db.selectFrom('users').select('id').where('email', '=', email).executeTakeFirst();
    if (existing) throw new InputError('email', `an account for ${email} exists already`);
    const passwordHash = await hashPassword(input.password);
    const at = this.#now();
    const row = await this.#db.transaction().execute(async (trx) => {
      const inserted = await trx.insertInto('users').values({ email, name, role: input.role, password_hash: passwordHash, disabled: 0, created_at: at }).returningAll().executeTakeFirstOrThrow();
      await appendEvent(trx, this.#dialect, { at, actor: by === undefined ? 'system' : `user:${String(by)}`, caseId: null, action: 'user.created', data: { id: inserted.id, email, role: input.role } });
      return inserted;
    });
    return userFromRow(row);
  }

  async users(): Promise<User[]> {
    return (await this.#db.selectFrom('users').select(['id', 'email', 'name', 'role', 'disabled', 'created_at']).orderBy('id').execute()).map(userFromRow);
  }

  async user(id: number): Promise<User | undefined> {
    const row = await this.#db.selectFrom('users').select(['id', 'email', 'name', 'role', 'disabled', 'created_at']).where('id', '=', id).executeTakeFirst();
    return row ? userFromRow(row) : undefined;
  }

  /** Disables an active account and ends its sessions and API tokens at once; the last active admin stays. */
  async disable(id: number, by: number): Promise<void> {
    await this.#db.transaction().execute(async (trx) => {
      const member = await this.#lockedMember(trx, id);
      if (!member || member.disabled === 1) throw new InputError('user', `there is no active account number ${String(id)}`);
      if (member.role === 'admin') await keepAnAdmin(trx, id, `${member.name} is the last active admin and cannot be disabled`);
      await trx.updateTable('users').set({ disabled: 1 }).where('id', '=', id).execute();
      await trx.deleteFrom('sessions').where('user_id', '=', id).execute();
      await trx.deleteFrom('api_tokens').where('user_id', '=', id).execute();
      await appendEvent(trx, this.#dialect, { at: this.#now(), actor: `user:${String(by)}`, caseId: null, action: 'user.disabled', data: { id } });
    });
  }

  /**
   * Enables a disabled account again. The sessions and API tokens that disabling ended stay ended:
   * the member signs in again, and asks for a new token.
   */
  async enable(id: number, by: number): Promise<void> {
    await this.#db.transaction().execute(async (trx) => {
      // Conditional, so that of two admins enabling the account at once only one records it.
      const { numUpdatedRows } = await trx.updateTable('users').set({ disabled: 0 }).where('id', '=', id).where('disabled', '=', 1).executeTakeFirst();
      if (numUpdatedRows === 0n) throw new InputError('user', `there is no disabled account number ${String(id)}`);
      await appendEvent(trx, this.#dialect, { at: this.#now(), actor: `user:${String(by)}`, caseId: null, action: 'user.enabled', data: { id } });
    });
  }

  /** Gives a member another role, from their next request on; the last active admin stays one. */
  async changeRole(id: number, role: Role, by: number): Promise<void> {
    if (!ROLES.includes(role)) throw new InputError('role', `must be one of ${ROLES.join(', ')}`);
    await this.#db.transaction().execute(async (trx) => {
      const member = await this.#lockedMember(trx, id);
      if (!member) throw new InputError('user', `there is no account number ${String(id)}`);
      if (member.role === role) return;
      if (member.role === 'admin' && member.disabled === 0) await keepAnAdmin(trx, id, `${member.name} is the last active admin and must stay one`);
      await trx.updateTable('users').set({ role }).where('id', '=', id).execute();
      await appendEvent(trx, this.#dialect, { at: this.#now(), actor: `user:${String(by)}`, caseId: null, action: 'user.role', data: { id, from: member.role, to: role } });
    });
  }

  /**
   * A member read inside a change to who is an admin. PostgreSQL takes a lock first, so that two
   * admins demoting or disabling each other at once are checked one after the other, and cannot
   * both succeed; SQLite's write transactions run one at a time already.
   */
  async #lockedMember(trx: Transaction<Tables>, id: number): Promise<{ name: string; role: string; disabled: number } | undefined> {
    if (this.#dialect === 'postgres') await sql`SELECT pg_advisory_xact_lock(${ADMINS_LOCK})`.execute(trx);
    return trx.selectFrom('users').select(['name', 'role', 'disabled']).where('id', '=', id).executeTakeFirst();
  }

  /**
   * Changes a member's own password, given the current one. Their other sessions end, since one
   * left open elsewhere may be why the password changes; the session `keep` (the one asking) stays.
   */
  async changePassword(user: User, current: string, next: string, keep: string): Promise<void> {
    checkPassword(next, 'newPassword');
    const row = await this.#db.selectFrom('users').select('password_hash').where('id', '=', user.id).executeTakeFirstOrThrow();
    if (!(await verifyPassword(current, row.password_hash))) throw new InputError('currentPassword', 'is not your current password');
    if (next === current) throw new InputError('newPassword', 'must differ from the current one');
    const passwordHash = await hashPassword(next);
    await this.#db.transaction().execute(async (trx) => {
      await trx.updateTable('users').set({ password_hash: passwordHash }).where('id', '=', user.id).execute();
      await trx.deleteFrom('sessions').where('user_id', '=', user.id).where('token_hash', '!=', tokenHash(keep)).execute();
      await appendEvent(trx, this.#dialect, { at: this.#now(), actor: `user:${String(user.id)}`, caseId: null, action: 'user.password-changed', data: { id: user.id } });
    });
  }

  /**
   * Gives an active account a new random password and ends all its sessions; `by` is the admin who
   * did it (undefined for `disclose reset-password`). Returns the account and the password, to be
   * shown once.
   */
  async resetPassword(id: number, by?: number): Promise<{ user: User; password: string }> {
    const target = await this.user(id);
    if (!target || target.disabled) throw new InputError('user', `there is no active account number ${String(id)}`);
    const password = newPassword();
    const passwordHash = await hashPassword(password);
    await this.#db.transaction().execute(async (trx) => {
      await trx.updateTable('users').set({ password_hash: passwordHash }).where('id', '=', id).execute();
      await trx.deleteFrom('sessions').where('user_id', '=', id).execute();
      await appendEvent(trx, this.#dialect, { at: this.#now(), actor: by === undefined ? 'system' : `user:${String(by)}`, caseId: null, action: 'user.password-reset', data: { id } });
    });
    return { user: target, password };
  }

  /**
   * Checks a login. The password is hashed even when no account matches, so that the answer's
   * timing does not tell which addresses have accounts.
   */
  async authenticate(email: string, password: string): Promise<User | undefined> {
    const row = await this.#db.selectFrom('users').selectAll().where('email', '=', email.trim().toLowerCase()).executeTakeFirst();
    const matches = await verifyPassword(password, row?.password_hash ?? DECOY_HASH);
    if (!row || !matches || row.disabled === 1) return undefined;
    return userFromRow(row);
  }

  /** Opens a session; the token goes in the session cookie. */
  async openSession(user: User): Promise<string> {
    const token = newToken();
    const at = this.#now();
    await this.#db.deleteFrom('sessions').where('expires_at', '<=', at).execute();
    await this.#db.insertInto('sessions').values({ token_hash: tokenHash(token), user_id: user.id, created_at: at, expires_at: at + SESSION_MS }).execute();
    return token;
  }

  /** The active user a session token belongs to. */
  async sessionUser(token: string): Promise<User | undefined> {
    if (token.length === 0 || token.length > 100) return undefined;
    const row = await this.#db.selectFrom('sessions').innerJoin('users', 'users.id', 'sessions.user_id')
      .select(['users.id', 'users.email', 'users.name', 'users.role', 'users.disabled', 'users.created_at', 'sessions.expires_at'])
      .where('sessions.token_hash', '=', tokenHash(token)).executeTakeFirst();
    if (!row || row.expires_at <= this.#now() || row.disabled === 1) return undefined;
    return userFromRow(row);
  }

  async closeSession(token: string): Promise<void> {
    await this.#db.deleteFrom('sessions').where('token_hash', '=', tokenHash(token)).execute();
  }

  /** An API token for scripts and CI: `Authorization: Bearer TOKEN` on the JSON API. */
  async createApiToken(user: User, label: string): Promise<string> {
    const token = newToken();
    await this.#db.insertInto('api_tokens').values({ token_hash: tokenHash(token), user_id: user.id, label: label.slice(0, 100), created_at: this.#now() }).execute();
    return token;
  }

  async tokenUser(token: string): Promise<User | undefined> {
    if (token.length === 0 || token.length > 100) return undefined;
    const row = await this.#db.selectFrom('api_tokens').innerJoin('users', 'users.id', 'api_tokens.user_id')
      .select(['users.id', 'users.email', 'users.name', 'users.role', 'users.disabled', 'users.created_at'])
      .where('api_tokens.token_hash', '=', tokenHash(token)).executeTakeFirst();
    if (!row || row.disabled === 1) return undefined;
    return userFromRow(row);
  }
}

/** Refuses, saying `why`, a change that would leave no active admin besides the member `id`. */
async function keepAnAdmin(trx: Transaction<Tables>, id: number, why: string): Promise<void> {
  const other = await trx.selectFrom('users').select('id').where('role', '=', 'admin').where('disabled', '=', 0).where('id', '!=', id).limit(1).executeTakeFirst();
  if (!other) throw new InputError('user', `${why}: make another member an admin first, so that someone can still manage accounts`);
}

/** The rule for every password a person chooses, at account creation and when changing it. */
function checkPassword(password: string, field = 'password'): void {
  if (password.length < MIN_PASSWORD_LENGTH) throw new InputError(field, `must be at least ${MIN_PASSWORD_LENGTH} characters`);
  if (password.length > MAX_PASSWORD_LENGTH) throw new InputError(field, `must be at most ${MAX_PASSWORD_LENGTH} characters`);
}
