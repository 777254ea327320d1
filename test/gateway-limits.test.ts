/**
 * Rate limits and enumeration detection, in one gateway (counters in memory) and shared by two
 * gateway processes through the real Redis on 127.0.0.1:6379. When the counters cannot be
 * reached, the gateway refuses (503) rather than letting requests through uncounted.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import type { AddressInfo, Socket } from 'node:net';
import { connect, createServer } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadConfig } from '../src/core/config.ts';
import type { EnumerationAlert, RunningGateway } from '../src/gateway/index.ts';
import { prepareGateway, startGateway } from '../src/gateway/index.ts';
import type { ReferenceApi } from '../src/reference-api/index.ts';
import { referenceApiGatewayConfigPath, referenceApiSpecPath, SEED, SEEDED_CREDENTIALS, startReferenceApi } from '../src/reference-api/index.ts';

let api: ReferenceApi;
before(async () => {
  api = await startReferenceApi({ mode: 'authonly' });
});
after(async () => {
  await api.close();
});

/** The reference API's gateway policy with `extra` added to the gateway section. */
async function configWith(extra: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'leakproof-gateway-limits-'));
  const file = join(dir, 'gateway.yaml');
  const base = (await readFile(referenceApiGatewayConfigPath, 'utf8')).replace('spec: openapi.yaml', `spec: ${referenceApiSpecPath}`);
  await writeFile(file, `${base.trimEnd()}\n${extra}`);
  return file;
}

async function start(extra: string, onAlert?: (alert: EnumerationAlert) => void): Promise<RunningGateway> {
  const config = await loadConfig(await configWith(extra), { ...process.env, REFERENCE_API_URL: api.url });
  return startGateway(await prepareGateway(config, { port: 0 }), { onAlert });
}

async function login(base: string, username: string): Promise<string> {
  const password = SEEDED_CREDENTIALS.find((c) => c.username === username)?.password ?? '';
  const answer = await fetch(`${base}/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
  return ((await answer.json()) as { token: string }).token;
}

const me = (base: string, token: string): Promise<Response> => fetch(`${base}/api/me`, { headers: { authorization: `Bearer ${token}` } });

// Windows slide. In a day-long one the estimate decays so little during a test that exact counts hold.
describe('rate limits per principal, counted in memory', () => {
  it('refuses past the limit with 429 and Retry-After, and counts each principal apart', async () => {
    const gateway = await start('  rateLimits: { perPrincipal: { requests: 4, windowSeconds: 86400 } }\n');
    try {
      const frank = await login(gateway.url, 'frank');
      const holly = await login(gateway.url, 'holly');
      const statuses = [];
      for (let i = 0; i < 5; i += 1) statuses.push((await me(gateway.url, frank)).status);
      assert.deepEqual(statuses, [200, 200, 200, 200, 429]);
      const refused = await me(gateway.url, frank);
      assert.ok(Number(refused.headers.get('retry-after')) >= 1);
      assert.deepEqual(await refused.json(), { error: 'too many requests' });
      assert.equal((await me(gateway.url, holly)).status, 200, 'another principal has its own count');
    } finally {
      await gateway.close();
    }
  });
});

describe('enumeration: one principal receiving many people\'s records is blocked, with an alert', () => {
  it('counts distinct people across searches, refuses the answer that crosses the threshold, and blocks', async () => {
    const alerts: EnumerationAlert[] = [];
    const gateway = await start('  enumeration: { distinctSubjects: 4, windowSeconds: 86400, blockSeconds: 120 }\n', (alert) => alerts.push(alert));
    try {
      const frank = await login(gateway.url, 'frank');
      const search = (prefix: string): Promise<Response> => fetch(`${gateway.url}/api/user/search/${prefix}`, { headers: { authorization: `Bearer ${frank}` } });
      const statuses: number[] = [];
      for (const prefix of ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h']) statuses.push((await search(prefix)).status);
      const firstRefusal = statuses.indexOf(429);
      assert.ok(firstRefusal > 0, `some searches pass before the threshold: ${statuses.join(' ')}`);
      assert.ok(statuses.slice(firstRefusal).every((s) => s === 429), 'blocked from then on');
      assert.equal((await me(gateway.url, frank)).status, 429, 'the block covers every operation');
      const [alert] = alerts;
      assert.equal(alerts.length, 1);
      assert.ok(alert);
      assert.equal(alert.principal, `jwt:${SEED.people.find((p) => p.username === 'frank')?.id ?? ''}`);
      assert.equal(alert.operation, 'searchUsers');
      assert.ok(alert.distinctSubjects > 4);
      const holly = await login(gateway.url, 'holly');
      assert.equal((await me(gateway.url, holly)).status, 200, 'others are not blocked');
    } finally {
      await gateway.close();
    }
  });

  it('does not count the caller\'s own record', async () => {
    const gateway = await start('  enumeration: { distinctSubjects: 1 }\n');
    try {
      const frank = await login(gateway.url, 'frank');
      for (let i = 0; i < 5; i += 1) assert.equal((await me(gateway.url, frank)).status, 200);
    } finally {
      await gateway.close();
    }
  });
});

describe('two gateway processes share their limits through Redis', () => {
  const children: ChildProcess[] = [];
  after(() => {
    for (const child of children) child.kill('SIGTERM');
  });

  async function spawnGateway(file: string): Promise<string> {
    const child = spawn(process.execPath, ['bin/leakproof.js', 'gateway', '--config', file, '--port', '0'], { env: { ...process.env, REFERENCE_API_URL: api.url } });
    children.push(child);
    let stdout = '';
    child.stdout.setEncoding('utf8');
    return new Promise((resolve, reject) => {
      child.once('exit', (code) => { reject(new Error(`the gateway exited with ${String(code)}`)); });
      child.stdout.on('data', (chunk: string) => {
        stdout += chunk;
        const url = /Gateway listening on (http:\/\/\S+),/.exec(stdout)?.[1];
        if (url) resolve(url);
      });
    });
  }

  it('a principal\'s requests through either instance count against one limit', async () => {
    const prefix = `leakproof-test-${randomUUID()}:`;
    const file = await configWith(`  rateLimits: { perPrincipal: { requests: 6, windowSeconds: 86400 } }\n  counters: { redis: "redis://127.0.0.1:6379", prefix: "${prefix}" }\n`);
    const [one, two] = await Promise.all([spawnGateway(file), spawnGateway(file)]);
    const frank = await login(one, 'frank');
    const statuses = [];
    for (let i = 0; i < 8; i += 1) statuses.push((await me(i % 2 === 0 ? one : two, frank)).status);
    assert.deepEqual(statuses, [200, 200, 200, 200, 200, 200, 429, 429]);
    for (const child of children) {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
  });

  it('will not start without Redis, and refuses (503) when Redis goes away: nothing goes through uncounted', async () => {
    await assert.rejects(start('  counters: { redis: "redis://127.0.0.1:1" }\n'), /ERR_GATEWAY_COUNTERS|cannot reach Redis at redis:\/\/127\.0\.0\.1:1/);
    const sockets = new Set<Socket>();
    const relay = createServer((client) => {
      const redis = connect(6379, '127.0.0.1');
      sockets.add(client).add(redis);
      client.pipe(redis).pipe(client);
      client.on('error', () => redis.destroy());
      redis.on('error', () => client.destroy());
    });
    relay.listen(0, '127.0.0.1');
    await once(relay, 'listening');
    const { port } = relay.address() as AddressInfo;
    const gateway = await start(`  rateLimits: { perPrincipal: { requests: 100, windowSeconds: 60 } }\n  counters: { redis: "redis://127.0.0.1:${port}", prefix: "leakproof-test-${randomUUID()}:" }\n`);
    try {
      const frank = await login(gateway.url, 'frank');
      assert.equal((await me(gateway.url, frank)).status, 200);
      relay.close();
      for (const socket of sockets) socket.destroy();
      const answer = await me(gateway.url, frank);
      assert.equal(answer.status, 503);
      assert.deepEqual(await answer.json(), { error: 'service unavailable' });
    } finally {
      await gateway.close();
    }
  });
});
