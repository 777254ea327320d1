/**
 * The gateway's request path, in the order a request meets it: plain headers and path, a
 * described operation, a principal, a valid request, a policy that allows the call, the upstream,
 * and a policy that decides what of the answer goes back. Every step fails closed, and nothing
 * the gateway has not decided on reaches the client: not an undeclared field, not an upstream's
 * error page, not a body it could not parse.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { Operation } from '../core/model.ts';
import type { Principal, RequestHeaders } from './authentication/index.ts';
import type { FilteredAnswer, OperationPolicy } from './policy.ts';
import { filterAnswer } from './policy.ts';
import type { Router } from './router.ts';
import type { Upstream, UpstreamAnswer } from './upstream.ts';
import { UpstreamError } from './upstream.ts';
import type { RequestValidator } from './validation.ts';
import type { Guard, Verdict } from './limits.ts';
import type { GatewayMetrics } from './metrics.ts';
import { callerCredentials } from './lookups.ts';

export interface GatewayLimits {
  requestBodyBytes: number;
  headerBytes: number;
  requestTimeoutMs: number;
}

/** What the access log is told about every answer the gateway sends. */
export interface GatewayAccess {
  time: number;
  requestId: string;
  principal: Principal;
  operation: Operation;
  method: string;
  path: string;
  status: number;
  answer: FilteredAnswer | undefined;
  decision: 'allow' | 'filtered' | 'deny';
}

export interface GatewayPipeline {
  router: Router;
  /** Given `headersDistinct`: Node keeps only the first of two Authorization headers in `headers`. */
  authenticate(headers: RequestHeaders): Promise<{ ok: true; principal: Principal } | { ok: false; reason: string }>;
  validators: ReadonlyMap<string, RequestValidator> | undefined;
  policies: ReadonlyMap<string, OperationPolicy>;
  upstream: Upstream;
  limits: GatewayLimits;
  /** Rate limits and enumeration detection. */
  guard: Guard;
  metrics: GatewayMetrics;
  onAccess?: (access: GatewayAccess) => void;
  /** Told of requests refused for a reason a person may want to see (in logs, never in answers). */
  onRefusal?: (reason: string) => void;
}

/** Headers whose repetition lets two parsers see two different requests. */
const SINGLE_HEADERS = new Set(['authorization', 'host', 'content-length', 'content-type', 'transfer-encoding', 'x-api-key', 'cookie']);
/** What of the request goes on to the upstream: nothing hop-by-hop, nothing the gateway did not read. */
const FORWARDED_HEADERS = ['authorization', 'content-type', 'accept', 'accept-language', 'user-agent'];
const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json\b/i;

export class GatewayRefusal extends Error {
  readonly status: number;

  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

/**
 * The server reads the pipeline afresh for each request, so that a reload swaps it between two
 * requests and never in the middle of one.
 *
 * @example
 * ```ts
 * const server = createGatewayServer(() => pipeline);
 * server.listen(8081, '127.0.0.1');
 * ```
 */
export function createGatewayServer(current: () => GatewayPipeline): Server {
  const { limits } = current();
  const server = createServer(
    { maxHeaderSize: limits.headerBytes, requestTimeout: limits.requestTimeoutMs, headersTimeout: Math.min(limits.requestTimeoutMs, 10_000) },
    (request, response) => {
      const pipeline = current();
      const started = performance.now();
      let operationId = 'unrouted';
      response.once('finish', () => {
        pipeline.metrics.answered(operationId, response.statusCode, (performance.now() - started) / 1000);
      });
      handle(pipeline, request, response, (id) => { operationId = id; }).catch((error: unknown) => {
        pipeline.onRefusal?.(`internal error: ${error instanceof Error ? error.message : String(error)}`);
        send(response, 500, { error: 'internal gateway error' });
      });
    },
  );
  server.on('clientError', (error: NodeJS.ErrnoException, socket) => {
    const status = error.code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large' : error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? '408 Request Timeout' : '400 Bad Request';
    if (socket.writable) socket.end(`HTTP/1.1 ${status}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
    else socket.destroy();
  });
  return server;
}

async function handle(pipeline: GatewayPipeline, request: IncomingMessage, response: ServerResponse, routedTo: (operationId: string) => void): Promise<void> {
  const requestId = randomUUID();
  response.setHeader('x-request-id', requestId);
  const duplicated = duplicatedHeader(request.rawHeaders);
  if (duplicated) {
    refuse(pipeline, response, 400, `the ${duplicated} header is repeated`);
    return;
  }
  const target = request.url ?? '';
  const queryAt = target.indexOf('?');
  const rawPath = queryAt === -1 ? target : target.slice(0, queryAt);
  const query = new URLSearchParams(queryAt === -1 ? '' : target.slice(queryAt + 1));
  const routed = pipeline.router.match(request.method ?? '', rawPath);
  if (!routed.ok) {
    refuse(pipeline, response, routed.status, routed.reason);
    return;
  }
  const { operation, params } = routed.route;
  routedTo(operation.id);

  const authentication = await pipeline.authenticate(request.headersDistinct);
  if (!authentication.ok) {
    response.setHeader('www-authenticate', 'Bearer');
    refuse(pipeline, response, 401, authentication.reason); return;
  }
  const { principal } = authentication;
  let body: RequestBody = NO_BODY;
  try {
    if (declaresBody(request)) body = await readBody(request, pipeline.limits.requestBodyBytes);
  } catch (error) {
    refuse(pipeline, response, error instanceof GatewayRefusal ? error.status : 400, error instanceof Error ? error.message : String(error)); return;
  }
  const validation = pipeline.validators?.get(operation.id)?.validate({ params, query, body: body.json, hasBody: body.raw !== undefined });
  if (validation && !validation.ok) {
    refuse(pipeline, response, 400, validation.reason, validation.reason);
    return;
  }

  const policy = pipeline.policies.get(operation.id);
  const context = {
    principal: { ...principal },
    request: { method: operation.method, path: rawPath, params, query: Object.fromEntries(query), operation: operation.id },
  };
  const authorization = request.headers.authorization;
  const access = (status: number, answer: FilteredAnswer | undefined, decision: GatewayAccess['decision']): void => {
    pipeline.metrics.decided(operation.id, decision, answer?.removed ?? 0);
    pipeline.onAccess?.({ time: Date.now(), requestId, principal, operation, method: operation.method, path: rawPath, status, answer, decision });
  };
  // Counted before the policy is asked (its lookups reach the upstream), so that refused calls cost their caller too.
  const client = request.socket.remoteAddress ?? 'unknown';
  const admitted = await pipeline.guard.admit(principal, operation.id, client);
  if (!admitted.ok) {
    access(admitted.status, undefined, 'deny');
    limited(pipeline, response, admitted);
    return;
  }
  const allowed = policy !== undefined && (await asCaller(policy, authorization, () => policy.allow.test(context)));
  if (!policy || !allowed) {
    access(principal.authenticated ? 403 : 401, undefined, 'deny');
    if (!principal.authenticated) response.setHeader('www-authenticate', 'Bearer');
    refuse(pipeline, response, principal.authenticated ? 403 : 401, `the policy of ${operation.id} does not allow ${principal.sub}`); return;
  }

  let answer: UpstreamAnswer;
  try {
    answer = await pipeline.upstream.request({ method: operation.method, path: target, headers: forwardedHeaders(request, requestId), body: body.raw });
  } catch (error) {
    const status = error instanceof UpstreamError ? error.status : 502;
    pipeline.metrics.upstreamFailed(status === 504 ? 'timeout' : 'error');
    refuse(pipeline, response, status, error instanceof Error ? error.message : String(error)); return;
  }
  const contentType = String(answer.headers['content-type'] ?? '');
  if (answer.status < 200 || answer.status > 299) {
    send(response, answer.status, errorBody(answer, contentType));
    return;
  }
  if (!JSON_TYPE.test(contentType)) {
    if (policy.records !== undefined || declaresJson(operation, answer.status)) {
      pipeline.metrics.upstreamFailed('invalid');
      refuse(pipeline, response, 502, `the upstream answered ${operation.id} with ${contentType || 'no content type'}, not JSON`);
      return;
    }
    response.writeHead(answer.status, { 'content-type': contentType || 'application/octet-stream', 'content-length': answer.body.length });
    response.end(answer.body);
    return;
  }
  let json: unknown;
  try {
    json = JSON.parse(answer.body.toString('utf8'));
  } catch {
    pipeline.metrics.upstreamFailed('invalid');
    refuse(pipeline, response, 502, `the upstream's answer to ${operation.id} is not valid JSON`); return;
  }
  const filtered = await asCaller(policy, authorization, () => filterAnswer(policy, json, context, answer.status));
  if (filtered.body === undefined) {
    access(404, filtered, 'deny');
    refuse(pipeline, response, 404, `the policy of ${operation.id} hides this record from ${principal.sub}`); return;
  }
  const released = await pipeline.guard.release(principal, operation.id, client, filtered.subjects);
  if (!released.ok) {
    access(released.status, filtered, 'deny');
    limited(pipeline, response, released);
    return;
  }
  access(answer.status, filtered, filtered.removed > 0 || filtered.views.length > 0 ? 'filtered' : 'allow');
  send(response, answer.status, filtered.body);
}

function limited(pipeline: GatewayPipeline, response: ServerResponse, verdict: Exclude<Verdict, { ok: true }>): void {
  response.setHeader('retry-after', String(verdict.retryAfterSeconds));
  refuse(pipeline, response, verdict.status, verdict.reason);
}

function refuse(pipeline: GatewayPipeline, response: ServerResponse, status: number, reason: string, shown?: string): void {
  pipeline.onRefusal?.(reason);
  send(response, status, { error: shown ?? STATUS_WORDS[status] ?? 'refused' });
}

const STATUS_WORDS: Record<number, string> = {
  400: 'bad request', 401: 'authentication required', 403: 'forbidden', 404: 'not found', 405: 'method not allowed',
  413: 'request body too large', 415: 'unsupported media type', 429: 'too many requests', 502: 'bad gateway', 503: 'service unavailable', 504: 'gateway timeout',
};

function send(response: ServerResponse, status: number, body: unknown): void {
  if (response.headersSent) {
    response.destroy();
    return;
  }
  const text = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store' });
  response.end(text);
}

function duplicatedHeader(raw: readonly string[]): string | undefined {
  const seen = new Set<string>();
  for (let index = 0; index < raw.length; index += 2) {
    const name = (raw[index] ?? '').toLowerCase();
    if (!SINGLE_HEADERS.has(name)) continue;
    if (seen.has(name)) return name;
    seen.add(name);
  }
  if (seen.has('transfer-encoding') && seen.has('content-length')) return 'transfer-encoding and content-length';
  return undefined;
}

interface RequestBody {
  raw: Buffer | undefined;
  json: unknown;
}

const NO_BODY: RequestBody = Object.freeze({ raw: undefined, json: undefined });

/**
 * HTTP/1.1 requests carry a body only when they say so (RFC 9112 §6.3): most are GETs that do
 * not, and reading their empty stream would cost an async iterator each.
 */
function declaresBody(request: IncomingMessage): boolean {
  return request.headers['content-length'] !== undefined || request.headers['transfer-encoding'] !== undefined;
}

/**
 * Lookups made as the caller read the caller's credentials from `callerCredentials`; entering it
 * costs a context switch that policies without lookups need not pay.
 */
function asCaller<T>(policy: OperationPolicy, authorization: string | undefined, decide: () => T): T {
  return policy.asksLookups ? callerCredentials.run({ authorization }, decide) : decide();
}

async function readBody(request: IncomingMessage, limit: number): Promise<RequestBody> {
  const declared = Number(request.headers['content-length'] ?? 0);
  if (declared > limit) throw new GatewayRefusal(413, `the request body is larger than ${limit} bytes`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new GatewayRefusal(413, `the request body is larger than ${limit} bytes`);
    chunks.push(chunk);
  }
  if (size === 0) return NO_BODY;
  const raw = Buffer.concat(chunks, size);
  const type = request.headers['content-type'] ?? '';
  if (!JSON_TYPE.test(type)) throw new GatewayRefusal(415, 'request bodies must be JSON');
  try {
    return { raw, json: JSON.parse(raw.toString('utf8')) };
  } catch {
    throw new GatewayRefusal(400, 'the request body is not valid JSON');
  }
}

function forwardedHeaders(request: IncomingMessage, requestId: string): Record<string, string> {
  const headers: Record<string, string> = { 'x-request-id': requestId, 'accept-encoding': 'identity' };
  for (const name of FORWARDED_HEADERS) {
    const value = request.headers[name];
    if (typeof value === 'string') headers[name] = value;
  }
  const forwarded = request.socket.remoteAddress;
  if (forwarded !== undefined) headers['x-forwarded-for'] = forwarded;
  return headers;
}

/** An upstream's error answer keeps its words, never its data: only short message fields go back. */
function errorBody(answer: UpstreamAnswer, contentType: string): unknown {
  if (JSON_TYPE.test(contentType)) {
    try {
      const json: unknown = JSON.parse(answer.body.toString('utf8'));
      if (json !== null && typeof json === 'object' && !Array.isArray(json)) {
        const kept = Object.entries(json).filter(([key, value]) => ['error', 'message', 'code'].includes(key) && typeof value === 'string' && value.length <= 500);
        if (kept.length > 0) return Object.fromEntries(kept);
      }
    } catch {
      // Not JSON after all: the generic words below.
    }
  }
  return { error: STATUS_WORDS[answer.status] ?? `upstream answered ${answer.status}` };
}

function declaresJson(operation: Operation, status: number): boolean {
  return operation.responses.some((r) => (r.status === String(status) || r.status === `${String(status)[0] ?? ''}XX` || r.status === 'default') && r.content.some((c) => JSON_TYPE.test(c.mediaType)));
}
