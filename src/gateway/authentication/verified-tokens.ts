/**
 * Bearer tokens already verified, so that a caller's every request does not pay for a signature
 * check again: an ES256 verification is the largest single cost of a gateway request (about a
 * quarter of its CPU at 1 KB). A token is only remembered for as long as verifying it again would
 * accept it: from its `nbf` until its `exp`, with the clock tolerance jose applies, and under the
 * key set that verified it. Only accepted tokens enter, so forged ones cannot crowd it, and it
 * holds at most `capacity` of them, the oldest dropped first.
 */
import type { Principal } from './principal.ts';

export interface VerifiedToken {
  principal: Principal;
  /** Seconds since the epoch, from the token's claims. */
  notBefore: number | undefined;
  expires: number;
}

export interface VerifiedTokens {
  /** A new principal for `token` if it was verified and is still within its lifetime at `nowSeconds`. */
  recall(token: string, nowSeconds: number): Principal | undefined;
  remember(token: string, verified: VerifiedToken): void;
  /** Forgets every token: the keys that verified them changed. */
  clear(): void;
}

/**
 * @example
 * const tokens = createVerifiedTokens({ capacity: 10_000, toleranceSeconds: 30 });
 * tokens.remember(token, { principal, notBefore: payload.nbf, expires: payload.exp });
 * tokens.recall(token, Math.floor(Date.now() / 1000)); // a copy of principal, or undefined once expired
 */
export function createVerifiedTokens(options: { capacity: number; toleranceSeconds: number }): VerifiedTokens {
  const verified = new Map<string, VerifiedToken>();
  const { capacity, toleranceSeconds } = options;
  return {
    recall(token, nowSeconds) {
      const entry = verified.get(token);
      if (entry === undefined) return undefined;
      // The comparisons jose makes, so that a remembered token expires exactly when a checked one would.
      const started = entry.notBefore === undefined || entry.notBefore <= nowSeconds + toleranceSeconds;
      if (!started || entry.expires <= nowSeconds - toleranceSeconds) {
        verified.delete(token);
        return undefined;
      }
      // A new object per request: nothing one request does to its principal reaches another.
      return { ...entry.principal };
    },
    remember(token, entry) {
      if (capacity < 1) return;
      if (verified.size >= capacity) verified.delete(verified.keys().next().value ?? '');
      verified.set(token, { ...entry, principal: frozen(entry.principal) });
    },
    clear() {
      verified.clear();
    },
  };
}

/** Frozen all the way down: the principal's roles and claims are shared by every request with its token. */
function frozen<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) frozen(child);
  }
  return value;
}
