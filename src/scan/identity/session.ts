/**
 * Credentials that expire and can be renewed (a login's token, an OAuth 2.0 access token): one
 * renewal at a time however many requests need it, renewal shortly before expiry, and after a 401
 * only when the refused request carried the current credentials. A failure is final for the scan:
 * trying the same credentials again on every request would look like password guessing, and can
 * lock the account.
 */
import { decodeJwt } from 'jose';
import type { ScanClient } from '../http/client.ts';
import type { OutgoingRequest } from '../http/request.ts';
import { carries } from './placement.ts';

export interface Grant {
  token: string;
  /** Milliseconds since the epoch; undefined when the token does not say and nobody configured it. */
  expiresAt: number | undefined;
  obtainedAt: number;
  /** An OAuth 2.0 refresh token, when the server gave one. */
  refreshToken?: string | undefined;
}

/** Why credentials are being obtained: the grant being replaced tells a refresh from a first login. */
export type Obtain = (client: ScanClient, previous: Grant | undefined) => Promise<Grant>;

const DEFAULT_REFRESH_BEFORE_MS = 30_000;

/** The `exp` of a JWT in milliseconds, or undefined for a token that is not a JWT or has none. */
export function jwtExpiry(token: string): number | undefined {
  try {
    const { exp } = decodeJwt(token);
    return exp === undefined ? undefined : exp * 1000;
  } catch {
    return undefined;
  }
}

export class Session {
  readonly #obtain: Obtain;
  readonly #refreshBeforeMs: number;
  #grant: Grant | undefined;
  #pending: Promise<Grant> | undefined;
  #failure: Error | undefined;

  constructor(obtain: Obtain, refreshBeforeSeconds: number | undefined) {
    this.#obtain = obtain;
    this.#refreshBeforeMs = refreshBeforeSeconds === undefined ? DEFAULT_REFRESH_BEFORE_MS : refreshBeforeSeconds * 1000;
  }

  get grant(): Grant | undefined {
    return this.#grant;
  }

  async ensure(client: ScanClient): Promise<void> {
    if (this.#grant !== undefined && !this.#expiring(this.#grant, client.clock.now())) return;
    await this.#renew(client);
  }

  /** After a 401: renews unless the refused request carried credentials already replaced. */
  async renewAfterRefusal(client: ScanClient, refused: OutgoingRequest | undefined): Promise<boolean> {
    const current = this.#grant;
    if (refused !== undefined && current !== undefined && !carries(refused, current.token)) return true;
    await this.#renew(client);
    return true;
  }

  /**
   * Renewal starts this long before expiry, but never earlier than half-way through the lifetime.
   * A token already expired when received (clocks apart) is used until refused: renewing it before
   * every request would log in before every request.
   */
  #expiring(grant: Grant, now: number): boolean {
    if (grant.expiresAt === undefined || grant.expiresAt <= grant.obtainedAt) return false;
    const margin = Math.min(this.#refreshBeforeMs, (grant.expiresAt - grant.obtainedAt) / 2);
    return now >= grant.expiresAt - margin;
  }

  async #renew(client: ScanClient): Promise<void> {
    if (this.#failure !== undefined) throw this.#failure;
    this.#pending ??= this.#obtain(client, this.#grant)
      .catch((error: unknown) => {
        this.#failure = error instanceof Error ? error : new Error(String(error));
        throw this.#failure;
      })
      .finally(() => {
        this.#pending = undefined;
      });
    this.#grant = await this.#pending;
  }
}
