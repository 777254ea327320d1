/**
 * Webhooks: each event POSTed as JSON to every configured URL, signed with HMAC-SHA256 over the
 * exact body so that the receiver can tell it came from this tracker. A failing endpoint is retried
 * a bounded number of times and then reported, never thrown: one broken chat integration must not
 * stop the mail or the other endpoints.
 */
import { createHmac } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Dispatcher } from 'undici';
import { request } from 'undici';
import type { PendingNotice } from './digest.ts';

export interface WebhookTarget {
  url: string;
  /** The shared secret the receiver checks `X-Leakproof-Signature` with. */
  secret: string;
}

/** What is sent. `id` names the event for good, so that a receiver can drop a retried delivery it already has. */
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
  /** The undici dispatcher to send through (default: undici's global one). */
  dispatcher?: Dispatcher | undefined;
}

export interface WebhookOutcome {
  url: string;
  delivered: boolean;
  attempts: number;
  /** The last answer's status; null when none came. */
  status: number | null;
  /** Why the last attempt failed; null once delivered. */
  error: string | null;
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
 * The `X-Leakproof-Signature` value for a body: `sha256=` and the hex HMAC-SHA256 of the body's bytes.
 *
 * @example
 * ```ts
 * const expected = signatureOf(rawBody, secret); // compare with timingSafeEqual on the receiving side
 * ```
 */
export function signatureOf(body: string, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/**
 * POSTs `event` to every target at once; retries an endpoint that times out, cannot be reached, or
 * answers 408, 429 or 5xx, with a doubling wait. Resolves with one outcome per target; never rejects.
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
  const attempts = Math.max(1, options.attempts ?? 3);
  const backoff = options.backoffMs ?? 1000;
  for (let attempt = 1; ; attempt++) {
    const { status, error, retry } = await post(target, event, body, options);
    if (error === null || !retry || attempt >= attempts) return { url: target.url, delivered: error === null, attempts: attempt, status, error };
    await sleep(backoff * 2 ** (attempt - 1));
  }
}

interface Attempt {
  status: number | null;
  error: string | null;
  retry: boolean;
}

async function post(target: WebhookTarget, event: WebhookEvent, body: string, options: WebhookOptions): Promise<Attempt> {
  const timeout = options.timeoutMs ?? 5000;
  try {
    const response = await request(target.url, {
      method: 'POST',
      body,
      headers: {
        'content-type': 'application/json',
        'user-agent': 'leakproof-disclose',
        'x-leakproof-event': event.type,
        'x-leakproof-delivery': event.id,
        'x-leakproof-signature': signatureOf(body, target.secret),
      },
      signal: AbortSignal.timeout(timeout),
      ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}),
    });
    // The answer's body is not needed, but reading it to the end frees the connection.
    await response.body.dump();
    const status = response.statusCode;
    if (status >= 200 && status < 300) return { status, error: null, retry: false };
    return { status, error: `answered ${status}`, retry: status >= 500 || status === 408 || status === 429 };
  } catch (error) {
    const timedOut = error instanceof Error && error.name === 'TimeoutError';
    return { status: null, error: timedOut ? `no answer within ${timeout} ms` : describe(error), retry: true };
  }
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
  return `${error.message}${cause}`;
}
