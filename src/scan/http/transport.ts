/**
 * The wire: undici's connection pools, kept alive, one per origin, and the raw response read
 * within the size limit. No policy here; the client decides what may be sent.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { Agent } from 'undici';
import type { OutgoingRequest } from './request.ts';
import { parseJson, readCapped } from './response-body.ts';

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
  timeoutMs: number;
  maxResponseBytes: number;
}

function flattenHeaders(headers: IncomingHttpHeaders): { headers: Record<string, string>; setCookies: string[] } {
  const flat: Record<string, string> = {};
  let setCookies: string[] = [];
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    if (name === 'set-cookie') setCookies = Array.isArray(value) ? value : [value];
    else flat[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return { headers: flat, setCookies };
}

const TIMEOUT_CODES = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

/** What an exchange's `error` says: `timeout after N ms`, or the socket error with its code. */
export function describeFailure(error: unknown, aborted: boolean, timeoutMs: number): string {
  const code = error instanceof Error ? ((error as { code?: unknown }).code ?? (error.cause as { code?: unknown } | undefined)?.code) : undefined;
  if (aborted || (typeof code === 'string' && TIMEOUT_CODES.has(code))) return `timeout after ${timeoutMs} ms`;
  if (!(error instanceof Error)) return String(error);
  return typeof code === 'string' ? `${code}: ${error.message}` : error.message;
}

export class Transport {
  readonly #agent: Agent;
  readonly #options: TransportOptions;

  constructor(options: TransportOptions) {
    this.#options = options;
    // undici follows no redirects unless told to: a 3xx is recorded as it is.
    this.#agent = new Agent({ connections: options.connections, keepAliveTimeout: 10_000, connect: { timeout: options.timeoutMs } });
  }

  /** Rejects on timeout (through `signal`) and on socket errors; any HTTP status resolves. */
  async send(request: OutgoingRequest, signal: AbortSignal): Promise<RawResponse> {
    const { url } = request;
    const { timeoutMs, maxResponseBytes } = this.#options;
    const response = await this.#agent.request({
      origin: url.origin,
      path: `${url.pathname}${url.search}`,
      method: request.method,
      headers: request.headers,
      body: request.body ?? null,
      signal,
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
    });
    const { headers, setCookies } = flattenHeaders(response.headers);
    const { text, truncated } = await readCapped(response.body, maxResponseBytes);
    return { status: response.statusCode, headers, setCookies, text, truncated, json: parseJson(headers['content-type'], text, truncated) };
  }

  close(): Promise<void> {
    return this.#agent.close();
  }
}
