/**
 * Runs the reference API in-process on `node:http`. Every instance has its own copy of the seed
 * and its own token key pair, and the limits any server exposed to the internet needs, in every
 * mode: the flaws it plants are the ones listed in `flaws.ts`, not accidental ones.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { UsageError } from '../core/errors.ts';
import { ApiError, notFound } from './api-error.ts';
import { identify } from './authentication.ts';
import { Community } from './community.ts';
import type { Mode } from './modes.ts';
import { isMode, MODES, rulesFor } from './modes.ts';
import { readJsonBody } from './request-body.ts';
import type { Reply, Route, Service } from './route.ts';
import { Router } from './router.ts';
import { INFRASTRUCTURE_ROUTES, routesFor } from './routes/catalogue.ts';
import { readDescription } from './routes/description.ts';
import { SEED } from './seed.ts';
import { createTokenIssuer } from './tokens.ts';

export interface ReferenceApiOptions {
  readonly mode: Mode;
  /** 0 (the default) picks a free port. */
  readonly port?: number;
  readonly host?: string;
  /** Milliseconds since the epoch, as tokens see it; tests move it forward to expire them. */
  readonly now?: () => number;
}

export interface ReferenceApi {
  /** Base URL, without a trailing slash. */
  readonly url: string;
  readonly mode: Mode;
  /** Stops listening and ends every open connection, keep-alive ones included. */
  close(): Promise<void>;
}

/** Slow-loris protection: a client gets this long to send its headers, and its whole request. */
const HEADERS_TIMEOUT_MS = 10_000;
const REQUEST_TIMEOUT_MS = 30_000;
const KEEP_ALIVE_TIMEOUT_MS = 5_000;

const SECURITY_HEADERS = { 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' } as const;

function send(response: ServerResponse, status: number, reply: Reply, headers: Readonly<Record<string, string>> = {}): void {
  const text = reply.contentType === undefined ? JSON.stringify(reply.body) : String(reply.body);
  response.writeHead(status, {
    ...SECURITY_HEADERS,
    'content-type': reply.contentType ?? 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  response.end(text);
}

function errorReply(error: unknown): { status: number; reply: Reply; headers: Readonly<Record<string, string>> } {
  if (error instanceof ApiError) {
    return { status: error.status, reply: { body: { error: error.error, message: error.message } }, headers: error.headers };
  }
  return {
    status: 500,
    reply: { body: { error: 'internal', message: 'The server failed to answer this request.' } },
    headers: {},
  };
}

async function answer(service: Service, router: Router, request: IncomingMessage): Promise<Reply> {
  const { pathname } = new URL(request.url ?? '/', 'http://reference-api.invalid');
  const lookup = router.lookup(request.method ?? '', pathname);
  if (lookup.kind === 'not-found') throw notFound(`No route answers ${pathname}.`);
  if (lookup.kind === 'wrong-method') {
    const allow = lookup.allowed.join(', ');
    throw new ApiError(405, 'method_not_allowed', `${pathname} answers ${allow} only.`, { allow });
  }
  const { route, params } = lookup;
  // Identify before reading the body: an anonymous caller's body is never parsed.
  const viewer = await identify(service, request.headers, route.access);
  const body = route.takesBody ? await readJsonBody(request) : undefined;
  return route.handle({ service, params, body, viewer });
}

/** Never rejects: whatever a handler throws becomes a JSON error, and the server keeps serving. */
async function respond(service: Service, router: Router, request: IncomingMessage, response: ServerResponse): Promise<void> {
  let outcome: { status: number; reply: Reply; headers: Readonly<Record<string, string>> };
  try {
    const reply = await answer(service, router, request);
    outcome = { status: reply.status ?? 200, reply, headers: {} };
  } catch (error) {
    outcome = errorReply(error);
  }
  try {
    send(response, outcome.status, outcome.reply, outcome.headers);
  } catch {
    response.destroy();
  }
}

/** The whole request lifecycle of one service over a set of routes, ready for `node:http`. */
export function createRequestListener(service: Service, routes: readonly Route[]): RequestListener {
  const router = new Router(routes);
  return (request, response) => {
    void respond(service, router, request, response);
  };
}

/** Rejects with the socket error itself (EADDRINUSE...): callers decide how to tell a person. */
function listen(server: ReturnType<typeof createServer>, port: number, host: string): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      resolve(server.address() as AddressInfo);
    });
  });
}

/**
 * Starts a reference API in the given mode.
 *
 * @example
 * const api = await startReferenceApi({ mode: 'leaky' });
 * const riders = await fetch(`${api.url}/api/user/search/h`).then((r) => r.json());
 * await api.close();
 */
export async function startReferenceApi(options: ReferenceApiOptions): Promise<ReferenceApi> {
  const { mode, port = 0, host = '127.0.0.1', now = Date.now } = options;
  if (!isMode(mode)) throw new UsageError(`Unknown reference API mode "${String(mode)}".`, { hint: `Use one of: ${MODES.join(', ')}.` });
  const rules = rulesFor(mode);
  const service: Service = {
    community: new Community(SEED),
    rules,
    tokens: await createTokenIssuer(now),
    description: await readDescription(),
  };
  const server = createServer(
    { headersTimeout: HEADERS_TIMEOUT_MS, requestTimeout: REQUEST_TIMEOUT_MS, keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS },
    createRequestListener(service, [...routesFor(rules), ...INFRASTRUCTURE_ROUTES]),
  );
  const address = await listen(server, port, host);
  const hostInUrl = address.address.includes(':') ? `[${address.address}]` : address.address;
  return {
    url: `http://${hostInUrl}:${address.port}`,
    mode,
    close: () =>
      new Promise((resolve, reject) => {
        server.close((error) => {
          if (error === undefined) resolve();
          else reject(error);
        });
        server.closeAllConnections();
      }),
  };
}
