/** Starting, isolating and stopping reference API instances. */
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { describe, it } from 'node:test';
import { UsageError } from '../src/core/errors.ts';
import type { Mode } from '../src/reference-api/index.ts';
import { SEED, SEEDED_CREDENTIALS, identityToken, startReferenceApi } from '../src/reference-api/index.ts';

async function postJson(url: string, body: unknown, token?: string, method = 'POST'): Promise<Response> {
  return fetch(url, {
    method,
    headers: { 'content-type': 'application/json', ...(token === undefined ? {} : { authorization: `Bearer ${token}` }) },
    body: JSON.stringify(body),
  });
}

describe('each instance starts from its own copy of the seed', () => {
  it('a registration and a profile change in one instance are not seen by another, nor by the next', async () => {
    const first = await startReferenceApi({ mode: 'leaky' });
    const second = await startReferenceApi({ mode: 'leaky' });
    try {
      assert.equal((await postJson(`${first.url}/auth/register`, { username: 'newcomer', password: 'newcomer-pass' })).status, 201);
      const token = await identityToken(first.url, 'alice');
      assert.equal((await postJson(`${first.url}/api/me`, { location: 'Moved, TX' }, token, 'PATCH')).status, 200);

      assert.equal((await postJson(`${second.url}/auth/login`, { username: 'newcomer', password: 'newcomer-pass' })).status, 401);
      const alice = SEED.people.find((person) => person.username === 'alice');
      assert.ok(alice);
      const inSecond = (await (await fetch(`${second.url}/api/user/${alice.id}`)).json()) as { location: string };
      assert.equal(inSecond.location, alice.location);
    } finally {
      await first.close();
      await second.close();
    }
    const third = await startReferenceApi({ mode: 'leaky' });
    try {
      assert.equal((await postJson(`${third.url}/auth/login`, { username: 'newcomer', password: 'newcomer-pass' })).status, 401);
    } finally {
      await third.close();
    }
  });
});

describe('anyone can register, once per username', () => {
  it('registration logs the new member in; the same name in any case is taken (409)', async () => {
    const api = await startReferenceApi({ mode: 'fixed' });
    try {
      const created = await postJson(`${api.url}/auth/register`, { username: 'Intruder', password: 'intruder-pass' });
      assert.equal(created.status, 201);
      const { token, user_id: userId } = (await created.json()) as { token: string; user_id: string };
      const me = (await (await fetch(`${api.url}/api/me`, { headers: { authorization: `Bearer ${token}` } })).json()) as { id: string };
      assert.equal(me.id, userId);
      const again = await postJson(`${api.url}/auth/register`, { username: 'intruder', password: 'another-pass' });
      assert.equal(again.status, 409);
      assert.equal((await postJson(`${api.url}/auth/register`, { username: 'x', password: 'short' })).status, 400);
    } finally {
      await api.close();
    }
  });
});

describe('every seeded login works in every mode', () => {
  for (const mode of ['leaky', 'authonly', 'fixed'] as const satisfies readonly Mode[]) {
    it(`${mode}: each seeded username logs in with its seeded password and is that person`, async () => {
      const api = await startReferenceApi({ mode });
      try {
        for (const credentials of SEEDED_CREDENTIALS) {
          const response = await postJson(`${api.url}/auth/login`, credentials);
          assert.equal(response.status, 200, credentials.username);
          const { user_id: userId } = (await response.json()) as { user_id: string };
          assert.equal(userId, SEED.people.find((person) => person.username === credentials.username)?.id);
        }
      } finally {
        await api.close();
      }
    });
  }
});

describe('close() stops the server and ends open connections at once', () => {
  it('closes within a second although a client is half-way through sending a request', { timeout: 5_000 }, async () => {
    const api = await startReferenceApi({ mode: 'leaky' });
    const held = request(`${api.url}/auth/login`, { method: 'POST', headers: { 'content-length': '100', connection: 'keep-alive' } });
    const socketClosed = new Promise<void>((resolve) => {
      held.once('error', () => {
        resolve();
      });
    });
    held.write('{"username":');
    await new Promise((resolve) => setTimeout(resolve, 50));
    const started = performance.now();
    await api.close();
    await socketClosed;
    assert.ok(performance.now() - started < 1000, 'closed without waiting for the request timeout');
    await assert.rejects(fetch(`${api.url}/openapi.yaml`));
  });
});

describe('start-up errors say what to do', () => {
  it('an unknown mode is a usage error', async () => {
    await assert.rejects(startReferenceApi({ mode: 'broken' as Mode }), UsageError);
  });

  it('a port in use rejects with the socket error, for the caller to word (the CLI says ERR_LISTEN)', async () => {
    const api = await startReferenceApi({ mode: 'leaky' });
    try {
      const port = Number(new URL(api.url).port);
      await assert.rejects(startReferenceApi({ mode: 'leaky', port }), { code: 'EADDRINUSE' });
    } finally {
      await api.close();
    }
  });
});
