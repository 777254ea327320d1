/**
 * The gateway's rate limits and enumeration windows slide. Each key has a count for the current
 * fixed window and one for the previous window. The estimate `previous × weight + current`
 * weighs the previous count by the share of it still within one window of now. Every rule is
 * checked on both counters, in memory and in the real Redis on 127.0.0.1:6379, each driven by
 * the same hand-moved clock. The two must answer alike, because several gateways sharing Redis
 * and a single gateway counting in memory enforce the same limits.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import type { Principal } from '../src/gateway/authentication/index.ts';
import type { Admission, Counters, Limit } from '../src/gateway/counters/counters.ts';
import { createMemoryCounters } from '../src/gateway/counters/memory.ts';
import { connectRedisCounters } from '../src/gateway/counters/redis.ts';
import { createGuard } from '../src/gateway/limits.ts';
import { random } from './fixtures/random.ts';

const REDIS_URL = 'redis://127.0.0.1:6379';
const MINUTE = 60_000;

const admin = new Redis(REDIS_URL);
after(async () => {
  await admin.quit();
});

/** A clock that moves only when the test moves it. */
interface Clock {
  time: number;
  now: () => number;
}

function clockAt(time: number): Clock {
  const clock: Clock = { time, now: () => clock.time };
  return clock;
}

/** Opens counters on the clock. In Redis, every call within one test shares one key prefix, like gateway instances with one configuration. */
type Open = (clock: Clock) => Promise<Counters>;

interface Adapter {
  name: string;
  /** Distinct counts are exact in memory. Redis's HyperLogLogs are allowed 2%. */
  distinctTolerance: number;
  /** Runs `body` and cleans up after it. `prefix` is the test's Redis key prefix. */
  run(body: (open: Open, prefix: string) => Promise<void>): Promise<void>;
}

const memory: Adapter = {
  name: 'memory',
  distinctTolerance: 0,
  async run(body) {
    await body((clock) => Promise.resolve(createMemoryCounters(clock.now)), '');
  },
};

const redis: Adapter = {
  name: 'Redis',
  distinctTolerance: 0.02,
  async run(body) {
    const prefix = `leakproof-test-${randomUUID()}:`;
    const opened: Counters[] = [];
    try {
      await body(async (clock) => {
        const counters = await connectRedisCounters({ url: REDIS_URL, prefix }, clock.now);
        opened.push(counters);
        return counters;
      }, prefix);
    } finally {
      await Promise.all(opened.map((counters) => counters.close()));
      const keys = await admin.keys(`${prefix}*`);
      if (keys.length > 0) await admin.del(...keys);
    }
  },
};

/** One test per counter: the rule must hold in memory and in Redis alike. */
function onBoth(rule: string, body: (open: Open, adapter: Adapter) => Promise<void>): void {
  for (const adapter of [memory, redis]) it(`${rule} (${adapter.name})`, () => adapter.run((open) => body(open, adapter)));
}

const perMinute = (key: string, requests: number): Limit => ({ key, requests, windowMs: MINUTE });

/** Sends `n` requests at the clock's current time and answers how many were admitted. */
async function burst(counters: Counters, limits: readonly Limit[], n: number): Promise<number> {
  let admitted = 0;
  for (let i = 0; i < n; i += 1) if ((await counters.increment(limits)).admitted) admitted += 1;
  return admitted;
}

function refusal(admission: Admission): Extract<Admission, { admitted: false }> {
  assert.equal(admission.admitted, false, 'the request is refused');
  return admission;
}

function assertNear(actual: number, expected: number, tolerance: number, message: string): void {
  assert.ok(Math.abs(actual - expected) <= tolerance * expected, `${message}: ${actual}, expected ${expected}`);
}

describe('a limit spent at the end of one window is still spent at the start of the next', () => {
  onBoth('refuses the second burst that a fixed window would admit at the boundary', async (open) => {
    const clock = clockAt(MINUTE - 1000);
    const counters = await open(clock);
    const limits = [perMinute('principal:frank', 10)];
    assert.equal(await burst(counters, limits, 10), 10, 'the whole limit at the end of a window');
    clock.time = MINUTE;
    assert.equal(await burst(counters, limits, 10), 0, 'nothing at the start of the next: a fixed window would admit 10 more');
    clock.time = MINUTE + 1000;
    assert.equal(await burst(counters, limits, 10), 0, 'nor a second later: 10 × 59/60 + 1 > 10');
    clock.time = MINUTE + 6000;
    assert.equal(await burst(counters, limits, 10), 1, 'one more once a tenth of the previous window has slid out');
  });
});

describe('the previous window\'s weight falls linearly across the current window', () => {
  onBoth('after a full previous window, a burst admits the limit × the elapsed share of the current one', async (open) => {
    const clock = clockAt(0);
    const counters = await open(clock);
    for (const share of [0, 0.25, 0.5, 0.75]) {
      const limits = [perMinute(`principal:share-${share}`, 100)];
      clock.time = 0;
      assert.equal(await burst(counters, limits, 100), 100);
      clock.time = MINUTE + share * MINUTE;
      assert.equal(await burst(counters, limits, 150), 100 * share, `at ${share * 100}% of the next window`);
    }
  });

  onBoth('distinct people are the current window\'s plus the weighted ones seen only in the previous window', async (open, adapter) => {
    const clock = clockAt(0);
    const counters = await open(clock);
    const people = Array.from({ length: 45 }, (_, i) => `person-${i}`);
    for (const share of [0, 0.25, 0.5, 0.75]) {
      const key = `subjects:share-${share}`;
      clock.time = 0;
      await counters.addDistinct(key, people.slice(0, 40), MINUTE);
      clock.time = MINUTE + share * MINUTE;
      // 10 people read again and 5 new ones are in the current window; 30 are only in the previous one.
      const estimated = await counters.addDistinct(key, people.slice(30, 45), MINUTE);
      assertNear(estimated, 15 + 30 * (1 - share), adapter.distinctTolerance, `at ${share * 100}% of the next window`);
    }
  });
});

describe('after two idle windows nothing is left', () => {
  onBoth('the whole limit is free again and no one is counted', async (open) => {
    const clock = clockAt(MINUTE / 2);
    const counters = await open(clock);
    const limits = [perMinute('principal:frank', 10)];
    assert.equal(await burst(counters, limits, 10), 10);
    await counters.addDistinct('subjects:frank', ['a', 'b', 'c'], MINUTE);
    clock.time = 2 * MINUTE;
    assert.equal(await counters.addDistinct('subjects:frank', [], MINUTE), 0);
    assert.equal(await burst(counters, limits, 20), 10);
  });

  onBoth('but a trace remains until the second window has ended', async (open) => {
    const clock = clockAt(MINUTE / 2);
    const counters = await open(clock);
    const limits = [perMinute('principal:frank', 10)];
    assert.equal(await burst(counters, limits, 10), 10);
    clock.time = 2 * MINUTE - 1;
    assert.equal(await burst(counters, limits, 20), 9, '10 × 1/60000 is still counted');
  });
});

describe('Retry-After is the moment the next request fits', () => {
  /** The refusal's wait is exact: one millisecond earlier is refused, then the request fits. */
  async function assertExactWait(clock: Clock, counters: Counters, limits: readonly Limit[], expectedMs: number): Promise<void> {
    const { retryAfterMs } = refusal(await counters.increment(limits));
    assert.equal(retryAfterMs, expectedMs);
    const refusedAt = clock.time;
    clock.time = refusedAt + retryAfterMs - 1;
    assert.equal((await counters.increment(limits)).admitted, false, 'refused a millisecond early');
    clock.time = refusedAt + retryAfterMs;
    assert.equal((await counters.increment(limits)).admitted, true, 'admitted on time');
  }

  onBoth('while the previous window fades out', async (open) => {
    const clock = clockAt(0);
    const counters = await open(clock);
    const limits = [perMinute('principal:frank', 10)];
    assert.equal(await burst(counters, limits, 10), 10);
    clock.time = MINUTE * 1.5;
    assert.equal(await burst(counters, limits, 10), 5, '10 × 0.5 + 5 = 10');
    // The estimate must fall to 9: 10 × weight + 5 = 9 at weight 0.4, 6 s later.
    await assertExactWait(clock, counters, limits, 6000);
  });

  onBoth('when the current window alone holds the limit, past its end', async (open) => {
    const clock = clockAt(0);
    const counters = await open(clock);
    const limits = [perMinute('principal:frank', 10)];
    assert.equal(await burst(counters, limits, 10), 10);
    // The window ends in 60 s. Its 10 then become the previous window, and must fade to 9: 6 s more.
    await assertExactWait(clock, counters, limits, 66_000);
  });

  it('the guard rounds it up to whole seconds', async () => {
    const clock = clockAt(500);
    const guard = createGuard({ perPrincipal: { requests: 10, windowSeconds: 60 }, perOperation: {}, enumeration: undefined }, createMemoryCounters(clock.now));
    const frank: Principal = { authenticated: true, kind: 'jwt', sub: 'frank', roles: [], claims: {} };
    for (let i = 0; i < 10; i += 1) assert.deepEqual(await guard.admit(frank, 'getUser', '203.0.113.7'), { ok: true });
    const verdict = await guard.admit(frank, 'getUser', '203.0.113.7');
    assert.ok(!verdict.ok);
    // 59.5 s until the window ends, then 6 s: 65.5 s, said as 66.
    assert.equal(verdict.retryAfterSeconds, 66);
    assert.equal(verdict.status, 429);
  });
});

describe('a refused request is not counted', () => {
  onBoth('retrying while refused does not put off the moment the next request fits', async (open) => {
    const clock = clockAt(0);
    const counters = await open(clock);
    const limits = [perMinute('principal:frank', 10)];
    assert.equal(await burst(counters, limits, 10), 10);
    for (let second = 1; second < 66; second += 1) {
      clock.time = second * 1000;
      assert.equal(await burst(counters, limits, 20), 0);
      assert.equal(refusal(await counters.increment(limits)).retryAfterMs, 66_000 - clock.time);
    }
    clock.time = 66_000;
    assert.equal(await burst(counters, limits, 1), 1);
  });

  onBoth('a request one limit refuses is counted against none of them', async (open) => {
    const clock = clockAt(0);
    const counters = await open(clock);
    const principal = perMinute('principal:frank', 5);
    const operation = perMinute('operation:searchUsers:frank', 2);
    assert.equal(await burst(counters, [principal, operation], 2), 2);
    const refused = refusal(await counters.increment([principal, operation]));
    assert.equal(refused.limit.key, operation.key, 'the operation\'s limit refused');
    assert.equal(await burst(counters, [principal, operation], 10), 0);
    assert.equal(await burst(counters, [principal], 10), 3, 'the principal spent 2 of 5, not 13');
  });

  onBoth('the wait is the longest of the limits that refuse', async (open) => {
    const clock = clockAt(0);
    const counters = await open(clock);
    const hourly: Limit = { key: 'principal:frank', requests: 3, windowMs: 60 * MINUTE };
    const operation = perMinute('operation:searchUsers:frank', 3);
    assert.equal(await burst(counters, [hourly, operation], 3), 3);
    // The minute's 3 fade to 2 by 80 s; the hour's fade to 2 by 60 min + 20 min.
    assert.equal(refusal(await counters.increment([hourly, operation])).retryAfterMs, 80 * MINUTE);
  });
});

describe('memory and Redis decide alike', () => {
  /** Runs the same sequence on an adapter and answers what it was told at each step. */
  async function replay<T>(adapter: Adapter, steps: (counters: Counters, clock: Clock) => Promise<T[]>): Promise<T[]> {
    let answers: T[] = [];
    await adapter.run(async (open) => {
      const clock = clockAt(7 * MINUTE);
      answers = await steps(await open(clock), clock);
    });
    return answers;
  }

  it('the same requests get the same admissions, refusing limits and waits', async () => {
    const steps = async (counters: Counters, clock: Clock): Promise<Admission[]> => {
      const next = random(2021);
      const answers: Admission[] = [];
      for (let i = 0; i < 600; i += 1) {
        clock.time += Math.floor(next() * 2500);
        const operation = next() < 0.7 ? 'searchUsers' : 'getUser';
        answers.push(await counters.increment([perMinute('principal:frank', 20), { key: `operation:${operation}:frank`, requests: 6, windowMs: 30_000 }]));
      }
      return answers;
    };
    const inMemory = await replay(memory, steps);
    assert.ok(inMemory.some((answer) => answer.admitted) && inMemory.some((answer) => !answer.admitted), 'the sequence both admits and refuses');
    assert.deepEqual(await replay(redis, steps), inMemory);
  });

  it('the same answers get the same enumeration decisions, and estimates within Redis\'s error', async () => {
    const steps = async (counters: Counters, clock: Clock): Promise<number[]> => {
      const next = random(1999);
      const answers: number[] = [];
      for (let i = 0; i < 200; i += 1) {
        clock.time += Math.floor(next() * 20_000);
        const people = Array.from({ length: 1 + Math.floor(next() * 4) }, () => `person-${Math.floor(next() * 80)}`);
        answers.push(await counters.addDistinct('subjects:frank', people, 10 * MINUTE));
      }
      return answers;
    };
    const inMemory = await replay(memory, steps);
    const inRedis = await replay(redis, steps);
    const threshold = 40;
    assert.ok(inMemory.some((estimated) => estimated > threshold) && inMemory.some((estimated) => estimated <= threshold), 'the sequence crosses the threshold');
    assert.deepEqual(inRedis.map((estimated) => estimated > threshold), inMemory.map((estimated) => estimated > threshold));
    inRedis.forEach((estimated, i) => { assertNear(estimated, inMemory[i] ?? 0, redis.distinctTolerance, `answer ${i}`); });
  });
});

describe('gateway instances that share Redis share one sliding window', () => {
  it('counts requests and people through either instance against the same limits', async () => {
    await redis.run(async (open) => {
      const clock = clockAt(MINUTE - 1000);
      const [one, two] = [await open(clock), await open(clock)];
      const limits = [perMinute('principal:frank', 10)];
      for (let i = 0; i < 10; i += 1) assert.equal((await (i % 2 === 0 ? one : two).increment(limits)).admitted, true);
      clock.time = MINUTE;
      assert.equal((await two.increment(limits)).admitted, false, 'the other instance sees the previous window too');
      await one.addDistinct('subjects:frank', ['a', 'b', 'c'], MINUTE);
      assert.equal(await two.addDistinct('subjects:frank', ['c', 'd'], MINUTE), 4);
    });
  });

  it('keeps a window\'s keys until the end of the next window, while they still count', async () => {
    await redis.run(async (open, prefix) => {
      const clock = clockAt(MINUTE / 2);
      const counters = await open(clock);
      await counters.increment([perMinute('principal:frank', 10)]);
      await counters.addDistinct('subjects:frank', ['a'], MINUTE);
      for (const key of [`${prefix}count:principal:frank:0`, `${prefix}distinct:subjects:frank:0`]) {
        const ttl = await admin.pttl(key);
        // Half a window left, one more window, and a second for clocks that lag.
        assert.ok(ttl > MINUTE * 1.5 && ttl <= MINUTE * 1.5 + 1000, `${key} expires in ${ttl} ms`);
      }
    });
  });
});
