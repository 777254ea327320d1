/**
 * The API behind the gateway, through one undici pool with keep-alive connections. Answers are
 * read whole (the policy needs the whole record) up to a size limit; every failure becomes an
 * `UpstreamError` that says whether it was a timeout (504) or anything else (502).
 */
import type { Readable } from 'node:stream';
import { errors, Pool } from 'undici';
import type { IncomingHttpHeaders } from 'undici/types/header.js';

export interface UpstreamOptions {
  url: string;
  /** Connections kept to the upstream. */
  connections: number;
  /** Longest wait for the answer's headers, and between two chunks of its body. */
  timeoutMs: number;
  /** Largest answer read; a larger one is a 502, never passed through unfiltered. */
  maxBodyBytes: number;
}

export interface UpstreamAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export class UpstreamError extends Error {
  readonly status: 502 | 504;

  constructor(message: string, status: 502 | 504, options?: { cause?: unknown }) {
    super(message, options);
    this.status = status;
  }
}

export interface Upstream {
  request(request: { method: string; path: string; headers: Record<string, string>; body: Buffer | undefined }): Promise<UpstreamAnswer>;
  /** A GET whose answer must be JSON: for lookups. */
  get(path: string, headers: Record<string, string>): Promise<{ status: number; json: unknown }>;
  close(): Promise<void>;
}

/**
 * @example
 * ```ts
 * const upstream = createUpstream({ url: 'http://127.0.0.1:8080', connections: 64, timeoutMs: 10_000, maxBodyBytes: 8 << 20 });
 * const answer = await upstream.request({ method: 'GET', path: '/api/user/42', headers: {}, body: undefined });
 * ```
 */
export function createUpstream(options: UpstreamOptions): Upstream {
  const pool = new Pool(options.url, {
    connections: options.connections,
    headersTimeout: options.timeoutMs,
    bodyTimeout: options.timeoutMs,
    keepAliveTimeout: 10_000,
  });
  const request: Upstream['request'] = async ({ method, path, headers, body }) => {
    try {
      const answer = await pool.request({ method: method, path, headers, body });
      return { status: answer.statusCode, headers: answer.headers, body: await readWhole(answer.body, options.maxBodyBytes) };
    } catch (error) {
      if (error instanceof UpstreamError) throw error;
      const timedOut = error instanceof errors.HeadersTimeoutError || error instanceof errors.BodyTimeoutError || error instanceof errors.ConnectTimeoutError;
      throw new UpstreamError(timedOut ? `the upstream did not answer within ${options.timeoutMs} ms` : `the upstream failed: ${error instanceof Error ? error.message : String(error)}`, timedOut ? 504 : 502, { cause: error });
    }
  };
  return {
    request,
    async get(path, headers) {
      const answer = await request({ method: 'GET', path, headers: { accept: 'application/json', ...headers }, body: undefined });
      return { status: answer.status, json: answer.status >= 200 && answer.status < 300 ? JSON.parse(answer.body.toString('utf8')) : undefined };
    },
    close: () => pool.close(),
  };
}

/**
 * The whole body, or an `UpstreamError` past `limit` bytes. Read with 'data' events rather than
 * an async iterator, which costs a promise per chunk on every answer the gateway relays.
 */
function readWhole(body: Readable, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    body.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        body.destroy();
        reject(new UpstreamError(`the upstream's answer is larger than ${limit} bytes`, 502));
        return;
      }
      chunks.push(chunk);
    });
    body.once('end', () => { resolve(chunks.length === 1 && chunks[0] ? chunks[0] : Buffer.concat(chunks, size)); });
    body.on('error', reject);
  });
}
