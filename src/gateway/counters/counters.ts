/**
 * The gateway's shared counters, behind one interface with two adapters: memory, for one
 * instance, and Redis, for several instances behind a load balancer that must share their limits.
 *
 * Windows slide (see sliding-window.ts). Each key keeps a count for the current fixed window
 * (`floor(now / window)`) and for the previous one. A limit compares `previous × weight + current`
 * with its maximum, where the weight falls from 1 to 0 across the current window. So a caller
 * cannot spend a limit at the end of one window and again at the start of the next. Both adapters
 * take the time from the `now` they are given (the gateway's clock, never Redis's) and decide
 * with the same functions, so they give the same answers. Instances that share Redis agree on the
 * windows as closely as their clocks agree.
 */
import type { WindowCounts } from './sliding-window.ts';
import { admits, retryAfterMs } from './sliding-window.ts';

/** At most `requests` on `key` within any `windowMs`, as the sliding window estimates it. */
export interface Limit {
  key: string;
  requests: number;
  windowMs: number;
}

export type Admission =
  | { admitted: true }
  /** `limit` is the first limit that refused, and `retryAfterMs` is when every refusing limit admits again. */
  | { admitted: false; limit: Limit; retryAfterMs: number };

export interface Counters {
  /**
   * Counts one request against every limit. If that would take any limit's estimate past its
   * `requests`, counts it against none and refuses it. A refused request is not counted: a caller
   * who keeps retrying cannot hold its estimate up forever, and gets in again when
   * `retryAfterMs` says. The check and the count are one atomic step, so concurrent requests
   * cannot pass a limit together.
   */
  increment(limits: readonly Limit[]): Promise<Admission>;
  /**
   * Adds `members` to `key`'s set in the current window. Answers the sliding estimate of
   * distinct members: all of the current window's members, plus the weighted number of members
   * seen only in the previous window. It is approximate in Redis, which counts with
   * HyperLogLogs (about 0.8% standard error).
   */
  addDistinct(key: string, members: readonly string[], windowMs: number): Promise<number>;
  /** Marks `key` as blocked for `ms`. */
  block(key: string, ms: number): Promise<void>;
  /** Milliseconds `key` stays blocked; 0 when it is not. */
  blockedFor(key: string): Promise<number>;
  close(): Promise<void>;
}

/** A limit's counts, as read before the request in question was counted. */
export interface LimitCounts extends WindowCounts {
  limit: Limit;
}

/**
 * The decision both adapters make from the counts they read.
 *
 * @example
 * ```ts
 * const decision = admission([{ limit, window: slidingWindow(now, limit.windowMs), previous: 3, current: 1 }]);
 * if (decision.admitted) countTheRequest();
 * ```
 */
export function admission(counted: readonly LimitCounts[]): Admission {
  const refusing = counted.filter((counts) => !admits(counts, counts.limit.requests));
  const [first] = refusing;
  if (!first) return { admitted: true };
  // Nothing is counted while the request is refused, so each refusing limit's estimate only falls.
  // Once the slowest of them admits again, they all do.
  return { admitted: false, limit: first.limit, retryAfterMs: Math.max(...refusing.map((counts) => retryAfterMs(counts, counts.limit.requests))) };
}
