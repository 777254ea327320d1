/**
 * The gateway's shared counters, behind one interface with two adapters: memory, for one
 * instance, and Redis, for several instances behind a load balancer that must share their limits.
 * Windows are fixed (`floor(now / window)`): simple, the same on every instance, and cheap.
 */

export interface WindowCount {
  count: number;
  /** Milliseconds until the window ends. */
  resetMs: number;
}

export interface Counters {
  /** Adds one to `key`'s count in the current window. */
  increment(key: string, windowMs: number): Promise<WindowCount>;
  /**
   * Adds `members` to `key`'s set in the current window and answers how many distinct members it
   * holds (approximate in Redis, which counts with a HyperLogLog: about 0.8% standard error).
   */
  addDistinct(key: string, members: readonly string[], windowMs: number): Promise<number>;
  /** Marks `key` as blocked for `ms`. */
  block(key: string, ms: number): Promise<void>;
  /** Milliseconds `key` stays blocked; 0 when it is not. */
  blockedFor(key: string): Promise<number>;
  close(): Promise<void>;
}

/** The window a moment falls in, and how long it has left. */
export function windowOf(now: number, windowMs: number): { index: number; resetMs: number } {
  const index = Math.floor(now / windowMs);
  return { index, resetMs: (index + 1) * windowMs - now };
}
