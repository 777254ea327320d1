/**
 * The sliding window counter, as Cloudflare and others use it for rate limits: a count for the
 * current fixed window and one for the previous window, and the estimate
 * `previous × weight + current`, where the weight is the share of the previous window that still
 * lies within one window's length of now. It assumes that the previous window's requests were
 * spread evenly. It needs two numbers per key, not the time of every request. It also has no
 * boundary to burst across: a limit spent at the end of one window is still nearly all spent at
 * the start of the next.
 *
 * Only arithmetic on counts lives here. The memory and Redis counters store the counts and decide
 * with these functions. Redis's script repeats `admits` in Lua, because its check and its count
 * must be one atomic step.
 */

export interface SlidingWindow {
  windowMs: number;
  /** The current fixed window, `floor(now / windowMs)`. The previous one is `index - 1`. */
  index: number;
  /** Milliseconds until the current window ends. */
  remainingMs: number;
  /** The previous window's share of the estimate: 1 when the current window starts, 0 when it ends. */
  weight: number;
}

/** What has been counted in a key's current window and in its previous one. */
export interface WindowCounts {
  window: SlidingWindow;
  previous: number;
  current: number;
}

/**
 * @example
 * ```ts
 * slidingWindow(90_000, 60_000); // { windowMs: 60000, index: 1, remainingMs: 30000, weight: 0.5 }
 * ```
 */
export function slidingWindow(now: number, windowMs: number): SlidingWindow {
  const index = Math.floor(now / windowMs);
  const remainingMs = (index + 1) * windowMs - now;
  return { windowMs, index, remainingMs, weight: remainingMs / windowMs };
}

/**
 * @example
 * ```ts
 * estimate({ window: slidingWindow(90_000, 60_000), previous: 10, current: 2 }); // 7
 * ```
 */
export function estimate({ window, previous, current }: WindowCounts): number {
  return previous * window.weight + current;
}

/**
 * Whether one more request fits: counted, it leaves the estimate at or under `requests`.
 *
 * @example
 * ```ts
 * admits({ window: slidingWindow(90_000, 60_000), previous: 10, current: 2 }, 8); // true: 7 + 1 ≤ 8
 * ```
 */
export function admits(counts: WindowCounts, requests: number): boolean {
  return estimate(counts) + 1 <= requests;
}

/**
 * Milliseconds until a request that `admits` refused would fit, as long as nothing more is
 * counted. Refused requests are not counted, so retrying does not delay this time. The time is
 * exact, because without new counts the estimate only falls, and falls continuously. Within the
 * current window, the previous count's weight falls linearly to 0. At the boundary, the current
 * count becomes the previous one at weight 1, so the estimate does not jump. Then that count
 * fades across the next window. The result is rounded up to whole milliseconds, and is at least
 * 1 ms, so that floating-point rounding can never answer "now" to a refused request.
 *
 * @example
 * ```ts
 * retryAfterMs({ window: slidingWindow(90_000, 60_000), previous: 10, current: 2 }, 7); // 6000
 * ```
 */
export function retryAfterMs({ window, previous, current }: WindowCounts, requests: number): number {
  // The estimate must fall to `room` to leave space for one more request.
  const room = requests - 1;
  const wait = current <= room
    // The previous window's weight falls to (room - current) / previous before this window ends.
    ? window.remainingMs - (window.windowMs * (room - current)) / previous
    // The current count alone is too many: it becomes the previous count, and must fade to `room`.
    : window.remainingMs + (window.windowMs * (current - room)) / current;
  return Math.max(1, Math.ceil(wait));
}
