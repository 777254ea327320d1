/** Counters in this process's memory: for a single gateway instance. */
import type { Counters } from './counters.ts';
import { windowOf } from './counters.ts';

/** Beyond this many live keys, expired ones are swept before a new one is added. */
const SWEEP_AT = 100_000;

/**
 * @example
 * ```ts
 * const counters = createMemoryCounters();
 * const { count } = await counters.increment('principal:alice', 60_000);
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
    increment(key, windowMs) {
      const { index, resetMs } = windowOf(now(), windowMs);
      const name = `${key}\u0000${index}`;
      const entry = counts.get(name) ?? (sweep(counts), { count: 0, expires: now() + resetMs });
      entry.count += 1;
      counts.set(name, entry);
      return Promise.resolve({ count: entry.count, resetMs });
    },
    addDistinct(key, members, windowMs) {
      const { index, resetMs } = windowOf(now(), windowMs);
      const name = `${key}\u0000${index}`;
      const entry = sets.get(name) ?? (sweep(sets), { members: new Set<string>(), expires: now() + resetMs });
      for (const member of members) entry.members.add(member);
      sets.set(name, entry);
      return Promise.resolve(entry.members.size);
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
