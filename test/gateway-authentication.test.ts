/**
 * The gateway's authentication, against a real identity provider on 127.0.0.1 (node:http serving
 * a JWKS and an OIDC discovery document made with jose) and against the reference API's own JWKS.
 * Every credential that is present but wrong is a 401 with a reason for the log; nothing throws,
 * nothing falls back to anonymous.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { Ajv } from 'ajv';
import { SignJWT, exportJWK, exportSPKI, generateKeyPair } from 'jose';
import type { CryptoKey, JWK, JWTHeaderParameters } from 'jose';
import { ConfigError } from '../src/core/errors.ts';
import type { Authentication, AuthenticationConfig, Authenticator, AuthenticatorOptions, Principal, RequestHeaders } from '../src/gateway/authentication/index.ts';
import { AuthenticationSetupError, authenticationSchema, createAuthenticator, hashApiKey } from '../src/gateway/authentication/index.ts';
import { identityToken, seededPersonId, startReferenceApi } from '../src/reference-api/index.ts';

const AUDIENCE = 'fitness-api';

interface SigningKey {
  readonly alg: 'ES256' | 'RS256';
  readonly kid: string;
  readonly privateKey: CryptoKey;
  readonly publicKey: CryptoKey;
  readonly jwk: JWK;
}

async function signingKey(alg: SigningKey['alg'], kid: string): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  return { alg, kid, privateKey, publicKey, jwk: { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' } };
}

/** How the identity provider's JWKS route behaves at the moment. */
type JwksBehaviour = 'serve' | 'fail' | 'hang' | 'not-json' | 'not-a-key-set';

/** A real identity provider on 127.0.0.1: a JWKS, an OIDC discovery document, and a switch to break them. */
class IdentityProvider {
  readonly #server = createServer((request, response) => {
    this.#answer(request, response);
  });
  /** Base URL, which is also the issuer. */
  url = '';
  keys: JWK[] = [];
  behaviour: JwksBehaviour = 'serve';
  /** Replaces the discovery document, to test what a wrong one does. */
  discovery: unknown;
  jwksFetches = 0;

  get jwksUrl(): string {
    return `${this.url}/keys/jwks.json`;
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
    return this;
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise((resolve) => this.#server.close(resolve));
  }

  #answer(request: IncomingMessage, response: ServerResponse): void {
    const json = (status: number, body: unknown): void => {
      response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    };
    if (request.url === '/.well-known/openid-configuration') {
      json(200, this.discovery ?? { issuer: this.url, jwks_uri: this.jwksUrl, id_token_signing_alg_values_supported: ['ES256', 'RS256'] });
      return;
    }
    if (request.url !== '/keys/jwks.json') {
      json(404, { error: 'not_found' });
      return;
    }
    this.jwksFetches += 1;
    if (this.behaviour === 'serve') json(200, { keys: this.keys });
    else if (this.behaviour === 'fail') json(503, { error: 'unavailable' });
    else if (this.behaviour === 'not-json') response.writeHead(200, { 'content-type': 'text/html' }).end('<h1>It works!</h1>');
    else if (this.behaviour === 'not-a-key-set') json(200, { issuer: this.url });
    // 'hang': never answer; close() ends the connection.
  }
}

/** A URL nothing listens on: a port that was free a moment ago. */
async function closedPortUrl(path: string): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return `http://127.0.0.1:${port}${path}`;
}

function claims(issuer: string, overrides: Readonly<Record<string, unknown>> = {}): Record<string, unknown> {
  const now = Math.floor(Date.now() / 1000);
  const all: Record<string, unknown> = { iss: issuer, aud: AUDIENCE, sub: 'u-alice', iat: now, exp: now + 600, roles: ['rider'], ...overrides };
  return Object.fromEntries(Object.entries(all).filter(([, value]) => value !== undefined));
}

function sign(key: SigningKey, payload: Record<string, unknown>, header: Partial<JWTHeaderParameters> = {}): Promise<string> {
  return new SignJWT(payload).setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'JWT', ...header }).sign(key.privateKey);
}

function encode(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

function bearer(token: string): IncomingHttpHeaders {
  return { authorization: `Bearer ${token}` };
}

function assertPrincipal(authentication: Authentication, expected: Partial<Principal>): Principal {
  assert.ok(authentication.ok, authentication.ok ? '' : `refused: ${authentication.reason}`);
  for (const [key, value] of Object.entries(expected)) assert.deepEqual(authentication.principal[key as keyof Principal], value, key);
  return authentication.principal;
}

function assertRefused(authentication: Authentication, reason: RegExp): void {
  assert.ok(!authentication.ok, 'accepted');
  assert.equal(authentication.status, 401);
  assert.match(authentication.reason, reason);
}

async function rejection(promise: Promise<unknown>): Promise<AuthenticationSetupError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof AuthenticationSetupError, `not an AuthenticationSetupError: ${String(error)}`);
    assert.equal(error.code, 'ERR_GATEWAY_AUTH');
    assert.equal(error.exitCode, 3);
    return error;
  }
  assert.fail('createAuthenticator resolved');
}

/** One identity provider with an ES256 and an RS256 key, and authenticators over it, closed after the suite. */
function fixture(): {
  idp: () => IdentityProvider;
  es: () => SigningKey;
  rs: () => SigningKey;
  authenticator: (config?: Partial<AuthenticationConfig>, options?: AuthenticatorOptions) => Promise<Authenticator>;
  jwt: () => NonNullable<AuthenticationConfig['jwt']>;
} {
  const state: { idp?: IdentityProvider; es?: SigningKey; rs?: SigningKey } = {};
  const opened: Authenticator[] = [];
  before(async () => {
    state.es = await signingKey('ES256', 'es-1');
    state.rs = await signingKey('RS256', 'rs-1');
    state.idp = await new IdentityProvider().start();
    state.idp.keys = [state.es.jwk, state.rs.jwk];
  });
  after(async () => {
    for (const authenticator of opened) authenticator.close();
    await state.idp?.close();
  });
  const idp = (): IdentityProvider => state.idp ?? assert.fail('no identity provider');
  const jwt = (): NonNullable<AuthenticationConfig['jwt']> => ({ jwksUrl: idp().jwksUrl, issuer: idp().url, audience: AUDIENCE, algorithms: ['ES256', 'RS256'], rolesClaim: 'roles' });
  return {
    idp,
    es: () => state.es ?? assert.fail('no key'),
    rs: () => state.rs ?? assert.fail('no key'),
    jwt,
    async authenticator(config = { jwt: jwt() }, options = {}) {
      const authenticator = await createAuthenticator(config, options);
      opened.push(authenticator);
      return authenticator;
    },
  };
}

describe('a valid JWT signed by a key of the JWKS is the jwt principal, with its roles and claims', () => {
  const { idp, es, rs, authenticator, jwt } = fixture();

  it('ES256 and RS256 tokens are accepted, sub and roles from the token', async () => {
    const auth = await authenticator();
    const principal = assertPrincipal(await auth.authenticate(bearer(await sign(es(), claims(idp().url)))), {
      authenticated: true,
      kind: 'jwt',
      sub: 'u-alice',
      roles: ['rider'],
    });
    assert.equal(principal.claims.aud, AUDIENCE);
    assertPrincipal(await auth.authenticate(bearer(await sign(rs(), claims(idp().url, { sub: 'u-bob' })))), { sub: 'u-bob' });
  });

  it('the scheme is case-insensitive, and request.headersDistinct works as well as request.headers', async () => {
    const auth = await authenticator();
    const token = await sign(es(), claims(idp().url));
    assertPrincipal(await auth.authenticate({ authorization: `bearer ${token}` }), { kind: 'jwt' });
    assertPrincipal(await auth.authenticate({ authorization: [`Bearer ${token}`] }), { kind: 'jwt' });
  });

  it('roles come from the configured claim: a list, or space-separated like scope; none without the claim', async () => {
    const auth = await authenticator({ jwt: { ...jwt(), rolesClaim: 'scope' } });
    const scoped = await sign(es(), claims(idp().url, { scope: 'read:profile  write:profile' }));
    assertPrincipal(await auth.authenticate(bearer(scoped)), { roles: ['read:profile', 'write:profile'] });
    assertPrincipal(await auth.authenticate(bearer(await sign(es(), claims(idp().url)))), { roles: [] });
    const numbers = await sign(es(), claims(idp().url, { scope: 42 }));
    assertPrincipal(await auth.authenticate(bearer(numbers)), { roles: [] });
  });

  it('clocks may disagree by the configured tolerance (30 s by default)', async () => {
    const auth = await authenticator();
    const now = Math.floor(Date.now() / 1000);
    assertPrincipal(await auth.authenticate(bearer(await sign(es(), claims(idp().url, { exp: now - 10 })))), { kind: 'jwt' });
    assertPrincipal(await auth.authenticate(bearer(await sign(es(), claims(idp().url, { nbf: now + 10 })))), { kind: 'jwt' });
    const strict = await authenticator({ jwt: { ...jwt(), clockToleranceSeconds: 0 } });
    assertRefused(await strict.authenticate(bearer(await sign(es(), claims(idp().url, { exp: now - 10 })))), /expired/);
  });

  it('without an audience in the configuration, any audience (or none) is accepted', async () => {
    const auth = await authenticator({ jwt: { ...jwt(), audience: undefined } });
    assertPrincipal(await auth.authenticate(bearer(await sign(es(), claims(idp().url, { aud: undefined })))), { kind: 'jwt' });
  });
});

describe('every bad bearer token is a 401 with a reason for the log, never an exception', () => {
  const { idp, es, rs, authenticator } = fixture();

  async function refused(headers: RequestHeaders, reason: RegExp): Promise<void> {
    const auth = await authenticator({ jwt: { jwksUrl: idp().jwksUrl, issuer: idp().url, audience: AUDIENCE, algorithms: ['ES256', 'RS256'] }, anonymous: true });
    assertRefused(await auth.authenticate(headers), reason);
  }

  it('a malformed Authorization header, or a token that is not a JWT', async () => {
    await refused({ authorization: 'Bearer' }, /no token/);
    await refused({ authorization: 'Bearer ' }, /no token/);
    await refused({ authorization: '' }, /not Bearer/);
    await refused({ authorization: 'Bearer two tokens' }, /malformed/);
    await refused({ authorization: 'Bearer {"alg":"none"}' }, /malformed/);
    await refused(bearer('not-a-jwt'), /not a well-formed JWS/);
    await refused(bearer(`${encode({ alg: 'ES256' })}.e30`), /not a well-formed JWS/);
  });

  it('a scheme other than Bearer', async () => {
    await refused({ authorization: 'Basic YWxpY2U6YWxpY2UtcGVkYWxzLTIwMjE=' }, /not Bearer/);
    await refused({ authorization: `Token ${await sign(es(), claims(idp().url))}` }, /not Bearer/);
  });

  it('two Authorization headers, or several credentials in one', async () => {
    const token = await sign(es(), claims(idp().url));
    await refused({ authorization: [`Bearer ${token}`, `Bearer ${token}`] }, /sent 2 times/);
    await refused({ authorization: `Bearer ${token}, Bearer ${token}` }, /several credentials/);
    await refused({ authorization: `Bearer ${token}, Basic YWxpY2U6eA==` }, /several credentials/);
  });

  it('a token over 8 KiB, even one validly signed', async () => {
    const huge = await sign(es(), claims(idp().url, { padding: 'x'.repeat(8 * 1024) }));
    await refused(bearer(huge), /longer than 8192/);
  });

  it('alg none, and a token whose signature was stripped', async () => {
    const [header = '', payload = ''] = (await sign(es(), claims(idp().url))).split('.');
    await refused(bearer(`${encode({ alg: 'none', typ: 'JWT', kid: es().kid })}.${payload}.`), /algorithm is not in the allow-list/);
    await refused(bearer(`${header}.${payload}.`), /signature does not verify/);
  });

  it('a signature by another key under a published kid', async () => {
    const impostor = await signingKey('ES256', es().kid);
    await refused(bearer(await sign(impostor, claims(idp().url))), /signature does not verify/);
  });

  it('HS256 signed with the public key (algorithm confusion)', async () => {
    const publicPem = await exportSPKI(rs().publicKey);
    const confused = await new SignJWT(claims(idp().url))
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT', kid: rs().kid })
      .sign(new TextEncoder().encode(publicPem));
    await refused(bearer(confused), /algorithm is not in the allow-list/);
    const asJwk = await new SignJWT(claims(idp().url))
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT', kid: rs().kid })
      .sign(new TextEncoder().encode(JSON.stringify(rs().jwk)));
    await refused(bearer(asJwk), /algorithm is not in the allow-list/);
  });

  it('an algorithm the JWKS has a key for, but the allow-list does not name', async () => {
    const auth = await authenticator({ jwt: { jwksUrl: idp().jwksUrl, issuer: idp().url, algorithms: ['ES256'] } });
    assertRefused(await auth.authenticate(bearer(await sign(rs(), claims(idp().url)))), /algorithm is not in the allow-list/);
  });

  it('expired, or not yet valid, beyond the tolerance', async () => {
    const now = Math.floor(Date.now() / 1000);
    await refused(bearer(await sign(es(), claims(idp().url, { iat: now - 7200, exp: now - 3600 }))), /expired/);
    await refused(bearer(await sign(es(), claims(idp().url, { nbf: now + 120 }))), /not valid yet/);
  });

  it('another issuer or audience, or none', async () => {
    await refused(bearer(await sign(es(), claims('https://evil.example.com'))), /another issuer/);
    await refused(bearer(await sign(es(), claims(idp().url, { iss: undefined }))), /no "iss" claim/);
    await refused(bearer(await sign(es(), claims(idp().url, { aud: 'another-api' }))), /another audience/);
    await refused(bearer(await sign(es(), claims(idp().url, { aud: undefined }))), /no "aud" claim/);
  });

  it('no exp, no sub, or a sub that is not a non-empty string', async () => {
    await refused(bearer(await sign(es(), claims(idp().url, { exp: undefined }))), /no "exp" claim/);
    await refused(bearer(await sign(es(), claims(idp().url, { sub: undefined }))), /no "sub" claim/);
    await refused(bearer(await sign(es(), claims(idp().url, { sub: 42 }))), /"sub" claim is not a non-empty string/);
    await refused(bearer(await sign(es(), claims(idp().url, { sub: '' }))), /"sub" claim is not a non-empty string/);
    await refused(bearer(await sign(es(), claims(idp().url, { exp: 'tomorrow' }))), /"exp" claim is malformed/);
  });

  it('a kid the JWKS does not have', async () => {
    const stranger = await signingKey('ES256', 'not-published');
    await refused(bearer(await sign(stranger, claims(idp().url))), /no key of the JWKS matches/);
  });

  it('a bearer token when no jwt is configured', async () => {
    const auth = await authenticator({ anonymous: true });
    assertRefused(await auth.authenticate(bearer(await sign(es(), claims(idp().url)))), /no jwt is configured/);
  });

  it('reasons never repeat what the client sent', async () => {
    const auth = await authenticator();
    for (const authorization of ['Basic c2VjcmV0LXNjaGVtZQ==', 'Bearer secret-token-value', 'Bearer a, Bearer secret-second']) {
      const authentication = await auth.authenticate({ authorization });
      assert.ok(!authentication.ok);
      assert.doesNotMatch(authentication.reason, /secret/, authorization);
    }
  });
});

describe('two Authorization headers on the wire are refused when the gateway passes request.headersDistinct', () => {
  const { idp, es, authenticator } = fixture();

  it('a raw HTTP request with two bearer tokens gets 401, while one of them alone is accepted', async () => {
    const auth = await authenticator();
    const server = createServer((request, response) => {
      void auth.authenticate(request.headersDistinct).then((authentication) => {
        response.writeHead(authentication.ok ? 200 : 401).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const status = (headers: string): Promise<string> =>
      new Promise((resolve, reject) => {
        const socket = connect(port, '127.0.0.1', () => socket.write(`GET / HTTP/1.1\r\nhost: gateway\r\nconnection: close\r\n${headers}\r\n`));
        let answer = '';
        socket.on('data', (chunk: Buffer) => (answer += chunk.toString('latin1')));
        socket.on('end', () => {
          resolve(answer.split(' ')[1] ?? '');
        });
        socket.on('error', reject);
      });
    try {
      const mine = await sign(es(), claims(idp().url));
      const theirs = await sign(es(), claims(idp().url, { sub: 'u-admin', roles: ['admin'] }));
      assert.equal(await status(`authorization: Bearer ${mine}\r\n`), '200');
      assert.equal(await status(`authorization: Bearer ${mine}\r\nauthorization: Bearer ${theirs}\r\n`), '401');
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe('API keys are stored hashed and compared in constant time; the key is the principal named in the configuration', () => {
  const { idp, es, authenticator, jwt } = fixture();
  const partnerKey = 'lp_live_8f3a1c9e0b7d4f62a5e1c3b9d7f0a2e4';
  const rotatedKey = 'lp_live_2b6d8f0a1c3e5a7b9d1f3e5c7a9b1d3f';
  const apiKeys = {
    keys: [
      { name: 'partner-a', hash: hashApiKey(partnerKey), roles: ['partner'] },
      { name: 'partner-a', hash: hashApiKey(rotatedKey), roles: ['partner'] },
      { name: 'ops', hash: hashApiKey('lp_live_ops_0d9c8b7a6f5e4d3c2b1a0f9e8d7c6b5a') },
    ],
  };

  it('hashApiKey gives sha256:<hex> of the key, the form the configuration stores', () => {
    assert.equal(hashApiKey('test'), 'sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08');
    assert.match(hashApiKey(partnerKey), /^sha256:[0-9a-f]{64}$/);
  });

  it('a known key in the default x-api-key header is the apiKey principal with its configured roles', async () => {
    const auth = await authenticator({ apiKeys });
    assertPrincipal(await auth.authenticate({ 'x-api-key': partnerKey }), { authenticated: true, kind: 'apiKey', sub: 'partner-a', roles: ['partner'], claims: {} });
    assertPrincipal(await auth.authenticate({ 'x-api-key': rotatedKey }), { sub: 'partner-a' });
    assertPrincipal(await auth.authenticate({ 'x-api-key': 'lp_live_ops_0d9c8b7a6f5e4d3c2b1a0f9e8d7c6b5a' }), { sub: 'ops', roles: [] });
  });

  it('a configured header replaces x-api-key, which is then not a credential at all', async () => {
    const auth = await authenticator({ apiKeys: { ...apiKeys, header: 'x-partner-key' } });
    assertPrincipal(await auth.authenticate({ 'x-partner-key': partnerKey }), { sub: 'partner-a' });
    assertPrincipal(await auth.authenticate({ 'x-api-key': partnerKey }), { kind: 'anonymous' });
  });

  it('an unknown, empty, repeated or oversized key is a 401', async () => {
    const auth = await authenticator({ apiKeys });
    assertRefused(await auth.authenticate({ 'x-api-key': 'lp_live_guess' }), /unknown/);
    assertRefused(await auth.authenticate({ 'x-api-key': hashApiKey(partnerKey) }), /unknown/);
    assertRefused(await auth.authenticate({ 'x-api-key': '' }), /empty/);
    assertRefused(await auth.authenticate({ 'x-api-key': `${partnerKey}, ${rotatedKey}` }), /several keys/);
    assertRefused(await auth.authenticate({ 'x-api-key': [partnerKey, rotatedKey] }), /sent 2 times/);
    assertRefused(await auth.authenticate({ 'x-api-key': 'k'.repeat(8 * 1024 + 1) }), /longer than 8192/);
  });

  it('a bearer token and an API key together are ambiguous: 401, even when both are valid', async () => {
    const auth = await authenticator({ jwt: jwt(), apiKeys });
    const token = await sign(es(), claims(idp().url));
    assertRefused(await auth.authenticate({ ...bearer(token), 'x-api-key': partnerKey }), /both a bearer token and an API key/);
  });

  it('a configuration holding the same key twice, or a hash in another form, is refused at start', async () => {
    await assert.rejects(createAuthenticator({ apiKeys: { keys: [{ name: 'a', hash: hashApiKey(partnerKey) }, { name: 'b', hash: hashApiKey(partnerKey) }] } }), (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.match(error.message, /"a" and "b" are the same key/);
      return true;
    });
    await assert.rejects(createAuthenticator({ apiKeys: { keys: [{ name: 'plain', hash: partnerKey }] } }), /the hash of "plain" is not sha256/);
  });
});

describe('no credentials: the anonymous principal, unless anonymous access is off; bad credentials are never anonymous', () => {
  const { idp, es, authenticator, jwt } = fixture();

  it('no credentials get the anonymous principal by default', async () => {
    const auth = await authenticator({ jwt: jwt() });
    assertPrincipal(await auth.authenticate({ accept: 'application/json' }), { authenticated: false, kind: 'anonymous', sub: 'anonymous', roles: [], claims: {} });
  });

  it('with anonymous: false, no credentials is a 401', async () => {
    const auth = await authenticator({ jwt: jwt(), anonymous: false });
    assertRefused(await auth.authenticate({}), /anonymous access is off/);
  });

  it('an expired token does not become anonymous where anonymous callers are welcome', async () => {
    const auth = await authenticator({ jwt: jwt(), anonymous: true });
    const now = Math.floor(Date.now() / 1000);
    assertRefused(await auth.authenticate(bearer(await sign(es(), claims(idp().url, { exp: now - 3600 })))), /expired/);
  });

  it('each anonymous principal is a new object: what one request does to it reaches no other', async () => {
    const auth = await authenticator({});
    const first = assertPrincipal(await auth.authenticate({}), { kind: 'anonymous' });
    first.roles.push('admin');
    assertPrincipal(await auth.authenticate({}), { roles: [] });
  });
});

describe('OIDC discovery: the issuer\'s document names the JWKS, and must name the issuer itself', () => {
  const { idp, es, authenticator } = fixture();
  const config = (): AuthenticationConfig => ({ jwt: { issuer: idp().url, audience: AUDIENCE, algorithms: ['ES256'] } });

  it('without jwksUrl, the keys are found from {issuer}/.well-known/openid-configuration', async () => {
    idp().discovery = undefined;
    const auth = await authenticator(config());
    assertPrincipal(await auth.authenticate(bearer(await sign(es(), claims(idp().url)))), { kind: 'jwt', sub: 'u-alice' });
  });

  it('an issuer with a trailing slash finds the same document, and its tokens must carry it as written', async () => {
    idp().discovery = { issuer: `${idp().url}/`, jwks_uri: idp().jwksUrl };
    const auth = await authenticator({ jwt: { issuer: `${idp().url}/`, algorithms: ['ES256'] } });
    assertPrincipal(await auth.authenticate(bearer(await sign(es(), claims(`${idp().url}/`)))), { kind: 'jwt' });
    assertRefused(await auth.authenticate(bearer(await sign(es(), claims(idp().url)))), /another issuer/);
  });

  it('a document naming another issuer stops the start, naming the URL and both issuers', async () => {
    idp().discovery = { issuer: 'https://attacker.example.com', jwks_uri: idp().jwksUrl };
    const error = await rejection(createAuthenticator(config()));
    assert.match(error.message, new RegExp(`GET ${idp().url}/.well-known/openid-configuration`));
    assert.match(error.message, /names the issuer "https:\/\/attacker.example.com", not/);
  });

  it('a document without a jwks_uri, or with one that is not http(s), stops the start', async () => {
    idp().discovery = { issuer: idp().url };
    assert.match((await rejection(createAuthenticator(config()))).message, /no jwks_uri URL/);
    idp().discovery = { issuer: idp().url, jwks_uri: 'file:///etc/passwd' };
    assert.match((await rejection(createAuthenticator(config()))).message, /not an http\(s\) URL/);
    idp().discovery = ['not', 'an', 'object'];
    assert.match((await rejection(createAuthenticator(config()))).message, /not a JSON object/);
  });

  it('an issuer with no discovery document (404), or none reachable, stops the start', async () => {
    const error = await rejection(createAuthenticator({ jwt: { issuer: `${idp().url}/nowhere`, algorithms: ['ES256'] } }));
    assert.match(error.message, /\/nowhere\/.well-known\/openid-configuration: it answered HTTP 404/);
    const down = await closedPortUrl('');
    assert.match((await rejection(createAuthenticator({ jwt: { issuer: down, algorithms: ['ES256'] } }))).message, /ECONNREFUSED/);
  });
});

describe('keys are cached and fetched again for an unknown kid, at most once per cooldown', () => {
  const { idp, es, authenticator, jwt } = fixture();

  it('verifying many tokens fetches the JWKS once, at start', async () => {
    const before = idp().jwksFetches;
    const auth = await authenticator();
    for (let i = 0; i < 5; i += 1) assertPrincipal(await auth.authenticate(bearer(await sign(es(), claims(idp().url)))), { kind: 'jwt' });
    assert.equal(idp().jwksFetches, before + 1);
  });

  it('a new kid is accepted once the JWKS publishes it (key rotation)', async () => {
    const auth = await authenticator({ jwt: jwt() }, { jwksCooldownMs: 0 });
    const next = await signingKey('ES256', 'es-2');
    const token = await sign(next, claims(idp().url));
    assertRefused(await auth.authenticate(bearer(token)), /no key of the JWKS matches/);
    idp().keys = [...idp().keys, next.jwk];
    const before = idp().jwksFetches;
    assertPrincipal(await auth.authenticate(bearer(token)), { kind: 'jwt' });
    assert.equal(idp().jwksFetches, before + 1, 'fetched once more');
    assertPrincipal(await auth.authenticate(bearer(await sign(es(), claims(idp().url)))), { kind: 'jwt' });
  });

  it('within the cooldown, unknown kids are refused without a fetch: made-up kids cannot flood the provider', async () => {
    const auth = await authenticator();
    const before = idp().jwksFetches;
    for (let i = 0; i < 20; i += 1) {
      const stranger = await signingKey('ES256', `made-up-${i}`);
      assertRefused(await auth.authenticate(bearer(await sign(stranger, claims(idp().url)))), /no key of the JWKS matches/);
    }
    assert.equal(idp().jwksFetches, before);
  });
});

describe('a JWKS that cannot be fetched when a token needs it: 401, failing closed, and the reason says so', () => {
  const { idp, es, authenticator, jwt } = fixture();
  const unknownKid = async (): Promise<IncomingHttpHeaders> => bearer(await sign(await signingKey('ES256', 'rotated-in'), claims(idp().url)));

  after(() => {
    idp().behaviour = 'serve';
  });

  it('an endpoint answering 503', async () => {
    const auth = await authenticator({ jwt: jwt() }, { jwksCooldownMs: 0 });
    idp().behaviour = 'fail';
    assertRefused(await auth.authenticate(await unknownKid()), /JWKS at .*\/keys\/jwks.json is unavailable \(it answered HTTP 503\): failing closed/);
    // Keys already fetched still verify: they are as trustworthy as they were a moment ago.
    assertPrincipal(await auth.authenticate(bearer(await sign(es(), claims(idp().url)))), { kind: 'jwt' });
    idp().behaviour = 'serve';
  });

  it('an endpoint that does not answer in time', async () => {
    const auth = await authenticator({ jwt: jwt() }, { jwksCooldownMs: 0, fetchTimeoutMs: 200 });
    idp().behaviour = 'hang';
    assertRefused(await auth.authenticate(await unknownKid()), /unavailable \(no answer within 200 ms\): failing closed/);
    idp().behaviour = 'serve';
  });

  it('an endpoint that is down', async () => {
    const provider = await new IdentityProvider().start();
    provider.keys = [es().jwk];
    const auth = await authenticator({ jwt: { ...jwt(), jwksUrl: provider.jwksUrl } }, { jwksCooldownMs: 0 });
    await provider.close();
    assertRefused(await auth.authenticate(await unknownKid()), /unavailable \(connect ECONNREFUSED .*\): failing closed/);
  });

  it('close() ends a fetch in flight, and every request after it is refused', async () => {
    const auth = await authenticator({ jwt: jwt() }, { jwksCooldownMs: 0, fetchTimeoutMs: 60_000 });
    idp().behaviour = 'hang';
    const pending = auth.authenticate(await unknownKid());
    await new Promise((resolve) => setTimeout(resolve, 50));
    auth.close();
    assertRefused(await pending, /authenticator was closed/);
    assertRefused(await auth.authenticate(bearer(await sign(es(), claims(idp().url)))), /authenticator is closed/);
    idp().behaviour = 'serve';
  });
});

describe('a JWKS that cannot be loaded at start stops the gateway with ERR_GATEWAY_AUTH naming the URL', () => {
  const { idp, authenticator, jwt } = fixture();

  after(() => {
    idp().behaviour = 'serve';
  });

  it('nothing listening', async () => {
    const url = await closedPortUrl('/jwks.json');
    const error = await rejection(createAuthenticator({ jwt: { ...jwt(), jwksUrl: url } }));
    assert.match(error.message, new RegExp(`could not load the JSON Web Key Set at ${url}: connect ECONNREFUSED`));
    assert.match(error.format(), /^ERR_GATEWAY_AUTH /);
  });

  for (const [behaviour, problem] of [
    ['fail', /it answered HTTP 503/],
    ['not-json', /Failed to parse the JSON Web Key Set HTTP response as JSON/],
    ['not-a-key-set', /malformed/],
  ] as const) {
    it(`an endpoint that ${behaviour === 'fail' ? 'answers 503' : behaviour === 'not-json' ? 'answers HTML' : 'answers JSON that is not a key set'}`, async () => {
      idp().behaviour = behaviour;
      const error = await rejection(createAuthenticator({ jwt: jwt() }));
      assert.match(error.message, new RegExp(`at ${idp().jwksUrl}: `));
      assert.match(error.message, problem);
      idp().behaviour = 'serve';
    });
  }

  it('an endpoint that does not answer in time', async () => {
    idp().behaviour = 'hang';
    const error = await rejection(createAuthenticator({ jwt: jwt() }, { fetchTimeoutMs: 200 }));
    assert.match(error.message, /no answer within 200 ms/);
    idp().behaviour = 'serve';
  });

  it('a key set with no keys', async () => {
    const keys = idp().keys;
    idp().keys = [];
    assert.match((await rejection(createAuthenticator({ jwt: jwt() }))).message, /has no keys/);
    idp().keys = keys;
    await authenticator();
  });
});

describe('the configuration schema: draft-07, strict, no none or HS*, API keys only as hashes', () => {
  const validate = new Ajv({ allErrors: true, strict: true }).compile(authenticationSchema);

  it('accepts a complete section, and an empty one', () => {
    const section = {
      jwt: { jwksUrl: 'http://127.0.0.1:8080/.well-known/jwks.json', issuer: 'leakproof-reference-api', audience: 'my-api', algorithms: ['ES256', 'RS256'], clockToleranceSeconds: 30, rolesClaim: 'roles' },
      apiKeys: { header: 'x-api-key', keys: [{ name: 'partner-a', hash: hashApiKey('k'), roles: ['partner'] }] },
      anonymous: false,
    };
    assert.ok(validate(section), JSON.stringify(validate.errors));
    assert.ok(validate({}));
    assert.ok(validate({ jwt: { issuer: 'https://id.example.com', algorithms: ['EdDSA'] } }), 'discovery from an issuer URL');
  });

  for (const [rule, section] of [
    ['alg none', { jwt: { issuer: 'https://id.example.com', algorithms: ['none'] } }],
    ['HS256 with a JWKS', { jwt: { issuer: 'https://id.example.com', algorithms: ['HS256'] } }],
    ['no algorithms', { jwt: { issuer: 'https://id.example.com' } }],
    ['an empty allow-list', { jwt: { issuer: 'https://id.example.com', algorithms: [] } }],
    ['no issuer', { jwt: { jwksUrl: 'https://id.example.com/jwks', algorithms: ['ES256'] } }],
    ['discovery from an issuer that is not a URL', { jwt: { issuer: 'leakproof-reference-api', algorithms: ['ES256'] } }],
    ['a JWKS URL that is not http(s)', { jwt: { jwksUrl: 'file:///keys.json', issuer: 'x', algorithms: ['ES256'] } }],
    ['a negative clock tolerance', { jwt: { issuer: 'https://id.example.com', algorithms: ['ES256'], clockToleranceSeconds: -1 } }],
    ['a plain key instead of its hash', { apiKeys: { keys: [{ name: 'a', hash: 'lp_live_8f3a1c9e0b7d4f62' }] } }],
    ['a key without a name', { apiKeys: { keys: [{ hash: hashApiKey('k') }] } }],
    ['the Authorization header for API keys', { apiKeys: { header: 'authorization', keys: [] } }],
    ['a header name in upper case', { apiKeys: { header: 'X-Api-Key', keys: [] } }],
    ['an unknown key', { jwt: { issuer: 'https://id.example.com', algorithms: ['ES256'], secret: 'shh' } }],
  ] as const) {
    it(`refuses ${rule}`, () => {
      assert.equal(validate(section), false);
    });
  }
});

describe("the reference API's session tokens verify through its JWKS, as a gateway in front of it would verify them", () => {
  const state: { api?: Awaited<ReturnType<typeof startReferenceApi>>; other?: Awaited<ReturnType<typeof startReferenceApi>> } = {};
  const opened: Authenticator[] = [];
  before(async () => {
    state.api = await startReferenceApi({ mode: 'fixed' });
    state.other = await startReferenceApi({ mode: 'fixed' });
  });
  after(async () => {
    for (const authenticator of opened) authenticator.close();
    await state.api?.close();
    await state.other?.close();
  });
  const url = (): string => state.api?.url ?? assert.fail('not started');

  async function gatewayAuthenticator(): Promise<Authenticator> {
    const authenticator = await createAuthenticator({ jwt: { jwksUrl: `${url()}/.well-known/jwks.json`, issuer: 'leakproof-reference-api', algorithms: ['ES256'] } });
    opened.push(authenticator);
    return authenticator;
  }

  it('GET /.well-known/jwks.json needs no login and publishes one ES256 public key, never the private part', async () => {
    const response = await fetch(`${url()}/.well-known/jwks.json`);
    assert.equal(response.status, 200);
    const { keys } = (await response.json()) as { keys: Record<string, unknown>[] };
    assert.equal(keys.length, 1);
    const [key] = keys;
    assert.deepEqual({ kty: key?.kty, crv: key?.crv, alg: key?.alg, use: key?.use }, { kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' });
    assert.equal(typeof key?.kid, 'string');
    assert.ok(!('d' in (key ?? {})), 'no private key');
  });

  it("alice's login token is the jwt principal whose sub is her person id", async () => {
    const auth = await gatewayAuthenticator();
    const token = (await identityToken(url(), 'alice')) ?? assert.fail('no token');
    const principal = assertPrincipal(await auth.authenticate(bearer(token)), { kind: 'jwt', sub: seededPersonId('alice') });
    assert.equal(principal.claims.iss, 'leakproof-reference-api');
  });

  it("another instance's token is refused: its key has another kid", async () => {
    const auth = await gatewayAuthenticator();
    const foreign = (await identityToken(state.other?.url ?? assert.fail('not started'), 'alice')) ?? assert.fail('no token');
    assertRefused(await auth.authenticate(bearer(foreign)), /no key of the JWKS matches/);
  });
});

describe('a remembered token stops being accepted when the issuer withdraws its key', () => {
  const { idp, es, rs, authenticator, jwt } = fixture();

  after(() => {
    idp().keys = [es().jwk, rs().jwk];
  });

  it('once the JWKS is fetched again without the key, a token it verified before is refused', async () => {
    const auth = await authenticator({ jwt: jwt() }, { jwksCooldownMs: 0 });
    const token = await sign(es(), claims(idp().url));
    assertPrincipal(await auth.authenticate(bearer(token)), { kind: 'jwt' });
    idp().keys = [rs().jwk];
    // A kid the keys do not have makes the gateway fetch them again.
    assertRefused(await auth.authenticate(bearer(await sign(await signingKey('ES256', 'unknown'), claims(idp().url)))), /no key of the JWKS matches/);
    assertRefused(await auth.authenticate(bearer(token)), /no key of the JWKS matches/);
  });
});
