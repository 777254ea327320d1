/**
 * The scanner's only way onto the network, safe for production by default: it refuses requests
 * outside the scope and state-changing methods before a socket is opened, keeps to a rate, a
 * concurrency and a budget, backs off when the server asks, and hands back redacted exchanges.
 * HTTP outcomes (4xx, 5xx, timeouts, refused connections) are exchanges, never exceptions.
 *
 * @example
 * ```ts
 * const client = createScanClient({ target: 'https://api.example.com' });
 * const exchange = await client.send({ method: 'GET', path: '/api/me', identity: alice });
 * console.log(exchange.response?.status, client.stats().requests);
 * await client.close();
 * ```
 */
import { readFileSync } from 'node:fs';
import { ConfigError } from '../../core/errors.ts';
import type { Exchange, ExchangeRequest, ExchangeResponse } from '../exchange.ts';
import type { Identity } from '../identity/identity.ts';
import type { Clock } from './clock.ts';
import { isoTime, systemClock } from './clock.ts';
import { BudgetError } from './errors.ts';
import type { RedactorOptions } from './redaction.ts';
import { Redactor } from './redaction.ts';
import type { OutgoingRequest, RequestTarget, SendRequest } from './request.ts';
import { requestTarget, toOutgoing } from './request.ts';
import type { RetryOptions, RetryPolicy } from './retry.ts';
import { DEFAULT_RETRY, isRetryable, retryDelay } from './retry.ts';
import type { WriteAllowance } from './safety.ts';
import { MethodPolicy } from './safety.ts';
import { Scope } from './scope.ts';
import { Throttle } from './throttle.ts';
import type { RawResponse } from './transport.ts';
import { describeFailure, Transport } from './transport.ts';

const VERSION = (JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

export interface ScanClientOptions extends RedactorOptions {
  /** Base URL of the API; request paths are joined to it. */
  target: string | URL;
  /** `host:port`, `host` (any port) or `*.example.com` entries the client may reach. Default: the target's host and port. */
  scope?: readonly string[] | undefined;
  /** Send state-changing methods (POST, PUT, PATCH, DELETE...). Default false: GET, HEAD and OPTIONS only. */
  allowWrites?: boolean | undefined;
  /** Operation ids that may use state-changing methods even when `allowWrites` is false. */
  allowOperations?: readonly string[] | undefined;
  /** Requests started per second, for the whole scan. Default 10. */
  rateLimit?: number | undefined;
  /** Requests in flight at once. Default 4. */
  concurrency?: number | undefined;
  /** Requests the whole scan may send, retries and logins included. Default 5000. */
  budget?: number | undefined;
  /** Time allowed for one request, headers and body. Default 10 000 ms. */
  timeoutMs?: number | undefined;
  /** Bytes of a response body kept; longer bodies are cut (`truncated: true`). Default 2 MiB. */
  maxResponseBytes?: number | undefined;
  /** Default `leakproof/<version>`. */
  userAgent?: string | undefined;
  /** Retries after 429 and 503. */
  retry?: RetryOptions | undefined;
  /** Time for rate limits, backoff and token expiry; tests pass a virtual one. */
  clock?: Clock | undefined;
  /** Called with every exchange recorded, redacted: logins, retried attempts and all. */
  onExchange?: ((exchange: Exchange) => void) | undefined;
}

export interface ScanStats {
  /** Requests sent (attempts, retries and logins included): what the budget counts. */
  requests: number;
  /** Attempts that repeated an earlier one (after 429, 503, or 401 with renewed credentials). */
  retries: number;
  /** Requests refused before sending: out of scope, unsafe method, budget spent. */
  refused: number;
  /** Attempts that got no response (timeout, connection error). */
  errors: number;
  /** Responses by status code. */
  byStatus: Record<string, number>;
  budget: number;
  /** True once a request was refused, or a retry skipped, for want of budget. */
  budgetExhausted: boolean;
  startedAt: string;
  elapsedMs: number;
}

/** The unredacted response to a credential request, for the identity that asked for it only. */
export interface CredentialResponse {
  status: number;
  /** Header names lower-case; repeated headers joined with ", ". */
  headers: Readonly<Record<string, string>>;
  /** Each `set-cookie` header as received. */
  setCookies: readonly string[];
  json: unknown;
  text: string;
}

export interface ScanClient {
  readonly target: URL;
  readonly clock: Clock;
  /**
   * Sends a request as `identity` (authenticating it first if needed, and once more after a 401
   * when it can renew its credentials). Resolves with the last exchange for any HTTP outcome;
   * throws `ScopeError`, `SafetyError` or `BudgetError` when the request may not be sent, and
   * `IdentityError` when the identity cannot log in.
   */
  send(request: SendRequest): Promise<Exchange>;
  /**
   * Sends an identity's configured credential request (its login, its token grant). Such a request
   * is an allowed write even in a read-only scan, because the configuration names it; it still
   * keeps to scope, rate and budget. `accept` sees the unredacted response and takes the
   * credentials out of it; the recorded exchange is redacted afterwards, with them.
   */
  sendCredentialRequest(identity: Identity, request: SendRequest, accept: (response: CredentialResponse) => void): Promise<Exchange>;
  stats(): ScanStats;
  /** Closes the client's connections; sending afterwards is an error. */
  close(): Promise<void>;
}

interface Attempt {
  exchange: Exchange;
  credentialResponse: CredentialResponse | undefined;
  retryAfter: string | undefined;
}

const DEFAULTS = { rateLimit: 10, concurrency: 4, budget: 5000, timeoutMs: 10_000, maxResponseBytes: 2 * 1024 * 1024 };

function positive(name: string, value: number | undefined, fallback: number, integer: boolean): number {
  const chosen = value ?? fallback;
  if (!(chosen > 0) || !Number.isFinite(chosen) || (integer && !Number.isInteger(chosen))) {
    throw new ConfigError(`${name} must be a positive ${integer ? 'integer' : 'number'}, not ${String(value)}`);
  }
  return chosen;
}

function nonNegativeInteger(name: string, value: number | undefined, fallback: number): number {
  const chosen = value ?? fallback;
  if (!Number.isInteger(chosen) || chosen < 0) throw new ConfigError(`${name} must be an integer of 0 or more, not ${String(value)}`);
  return chosen;
}

class HttpScanClient implements ScanClient {
  readonly target: URL;
  readonly clock: Clock;
  readonly #requestTarget: RequestTarget;
  readonly #scope: Scope;
  readonly #policy: MethodPolicy;
  readonly #throttle: Throttle;
  readonly #redactor: Redactor;
  readonly #transport: Transport;
  readonly #retry: RetryPolicy;
  readonly #budget: number;
  readonly #timeoutMs: number;
  readonly #defaultHeaders: Readonly<Record<string, string>>;
  readonly #onExchange: ((exchange: Exchange) => void) | undefined;
  /** Every identity that has sent through this client: their secrets are redacted everywhere. */
  readonly #identities = new Set<Identity>();
  /** Identities whose renewed credentials were refused too: no more renewals until one works. */
  readonly #refusedAfterRenewal = new Set<Identity>();
  /**
   * Operations that refused an identity's fresh credentials: their 401 means "not you", and must
   * not cost a login each time a scan probes them again.
   */
  readonly #refusing = new Map<Identity, Set<string>>();
  readonly #startedAt: number;
  #sequence = 0;
  #closed = false;
  readonly #stats = { requests: 0, retries: 0, refused: 0, errors: 0, byStatus: {} as Record<string, number>, budgetExhausted: false };

  constructor(options: ScanClientOptions) {
    this.target = new URL(options.target);
    this.#requestTarget = requestTarget(this.target);
    this.clock = options.clock ?? systemClock;
    this.#scope = new Scope(this.target, options.scope);
    this.#policy = new MethodPolicy({ allowWrites: options.allowWrites ?? false, allowOperations: options.allowOperations ?? [] });
    const concurrency = positive('concurrency', options.concurrency, DEFAULTS.concurrency, true);
    this.#throttle = new Throttle(this.clock, positive('rateLimit', options.rateLimit, DEFAULTS.rateLimit, false), concurrency);
    this.#redactor = new Redactor(options);
    this.#budget = nonNegativeInteger('budget', options.budget, DEFAULTS.budget);
    this.#timeoutMs = positive('timeoutMs', options.timeoutMs, DEFAULTS.timeoutMs, true);
    const maxResponseBytes = positive('maxResponseBytes', options.maxResponseBytes, DEFAULTS.maxResponseBytes, true);
    this.#retry = { ...DEFAULT_RETRY, ...options.retry };
    nonNegativeInteger('retry.attempts', this.#retry.attempts, DEFAULT_RETRY.attempts);
    this.#defaultHeaders = { 'user-agent': options.userAgent ?? `leakproof/${VERSION}` };
    this.#onExchange = options.onExchange;
    this.#transport = new Transport({ connections: concurrency, timeoutMs: this.#timeoutMs, maxResponseBytes });
    this.#startedAt = this.clock.now();
  }

  async send(request: SendRequest): Promise<Exchange> {
    const prepared = this.#prepare(request, undefined);
    const identity = request.identity;
    if (identity === undefined) return this.#exchange(prepared, 'anonymous', request.operationId, undefined);
    this.#identities.add(identity);
    await identity.authenticate(this);
    const sent = identity.apply(prepared);
    const exchange = await this.#exchange(sent, identity.name, request.operationId, undefined);
    if (exchange.response?.status !== 401) {
      if (exchange.response !== undefined) this.#refusedAfterRenewal.delete(identity);
      return exchange;
    }
    return this.#afterUnauthorized(prepared, sent, identity, request.operationId, exchange);
  }

  async sendCredentialRequest(identity: Identity, request: SendRequest, accept: (response: CredentialResponse) => void): Promise<Exchange> {
    const prepared = this.#prepare(request, 'configured credential request');
    this.#identities.add(identity);
    return this.#exchange(prepared, identity.name, undefined, accept);
  }

  stats(): ScanStats {
    return {
      ...this.#stats,
      byStatus: { ...this.#stats.byStatus },
      budget: this.#budget,
      startedAt: new Date(this.#startedAt).toISOString(),
      elapsedMs: this.clock.now() - this.#startedAt,
    };
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.#transport.close();
  }

  /** Everything that can refuse a request, before any waiting or sending. */
  #prepare(request: SendRequest, allowance: WriteAllowance | undefined): OutgoingRequest {
    if (this.#closed) throw new Error('the scan client is closed');
    const outgoing = toOutgoing(this.#requestTarget, request, this.#defaultHeaders);
    try {
      this.#scope.check(outgoing.url);
      this.#policy.check(outgoing.method, outgoing.url, request.operationId, allowance);
    } catch (error) {
      this.#stats.refused += 1;
      throw error;
    }
    this.#reserveCheck();
    return outgoing;
  }

  /** Throws `BudgetError` when the budget is spent. */
  #reserveCheck(): void {
    if (this.#hasBudget()) return;
    this.#stats.refused += 1;
    throw new BudgetError(`the scan's budget of ${this.#budget} requests is spent: nothing was sent`, {
      hint: 'raise budget to let the scan go further',
    });
  }

  /** One renewal and one more try: a token that expired early, or was revoked, is not a finding. */
  async #afterUnauthorized(prepared: OutgoingRequest, refused: OutgoingRequest, identity: Identity, operationId: string | undefined, exchange: Exchange): Promise<Exchange> {
    const endpoint = operationId ?? `${prepared.method} ${prepared.url.pathname}`;
    const refusing = this.#refusing.get(identity) ?? new Set<string>();
    if (refusing.has(endpoint) || this.#refusedAfterRenewal.has(identity) || !this.#hasBudget()) return exchange;
    if (!(await identity.onUnauthorized(this, refused))) return exchange;
    if (!this.#hasBudget()) return exchange;
    this.#stats.retries += 1;
    const again = await this.#exchange(identity.apply(prepared), identity.name, operationId, undefined);
    if (again.response?.status === 401) {
      this.#refusedAfterRenewal.add(identity);
      this.#refusing.set(identity, refusing.add(endpoint));
    } else if (again.response !== undefined) this.#refusedAfterRenewal.delete(identity);
    return again;
  }

  #hasBudget(): boolean {
    if (this.#stats.requests < this.#budget) return true;
    this.#stats.budgetExhausted = true;
    return false;
  }

  /** Sends with retries after 429/503; resolves with the last attempt's exchange. */
  async #exchange(request: OutgoingRequest, identity: string, operationId: string | undefined, accept: ((response: CredentialResponse) => void) | undefined): Promise<Exchange> {
    // A login may have spent the budget while this request waited for it.
    this.#reserveCheck();
    // Identities only add credentials, but nothing leaves the scope whoever built the request.
    this.#scope.check(request.url);
    for (let retry = 1; ; retry += 1) {
      const attempt = await this.#attempt(request, identity, operationId);
      const status = attempt.exchange.response?.status;
      const delay = status !== undefined && isRetryable(request.method, status) ? retryDelay(this.#retry, retry, attempt.retryAfter, this.clock.now()) : undefined;
      if (delay === undefined || !this.#hasBudget()) {
        let recorded: Exchange;
        try {
          if (accept !== undefined && attempt.credentialResponse !== undefined) accept(attempt.credentialResponse);
        } finally {
          // Recorded after `accept`, so that the credentials it took out are redacted too.
          recorded = this.#record(attempt.exchange);
        }
        return recorded;
      }
      this.#record(attempt.exchange);
      // The server asked the whole scan to slow down, not just this request.
      this.#throttle.holdUntil(this.clock.now() + delay);
      this.#stats.retries += 1;
    }
  }

  /** Redacts the exchange and hands it to `onExchange`: the one copy that leaves the client. */
  #record(exchange: Exchange): Exchange {
    const redacted = this.#redactor.exchange(exchange, [...this.#identities].flatMap((identity) => identity.secrets()));
    this.#onExchange?.(redacted);
    return redacted;
  }

  async #attempt(request: OutgoingRequest, identity: string, operationId: string | undefined): Promise<Attempt> {
    // Counted before waiting, so that concurrent sends cannot overdraw the budget.
    this.#stats.requests += 1;
    const id = (this.#sequence += 1);
    const release = await this.#throttle.acquire();
    const startedAt = isoTime(this.clock.now());
    const started = performance.now();
    let raw: RawResponse | undefined;
    let error: string | undefined;
    try {
      raw = await this.#transport.send(request);
    } catch (failure) {
      error = describeFailure(failure, this.#timeoutMs);
    } finally {
      release();
    }
    if (raw === undefined) this.#stats.errors += 1;
    else this.#stats.byStatus[raw.status] = (this.#stats.byStatus[raw.status] ?? 0) + 1;
    // Neither copied nor kept: only the redacted copy of this exchange leaves the client.
    const exchangeRequest: ExchangeRequest = { method: request.method, url: request.url.href, headers: request.headers, body: request.body };
    const response: ExchangeResponse | undefined =
      raw === undefined
        ? undefined
        : { status: raw.status, headers: raw.setCookies.length > 0 ? { ...raw.headers, 'set-cookie': raw.setCookies.join('\n') } : raw.headers, json: raw.json, text: raw.text, truncated: raw.truncated };
    return {
      exchange: { id, identity, operationId, request: exchangeRequest, response, error, startedAt, durationMs: Math.round(performance.now() - started) },
      credentialResponse: raw === undefined ? undefined : { status: raw.status, headers: raw.headers, setCookies: raw.setCookies, json: raw.json, text: raw.text },
      retryAfter: raw?.headers['retry-after'],
    };
  }
}

/** A client for one scan. Options are checked at once: a bad one throws `ConfigError`. */
export function createScanClient(options: ScanClientOptions): ScanClient {
  return new HttpScanClient(options);
}
