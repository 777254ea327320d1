/**
 * When to try again after a 429 (Too Many Requests) or 503 (Service Unavailable): when the server
 * says, through `Retry-After` (RFC 9110 §10.2.3), or else after an exponential backoff.
 */
import type { HttpMethod } from '../../core/model.ts';

export interface RetryOptions {
  /** Retries per request after the first attempt. Default 2. */
  attempts?: number;
  /** Longest wait the scan accepts; a server asking for longer is not retried. Default 60 000. */
  maxDelayMs?: number;
  /** First backoff when the server gives no `Retry-After`, doubled on each retry. Default 1000. */
  backoffMs?: number;
}

export type RetryPolicy = Required<RetryOptions>;

export const DEFAULT_RETRY: RetryPolicy = { attempts: 2, maxDelayMs: 60_000, backoffMs: 1000 };

/** A 503 may come after the server acted; repeat only what is safe to repeat (RFC 9110 §9.2.2). */
const IDEMPOTENT: ReadonlySet<HttpMethod> = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE', 'TRACE']);

export function isRetryable(method: HttpMethod, status: number): boolean {
  return status === 429 || (status === 503 && IDEMPOTENT.has(method));
}

/** `Retry-After` in milliseconds from `now`: delay-seconds or an HTTP date; undefined if neither. */
export function parseRetryAfter(value: string | undefined, now: number): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/**
 * How long to wait before retry number `retry` (1-based), or undefined when the scan should not
 * retry: out of attempts, or asked to wait longer than it accepts.
 */
export function retryDelay(policy: RetryPolicy, retry: number, retryAfter: string | undefined, now: number): number | undefined {
  if (retry > policy.attempts) return undefined;
  const asked = parseRetryAfter(retryAfter, now);
  const delay = asked ?? policy.backoffMs * 2 ** (retry - 1);
  if (asked !== undefined && asked > policy.maxDelayMs) return undefined;
  return Math.min(delay, policy.maxDelayMs);
}
