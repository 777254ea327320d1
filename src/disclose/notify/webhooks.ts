/**
 * Webhooks: each event POSTed as JSON to every configured URL, signed the Standard Webhooks way
 * (https://www.standardwebhooks.com) so that a receiver can check with any Standard Webhooks
 * library that it came from this tracker, and refuse a captured delivery replayed later: the
 * signature covers the event's id and the attempt's time as well as the exact body. A failing
 * endpoint is retried a bounded number of times and then reported, never thrown: one broken chat
 * integration must not stop the mail or the other endpoints.
 */
import { createHmac } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Dispatcher } from 'undici';
import { request } from 'undici';
import type { PendingNotice } from './digest.ts';

export interface WebhookTarget {
  url: string;
  /** The Standard Webhooks secret shared with the receiver: `whsec_` and the base64 of at least 24 random bytes. */
  secret: string;
}

/** What is sent. `id` names the event for good (it is the `webhook-id`), so that a receiver can drop a retried delivery it already has. */
export interface WebhookEvent {
  id: string;
  type: string;
  [field: string]: unknown;
}

export interface WebhookOptions {
  /** Bound on each attempt, from connecting to the end of the answer (default 5 s). */
  timeoutMs?: number | undefined;
  /** Attempts per endpoint, the first included (default 3). */
  attempts?: number | undefined;
  /** Wait before the first retry, doubled before each next one (default 1 s). */
  backoffMs?: number | undefined;
  /** Longest wait a 429 or 503 answer's `Retry-After` can ask for (default 60 s), so that one endpoint cannot hold a sweep for hours. */
  maxRetryAfterMs?: number | undefined;
  /** The undici dispatcher to send through (default: undici's global one). */
  dispatcher?: Dispatcher | undefined;
}

export interface WebhookOutcome {
  url: string;
  delivered: boolean;
  /** Attempts made; 0 when the target's secret could not sign anything. */
  attempts: number;
  /** The last answer's status; null when none came. */
  status: number | null;
  /** Why the last attempt failed; null once delivered. */
  error: string | null;
}

/** What a webhook secret must look like, for error messages. */
export const WEBHOOK_SECRET_FORMAT = 'a Standard Webhooks secret: whsec_ followed by the base64 of at least 24 random bytes';

const SECRET_PREFIX = 'whsec_';
const MIN_SECRET_BYTES = 24;

/**
 * The HMAC key of a Standard Webhooks secret: the bytes its base64 (after `whsec_`) stands for.
 * Undefined for anything else, including base64 that is not written the one canonical way, since
 * lenient decoders differ on such text and a receiver could then compute another key.
 *
 * @example
 * ```ts
 * webhookSecretKey(`whsec_${randomBytes(32).toString('base64')}`); // 32 bytes
 * webhookSecretKey('hunter2'); // undefined
 * ```
 */
export function webhookSecretKey(secret: string): Buffer | undefined {
  if (!secret.startsWith(SECRET_PREFIX)) return undefined;
  const encoded = secret.slice(SECRET_PREFIX.length);
  const key = Buffer.from(encoded, 'base64');
  return key.length >= MIN_SECRET_BYTES && key.toString('base64') === encoded ? key : undefined;
}

/**
 * The event for a reminder or an escalation, named by the notice's key.
 *
 * @example
 * ```ts
 * await postWebhooks(targets, noticeEvent(pending));
 * ```
 */
export function noticeEvent({ notice, case: c }: PendingNotice): WebhookEvent {
  return {
    id: notice.key,
    type: `deadline.${notice.kind}`,
    case: { id: c.id, reference: c.reference, title: c.title, severity: c.severity },
    clock: notice.clock,
    dueAt: new Date(notice.dueAt).toISOString(),
  };
}

/**
 * The `webhook-signature` value for one attempt: `v1,` and the base64 HMAC-SHA256, keyed with the
 * secret's bytes, of `id.timestamp.body`. Throws a TypeError for a secret `webhookSecretKey` refuses.
 *
 * @example
 * ```ts
 * signatureOf(secret, 'msg_1', Math.floor(Date.now() / 1000), rawBody); // 'v1,K5o…='
 * ```
 */
export function signatureOf(secret: string, id: string, timestamp: number, body: string): string {
  const key = webhookSecretKey(secret);
  if (key === undefined) throw new TypeError(`the webhook secret is not ${WEBHOOK_SECRET_FORMAT}`);
  return sign(key, id, timestamp, body);
}

function sign(key: Buffer, id: string, timestamp: number, body: string): string {
  return `v1,${createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64')}`;
}

/**
 * POSTs `event` to every target at once; retries an endpoint that times out, cannot be reached, or
 * answers 408, 429 or 5xx, with a doubling wait, or the wait a 429 or 503 answer's `Retry-After`
 * asks for (capped). Each attempt is signed afresh with its own timestamp, so that a retry late in
 * the backoff is still inside the receiver's tolerance. Resolves with one outcome per target; never rejects.
 *
 * @example
 * ```ts
 * const outcomes = await postWebhooks([{ url: 'https://hooks.example.com/leakproof', secret }], event);
 * for (const o of outcomes.filter((o) => !o.delivered)) log.warn(`${o.url}: ${o.error}`);
 * ```
 */
export async function postWebhooks(targets: readonly WebhookTarget[], event: WebhookEvent, options: WebhookOptions = {}): Promise<WebhookOutcome[]> {
  const body = JSON.stringify(event);
  return Promise.all(targets.map((target) => deliver(target, event, body, options)));
}

async function deliver(target: WebhookTarget, event: WebhookEvent, body: string, options: WebhookOptions): Promise<WebhookOutcome> {
  const key = webhookSecretKey(target.secret);
  if (key === undefined) return { url: target.url, delivered: false, attempts: 0, status: null, error: `the secret is not ${WEBHOOK_SECRET_FORMAT}` };
  const attempts = Math.max(1, options.attempts ?? 3);
  const backoff = options.backoffMs ?? 1000;
  const maxRetryAfter = options.maxRetryAfterMs ?? 60_000;
  for (let attempt = 1; ; attempt++) {
    const { status, error, retry, retryAfterMs } = await post(target.url, key, event, body, options);
    if (error === null || !retry || attempt >= attempts) return { url: target.url, delivered: error === null, attempts: attempt, status, error };
    await sleep(retryAfterMs === undefined ? backoff * 2 ** (attempt - 1) : Math.min(retryAfterMs, maxRetryAfter));
  }
}

interface Attempt {
  status: number | null;
  error: string | null;
  retry: boolean;
  /** The wait a 429 or 503 answer asked for; undefined when it did not say. */
  retryAfterMs?: number | undefined;
}

async function post(url: string, key: Buffer, event: WebhookEvent, body: string, options: WebhookOptions): Promise<Attempt> {
  const timeout = options.timeoutMs ?? 5000;
  const timestamp = Math.floor(Date.now() / 1000);
  try {
    const response = await request(url, {
      method: 'POST',
      body,
      headers: {
        'content-type': 'application/json',
        'user-agent': 'leakproof-disclose',
        'x-leakproof-event': event.type,
        'webhook-id': event.id,
        'webhook-timestamp': String(timestamp),
        'webhook-signature': sign(key, event.id, timestamp, body),
      },
      signal: AbortSignal.timeout(timeout),
      ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}),
    });
    // The answer's body is not needed, but reading it to the end frees the connection.
    await response.body.dump();
    const status = response.statusCode;
    if (status >= 200 && status < 300) return { status, error: null, retry: false };
    const retryAfterMs = status === 429 || status === 503 ? retryAfter(response.headers['retry-after'], Date.now()) : undefined;
    return { status, error: `answered ${status}`, retry: status >= 500 || status === 408 || status === 429, retryAfterMs };
  } catch (error) {
    const timedOut = error instanceof Error && error.name === 'TimeoutError';
    return { status: null, error: timedOut ? `no answer within ${timeout} ms` : describe(error), retry: true };
  }
}

/** A `Retry-After` value in milliseconds from `now`: whole seconds, or an HTTP date (one already past is no wait). */
function retryAfter(value: string | string[] | undefined, now: number): number | undefined {
  const text = (Array.isArray(value) ? value[0] : value)?.trim();
  if (text === undefined || text === '') return undefined;
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
  return `${error.message}${cause}`;
}
