/**
 * Counters in Redis, shared by every gateway instance that names the same server and prefix.
 * Each key has, per fixed window, a count of requests or a HyperLogLog of distinct subjects. A
 * Lua script reads and increments the counts; one MULTI adds subjects (PFADD) and counts them
 * (PFCOUNT). Each is one round trip. Blocks are keys with a TTL. A window's key expires at the
 * end of the next window, the last moment it still counts as the previous window, so Redis never
 * has to be cleaned.
 */
import { Redis } from 'ioredis';
import type { Result } from 'ioredis';
import { ExitCode, LeakproofError } from '../../core/errors.ts';
import type { Counters } from './counters.ts';
import { admission } from './counters.ts';
import type { SlidingWindow } from './sliding-window.ts';
import { estimate, slidingWindow } from './sliding-window.ts';

/**
 * KEYS are each limit's previous and current window. ARGV is each limit's weight, maximum number
 * of requests, and expiry in ms. The script counts the request in every current window, or in none
 * if any limit refuses it. The refusal rule is `admits` from sliding-window.ts. The weight is sent
 * as JavaScript's shortest round-trip decimal, which Lua reads back as the same double, and the
 * operations run in the same order, so Redis and memory decide alike. The script answers with the
 * counts it read before counting, and the caller derives the decision and Retry-After from them.
 * Reading and counting in one script keeps instances from passing a limit together.
 */
const INCREMENT = `
local admitted = true
local counts = {}
for i = 1, #KEYS / 2 do
  local previous = tonumber(redis.call('GET', KEYS[2 * i - 1]) or '0')
  local current = tonumber(redis.call('GET', KEYS[2 * i]) or '0')
  counts[2 * i - 1] = previous
  counts[2 * i] = current
  if previous * tonumber(ARGV[3 * i - 2]) + current + 1 > tonumber(ARGV[3 * i - 1]) then admitted = false end
end
if admitted then
  for i = 1, #KEYS / 2 do
    redis.call('INCR', KEYS[2 * i])
    redis.call('PEXPIRE', KEYS[2 * i], ARGV[3 * i])
  end
end
return counts
`;

declare module 'ioredis' {
  interface RedisCommander<Context> {
    /** INCREMENT, sent with EVALSHA (EVAL when Redis does not have it yet). */
    leakproofIncrement(keyCount: number, ...keysThenArgs: (string | number)[]): Result<number[], Context>;
  }
}

/**
 * A window's key lives until the end of the next window. The extra second covers an instance
 * whose clock runs a little behind the one that wrote the key.
 */
const expiryMs = (window: SlidingWindow): number => Math.ceil(window.remainingMs + window.windowMs) + 1000;

export interface RedisCountersOptions {
  url: string;
  /** Prepended to every key, so that several gateways (or tests) can share one server. */
  prefix: string;
  /** Longest wait for Redis before a decision fails (and the gateway fails closed). */
  timeoutMs?: number;
}

/** Redis could not be reached when the gateway started. */
export class CountersError extends LeakproofError {
  override readonly code = 'ERR_GATEWAY_COUNTERS';
  override readonly exitCode = ExitCode.Runtime;
}

/**
 * Connects first, so that a gateway never starts with limits it cannot count. Later outages make
 * each decision fail (and the gateway answer 503) until the connection is back.
 *
 * @example
 * ```ts
 * const counters = await connectRedisCounters({ url: 'redis://127.0.0.1:6379', prefix: 'leakproof:' });
 * await counters.addDistinct('subjects:alice', ['u1', 'u2'], 600_000);
 * ```
 */
export async function connectRedisCounters(options: RedisCountersOptions, now: () => number = Date.now): Promise<Counters> {
  const redis = new Redis(options.url, {
    keyPrefix: options.prefix,
    commandTimeout: options.timeoutMs ?? 500,
    connectTimeout: 2000,
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    lazyConnect: true,
    scripts: { leakproofIncrement: { lua: INCREMENT } },
  });
  // Errors surface on the commands that fail; without a listener ioredis would also print them.
  redis.on('error', () => undefined);
  try {
    await redis.connect();
  } catch (error) {
    redis.disconnect();
    throw new CountersError(`cannot reach Redis at ${options.url}: ${error instanceof Error ? error.message : String(error)}`, { hint: 'start it, or remove gateway.counters to count in memory (one instance only)', cause: error });
  }
  return {
    async increment(limits) {
      const moment = now();
      const windows = limits.map((limit) => ({ limit, window: slidingWindow(moment, limit.windowMs) }));
      const keys = windows.flatMap(({ limit, window }) => [`count:${limit.key}:${window.index - 1}`, `count:${limit.key}:${window.index}`]);
      const args = windows.flatMap(({ limit, window }) => [window.weight, limit.requests, expiryMs(window)]);
      const counts = await redis.leakproofIncrement(keys.length, ...keys, ...args);
      return admission(windows.map(({ limit, window }, i) => ({ limit, window, previous: counts[2 * i] ?? 0, current: counts[2 * i + 1] ?? 0 })));
    },
    async addDistinct(key, members, windowMs) {
      const window = slidingWindow(now(), windowMs);
      const previous = `distinct:${key}:${window.index - 1}`;
      const current = `distinct:${key}:${window.index}`;
      const transaction = redis.multi();
      if (members.length > 0) transaction.pfadd(current, ...members);
      const replies = results(await transaction.pfcount(current).pfcount(previous, current).pexpire(current, expiryMs(window)).exec());
      // |previous \ current| is |previous ∪ current| − |current|. Two HyperLogLog estimates can
      // be off in opposite directions, so the difference is kept from going below zero.
      const [inCurrent, inEither] = replies.slice(-3, -1).map(Number);
      return estimate({ window, previous: Math.max(0, (inEither ?? 0) - (inCurrent ?? 0)), current: inCurrent ?? 0 });
    },
    async block(key, ms) {
      await redis.set(`block:${key}`, '1', 'PX', Math.max(1, Math.round(ms)));
    },
    async blockedFor(key) {
      return Math.max(0, await redis.pttl(`block:${key}`));
    },
    async close() {
      await redis.quit().catch(() => {
        redis.disconnect();
      });
    },
  };
}

/** A transaction's replies; the first failed command's error is thrown, so no decision rests on it. */
function results(replies: [Error | null, unknown][] | null): unknown[] {
  if (!replies) throw new Error('the Redis transaction was discarded');
  return replies.map(([error, value]) => {
    if (error) throw error;
    return value;
  });
}
