/**
 * The gateway under faults and attack: an upstream that is down, slow, resetting, or answering
 * what the gateway cannot read gets a clear 502 or 504 and never an unfiltered byte; hostile
 * requests are refused before they reach the upstream; and the gateway keeps serving afterwards.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtemp, writeFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { generateKeyPair, SignJWT, UnsecuredJWT } from 'jose';
import { loadConfig } from '../src/core/config.ts';
import type { RunningGateway } from '../src/gateway/index.ts';
import { prepareGateway, startGateway } from '../src/gateway/index.ts';
import type { ReferenceApi } from '../src/reference-api/index.ts';
import { referenceApiGatewayConfigPath, referenceApiSpecPath, SEEDED_CREDENTIALS, seededPersonId, startReferenceApi } from '../src/reference-api/index.ts';

const ID = 'a'.repeat(32);
const RECORD = { id: ID, username: 'erin', image_url: 'x', is_profile_private: true, age: 33, location: 'El Paso, TX' };

/** Ids (of the described shape) that make the upstream misbehave in one way each. */
const SLOW = 'b'.repeat(32);
const RESET = 'c'.repeat(32);
const MALFORMED = 'd'.repeat(32);
const HUGE = 'e'.repeat(32);
const HTML = 'f'.repeat(32);
const CRASH = '0'.repeat(32);

/** An upstream whose answer to GET /api/user/{id} is chosen by the id. */
function misbehave(request: IncomingMessage, response: ServerResponse): void {
  const id = /^\/api\/user\/([^/?]+)/.exec(request.url ?? '')?.[1] ?? '';
  const json = (status: number, body: string): void => {
    response.writeHead(status, { 'content-type': 'application/json' });
    response.end(body);
  };
  if (id === SLOW) setTimeout(() => { json(200, JSON.stringify(RECORD)); }, 1500);
  else if (id === RESET) request.socket.destroy();
  else if (id === MALFORMED) json(200, '{"id": "1", "age": 3');
  else if (id === HUGE) json(200, JSON.stringify({ ...RECORD, padding: 'x'.repeat(2 * 1024 * 1024) }));
  else if (id === HTML) {
    response.writeHead(200, { 'content-type': 'text/html' });
    response.end(`<html>${JSON.stringify(RECORD)}</html>`);
  } else if (id === CRASH) json(500, JSON.stringify({ error: 'boom', stack: 'at db.query (/srv/app.js:12)', record: RECORD }));
  else json(200, JSON.stringify({ ...RECORD, last_login_ip: '10.0.0.7' }));
}

async function configFile(upstream: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'leakproof-gateway-faults-'));
  const file = join(dir, 'gateway.yaml');
  await writeFile(file, [
    'gateway:',
    `  upstream: { url: "${upstream}", timeoutMs: 400 }`,
    `  spec: ${referenceApiSpecPath}`,
    '  limits: { requestBodyBytes: 65536, responseBodyBytes: 1048576, headerBytes: 8192 }',
    '  authentication: { anonymous: true }',
    '  views:',
    '    card: [id, username, image_url, is_profile_private]',
    '  default: { allow: "true" }',
    '  operations:',
    '    getUser: { allow: "true", records: $, views: [{ view: card }] }',
    '',
  ].join('\n'));
  return file;
}

async function start(upstream: string): Promise<RunningGateway> {
  return startGateway(await prepareGateway(await loadConfig(await configFile(upstream)), { port: 0 }));
}

/** A raw HTTP/1.1 exchange, for requests fetch() would refuse to send. */
async function raw(url: string, text: string): Promise<string> {
  const { hostname, port } = new URL(url);
  const socket = connect(Number(port), hostname);
  await once(socket, 'connect');
  socket.end(text);
  let answer = '';
  for await (const chunk of socket) answer += String(chunk);
  return answer;
}

describe('an upstream that misbehaves gets a clear 502 or 504, never an unfiltered answer', () => {
  let upstream: ReturnType<typeof createServer>;
  let gateway: RunningGateway;
  before(async () => {
    upstream = createServer(misbehave);
    upstream.listen(0, '127.0.0.1');
    await once(upstream, 'listening');
    gateway = await start(`http://127.0.0.1:${(upstream.address() as AddressInfo).port}`);
  });
  after(async () => {
    await gateway.close();
    upstream.closeAllConnections();
    upstream.close();
  });

  const ask = async (id: string): Promise<{ status: number; text: string }> => {
    const answer = await fetch(`${gateway.url}/api/user/${id}`);
    return { status: answer.status, text: await answer.text() };
  };

  it('filters a normal answer to the view and the declared fields', async () => {
    assert.deepEqual(JSON.parse((await ask(ID)).text), { id: ID, username: 'erin', image_url: 'x', is_profile_private: true });
  });

  it('slow: 504; resetting, malformed, oversized, not JSON: 502', async () => {
    assert.deepEqual(await ask(SLOW), { status: 504, text: '{"error":"gateway timeout"}' });
    for (const id of [RESET, MALFORMED, HUGE, HTML]) assert.deepEqual(await ask(id), { status: 502, text: '{"error":"bad gateway"}' }, id);
  });

  it('an upstream error keeps its message and loses everything else', async () => {
    assert.deepEqual(await ask(CRASH), { status: 500, text: '{"error":"boom"}' });
  });

  it('keeps serving after all of it', async () => {
    assert.equal((await ask(ID)).status, 200);
  });

  it('down: 502', async () => {
    const closed = createServer();
    closed.listen(0, '127.0.0.1');
    await once(closed, 'listening');
    const port = (closed.address() as AddressInfo).port;
    closed.close();
    const orphan = await start(`http://127.0.0.1:${port}`);
    try {
      const answer = await fetch(`${orphan.url}/api/user/${ID}`);
      assert.equal(answer.status, 502);
    } finally {
      await orphan.close();
    }
  });
});

describe('hostile requests are refused before they reach the upstream', () => {
  let upstream: ReturnType<typeof createServer>;
  let gateway: RunningGateway;
  let reached = 0;
  before(async () => {
    upstream = createServer((request, response) => {
      reached += 1;
      misbehave(request, response);
    });
    upstream.listen(0, '127.0.0.1');
    await once(upstream, 'listening');
    gateway = await start(`http://127.0.0.1:${(upstream.address() as AddressInfo).port}`);
  });
  after(async () => {
    await gateway.close();
    upstream.closeAllConnections();
    upstream.close();
  });

  it('oversized headers (431), oversized and non-JSON bodies (413, 415), bad JSON and invalid bodies (400)', async () => {
    reached = 0;
    assert.equal((await fetch(`${gateway.url}/api/user/${ID}`, { headers: { 'x-padding': 'x'.repeat(10_000) } })).status, 431);
    const post = (body: string, type = 'application/json'): Promise<Response> => fetch(`${gateway.url}/stats/workouts/details`, { method: 'POST', headers: { 'content-type': type }, body });
    assert.equal((await post(JSON.stringify({ ids: ['x'.repeat(70_000)] }))).status, 413);
    assert.equal((await post('ids=1', 'application/x-www-form-urlencoded')).status, 415);
    assert.equal((await post('{"ids": [')).status, 400);
    const invalid = await post(JSON.stringify({ ids: Array.from({ length: 800 }, () => ID) }));
    assert.equal(invalid.status, 400);
    assert.deepEqual(await invalid.json(), { error: 'body.ids must NOT have more than 50 items' });
    assert.equal(reached, 0);
  });

  it('path traversal, encoded slashes and undescribed routes (400, 404)', async () => {
    reached = 0;
    for (const path of ['/api/user/%2e%2e/admin/users', '/api/user/1%2f..%2fadmin', '/api/user/..%5cadmin']) {
      const answer = await raw(gateway.url, `GET ${path} HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n`);
      assert.match(answer, /^HTTP\/1\.1 400 /, path);
    }
    assert.equal((await fetch(`${gateway.url}/api/v1/user/${ID}`)).status, 404);
    assert.equal((await fetch(`${gateway.url}/internal/debug`)).status, 404);
    assert.equal(reached, 0);
  });

  it('ambiguous requests: a repeated Authorization header, Content-Length with Transfer-Encoding (400)', async () => {
    reached = 0;
    const twice = await raw(gateway.url, `GET /api/user/${ID} HTTP/1.1\r\nhost: x\r\nauthorization: Bearer a\r\nauthorization: Bearer b\r\nconnection: close\r\n\r\n`);
    assert.match(twice, /^HTTP\/1\.1 400 /);
    const smuggled = await raw(gateway.url, 'POST /stats/workouts/details HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 4\r\ntransfer-encoding: chunked\r\nconnection: close\r\n\r\n0\r\n\r\n');
    assert.match(smuggled, /^HTTP\/1\.1 400 /);
    assert.equal(reached, 0);
  });
});

describe('every JWT attack the scanner knows gets 401 and no detail', () => {
  let api: ReferenceApi;
  let gateway: RunningGateway;
  before(async () => {
    api = await startReferenceApi({ mode: 'authonly' });
    gateway = await startGateway(await prepareGateway(await loadConfig(referenceApiGatewayConfigPath, { ...process.env, REFERENCE_API_URL: api.url }), { port: 0 }));
  });
  after(async () => {
    await gateway.close();
    await api.close();
  });

  it('unsigned, stripped, expired, signed by someone else, or garbage', async () => {
    const password = SEEDED_CREDENTIALS.find((c) => c.username === 'frank')?.password ?? '';
    const login = await fetch(`${api.url}/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'frank', password }) });
    const { token } = (await login.json()) as { token: string };
    const [header = '', payload = ''] = token.split('.');
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
    const stranger = await generateKeyPair('ES256');
    const forged = {
      'alg none': new UnsecuredJWT(claims).encode(),
      'stripped signature': `${header}.${payload}.`,
      expired: await new SignJWT({ ...claims, exp: Math.floor(Date.now() / 1000) - 3600 }).setProtectedHeader({ alg: 'ES256' }).sign(stranger.privateKey),
      'another key': await new SignJWT(claims).setProtectedHeader({ alg: 'ES256' }).sign(stranger.privateKey),
      garbage: 'not.a.jwt',
    };
    const target = `${gateway.url}/api/user/${seededPersonId('erin')}`;
    assert.equal((await fetch(target, { headers: { authorization: `Bearer ${token}` } })).status, 200, 'the genuine token works');
    for (const [attack, jwt] of Object.entries(forged)) {
      const answer = await fetch(target, { headers: { authorization: `Bearer ${jwt}` } });
      assert.equal(answer.status, 401, attack);
      assert.deepEqual(await answer.json(), { error: 'authentication required' }, attack);
    }
  });
});
