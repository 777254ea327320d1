/** Counters in this process's memory: for a single gateway instance. */
import type { Counters } from './counters.ts';
import { admission } from './counters.ts';
import { estimate, slidingWindow } from './sliding-window.ts';
import type { SlidingWindow } from './sliding-window.ts';

/** Beyond this many live keys, expired ones are swept before a new one is added. */
const SWEEP_AT = 100_000;

/** A window's entry lives until the next window ends, because until then it counts as the previous window. */
const expiryOf = (now: number, window: SlidingWindow): number => now + window.remainingMs + window.windowMs;

const nameOf = (key: string, index: number): string => `${key}\u0000${index}`;

/**
 * Distinct subjects are exact sets per window, so the estimate is |current| plus the weighted
 * number of members that are in the previous window but not in the current one.
 *
 * @example
 * ```ts
 * const counters = createMemoryCounters();
 * const admission = await counters.increment([{ key: 'principal:alice', requests: 600, windowMs: 60_000 }]);
 * ```
 */
export function createMemoryCounters(now: () => number = Date.now): Counters {
  const counts = new Map<string, { count: number; expires: number }>();
  const sets = new Map<string, { members: Set<string>; expires: number }>();
  const blocks = new Map<string, number>();
  const sweep = (map: Map<string, { expires: number }>): void => {
    if (map.size < SWEEP_AT) return;
    const moment = now();
    for (const [key, entry] of map) if (entry.expires <= moment) map.delete(key);
  };
  return {
    increment(limits) {
      const moment = now();
      const counted = limits.map((limit) => {
        const window = slidingWindow(moment, limit.windowMs);
        const countOf = (index: number): number => counts.get(nameOf(limit.key, index))?.count ?? 0;
        return { limit, window, previous: countOf(window.index - 1), current: countOf(window.index) };
      });
      const decision = admission(counted);
      if (!decision.admitted) return Promise.resolve(decision);
      for (const { limit, window } of counted) {
        const name = nameOf(limit.key, window.index);
        const entry = counts.get(name) ?? (sweep(counts), { count: 0, expires: expiryOf(moment, window) });
        entry.count += 1;
        counts.set(name, entry);
      }
      return Promise.resolve(decision);
    },
    addDistinct(key, members, windowMs) {
      const moment = now();
      const window = slidingWindow(moment, windowMs);
      const name = nameOf(key, window.index);
      const current = sets.get(name) ?? (sweep(sets), { members: new Set<string>(), expires: expiryOf(moment, window) });
      for (const member of members) current.members.add(member);
      sets.set(name, current);
      let onlyPrevious = 0;
      for (const member of sets.get(nameOf(key, window.index - 1))?.members ?? []) if (!current.members.has(member)) onlyPrevious += 1;
      return Promise.resolve(estimate({ window, previous: onlyPrevious, current: current.members.size }));
    },
    block(key, ms) {
      blocks.set(key, now() + ms);
      return Promise.resolve();
    },
    blockedFor(key) {
      const until = blocks.get(key);
      if (until === undefined) return Promise.resolve(0);
      const left = until - now();
      if (left <= 0) blocks.delete(key);
      return Promise.resolve(Math.max(0, left));
    },
    close: () => Promise.resolve(),
  };
}
