/**
 * The wire: undici's connection pools, kept alive, one per origin, and the raw response read
 * within the size limit and the time limit. No policy here; the client decides what may be sent.
 *
 * Responses are taken straight from undici's dispatch handler rather than through `request()`:
 * its body stream, async iterator and per-request `AbortSignal` cost more CPU than the rest of
 * the scan client together, for bodies that are read whole anyway.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Dispatcher } from 'undici';
import { Agent } from 'undici';
import type { OutgoingRequest } from './request.ts';
import { CappedBody, parseJson } from './response-body.ts';

export interface RawResponse {
  status: number;
  /** Lower-case names; repeated headers joined with ", ", except `set-cookie`. */
  headers: Record<string, string>;
  setCookies: string[];
  text: string;
  truncated: boolean;
  json: unknown;
}

export interface TransportOptions {
  /** Connections per origin: as many as requests in flight. */
  connections: number;
  /** Time allowed for one request, from sending it to the end of its body. */
  timeoutMs: number;
  maxResponseBytes: number;
}

/** The request took longer than `timeoutMs`, headers and body together. */
export class RequestTimeoutError extends Error {
  readonly code = 'ERR_REQUEST_TIMEOUT';
}

function flattenHeaders(headers: IncomingHttpHeaders): { headers: Record<string, string>; setCookies: string[] } {
  const flat: Record<string, string> = {};
  let setCookies: string[] = [];
  for (const name in headers) {
    const value = headers[name];
    if (value === undefined) continue;
    if (name === 'set-cookie') setCookies = Array.isArray(value) ? value : [value];
    else flat[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return { headers: flat, setCookies };
}

const TIMEOUT_CODES = new Set(['ERR_REQUEST_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

/** What an exchange's `error` says: `timeout after N ms`, or the socket error with its code. */
export function describeFailure(error: unknown, timeoutMs: number): string {
  const code = error instanceof Error ? ((error as { code?: unknown }).code ?? (error.cause as { code?: unknown } | undefined)?.code) : undefined;
  if (typeof code === 'string' && TIMEOUT_CODES.has(code)) return `timeout after ${timeoutMs} ms`;
  if (!(error instanceof Error)) return String(error);
  return typeof code === 'string' ? `${code}: ${error.message}` : error.message;
}

/**
 * One response, read as undici parses it, settled exactly once: with the response when its body
 * ends or reaches the cap, or with the error when the request fails or its time is up.
 */
class ResponseReader implements Dispatcher.DispatchHandler {
  readonly #body: CappedBody;
  readonly #timer: NodeJS.Timeout;
  readonly #resolve: (response: RawResponse) => void;
  readonly #reject: (error: Error) => void;
  #controller: Dispatcher.DispatchController | undefined;
  #failure: Error | undefined;
  #settled = false;
  #status = 0;
  #headers: IncomingHttpHeaders = {};

  constructor(options: TransportOptions, resolve: (response: RawResponse) => void, reject: (error: Error) => void) {
    this.#body = new CappedBody(options.maxResponseBytes);
    this.#resolve = resolve;
    this.#reject = reject;
    // One deadline for the whole request: undici's own timeouts restart with every chunk, so a
    // server trickling its body could hold a request for ever.
    this.#timer = setTimeout(() => {
      const timeout = new RequestTimeoutError(`no complete response within ${options.timeoutMs} ms`);
      this.#fail(timeout);
      this.#controller?.abort(timeout);
    }, options.timeoutMs);
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    // The request may have timed out while it waited for a connection.
    if (this.#failure !== undefined) controller.abort(this.#failure);
    else this.#controller = controller;
  }

  onResponseStart(_controller: Dispatcher.DispatchController, statusCode: number, headers: IncomingHttpHeaders): void {
    // 1xx are interim: the final response follows on the same request.
    if (statusCode < 200) return;
    this.#status = statusCode;
    this.#headers = headers;
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.#body.add(chunk)) return;
    this.#succeed();
    // Dropping the connection is cheaper than reading a body of any size to its end.
    controller.abort(new Error('the body is over maxResponseBytes: the rest is not read'));
  }

  onResponseEnd(): void {
    this.#succeed();
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    this.#fail(error);
  }

  #succeed(): void {
    if (this.#settled) return;
    this.#settled = true;
    clearTimeout(this.#timer);
    const { headers, setCookies } = flattenHeaders(this.#headers);
    const { text, truncated } = this.#body.read();
    this.#resolve({ status: this.#status, headers, setCookies, text, truncated, json: parseJson(headers['content-type'], text, truncated) });
  }

  #fail(error: Error): void {
    if (this.#settled) return;
    this.#settled = true;
    this.#failure = error;
    clearTimeout(this.#timer);
    this.#reject(error);
  }
}

export class Transport {
  readonly #agent: Agent;
  readonly #options: TransportOptions;

  constructor(options: TransportOptions) {
    this.#options = options;
    // undici follows no redirects unless told to: a 3xx is recorded as it is.
    this.#agent = new Agent({ connections: options.connections, keepAliveTimeout: 10_000, connect: { timeout: options.timeoutMs } });
  }

  /** Rejects on timeout (`RequestTimeoutError`) and on socket errors; any HTTP status resolves. */
  send(request: OutgoingRequest): Promise<RawResponse> {
    const { url } = request;
    const { timeoutMs } = this.#options;
    return new Promise((resolve, reject) => {
      const reader = new ResponseReader(this.#options, resolve, reject);
      // undici's own timeouts, as long as ours, so that its defaults (300 s) never cut a longer one short.
      const options = { origin: url.origin, path: `${url.pathname}${url.search}`, method: request.method, headers: request.headers, body: request.body ?? null, headersTimeout: timeoutMs, bodyTimeout: timeoutMs };
      this.#agent.dispatch(options, reader);
    });
  }

  close(): Promise<void> {
    return this.#agent.close();
  }
}
