/**
 * Identities: each kind puts its credentials where configured, logins and token grants go through
 * the scan client, expiring and refused credentials are renewed once, and a failed login says what
 * to fix without repeating any secret.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { Ajv } from 'ajv';
import { ConfigError, ExitCode } from '../src/core/errors.ts';
import { SEEDED_CREDENTIALS, seededPersonId, startReferenceApi } from '../src/reference-api/index.ts';
import type { Exchange } from '../src/scan/exchange.ts';
import type { Clock, ScanClient, ScanClientOptions } from '../src/scan/http/index.ts';
import { createScanClient } from '../src/scan/http/index.ts';
import type { IdentityConfig, LoginIdentityConfig, OAuth2IdentityConfig } from '../src/scan/identity/index.ts';
import { IdentityError, createIdentities, createIdentity, identitiesSchema } from '../src/scan/identity/index.ts';

interface Received {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

type Respond = (request: Received, response: ServerResponse) => void;

async function startServer(respond: Respond): Promise<{ url: string; received: Received[]; close(): Promise<void> }> {
  const received: Received[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const entry = { method: request.method ?? '', url: request.url ?? '', headers: request.headers, body: Buffer.concat(chunks).toString('utf8') };
      received.push(entry);
      respond(entry, response);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  };
}

function json(response: ServerResponse, status: number, body: unknown, headers: Record<string, string | string[]> = {}): void {
  response.writeHead(status, { 'content-type': 'application/json', ...headers });
  response.end(JSON.stringify(body));
}

/** A clock the test moves by hand; sleeping moves it too. */
function manualClock(start = Date.now()): { clock: Clock; advance(ms: number): void } {
  let now = start;
  return {
    advance: (ms) => (now += ms),
    clock: {
      now: () => now,
      sleep: (ms) => {
        now += ms;
        return Promise.resolve();
      },
    },
  };
}

async function withClient<T>(options: ScanClientOptions, run: (client: ScanClient, recorded: Exchange[]) => Promise<T>): Promise<T> {
  const recorded: Exchange[] = [];
  const client = createScanClient({ rateLimit: 1000, onExchange: (e) => recorded.push(e), ...options });
  try {
    return await run(client, recorded);
  } finally {
    await client.close();
  }
}

const echo: Respond = (request, response) => {
  json(response, 200, { url: request.url, headers: request.headers });
};

function loginConfig(name: string, password: string, extra: Partial<LoginIdentityConfig> = {}): LoginIdentityConfig {
  return { kind: 'login', name, request: { path: '/auth/login', json: { username: name, password } }, token: { from: 'json', path: '$.token' }, ...extra };
}

function seededPassword(username: string): string {
  const credentials = SEEDED_CREDENTIALS.find((entry) => entry.username === username);
  assert.ok(credentials);
  return credentials.password;
}

describe('static identities put their credentials where configured', () => {
  it('bearer, API key in a header, API key in the query, a cookie by name, a raw Cookie header', async () => {
    const server = await startServer(echo);
    try {
      await withClient({ target: server.url }, async (client) => {
        const cases: [IdentityConfig, (r: Received) => string | null | undefined, string][] = [
          [{ kind: 'bearer', name: 'ci', token: 'tok-1' }, (r) => r.headers.authorization, 'Bearer tok-1'],
          [{ kind: 'apiKey', name: 'partner', in: 'header', parameter: 'X-API-Key', value: 'key-1' }, (r) => r.headers['x-api-key'] as string | undefined, 'key-1'],
          [{ kind: 'apiKey', name: 'widget', in: 'query', parameter: 'api_key', value: 'key 2&x' }, (r) => new URL(r.url, server.url).searchParams.get('api_key'), 'key 2&x'],
          [{ kind: 'cookie', name: 'bob', cookie: 'sid', value: 'sess-3' }, (r) => r.headers.cookie, 'lang=en; sid=sess-3'],
          [{ kind: 'cookie', name: 'carol', header: 'sid=sess-4; csrf=c-5' }, (r) => r.headers.cookie, 'lang=en; sid=sess-4; csrf=c-5'],
        ];
        for (const [config, read, expected] of cases) {
          const exchange = await client.send({ method: 'GET', path: '/x?q=1', headers: { cookie: 'lang=en' }, identity: createIdentity(config) });
          assert.equal(exchange.identity, config.name);
          const received = server.received.at(-1);
          assert.ok(received);
          assert.equal(new URL(received.url, server.url).searchParams.get('q'), '1');
          assert.equal(read(received), expected, config.kind);
        }
      });
    } finally {
      await server.close();
    }
  });

  it('a 401 to a static identity is the answer: nothing is renewed or sent again', async () => {
    const server = await startServer((_request, response) => {
      json(response, 401, { error: 'unauthorized' });
    });
    try {
      await withClient({ target: server.url }, async (client) => {
        const exchange = await client.send({ method: 'GET', path: '/', identity: createIdentity({ kind: 'bearer', name: 'ci', token: 'revoked' }) });
        assert.equal(exchange.response?.status, 401);
        assert.equal(server.received.length, 1);
      });
    } finally {
      await server.close();
    }
  });

  it('identities carry their role and the ids they own; anonymous applies nothing', () => {
    const [admin, anonymous] = createIdentities([
      { kind: 'bearer', name: 'root', role: 'admin', owns: { user: ['u-1'] }, token: 'admin-token' },
      { kind: 'anonymous', name: 'anonymous' },
    ]);
    assert.equal(admin?.role, 'admin');
    assert.deepEqual(admin.owns, { user: ['u-1'] });
    const request = { method: 'GET' as const, url: new URL('http://127.0.0.1/'), headers: {}, body: undefined };
    assert.equal(anonymous?.apply(request), request);
    assert.deepEqual(anonymous.secrets(), []);
  });
});

describe('a login identity logs in through the scan client and is that person afterwards', () => {
  it('against the reference API (authonly): GET /api/me as alice returns alice, after one login', async () => {
    const api = await startReferenceApi({ mode: 'authonly' });
    try {
      await withClient({ target: api.url }, async (client, recorded) => {
        const alice = createIdentity(loginConfig('alice', seededPassword('alice')));
        const me = await client.send({ method: 'GET', path: '/api/me', identity: alice });
        assert.equal(me.response?.status, 200);
        assert.deepEqual([(me.response.json as { id: string }).id, (me.response.json as { username: string }).username], [seededPersonId('alice'), 'alice']);
        await client.send({ method: 'GET', path: '/api/me', identity: alice });
        await alice.authenticate(client);
        assert.equal(recorded.filter((e) => e.request.url.endsWith('/auth/login')).length, 1);
        assert.equal((await client.send({ method: 'GET', path: '/api/me' })).response?.status, 401);
      });
    } finally {
      await api.close();
    }
  });

  it('the token can come from a header or a cookie, and be sent as a header with a scheme or as a cookie', async () => {
    const server = await startServer((request, response) => {
      if (request.url === '/login') json(response, 200, {}, { 'x-auth-token': 'hdr-token-1', 'set-cookie': ['other=1; Path=/', 'sid=cookie-token-2; HttpOnly'] });
      else echo(request, response);
    });
    try {
      await withClient({ target: server.url }, async (client) => {
        const request = { path: '/login', form: { user: 'dave', pass: 'dave-pass' } };
        const byHeader = createIdentity({ kind: 'login', name: 'dave', request, token: { from: 'header', header: 'X-Auth-Token' }, use: { as: 'header', header: 'X-Session', scheme: 'Token' } });
        await client.send({ method: 'GET', path: '/a', identity: byHeader });
        assert.equal(server.received.at(-1)?.headers['x-session'], 'Token hdr-token-1');
        assert.equal(server.received.at(-2)?.body, 'user=dave&pass=dave-pass');
        assert.equal(server.received.at(-2)?.headers['content-type'], 'application/x-www-form-urlencoded');
        const byCookie = createIdentity({ kind: 'login', name: 'erin', request, token: { from: 'cookie', cookie: 'sid' } });
        await client.send({ method: 'GET', path: '/b', identity: byCookie });
        assert.equal(server.received.at(-1)?.headers.cookie, 'sid=cookie-token-2');
      });
    } finally {
      await server.close();
    }
  });
});

/** Issues opaque tokens `t1`, `t2`... and accepts only those still valid. */
async function sessionServer(options: { lifetimeSeconds?: number } = {}) {
  const valid = new Set<string>();
  let issued = 0;
  const server = await startServer((request, response) => {
    if (request.url === '/auth/login') {
      issued += 1;
      const token = `token-${issued}`;
      valid.add(token);
      json(response, 200, { token, ...(options.lifetimeSeconds === undefined ? {} : { expires_in: options.lifetimeSeconds }) });
      return;
    }
    const token = request.headers.authorization?.replace('Bearer ', '') ?? '';
    if (request.url === '/refuses-everyone' || !valid.has(token)) json(response, 401, { error: 'unauthorized' });
    else json(response, 200, { token });
  });
  return {
    ...server,
    logins: () => issued,
    revokeAll: () => {
      valid.clear();
    },
  };
}

describe('a 401 triggers one re-login, then the request succeeds', () => {
  it('a revoked token: one re-login, the request sent again with the new token, counted as a retry', async () => {
    const server = await sessionServer();
    try {
      await withClient({ target: server.url }, async (client) => {
        const alice = createIdentity(loginConfig('alice', 'pw-alice'));
        assert.equal((await client.send({ method: 'GET', path: '/data', identity: alice })).response?.status, 200);
        server.revokeAll();
        const exchange = await client.send({ method: 'GET', path: '/data', identity: alice });
        assert.equal(exchange.response?.status, 200);
        assert.equal(server.received.at(-1)?.headers.authorization, 'Bearer token-2');
        assert.equal(server.logins(), 2);
        assert.equal(client.stats().retries, 1);
      });
    } finally {
      await server.close();
    }
  });

  it('many requests refused with the same token cause a single re-login', async () => {
    const server = await sessionServer();
    try {
      await withClient({ target: server.url, concurrency: 4 }, async (client) => {
        const alice = createIdentity(loginConfig('alice', 'pw-alice'));
        await alice.authenticate(client);
        server.revokeAll();
        const exchanges = await Promise.all(Array.from({ length: 6 }, () => client.send({ method: 'GET', path: '/data', identity: alice })));
        assert.deepEqual(exchanges.map((e) => e.response?.status), [200, 200, 200, 200, 200, 200]);
        assert.equal(server.logins(), 2);
      });
    } finally {
      await server.close();
    }
  });

  it('an endpoint that refuses even fresh credentials gets one re-login, not a loop', async () => {
    const server = await sessionServer();
    try {
      await withClient({ target: server.url }, async (client) => {
        const alice = createIdentity(loginConfig('alice', 'pw-alice'));
        assert.equal((await client.send({ method: 'GET', path: '/refuses-everyone', identity: alice })).response?.status, 401);
        assert.equal((await client.send({ method: 'GET', path: '/refuses-everyone', identity: alice })).response?.status, 401);
        assert.equal(server.logins(), 2);
        // Once a request works with the new credentials, a later 401 may renew them again.
        assert.equal((await client.send({ method: 'GET', path: '/data', identity: alice })).response?.status, 200);
        server.revokeAll();
        assert.equal((await client.send({ method: 'GET', path: '/data', identity: alice })).response?.status, 200);
        assert.equal(server.logins(), 3);
        // The endpoint that refused fresh credentials is not worth another login.
        assert.equal((await client.send({ method: 'GET', path: '/refuses-everyone', identity: alice })).response?.status, 401);
        assert.equal(server.logins(), 3);
      });
    } finally {
      await server.close();
    }
  });
});

describe('tokens are renewed shortly before they expire', () => {
  it("the reference API's JWT: a login again when exp is near, before any request is refused", async () => {
    const time = manualClock();
    const api = await startReferenceApi({ mode: 'authonly', now: () => time.clock.now() });
    try {
      await withClient({ target: api.url, clock: time.clock }, async (client, recorded) => {
        const bob = createIdentity(loginConfig('bob', seededPassword('bob')));
        await client.send({ method: 'GET', path: '/api/me', identity: bob });
        time.advance(3000 * 1000);
        await client.send({ method: 'GET', path: '/api/me', identity: bob });
        const logins = () => recorded.filter((e) => e.request.url.endsWith('/auth/login')).length;
        assert.equal(logins(), 1, 'the token still had ten minutes');
        time.advance(590 * 1000);
        const exchange = await client.send({ method: 'GET', path: '/api/me', identity: bob });
        assert.equal(logins(), 2, 'ten seconds before exp: logged in again');
        assert.equal(exchange.response?.status, 200);
        assert.equal(recorded.filter((e) => e.response?.status === 401).length, 0);
      });
    } finally {
      await api.close();
    }
  });

  it('an opaque short-lived token with a configured lifetime is renewed half-way through at the latest', async () => {
    const server = await sessionServer();
    const time = manualClock();
    try {
      await withClient({ target: server.url, clock: time.clock }, async (client) => {
        const alice = createIdentity(loginConfig('alice', 'pw-alice', { expiresIn: 2 }));
        await client.send({ method: 'GET', path: '/data', identity: alice });
        time.advance(900);
        await client.send({ method: 'GET', path: '/data', identity: alice });
        assert.equal(server.logins(), 1);
        time.advance(200);
        const exchange = await client.send({ method: 'GET', path: '/data', identity: alice });
        assert.equal(server.logins(), 2);
        assert.equal(exchange.response?.status, 200);
        assert.equal(server.received.at(-1)?.headers.authorization, 'Bearer token-2');
      });
    } finally {
      await server.close();
    }
  });
});

interface TokenRequest {
  authorization: string | undefined;
  contentType: string | undefined;
  form: Record<string, string>;
}

/** A token endpoint (RFC 6749) and a resource that accepts its access tokens. */
async function authorizationServer(options: { refreshWorks?: boolean; refreshIssuesNewRefreshToken?: boolean } = {}) {
  const tokenRequests: TokenRequest[] = [];
  const accessTokens = new Set<string>();
  const refreshTokens = new Set<string>();
  let issued = 0;
  const clients: Record<string, string> = { scanner: 's3cret-client', 'scan:ner': 'p@ss w/rd' };
  const server = await startServer((request, response) => {
    if (request.url !== '/oauth/token') {
      const token = request.headers.authorization?.replace('Bearer ', '') ?? '';
      json(response, accessTokens.has(token) ? 200 : 401, { token });
      return;
    }
    const form = Object.fromEntries(new URLSearchParams(request.body));
    tokenRequests.push({ authorization: request.headers.authorization, contentType: request.headers['content-type'], form });
    let clientId = form.client_id;
    let secret = form.client_secret;
    const basic = /^Basic (.+)$/.exec(request.headers.authorization ?? '')?.[1];
    if (basic !== undefined) {
      const [id = '', pass = ''] = Buffer.from(basic, 'base64').toString('utf8').split(':');
      clientId = decodeURIComponent(id.replace(/\+/g, ' '));
      secret = decodeURIComponent(pass.replace(/\+/g, ' '));
    }
    if (clientId === undefined || clients[clientId] !== secret) {
      json(response, 401, { error: 'invalid_client' });
      return;
    }
    const grant = form.grant_type;
    const passwordOk = grant === 'password' && form.username === 'heidi' && form.password === 'heidi-pw-2021';
    const refreshOk = grant === 'refresh_token' && options.refreshWorks !== false && refreshTokens.has(form.refresh_token ?? '');
    if (grant !== 'client_credentials' && !passwordOk && !refreshOk) {
      json(response, 400, { error: 'invalid_grant', error_description: 'The grant is invalid or expired.' });
      return;
    }
    issued += 1;
    const access = `access-${issued}`;
    accessTokens.add(access);
    const body: Record<string, unknown> = { access_token: access, token_type: 'Bearer', expires_in: 60 };
    if (grant !== 'refresh_token' || options.refreshIssuesNewRefreshToken === true) {
      body.refresh_token = `refresh-${issued}`;
      refreshTokens.add(`refresh-${issued}`);
    }
    json(response, 200, body);
  });
  return { ...server, tokenRequests };
}

function clientCredentials(extra: Partial<OAuth2IdentityConfig> = {}): OAuth2IdentityConfig {
  return { kind: 'oauth2', name: 'service', grant: 'client_credentials', tokenUrl: '/oauth/token', clientId: 'scanner', clientSecret: 's3cret-client', ...extra } as OAuth2IdentityConfig;
}

describe('oauth2: client-credentials grant', () => {
  it('a form-encoded grant with HTTP Basic client authentication; the access token is sent as a bearer', async () => {
    const server = await authorizationServer();
    try {
      await withClient({ target: server.url }, async (client) => {
        const service = createIdentity(clientCredentials({ scope: 'read:users', params: { audience: 'api' } }));
        const exchange = await client.send({ method: 'GET', path: '/api/users', identity: service });
        assert.equal(exchange.response?.status, 200);
        assert.equal(server.received.at(-1)?.headers.authorization, 'Bearer access-1');
        // The resource echoed the token back: it is redacted in the record.
        assert.deepEqual(exchange.response.json, { token: '[REDACTED]' });
        const [grant] = server.tokenRequests;
        assert.equal(grant?.contentType, 'application/x-www-form-urlencoded');
        assert.equal(grant.authorization, `Basic ${Buffer.from('scanner:s3cret-client').toString('base64')}`);
        assert.deepEqual(grant.form, { audience: 'api', grant_type: 'client_credentials', scope: 'read:users' });
      });
    } finally {
      await server.close();
    }
  });

  it('client_secret_post puts the client in the body; Basic form-encodes id and secret first (RFC 6749 §2.3.1)', async () => {
    const server = await authorizationServer();
    try {
      await withClient({ target: server.url }, async (client) => {
        await createIdentity(clientCredentials({ clientAuth: 'client_secret_post' })).authenticate(client);
        await createIdentity(clientCredentials({ name: 'odd', clientId: 'scan:ner', clientSecret: 'p@ss w/rd' })).authenticate(client);
      });
      const [post, basic] = server.tokenRequests;
      assert.equal(post?.authorization, undefined);
      assert.deepEqual(post?.form, { grant_type: 'client_credentials', client_id: 'scanner', client_secret: 's3cret-client' });
      assert.equal(basic?.authorization, `Basic ${Buffer.from('scan%3Aner:p%40ss+w%2Frd').toString('base64')}`);
    } finally {
      await server.close();
    }
  });

  it('before expires_in runs out, the refresh token is used; the old refresh token is kept when no new one comes', async () => {
    const server = await authorizationServer();
    const time = manualClock();
    try {
      await withClient({ target: server.url, clock: time.clock }, async (client) => {
        const service = createIdentity(clientCredentials());
        await client.send({ method: 'GET', path: '/api/users', identity: service });
        time.advance(20_000);
        await client.send({ method: 'GET', path: '/api/users', identity: service });
        time.advance(15_000);
        await client.send({ method: 'GET', path: '/api/users', identity: service });
        assert.equal(server.received.at(-1)?.headers.authorization, 'Bearer access-2');
        time.advance(40_000);
        await client.send({ method: 'GET', path: '/api/users', identity: service });
      });
      assert.deepEqual(server.tokenRequests.map((r) => r.form.grant_type), ['client_credentials', 'refresh_token', 'refresh_token']);
      assert.deepEqual(server.tokenRequests.map((r) => r.form.refresh_token), [undefined, 'refresh-1', 'refresh-1']);
    } finally {
      await server.close();
    }
  });

  it('a refused refresh token falls back to a new grant, without an error', async () => {
    const server = await authorizationServer({ refreshWorks: false });
    const time = manualClock();
    try {
      await withClient({ target: server.url, clock: time.clock }, async (client) => {
        const service = createIdentity(clientCredentials());
        await client.send({ method: 'GET', path: '/api/users', identity: service });
        time.advance(45_000);
        assert.equal((await client.send({ method: 'GET', path: '/api/users', identity: service })).response?.status, 200);
        assert.equal(server.received.at(-1)?.headers.authorization, 'Bearer access-2');
      });
      assert.deepEqual(server.tokenRequests.map((r) => r.form.grant_type), ['client_credentials', 'refresh_token', 'client_credentials']);
    } finally {
      await server.close();
    }
  });
});

describe('oauth2: password grant', () => {
  const heidi = (password: string): OAuth2IdentityConfig => ({ kind: 'oauth2', name: 'heidi', grant: 'password', tokenUrl: '/oauth/token', clientId: 'scanner', clientSecret: 's3cret-client', username: 'heidi', password });

  it("sends the resource owner's username and password, form-encoded, and uses the token", async () => {
    const server = await authorizationServer();
    try {
      await withClient({ target: server.url }, async (client, recorded) => {
        const exchange = await client.send({ method: 'GET', path: '/api/me', identity: createIdentity(heidi('heidi-pw-2021')) });
        assert.equal(exchange.response?.status, 200);
        assert.deepEqual(server.tokenRequests[0]?.form, { grant_type: 'password', username: 'heidi', password: 'heidi-pw-2021' });
        const text = JSON.stringify(recorded);
        for (const secret of ['heidi-pw-2021', 's3cret-client', 'access-1', 'refresh-1']) assert.ok(!text.includes(secret), `${secret} leaked`);
      });
    } finally {
      await server.close();
    }
  });

  it('a refused grant is an IdentityError with the OAuth error, and no password in it', async () => {
    const server = await authorizationServer();
    try {
      await withClient({ target: server.url }, async (client) => {
        await assert.rejects(client.send({ method: 'GET', path: '/api/me', identity: createIdentity(heidi('wrong-pw-9999')) }), (error: unknown) => {
          assert.ok(error instanceof IdentityError);
          assert.match(error.message, /^identity 'heidi': token request failed: invalid_grant: The grant is invalid or expired\. \(POST http:\/\/127\.0\.0\.1:\d+\/oauth\/token answered 400/);
          assert.ok(!`${error.message} ${error.hint ?? ''}`.includes('wrong-pw-9999'));
          return true;
        });
      });
    } finally {
      await server.close();
    }
  });
});

describe('a failed login is an IdentityError that says what to fix, with no secret in it', () => {
  it('wrong password against the reference API: the identity, the request, the status and an excerpt', async () => {
    const api = await startReferenceApi({ mode: 'authonly' });
    try {
      await withClient({ target: api.url }, async (client) => {
        const alice = createIdentity(loginConfig('alice', 'not-alices-password'));
        await assert.rejects(client.send({ method: 'GET', path: '/api/me', identity: alice }), (error: unknown) => {
          assert.ok(error instanceof IdentityError);
          assert.equal(error.code, 'ERR_IDENTITY');
          assert.equal(error.exitCode, ExitCode.Runtime);
          assert.equal(
            error.message,
            `identity 'alice': login failed: POST ${api.url}/auth/login answered 401: {"error":"invalid_credentials","message":"Unknown username or wrong password."}`,
          );
          assert.equal(error.hint, "check the credentials configured for identity 'alice'");
          assert.ok(!error.format().includes('not-alices-password'));
          return true;
        });
      });
    } finally {
      await api.close();
    }
  });

  it('a failed login is not tried again on the next request: that would look like password guessing', async () => {
    const server = await sessionServer();
    try {
      await withClient({ target: server.url }, async (client) => {
        const locked = createIdentity({ ...loginConfig('alice', 'pw-alice'), token: { from: 'json', path: '$.missing' } });
        const first = await client.send({ method: 'GET', path: '/data', identity: locked }).catch((error: unknown) => error);
        const second = await client.send({ method: 'GET', path: '/data', identity: locked }).catch((error: unknown) => error);
        assert.ok(first instanceof IdentityError);
        assert.equal(second, first);
        assert.equal(server.logins(), 1);
      });
    } finally {
      await server.close();
    }
  });

  it('a login that answers without a token at the configured path says where it looked, and redacts the response', async () => {
    const api = await startReferenceApi({ mode: 'authonly' });
    try {
      await withClient({ target: api.url }, async (client) => {
        const alice = createIdentity(loginConfig('alice', seededPassword('alice'), { token: { from: 'json', path: '$.access_token' } }));
        await assert.rejects(alice.authenticate(client), (error: unknown) => {
          assert.ok(error instanceof IdentityError);
          assert.match(error.message, /^identity 'alice': login failed: no token at \$\.access_token in the response \(POST .* answered 200: /);
          assert.ok(!error.message.includes(seededPassword('alice')));
          return true;
        });
      });
    } finally {
      await api.close();
    }
  });

  it('a login server that does not answer says so', async () => {
    const server = await startServer(() => undefined);
    await server.close();
    await withClient({ target: server.url }, async (client) => {
      await assert.rejects(createIdentity(loginConfig('alice', 'pw-alice')).authenticate(client), /identity 'alice': login failed: POST .*\/auth\/login got no answer \(ECONNREFUSED/);
    });
  });

  it('a login outside the scope is refused like any request', async () => {
    await withClient({ target: 'http://127.0.0.1:9' }, async (client) => {
      const config = loginConfig('alice', 'pw-alice');
      const elsewhere = createIdentity({ ...config, request: { url: 'http://login.example.invalid/auth', json: {} } });
      await assert.rejects(elsewhere.authenticate(client), { code: 'ERR_SCOPE' });
    });
  });
});

describe('identities schema validates configuration, one kind at a time', () => {
  const problems: string[] = [];
  const ajv = new Ajv({ allErrors: true, strict: true, logger: { log: () => undefined, warn: (m: unknown) => problems.push(String(m)), error: (m: unknown) => problems.push(String(m)) } });
  const validate = ajv.compile(identitiesSchema);

  it('compiles in strict mode without warnings, and accepts every kind as documented', () => {
    assert.deepEqual(problems, []);
    const identities: IdentityConfig[] = [
      { kind: 'anonymous', name: 'anonymous' },
      { kind: 'bearer', name: 'ci', token: '${CI_TOKEN}' },
      { kind: 'apiKey', name: 'partner', in: 'header', parameter: 'X-API-Key', value: 'k' },
      { kind: 'cookie', name: 'bob', cookie: 'sid', value: 'v' },
      { kind: 'cookie', name: 'carol', header: 'sid=v; csrf=w' },
      { ...loginConfig('alice', 'pw', { use: { as: 'header', header: 'X-Session', scheme: 'Token' }, expiresIn: 900 }), role: 'user', owns: { user: ['a1b2'] } },
      clientCredentials({ scope: 'read', clientAuth: 'client_secret_post' }),
      { kind: 'oauth2', name: 'heidi', grant: 'password', tokenUrl: 'https://id.example.com/token', clientId: 'c', username: 'heidi', password: 'p' },
    ];
    assert.equal(validate(identities), true, JSON.stringify(validate.errors));
    assert.equal(createIdentities(identities).length, identities.length);
  });

  it('an unknown key is reported once, against the kind chosen, with the keys that kind knows', () => {
    const verbose = new Ajv({ allErrors: true, strict: true, verbose: true }).compile(identitiesSchema);
    assert.equal(verbose([{ kind: 'bearer', name: 'ci', token: 't', tokn: 'x' }]), false);
    // The `if` keyword adds "must match then" after the real error: the first one is what to show.
    assert.deepEqual(verbose.errors?.map((e) => e.keyword), ['additionalProperties', 'if']);
    const [error] = verbose.errors ?? [];
    assert.equal(error?.params.additionalProperty, 'tokn');
    assert.equal(error.instancePath, '/0');
    const known = Object.keys((error.parentSchema as { properties: Record<string, unknown> }).properties);
    assert.deepEqual(known.sort(), ['kind', 'name', 'owns', 'role', 'token']);
  });

  it('what a kind needs is required: a token, a login path or url, a password for the password grant', () => {
    const missing = (config: unknown) => {
      validate([config]);
      return (validate.errors ?? []).filter((e) => e.keyword === 'required').map((e) => String(e.params.missingProperty));
    };
    assert.deepEqual(missing({ kind: 'bearer', name: 'ci' }), ['token']);
    assert.ok(missing({ kind: 'login', name: 'a', request: { json: {} }, token: { from: 'json', path: '$.t' } }).includes('path'));
    assert.deepEqual(missing({ kind: 'oauth2', name: 'h', grant: 'password', tokenUrl: '/t', clientId: 'c' }), ['username', 'password']);
    assert.equal(validate([{ kind: 'bearer', name: 'has space', token: 't' }]), false);
    assert.equal(validate([{ kind: 'robot', name: 'r' }]), false);
  });

  it('names are unique, and anonymous is reserved for the identity without credentials', () => {
    assert.throws(() => createIdentities([{ kind: 'bearer', name: 'a', token: 't' }, { kind: 'bearer', name: 'a', token: 'u' }]), ConfigError);
    assert.throws(() => createIdentity({ kind: 'bearer', name: 'anonymous', token: 't' }), ConfigError);
    assert.throws(() => createIdentity({ kind: 'bearer', name: '$(rm)', token: 't' }), ConfigError);
  });
});
