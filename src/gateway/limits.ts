/**
 * Rate limits and enumeration detection: the two things that would have turned the 2021 scrape
 * (one caller reading thousands of riders through search and bulk lookups) into an alert within
 * minutes. Limits count requests per principal and per operation. Enumeration counts the
 * distinct people whose records one principal received in a window, and blocks the principal
 * once it passes the threshold (the answer that crosses it is refused too). Windows slide (see
 * counters/sliding-window.ts), so neither can be doubled by straddling a window boundary.
 *
 * A request that a limit refuses is not counted against any limit. Otherwise a client that keeps
 * retrying would keep its estimate above the limit, and with sliding windows no boundary would
 * ever reset it. Not counting refusals does not open the gate, because the check and the count
 * are one atomic step. Retry-After is the wait, rounded up to whole seconds, until the next
 * request fits, provided the principal sends nothing else in the meantime. The people in an
 * answer that enumeration refuses are counted, because the principal asked for them. During the
 * block that follows, nothing more is counted, so the estimate decays.
 *
 * When the counters cannot be reached (Redis down), the request is refused: fail closed.
 */
import type { Principal } from './authentication/index.ts';
import type { Counters, Limit } from './counters/counters.ts';

export interface RateLimit {
  requests: number;
  windowSeconds: number;
}

export interface LimitSettings {
  perPrincipal: RateLimit | undefined;
  perOperation: Record<string, RateLimit>;
  enumeration: { distinctSubjects: number; windowSeconds: number; blockSeconds: number } | undefined;
}

/** What a guard said: go on, or refuse with a status and how long to wait. */
export type Verdict = { ok: true } | { ok: false; status: 429 | 503; retryAfterSeconds: number; reason: string };

export interface EnumerationAlert {
  time: number;
  principal: string;
  operation: string;
  /** The sliding window's estimate of distinct people, rounded up: always above the threshold. */
  distinctSubjects: number;
  windowSeconds: number;
  blockedSeconds: number;
}

export interface Guard {
  /** Before the upstream is asked: blocked principals and exhausted limits. */
  admit(principal: Principal, operation: string, client: string): Promise<Verdict>;
  /** Before an answer goes out: the people it carries, counted against the principal. */
  release(principal: Principal, operation: string, client: string, subjects: readonly string[]): Promise<Verdict>;
}

const limitOn = (key: string, limit: RateLimit | undefined): Limit | undefined => (limit ? { key, requests: limit.requests, windowMs: limit.windowSeconds * 1000 } : undefined);

/**
 * @example
 * ```ts
 * const guard = createGuard(settings, createMemoryCounters(), (alert) => log(alert));
 * const verdict = await guard.admit(principal, 'searchUsers', '203.0.113.7');
 * ```
 */
export function createGuard(settings: LimitSettings, counters: Counters, onAlert: (alert: EnumerationAlert) => void = () => undefined): Guard {
  const who = (principal: Principal, client: string): string => (principal.authenticated ? `${principal.kind}:${principal.sub}` : `anonymous:${client}`);
  const unavailable = (error: unknown): Verdict => ({ ok: false, status: 503, retryAfterSeconds: 1, reason: `the gateway's counters failed: ${error instanceof Error ? error.message : String(error)}` });
  return {
    async admit(principal, operation, client) {
      const key = who(principal, client);
      try {
        const blocked = await counters.blockedFor(`principal:${key}`);
        if (blocked > 0) return { ok: false, status: 429, retryAfterSeconds: Math.ceil(blocked / 1000), reason: `${key} is blocked for reading too many people's records` };
        const limits = [limitOn(`principal:${key}`, settings.perPrincipal), limitOn(`operation:${operation}:${key}`, settings.perOperation[operation])].filter((limit) => limit !== undefined);
        if (limits.length === 0) return { ok: true };
        const admission = await counters.increment(limits);
        if (!admission.admitted) {
          const { limit, retryAfterMs } = admission;
          return { ok: false, status: 429, retryAfterSeconds: Math.ceil(retryAfterMs / 1000), reason: `${key} reached ${limit.requests} requests in ${limit.windowMs / 1000} s (${limit.key})` };
        }
        return { ok: true };
      } catch (error) {
        return unavailable(error);
      }
    },
    async release(principal, operation, client, subjects) {
      const { enumeration } = settings;
      const others = subjects.filter((subject) => subject !== principal.sub);
      if (!enumeration || others.length === 0) return { ok: true };
      const key = who(principal, client);
      try {
        const estimated = await counters.addDistinct(`subjects:${key}`, others, enumeration.windowSeconds * 1000);
        if (estimated <= enumeration.distinctSubjects) return { ok: true };
        await counters.block(`principal:${key}`, enumeration.blockSeconds * 1000);
        const distinct = Math.ceil(estimated);
        onAlert({ time: Date.now(), principal: key, operation, distinctSubjects: distinct, windowSeconds: enumeration.windowSeconds, blockedSeconds: enumeration.blockSeconds });
        return { ok: false, status: 429, retryAfterSeconds: enumeration.blockSeconds, reason: `${key} received ${distinct} people's records in ${enumeration.windowSeconds} s` };
      } catch (error) {
        return unavailable(error);
      }
    },
  };
}
