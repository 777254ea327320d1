/**
 * JWT weaknesses: a naive server (decodes tokens without verifying them, signs with a guessable
 * secret) is caught on every count; its strict twin (jose, pinned algorithm, random secret) gives
 * no finding at all.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { jwtVerify, SignJWT } from 'jose';
import { loadConfig } from '../src/core/config.ts';
import { executeScan, prepareScan, scanConfig } from '../src/scan/index.ts';
import { decodeJwt, forgeries, guessSecret } from '../src/scan/jwt.ts';

async function sign(secret: string, subject = 'u1'): Promise<string> {
  return new SignJWT({ name: 'ada' }).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).setSubject(subject).setExpirationTime('1h').sign(new TextEncoder().encode(secret));
}

describe('tokens are read, forged and guessed at without the server', () => {
  it('decodes a JWT and refuses what is not one', async () => {
    const jwt = decodeJwt(await sign('secret'));
    assert.equal(jwt?.header.alg, 'HS256');
    assert.equal(jwt.payload.sub, 'u1');
    assert.equal(decodeJwt('opaque-session-token'), undefined);
    assert.equal(decodeJwt('a.b.c'), undefined);
  });

  it('forges an unsigned token and a signature-less one, and an expired one only with the secret', async () => {
    const jwt = decodeJwt(await sign('secret'));
    assert.ok(jwt);
    const [none, stripped] = forgeries(jwt);
    assert.ok(none);
    assert.equal(decodeJwt(none.token)?.header.alg, 'none');
    assert.ok(none.token.endsWith('.'));
    assert.equal(stripped?.token, `${jwt.signingInput}.`);
    assert.deepEqual(forgeries(jwt).map((f) => f.kind), ['alg-none', 'stripped-signature']);
    const expired = forgeries(jwt, 'secret').find((f) => f.kind === 'expired');
    const payload = decodeJwt(expired?.token ?? '')?.payload;
    assert.ok(typeof payload?.exp === 'number' && payload.exp < Date.now() / 1000);
  });

  it('guesses a secret from the list, and never a random one', async () => {
    const weak = decodeJwt(await sign('your-256-bit-secret'));
    const strong = decodeJwt(await sign(randomBytes(32).toString('hex')));
    assert.ok(weak && strong);
    assert.equal(guessSecret(weak), 'your-256-bit-secret');
    assert.equal(guessSecret(strong), undefined);
  });
});

/** A one-person API whose /me trusts its tokens naively, or verifies them properly. */
async function tokenApi(kind: 'naive' | 'strict'): Promise<{ url: string; close(): Promise<void> }> {
  const secret = kind === 'naive' ? 'secret' : randomBytes(32).toString('hex');
  const key = new TextEncoder().encode(secret);
  const server = createServer((request, response) => {
    const reply = (status: number, body: unknown): void => {
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(body));
    };
    const answer = async (): Promise<[number, unknown]> => {
      if (request.method === 'POST' && request.url === '/auth/login') return [200, { token: await sign(secret) }];
      if (request.method !== 'GET' || request.url !== '/me') return [404, { error: 'not found' }];
      const token = (request.headers.authorization ?? '').replace(/^Bearer /, '');
      try {
        // The naive server reads the payload and trusts it: no signature, algorithm or expiry check.
        const subject = kind === 'naive' ? decodeJwt(token)?.payload.sub : (await jwtVerify(token, key, { algorithms: ['HS256'] })).payload.sub;
        return subject === 'u1' ? [200, { id: 'u1', username: 'ada', email: 'ada@example.com' }] : [401, { error: 'unauthorized' }];
      } catch {
        return [401, { error: 'unauthorized' }];
      }
    };
    void answer().then(([status, body]) => { reply(status, body); });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((resolve) => {
      server.close(() => { resolve(); });
      server.closeAllConnections();
    }),
  };
}

const SPEC = `openapi: 3.1.0
info: { title: token api, version: '1' }
security: [{ bearer: [] }]
paths:
  /me:
    get:
      operationId: getMe
      responses:
        '200':
          description: me
          content:
            application/json:
              schema:
                type: object
                additionalProperties: false
                properties: { id: { type: string }, username: { type: string }, email: { type: string } }
        '401': { description: no }
components:
  securitySchemes:
    bearer: { type: http, scheme: bearer, bearerFormat: JWT }
`;

async function scanTokenApi(kind: 'naive' | 'strict') {
  const api = await tokenApi(kind);
  const dir = await mkdtemp(join(tmpdir(), 'leakproof-jwt-'));
  await writeFile(join(dir, 'openapi.yaml'), SPEC);
  await writeFile(join(dir, 'leakproof.yaml'), `scan:\n  spec: openapi.yaml\n  identities:\n    - { name: ada, kind: login, request: { path: /auth/login, json: { username: ada, password: pw } }, token: { from: json, path: $.token } }\n`);
  try {
    const config = await loadConfig(join(dir, 'leakproof.yaml'));
    const settings = scanConfig(config, { target: api.url, rateLimit: '1000' });
    return (await executeScan(await prepareScan(settings, config.personalData), settings)).findings;
  } finally {
    await api.close();
  }
}

describe('the scan tests the identities\' tokens against the API itself', () => {
  it('catches a naive server on every count: guessable secret, alg none, no signature, expiry ignored', async () => {
    const findings = await scanTokenApi('naive');
    assert.deepEqual(findings.filter((f) => f.checkId === 'jwt-weakness').map((f) => f.title).sort(), [
      'GET /me accepts expired tokens',
      'GET /me accepts tokens whose signature was removed',
      'GET /me accepts unsigned tokens (alg: none)',
      'Tokens are signed with a guessable HS256 secret (s*****)',
    ]);
    assert.ok(findings.every((f) => !JSON.stringify(f).includes('"secret"')), 'the guessed secret itself is never written out');
  });

  it('finds nothing on a server that verifies tokens with a pinned algorithm and a random secret', async () => {
    assert.deepEqual((await scanTokenApi('strict')).map((f) => f.title), []);
  });
});
