/**
 * Every mode has the limits a server on the internet needs, and answers every error in JSON: the
 * planted flaws are the only flaws. After each refusal the server keeps serving.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { SignJWT } from 'jose';
import type { Mode, ReferenceApi } from '../src/reference-api/index.ts';
import { MODES, SEED, identityToken, startReferenceApi } from '../src/reference-api/index.ts';
import { Community } from '../src/reference-api/community.ts';
import { rulesFor } from '../src/reference-api/modes.ts';
import { BODY_LIMIT_BYTES } from '../src/reference-api/request-body.ts';
import { GRAPHQL_QUERY_MAX_LENGTH } from '../src/reference-api/routes/graphql.ts';
import { createRequestListener } from '../src/reference-api/server.ts';
import { createTokenIssuer } from '../src/reference-api/tokens.ts';

function sharedApi(mode: Mode, now?: () => number) {
  const holder: { api?: ReferenceApi } = {};
  before(async () => {
    holder.api = await startReferenceApi({ mode, ...(now === undefined ? {} : { now }) });
  });
  after(async () => {
    await holder.api?.close();
  });
  return (): ReferenceApi => {
    assert.ok(holder.api);
    return holder.api;
  };
}

async function assertJsonError(response: Response, status: number, error: string): Promise<void> {
  assert.equal(response.status, status);
  assert.match(response.headers.get('content-type') ?? '', /^application\/json/);
  const body = (await response.json()) as Record<string, unknown>;
  assert.equal(body.error, error);
  assert.equal(typeof body.message, 'string');
  assert.deepEqual(Object.keys(body).sort(), ['error', 'message']);
}

async function assertStillServing(api: ReferenceApi): Promise<void> {
  const response = await fetch(`${api.url}/auth/login`, {
    method: 'POST',
    body: JSON.stringify({ username: 'alice', password: 'alice-pedals-2021' }),
  });
  assert.equal(response.status, 200, 'the server still answers');
}

for (const mode of MODES) {
  describe(`${mode}: malformed and oversized requests get a JSON error and the server keeps serving`, () => {
    const api = sharedApi(mode);

    it(`a body over ${BODY_LIMIT_BYTES} bytes is refused with 413`, async () => {
      const body = JSON.stringify({ username: 'alice', password: 'x'.repeat(BODY_LIMIT_BYTES) });
      await assertJsonError(await fetch(`${api().url}/auth/login`, { method: 'POST', body }), 413, 'payload_too_large');
      await assertStillServing(api());
    });

    it('an oversized body streamed without a length is refused with 413 too', async () => {
      const chunk = new TextEncoder().encode('x'.repeat(16 * 1024));
      let sent = 0;
      const stream = new ReadableStream<Uint8Array>({
        pull(controller) {
          sent += 1;
          if (sent > 8) controller.close();
          else controller.enqueue(chunk);
        },
      });
      const response = await fetch(`${api().url}/auth/login`, { method: 'POST', body: stream, duplex: 'half' });
      await assertJsonError(response, 413, 'payload_too_large');
      await assertStillServing(api());
    });

    it('a body that is not JSON is refused with 400', async () => {
      await assertJsonError(await fetch(`${api().url}/auth/login`, { method: 'POST', body: '{"username": ' }), 400, 'bad_request');
      await assertJsonError(await fetch(`${api().url}/auth/login`, { method: 'POST' }), 400, 'bad_request');
      await assertStillServing(api());
    });

    it('an unknown route is 404 and a known route with the wrong method is 405 with Allow', async () => {
      await assertJsonError(await fetch(`${api().url}/api/nothing-here`), 404, 'not_found');
      const wrongMethod = await fetch(`${api().url}/auth/login`);
      assert.equal(wrongMethod.headers.get('allow'), 'POST');
      await assertJsonError(wrongMethod, 405, 'method_not_allowed');
      await assertStillServing(api());
    });

    it(`a GraphQL query over ${GRAPHQL_QUERY_MAX_LENGTH} characters is refused with 400`, async () => {
      const token = await identityToken(api().url, 'alice');
      const query = `{ searchUsers(query: "a") { id } } ${'#'.repeat(GRAPHQL_QUERY_MAX_LENGTH)}`;
      const response = await fetch(`${api().url}/graphql`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token ?? ''}` },
        body: JSON.stringify({ query }),
      });
      await assertJsonError(response, 400, 'bad_request');
      await assertStillServing(api());
    });
  });
}

describe('tokens: a missing, malformed, forged, foreign or expired token is refused with 401', () => {
  let clock = Date.now();
  const api = sharedApi('fixed', () => clock);
  const other = sharedApi('fixed');
  const alice = SEED.people.find((person) => person.username === 'alice');

  async function me(authorization?: string): Promise<Response> {
    return fetch(`${api().url}/api/me`, { headers: authorization === undefined ? {} : { authorization } });
  }

  it('a valid token reads /api/me', async () => {
    assert.equal((await me(`Bearer ${(await identityToken(api().url, 'alice')) ?? ''}`)).status, 200);
  });

  it('no token: 401 with a Bearer challenge', async () => {
    const response = await me();
    assert.equal(response.headers.get('www-authenticate'), 'Bearer');
    await assertJsonError(response, 401, 'unauthorized');
  });

  it('a malformed token, or another scheme: 401', async () => {
    await assertJsonError(await me('Bearer not-a-jwt'), 401, 'unauthorized');
    await assertJsonError(await me('Basic YWxpY2U6YWxpY2UtcGVkYWxzLTIwMjE='), 401, 'unauthorized');
  });

  it('a token signed with another key, or unsigned: 401', async () => {
    assert.ok(alice);
    const forged = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer('leakproof-reference-api')
      .setSubject(alice.id)
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode('a-secret-the-server-never-had-0123456789'));
    await assertJsonError(await me(`Bearer ${forged}`), 401, 'unauthorized');
    const header = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
    const claims = Buffer.from(JSON.stringify({ sub: alice.id, iss: 'leakproof-reference-api', exp: 4_102_444_800 })).toString('base64url');
    await assertJsonError(await me(`Bearer ${header}.${claims}.`), 401, 'unauthorized');
  });

  it("another instance's token: 401", async () => {
    await assertJsonError(await me(`Bearer ${(await identityToken(other().url, 'alice')) ?? ''}`), 401, 'unauthorized');
  });

  it('a token an hour and more old: 401', async () => {
    const token = (await identityToken(api().url, 'alice')) ?? '';
    clock += 61 * 60 * 1000;
    await assertJsonError(await me(`Bearer ${token}`), 401, 'unauthorized');
    assert.equal((await me(`Bearer ${(await identityToken(api().url, 'alice')) ?? ''}`)).status, 200, 'a fresh login works');
  });

  it('wrong password on login: 401', async () => {
    const response = await fetch(`${api().url}/auth/login`, {
      method: 'POST',
      body: JSON.stringify({ username: 'alice', password: 'guess' }),
    });
    await assertJsonError(response, 401, 'invalid_credentials');
  });
});

describe('leaky: an invalid token is refused even where no token is needed', () => {
  const api = sharedApi('leaky');

  it('anonymous reads work, a forged token on the same route gets 401', async () => {
    const path = `/api/user/${SEED.people[1]?.id ?? ''}`;
    assert.equal((await fetch(`${api().url}${path}`)).status, 200);
    await assertJsonError(await fetch(`${api().url}${path}`, { headers: { authorization: 'Bearer x.y.z' } }), 401, 'unauthorized');
  });
});

describe('a handler that throws gets a 500 JSON answer and the server keeps serving', () => {
  it('GET /boom answers 500 {error: "internal"} and the next request is served', async () => {
    const service = {
      community: new Community(SEED),
      rules: rulesFor('fixed'),
      tokens: await createTokenIssuer(Date.now),
      description: 'openapi: 3.1.0',
    };
    const failing = {
      method: 'GET',
      path: '/boom',
      operationId: undefined,
      access: 'anyone',
      takesBody: false,
      handle() {
        throw new TypeError('a bug in a handler');
      },
    } as const;
    const healthy = { ...failing, path: '/ok', handle: () => ({ body: { ok: true } }) };
    const server = createServer(createRequestListener(service, [failing, healthy]));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`;
    try {
      await assertJsonError(await fetch(`${url}/boom`), 500, 'internal');
      assert.deepEqual(await (await fetch(`${url}/ok`)).json(), { ok: true });
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
