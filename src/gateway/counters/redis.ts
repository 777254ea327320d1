/**
 * Counters in Redis, shared by every gateway instance that names the same server and prefix:
 * INCR for counts, a HyperLogLog (PFADD/PFCOUNT) for distinct subjects, a key with a TTL for
 * blocks. Every key expires with its window, so Redis never has to be cleaned.
 */
import { Redis } from 'ioredis';
import { ExitCode, LeakproofError } from '../../core/errors.ts';
import type { Counters } from './counters.ts';
import { windowOf } from './counters.ts';

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
    async increment(key, windowMs) {
      const { index, resetMs } = windowOf(now(), windowMs);
      const name = `count:${key}:${index}`;
      const [count] = results(await redis.multi().incr(name).pexpire(name, resetMs + 1000).exec());
      return { count: Number(count), resetMs };
    },
    async addDistinct(key, members, windowMs) {
      const { index, resetMs } = windowOf(now(), windowMs);
      const name = `distinct:${key}:${index}`;
      const transaction = redis.multi();
      if (members.length > 0) transaction.pfadd(name, ...members);
      const replies = results(await transaction.pfcount(name).pexpire(name, resetMs + 1000).exec());
      return Number(replies.at(-2));
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
