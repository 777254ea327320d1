/**
 * The scan client is safe against production by default: it never leaves its scope, never sends
 * a state-changing method it was not allowed, keeps to its rate, concurrency and budget, backs off
 * when asked, turns every network outcome into an exchange, and lets no secret out.
 */
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { createServer } from 'node:http';
import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import type { HttpMethod } from '../src/core/model.ts';
import type { Exchange } from '../src/scan/exchange.ts';
import type { Clock, ScanClient, ScanClientOptions } from '../src/scan/http/index.ts';
import { BudgetError, SafetyError, ScopeError, createScanClient, toCurl } from '../src/scan/http/index.ts';
import { createIdentity } from '../src/scan/identity/index.ts';

interface Received {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

type Respond = (request: Received, response: ServerResponse) => void | Promise<void>;

interface TestServer {
  url: string;
  port: number;
  received: Received[];
  /** TCP connections opened to the server: zero proves nothing was even attempted. */
  connections: number;
  maxInFlight: number;
  close(): Promise<void>;
}

const okJson: Respond = (_request, response) => {
  response.writeHead(200, { 'content-type': 'application/json' });
  response.end('{"ok":true}');
};

/** A server on 127.0.0.1 that records every request it receives. */
async function startServer(respond: Respond = okJson): Promise<TestServer> {
  let inFlight = 0;
  const state = { received: [] as Received[], connections: 0, maxInFlight: 0 };
  const server = createServer((request, response) => {
    inFlight += 1;
    state.maxInFlight = Math.max(state.maxInFlight, inFlight);
    response.on('close', () => (inFlight -= 1));
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const received = { method: request.method ?? '', url: request.url ?? '', headers: request.headers, body: Buffer.concat(chunks).toString('utf8') };
      state.received.push(received);
      void respond(received, response);
    });
  });
  server.on('connection', () => (state.connections += 1));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    get received() {
      return state.received;
    },
    get connections() {
      return state.connections;
    },
    get maxInFlight() {
      return state.maxInFlight;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  };
}

/** Time that passes only when someone sleeps: rate limits and backoff without waiting. */
function virtualClock(start = Date.parse('2026-01-20T12:00:00Z')): { clock: Clock; sleeps: number[]; advance(ms: number): void } {
  let now = start;
  const sleeps: number[] = [];
  return {
    sleeps,
    advance: (ms) => (now += ms),
    clock: {
      now: () => now,
      // Wakes on a later turn of the event loop, at the time it asked for, as a real sleep would.
      sleep: (ms) => {
        sleeps.push(ms);
        const until = now + ms;
        return new Promise((resolve) =>
          setImmediate(() => {
            now = Math.max(now, until);
            resolve();
          }),
        );
      },
    },
  };
}

async function withClient<T>(options: ScanClientOptions, run: (client: ScanClient) => Promise<T>): Promise<T> {
  const client = createScanClient({ rateLimit: 1000, ...options });
  try {
    return await run(client);
  } finally {
    await client.close();
  }
}

describe('a read-only scan sends only GET, HEAD and OPTIONS', () => {
  const methods: HttpMethod[] = ['GET', 'HEAD', 'OPTIONS', 'POST', 'PUT', 'PATCH', 'DELETE'];

  it('of a mixed batch, only the safe methods arrive; the others throw SafetyError and never reach the network', async () => {
    const server = await startServer();
    try {
      await withClient({ target: server.url }, async (client) => {
        const outcomes = await Promise.allSettled(methods.map((method) => client.send({ method, path: '/users/1', operationId: `op${method}` })));
        for (const [index, outcome] of outcomes.entries()) {
          const method = methods[index];
          if (method === 'GET' || method === 'HEAD' || method === 'OPTIONS') assert.equal(outcome.status, 'fulfilled', method);
          else {
            assert.equal(outcome.status, 'rejected', method);
            assert.ok(outcome.reason instanceof SafetyError);
            assert.equal(outcome.reason.code, 'ERR_UNSAFE_METHOD');
            assert.match(outcome.reason.hint ?? '', new RegExp(`allowOperations`));
          }
        }
        assert.deepEqual(server.received.map((r) => r.method).sort(), ['GET', 'HEAD', 'OPTIONS']);
        assert.equal(client.stats().refused, 4);
        assert.equal(client.stats().requests, 3);
      });
    } finally {
      await server.close();
    }
  });

  it("allowOperations lets the named operation's POST through, and no other operation's", async () => {
    const server = await startServer();
    try {
      await withClient({ target: server.url, allowOperations: ['createWorkout'] }, async (client) => {
        const exchange = await client.send({ method: 'POST', path: '/workouts', json: { a: 1 }, operationId: 'createWorkout' });
        assert.equal(exchange.response?.status, 200);
        await assert.rejects(client.send({ method: 'POST', path: '/workouts', operationId: 'deleteEverything' }), SafetyError);
        await assert.rejects(client.send({ method: 'POST', path: '/workouts' }), SafetyError);
        assert.deepEqual(server.received.map((r) => `${r.method} ${r.body}`), ['POST {"a":1}']);
      });
    } finally {
      await server.close();
    }
  });

  it('allowWrites lets every method through', async () => {
    const server = await startServer();
    try {
      await withClient({ target: server.url, allowWrites: true }, async (client) => {
        for (const method of methods) await client.send({ method, path: '/x' });
        assert.deepEqual(server.received.map((r) => r.method), methods);
      });
    } finally {
      await server.close();
    }
  });

  it("an identity's configured login POST arrives: it is an allowed write, sent through the same client", async () => {
    const server = await startServer((request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(request.url === '/auth/login' ? '{"token":"opaque-token-1"}' : '{}');
    });
    try {
      await withClient({ target: server.url }, async (client) => {
        const alice = createIdentity({ kind: 'login', name: 'alice', request: { path: '/auth/login', json: { username: 'alice', password: 'pw-1234' } }, token: { from: 'json', path: '$.token' } });
        await client.send({ method: 'GET', path: '/api/me', identity: alice });
        assert.deepEqual(server.received.map((r) => `${r.method} ${r.url}`), ['POST /auth/login', 'GET /api/me']);
        assert.equal(server.received[1]?.headers.authorization, 'Bearer opaque-token-1');
        // The allowance is for the identity's own request, not for POSTs in general.
        await assert.rejects(client.send({ method: 'POST', path: '/auth/login', identity: alice }), SafetyError);
      });
    } finally {
      await server.close();
    }
  });
});

describe('the client never leaves its scope', () => {
  it('a request to another port is refused before any connection is opened', async () => {
    const target = await startServer();
    const other = await startServer();
    try {
      await withClient({ target: target.url }, async (client) => {
        await assert.rejects(client.send({ method: 'GET', url: `${other.url}/api/user/1` }), (error: unknown) => {
          assert.ok(error instanceof ScopeError);
          assert.equal(error.code, 'ERR_SCOPE');
          assert.match(error.message, new RegExp(`127\\.0\\.0\\.1:${other.port} is outside the scan's scope`));
          return true;
        });
        assert.equal(client.stats().refused, 1);
        assert.equal(client.stats().requests, 0);
      });
      assert.equal(other.connections, 0);
      assert.equal(other.received.length, 0);
    } finally {
      await target.close();
      await other.close();
    }
  });

  it('another host name is refused, even one that resolves to the same machine: no DNS look-up decides', async () => {
    const target = await startServer();
    try {
      await withClient({ target: target.url }, async (client) => {
        await assert.rejects(client.send({ method: 'GET', url: `http://localhost:${target.port}/` }), ScopeError);
        await assert.rejects(client.send({ method: 'GET', url: 'http://api.example.invalid/' }), ScopeError);
        await assert.rejects(client.send({ method: 'GET', url: `file:///etc/passwd` }), ScopeError);
      });
      assert.equal(target.connections, 0);
    } finally {
      await target.close();
    }
  });

  it('a path is always under the target: //elsewhere stays a path on the target', async () => {
    const target = await startServer();
    try {
      await withClient({ target: `${target.url}/base/` }, async (client) => {
        await client.send({ method: 'GET', path: '//api.example.invalid/x?y=1' });
        await client.send({ method: 'GET', path: 'api/me', query: { id: [1, 2], q: 'a b' } });
      });
      assert.deepEqual(target.received.map((r) => r.url), ['/base//api.example.invalid/x?y=1', '/base/api/me?id=1&id=2&q=a+b']);
    } finally {
      await target.close();
    }
  });

  it('scope entries widen it: host:port for one port, a bare host for any port', async () => {
    const target = await startServer();
    const other = await startServer();
    try {
      await withClient({ target: target.url, scope: [`127.0.0.1:${target.port}`, `127.0.0.1:${other.port}`] }, async (client) => {
        assert.equal((await client.send({ method: 'GET', url: `${other.url}/` })).response?.status, 200);
        await assert.rejects(client.send({ method: 'GET', url: `http://127.0.0.1:1/` }), ScopeError);
      });
      await withClient({ target: target.url, scope: ['127.0.0.1'] }, async (client) => {
        assert.equal((await client.send({ method: 'GET', url: `${other.url}/` })).response?.status, 200);
      });
      assert.equal(other.received.length, 2);
    } finally {
      await target.close();
      await other.close();
    }
  });
});

describe('redirects are recorded, never followed', () => {
  it('a 302 to a server outside the scope comes back as the exchange; that server sees nothing', async () => {
    const outside = await startServer();
    const target = await startServer((_request, response) => {
      response.writeHead(302, { location: `${outside.url}/stolen?code=auth-code-1234&state=s` });
      response.end();
    });
    try {
      await withClient({ target: target.url }, async (client) => {
        const exchange = await client.send({ method: 'GET', path: '/go' });
        assert.equal(exchange.response?.status, 302);
        assert.equal(exchange.response.headers.location, `${outside.url}/stolen?code=[REDACTED]&state=s`);
      });
      assert.equal(outside.connections, 0);
    } finally {
      await target.close();
      await outside.close();
    }
  });
});

describe('the client keeps to its rate', () => {
  it('20 requests at 40 per second take at least 19/40 s of real time', async () => {
    const server = await startServer();
    try {
      await withClient({ target: server.url, rateLimit: 40, concurrency: 8 }, async (client) => {
        const started = performance.now();
        await Promise.all(Array.from({ length: 20 }, () => client.send({ method: 'GET', path: '/' })));
        const elapsed = (performance.now() - started) / 1000;
        assert.ok(elapsed >= 19 / 40 - 0.01, `took ${elapsed} s`);
      });
      assert.equal(server.received.length, 20);
    } finally {
      await server.close();
    }
  });

  it('with an injected clock, request starts are exactly 1/rate apart', async () => {
    const server = await startServer();
    const time = virtualClock();
    try {
      await withClient({ target: server.url, rateLimit: 5, concurrency: 4, clock: time.clock }, async (client) => {
        const exchanges = await Promise.all(Array.from({ length: 6 }, () => client.send({ method: 'GET', path: '/' })));
        const starts = exchanges.map((e) => Date.parse(e.startedAt)).sort((a, b) => a - b);
        const gaps = starts.slice(1).map((start, index) => start - (starts[index] ?? 0));
        assert.deepEqual(gaps, [200, 200, 200, 200, 200]);
      });
    } finally {
      await server.close();
    }
  });
});

describe('the client keeps to its concurrency', () => {
  it('never more requests in flight than the limit, and the limit is used', async () => {
    const server = await startServer((_request, response) => {
      setTimeout(() => void okJson(_request, response), 40);
    });
    try {
      await withClient({ target: server.url, concurrency: 3 }, async (client) => {
        await Promise.all(Array.from({ length: 12 }, () => client.send({ method: 'GET', path: '/' })));
      });
      assert.equal(server.maxInFlight, 3);
    } finally {
      await server.close();
    }
  });
});

describe('429 and 503 are retried when the server says, within the budget', () => {
  /** Answers the first `refusals` requests with `status` and `Retry-After: retryAfter`. */
  async function busyServer(refusals: number, status: number, retryAfter: string | undefined): Promise<TestServer> {
    let count = 0;
    return startServer((_request, response) => {
      count += 1;
      if (count <= refusals) {
        response.writeHead(status, retryAfter === undefined ? {} : { 'retry-after': retryAfter });
        response.end('slow down');
      } else okJson(_request, response);
    });
  }

  it('Retry-After in seconds: waits that long, then succeeds; each attempt counts against the budget', async () => {
    const server = await busyServer(1, 429, '3');
    const time = virtualClock();
    const recorded: Exchange[] = [];
    try {
      await withClient({ target: server.url, clock: time.clock, onExchange: (e) => recorded.push(e) }, async (client) => {
        const exchange = await client.send({ method: 'GET', path: '/' });
        assert.equal(exchange.response?.status, 200);
        assert.deepEqual(time.sleeps, [3000]);
        const stats = client.stats();
        assert.equal(stats.requests, 2);
        assert.equal(stats.retries, 1);
        assert.deepEqual(stats.byStatus, { 200: 1, 429: 1 });
      });
      assert.deepEqual(recorded.map((e) => e.response?.status), [429, 200]);
      assert.equal(server.received.length, 2);
    } finally {
      await server.close();
    }
  });

  it('Retry-After as an HTTP date: waits until then', async () => {
    const time = virtualClock();
    const server = await busyServer(1, 503, new Date(time.clock.now() + 7000).toUTCString());
    try {
      await withClient({ target: server.url, clock: time.clock }, async (client) => {
        assert.equal((await client.send({ method: 'GET', path: '/' })).response?.status, 200);
        assert.deepEqual(time.sleeps, [7000]);
      });
    } finally {
      await server.close();
    }
  });

  it('the backoff holds back every request of the scan, not only the refused one', async () => {
    const server = await busyServer(1, 429, '2');
    const time = virtualClock();
    try {
      await withClient({ target: server.url, clock: time.clock, concurrency: 1 }, async (client) => {
        const start = time.clock.now();
        await client.send({ method: 'GET', path: '/first' });
        const next = await client.send({ method: 'GET', path: '/second' });
        assert.ok(Date.parse(next.startedAt) - start >= 2000);
      });
    } finally {
      await server.close();
    }
  });

  it('at most `attempts` retries, and none when the server asks for longer than the cap', async () => {
    const always = await busyServer(100, 429, '1');
    const tooLong = await busyServer(100, 429, '3600');
    const time = virtualClock();
    try {
      await withClient({ target: always.url, clock: time.clock, retry: { attempts: 2 } }, async (client) => {
        assert.equal((await client.send({ method: 'GET', path: '/' })).response?.status, 429);
        assert.equal(always.received.length, 3);
      });
      await withClient({ target: tooLong.url, clock: time.clock, retry: { maxDelayMs: 60_000 } }, async (client) => {
        assert.equal((await client.send({ method: 'GET', path: '/' })).response?.status, 429);
        assert.equal(tooLong.received.length, 1);
      });
    } finally {
      await always.close();
      await tooLong.close();
    }
  });

  it('a 503 to a POST is not repeated: the server may have acted on it', async () => {
    const server = await busyServer(1, 503, '1');
    try {
      await withClient({ target: server.url, allowWrites: true, clock: virtualClock().clock }, async (client) => {
        assert.equal((await client.send({ method: 'POST', path: '/', json: {} })).response?.status, 503);
      });
      assert.equal(server.received.length, 1);
    } finally {
      await server.close();
    }
  });

  it('a retry that would exceed the budget is not sent, and the client reports the budget spent', async () => {
    const server = await busyServer(100, 429, '1');
    try {
      await withClient({ target: server.url, budget: 2, clock: virtualClock().clock, retry: { attempts: 5 } }, async (client) => {
        assert.equal((await client.send({ method: 'GET', path: '/' })).response?.status, 429);
        assert.equal(server.received.length, 2);
        assert.equal(client.stats().budgetExhausted, true);
      });
    } finally {
      await server.close();
    }
  });
});

describe('the budget caps the whole scan', () => {
  it('past the budget, requests are refused with BudgetError before anything is sent', async () => {
    const server = await startServer();
    try {
      await withClient({ target: server.url, budget: 3 }, async (client) => {
        const outcomes = await Promise.allSettled(Array.from({ length: 5 }, () => client.send({ method: 'GET', path: '/' })));
        assert.equal(outcomes.filter((o) => o.status === 'fulfilled').length, 3);
        const refused = outcomes.filter((o) => o.status === 'rejected');
        assert.equal(refused.length, 2);
        for (const outcome of refused) {
          assert.ok(outcome.reason instanceof BudgetError);
          assert.equal(outcome.reason.code, 'ERR_BUDGET');
        }
        const stats = client.stats();
        assert.deepEqual([stats.requests, stats.refused, stats.budget, stats.budgetExhausted], [3, 2, 3, true]);
      });
      assert.equal(server.received.length, 3);
    } finally {
      await server.close();
    }
  });
});

describe('network failures are exchanges, not exceptions', () => {
  it('a server that never answers gives an exchange with a timeout error', async () => {
    const server = await startServer(() => undefined);
    try {
      await withClient({ target: server.url, timeoutMs: 200 }, async (client) => {
        const exchange = await client.send({ method: 'GET', path: '/slow' });
        assert.equal(exchange.response, undefined);
        assert.equal(exchange.error, 'timeout after 200 ms');
        assert.ok(exchange.durationMs >= 150 && exchange.durationMs < 2000, `${exchange.durationMs} ms`);
        assert.equal(client.stats().errors, 1);
      });
    } finally {
      await server.close();
    }
  });

  it('a body that stops half-way times out too: the timeout covers headers and body', async () => {
    const server = await startServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/plain' });
      response.write('partial');
    });
    try {
      await withClient({ target: server.url, timeoutMs: 200 }, async (client) => {
        const exchange = await client.send({ method: 'GET', path: '/' });
        assert.equal(exchange.error, 'timeout after 200 ms');
      });
    } finally {
      await server.close();
    }
  });

  it('a body that keeps trickling in still times out: the timeout is for the whole request, not between chunks', async () => {
    const server = await startServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/plain' });
      const drip = setInterval(() => response.write('.'), 20);
      response.on('close', () => {
        clearInterval(drip);
      });
    });
    try {
      await withClient({ target: server.url, timeoutMs: 300 }, async (client) => {
        const exchange = await client.send({ method: 'GET', path: '/' });
        assert.equal(exchange.response, undefined);
        assert.equal(exchange.error, 'timeout after 300 ms');
        assert.ok(exchange.durationMs >= 250 && exchange.durationMs < 2000, `${exchange.durationMs} ms`);
      });
    } finally {
      await server.close();
    }
  });

  it('a request that timed out leaves the client working: the next one gets its answer', async () => {
    const server = await startServer((request, response) => {
      if (request.url === '/slow') return;
      okJson(request, response);
    });
    try {
      await withClient({ target: server.url, timeoutMs: 200, concurrency: 1 }, async (client) => {
        assert.equal((await client.send({ method: 'GET', path: '/slow' })).error, 'timeout after 200 ms');
        const next = await client.send({ method: 'GET', path: '/ok' });
        assert.equal(next.response?.status, 200);
        assert.deepEqual(next.response.json, { ok: true });
      });
    } finally {
      await server.close();
    }
  });

  it('a refused connection gives an exchange with the error', async () => {
    const server = await startServer();
    const { port } = server;
    await server.close();
    await withClient({ target: `http://127.0.0.1:${port}` }, async (client) => {
      const exchange = await client.send({ method: 'GET', path: '/' });
      assert.equal(exchange.response, undefined);
      assert.match(exchange.error ?? '', /ECONNREFUSED/);
    });
  });

  it('4xx and 5xx are exchanges like any other', async () => {
    const server = await startServer((request, response) => {
      response.writeHead(Number(request.url.slice(1)), { 'content-type': 'application/json' });
      response.end('{"error":"no"}');
    });
    try {
      await withClient({ target: server.url }, async (client) => {
        assert.equal((await client.send({ method: 'GET', path: '/404' })).response?.status, 404);
        assert.equal((await client.send({ method: 'GET', path: '/500' })).response?.status, 500);
      });
    } finally {
      await server.close();
    }
  });
});

describe('responses are kept within the size limit and parsed when they are JSON', () => {
  it('a huge body is cut at maxResponseBytes and marked truncated', async () => {
    const server = await startServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(`[${'"xxxxxxxx",'.repeat(400_000)}"end"]`);
    });
    try {
      await withClient({ target: server.url, maxResponseBytes: 1024 }, async (client) => {
        const exchange = await client.send({ method: 'GET', path: '/' });
        assert.equal(exchange.response?.truncated, true);
        assert.equal(exchange.response.text.length, 1024);
        assert.equal(exchange.response.json, undefined);
        assert.equal(exchange.error, undefined);
      });
    } finally {
      await server.close();
    }
  });

  it('a body that never ends is cut at the cap at once, without waiting for the timeout, and the client goes on', async () => {
    const server = await startServer((request, response) => {
      if (request.url === '/ok') return okJson(request, response);
      response.writeHead(200, { 'content-type': 'text/plain' });
      const flood = setInterval(() => response.write('x'.repeat(100)), 5);
      response.on('close', () => {
        clearInterval(flood);
      });
    });
    try {
      await withClient({ target: server.url, maxResponseBytes: 1000, timeoutMs: 5000, concurrency: 1 }, async (client) => {
        const exchange = await client.send({ method: 'GET', path: '/endless' });
        assert.equal(exchange.error, undefined);
        assert.equal(exchange.response?.truncated, true);
        assert.equal(exchange.response.text, 'x'.repeat(1000));
        assert.ok(exchange.durationMs < 2000, `${exchange.durationMs} ms`);
        assert.equal((await client.send({ method: 'GET', path: '/ok' })).response?.status, 200);
      });
    } finally {
      await server.close();
    }
  });

  it('a body of exactly maxResponseBytes, in many chunks, is kept whole; one byte more is cut', async () => {
    const server = await startServer((request, response) => {
      response.writeHead(200, { 'content-type': 'text/plain' });
      const size = Number(request.url.slice(1));
      for (let sent = 0; sent < size; sent += 100) response.write('y'.repeat(Math.min(100, size - sent)));
      response.end();
    });
    try {
      await withClient({ target: server.url, maxResponseBytes: 1000 }, async (client) => {
        const whole = await client.send({ method: 'GET', path: '/1000' });
        assert.equal(whole.response?.truncated, false);
        assert.equal(whole.response.text.length, 1000);
        const cut = await client.send({ method: 'GET', path: '/1001' });
        assert.equal(cut.response?.truncated, true);
        assert.equal(cut.response.text.length, 1000);
      });
    } finally {
      await server.close();
    }
  });

  it('JSON is parsed by content type or by a leading { or [; anything else is text only', async () => {
    const bodies: Record<string, [string, string]> = {
      '/typed': ['application/problem+json', '{"title":"x"}'],
      '/sniffed': ['text/plain', ' [1,2]'],
      '/html': ['text/html', '<p>hi</p>'],
      '/broken': ['application/json', '{"a":'],
    };
    const server = await startServer((request, response) => {
      const [type, body] = bodies[request.url] ?? ['text/plain', ''];
      response.writeHead(200, { 'content-type': type });
      response.end(body);
    });
    try {
      await withClient({ target: server.url }, async (client) => {
        const json = async (path: string) => (await client.send({ method: 'GET', path })).response?.json;
        assert.deepEqual(await json('/typed'), { title: 'x' });
        assert.deepEqual(await json('/sniffed'), [1, 2]);
        assert.equal(await json('/html'), undefined);
        assert.equal(await json('/broken'), undefined);
        const html = await client.send({ method: 'GET', path: '/html' });
        assert.equal(html.response?.text, '<p>hi</p>');
        assert.equal(html.response.truncated, false);
      });
    } finally {
      await server.close();
    }
  });
});

/** Echoes what it received, secrets and all, so that redaction of responses is tested too. */
const echo: Respond = (request, response) => {
  response.writeHead(200, { 'content-type': 'application/json', 'set-cookie': ['sid=server-session-9f8e; Path=/; HttpOnly', 'theme=dark; Expires=Wed, 21 Oct 2026 07:28:00 GMT'] });
  response.end(JSON.stringify({ url: request.url, headers: request.headers, body: request.body }));
};

describe('secrets never appear in a recorded exchange', () => {
  it('Authorization, cookies, API-key headers, query tokens and identity secrets are redacted, request and response', async () => {
    const server = await startServer(echo);
    const recorded: Exchange[] = [];
    const secrets = ['static-bearer-7f3a', 'cookie-secret-c0ffee', 'header-key-1234', 'custom-key-5678', 'query-token-abcd', 'query-key-efgh', 'identity-key-4242', 'url-password-99'];
    try {
      await withClient({ target: server.url, secretHeaders: ['X-Custom-Key'], onExchange: (e) => recorded.push(e) }, async (client) => {
        const partner = createIdentity({ kind: 'apiKey', name: 'partner', in: 'header', parameter: 'X-Partner', value: 'identity-key-4242' });
        const exchange = await client.send({
          method: 'GET',
          path: '/search?access_token=query-token-abcd&q=alice',
          query: { api_key: 'query-key-efgh' },
          headers: { Authorization: 'Bearer static-bearer-7f3a', Cookie: 'sid=cookie-secret-c0ffee; lang=en', 'X-API-Key': 'header-key-1234', 'X-Custom-Key': 'custom-key-5678' },
          identity: partner,
        });
        // The server did get the secrets: redaction is of the record, not of the request.
        assert.equal(server.received[0]?.headers['x-partner'], 'identity-key-4242');
        const text = JSON.stringify(exchange);
        for (const secret of secrets.filter((s) => s !== 'url-password-99')) assert.ok(!text.includes(secret), `${secret} leaked`);
        assert.equal(exchange.request.headers.authorization, 'Bearer [REDACTED]');
        assert.equal(exchange.request.headers.cookie, 'sid=[REDACTED]; lang=[REDACTED]');
        assert.equal(exchange.request.headers['x-partner'], '[REDACTED]');
        assert.equal(exchange.request.url, `${server.url}/search?access_token=[REDACTED]&q=alice&api_key=[REDACTED]`);
        assert.equal(exchange.response?.headers['set-cookie'], 'sid=[REDACTED]; Path=/; HttpOnly, theme=[REDACTED]; Expires=Wed, 21 Oct 2026 07:28:00 GMT');
        assert.match(exchange.response.text, /"x-partner":"\[REDACTED\]"/);
      });
      await withClient({ target: server.url, scope: ['127.0.0.1'] }, async (client) => {
        const exchange = await client.send({ method: 'GET', url: `http://scanner:url-password-99@127.0.0.1:${server.port}/` });
        assert.ok(!JSON.stringify(exchange).includes('url-password-99'));
      });
      assert.ok(recorded.length > 0);
      for (const exchange of recorded) for (const secret of secrets) assert.ok(!JSON.stringify(exchange).includes(secret), `${secret} leaked to onExchange`);
    } finally {
      await server.close();
    }
  });

  it("a login's password and the token it obtained are redacted from the login exchange and all later ones", async () => {
    const server = await startServer((request, response) => {
      if (request.url === '/auth/login') {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end('{"data":{"access_token":"issued-token-0001"},"echo":"pw-secret-77"}');
      } else echo(request, response);
    });
    const recorded: Exchange[] = [];
    try {
      await withClient({ target: server.url, onExchange: (e) => recorded.push(e) }, async (client) => {
        const alice = createIdentity({
          kind: 'login',
          name: 'alice',
          request: { path: '/auth/login', form: { username: 'alice', password: 'pw-secret-77', otp_code: '123456' } },
          token: { from: 'json', path: '$.data.access_token' },
        });
        await client.send({ method: 'GET', path: '/api/me', identity: alice });
      });
      assert.equal(recorded.length, 2);
      const [login] = recorded;
      assert.equal(login?.request.body, 'username=alice&password=[REDACTED]&otp_code=[REDACTED]');
      assert.deepEqual(login.response?.json, { data: { access_token: '[REDACTED]' }, echo: '[REDACTED]' });
      assert.equal(login.operationId, undefined);
      assert.equal(login.identity, 'alice');
      for (const secret of ['pw-secret-77', '123456', 'issued-token-0001']) assert.ok(!JSON.stringify(recorded).includes(secret), `${secret} leaked`);
    } finally {
      await server.close();
    }
  });

  it('a renewed token is redacted from the exchange that obtained it on, and the old one still is', async () => {
    let logins = 0;
    const server = await startServer((request, response) => {
      if (request.url === '/auth/login') {
        logins += 1;
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ access_token: `renewed-token-000${logins}` }));
      } else if (request.url === '/api/refuses-first' && request.headers.authorization === 'Bearer renewed-token-0001') {
        response.writeHead(401);
        response.end();
      } else echo(request, response);
    });
    const recorded: Exchange[] = [];
    try {
      await withClient({ target: server.url, onExchange: (e) => recorded.push(e) }, async (client) => {
        const alice = createIdentity({ kind: 'login', name: 'alice', request: { path: '/auth/login', form: { username: 'alice', password: 'pw-renew-88' } }, token: { from: 'json', path: '$.access_token' } });
        await client.send({ method: 'GET', path: '/api/me', identity: alice });
        const renewed = await client.send({ method: 'GET', path: '/api/refuses-first', identity: alice });
        assert.equal(renewed.response?.status, 200);
        assert.match(renewed.response.text, /"authorization":"Bearer \[REDACTED\]"/);
        const old = await client.send({ method: 'GET', path: '/api/me', headers: { 'X-Note': 'renewed-token-0001' } });
        assert.equal(old.request.headers['x-note'], '[REDACTED]');
      });
      assert.equal(logins, 2);
      for (const secret of ['pw-renew-88', 'renewed-token-0001', 'renewed-token-0002']) assert.ok(!JSON.stringify(recorded).includes(secret), `${secret} leaked`);
    } finally {
      await server.close();
    }
  });
});

/** Runs a curl line in bash with `curl` replaced by a function that prints its arguments. */
function shellArguments(line: string, env: Record<string, string>): string[] {
  const output = execFileSync('bash', ['--norc', '--noprofile', '-c', `curl() { printf '%s\\0' "$@"; }; ${line}`], {
    env: { PATH: process.env.PATH ?? '', ...env },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return output.split('\0').slice(0, -1);
}

describe('toCurl reproduces the request with secrets as shell variables', () => {
  it('each redacted secret becomes a $VARIABLE named after the identity and its place; quoting survives the shell', async () => {
    const server = await startServer(echo);
    try {
      await withClient({ target: server.url, allowWrites: true }, async (client) => {
        const bob = createIdentity({ kind: 'bearer', name: 'bob', token: 'bob-token-31337' });
        const exchange = await client.send({
          method: 'POST',
          path: '/notes?api_key=k-1234',
          json: { text: "it's \"quoted\" $HOME `id`", password: 'bob-token-31337' },
          identity: bob,
        });
        const line = toCurl(exchange, { secretsAs: '$VARIABLE' });
        assert.ok(!line.includes('bob-token-31337') && !line.includes('k-1234'));
        assert.ok(!line.includes('\n'));
        assert.match(line, /"\$BOB_TOKEN"/);
        const args = shellArguments(line, { BOB_TOKEN: 'bob-token-31337', BOB_API_KEY: 'k-1234', BOB_PASSWORD: 'bob-token-31337' });
        assert.deepEqual(args, [
          '-sS',
          '-X',
          'POST',
          `${server.url}/notes?api_key=k-1234`,
          '-H',
          'user-agent: leakproof/0.1.0',
          '-H',
          'content-type: application/json',
          '-H',
          'authorization: Bearer bob-token-31337',
          '--data-raw',
          JSON.stringify({ text: "it's \"quoted\" $HOME `id`", password: 'bob-token-31337' }),
        ]);
      });
    } finally {
      await server.close();
    }
  });

  it('run for real, the line sends the same request the scan sent', async () => {
    const server = await startServer(echo);
    try {
      await withClient({ target: server.url }, async (client) => {
        const carol = createIdentity({ kind: 'cookie', name: 'carol', cookie: 'session', value: 'carol-session-5555' });
        const exchange = await client.send({ method: 'GET', path: '/api/me', query: { q: "o'brien" }, identity: carol });
        // Not execFileSync: the server answering curl runs in this process.
        await promisify(execFile)('bash', ['--norc', '--noprofile', '-c', `${toCurl(exchange)} -o /dev/null`], { env: { PATH: process.env.PATH ?? '', CAROL_SESSION: 'carol-session-5555' } });
      });
      const [scanned, replayed] = server.received;
      assert.equal(replayed?.url, scanned?.url);
      assert.equal(replayed?.headers.cookie, 'session=carol-session-5555');
    } finally {
      await server.close();
    }
  });

  it('HEAD uses --head; secretsAs [REDACTED] leaves the markers', async () => {
    const server = await startServer();
    try {
      await withClient({ target: server.url }, async (client) => {
        const exchange = await client.send({ method: 'HEAD', path: '/', headers: { authorization: 'Basic dXNlcjpwYXNz' } });
        assert.equal(toCurl(exchange, { secretsAs: '[REDACTED]' }), `curl -sS --head '${server.url}/' -H 'user-agent: leakproof/0.1.0' -H 'authorization: Basic [REDACTED]'`);
      });
    } finally {
      await server.close();
    }
  });
});

describe('bad options are configuration errors', () => {
  it('a rate, concurrency, budget or timeout that makes no sense throws ConfigError at creation', () => {
    for (const options of [{ rateLimit: 0 }, { concurrency: 1.5 }, { budget: -1 }, { timeoutMs: Number.NaN }]) {
      assert.throws(() => createScanClient({ target: 'http://127.0.0.1:1', ...options }), { code: 'ERR_CONFIG' });
    }
    assert.throws(() => createScanClient({ target: 'http://127.0.0.1:1', scope: ['http://a/b'] }), ScopeError);
  });
});
