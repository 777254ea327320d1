/**
 * Running the gateway: Prometheus metrics and a health check on the admin port, and a
 * configuration that reloads (on SIGHUP or when its file changes) without dropping a request,
 * while a broken new one is refused and the running one stays.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { bufferIo } from '../src/cli/io.ts';
import { main } from '../src/cli/main.ts';
import { loadConfig } from '../src/core/config.ts';
import { openAccessLogStore } from '../src/gateway/access-log/index.ts';
import type { RunningGateway } from '../src/gateway/index.ts';
import { prepareGateway, startGateway } from '../src/gateway/index.ts';
import type { ReferenceApi } from '../src/reference-api/index.ts';
import { referenceApiGatewayConfigPath, referenceApiSpecPath, SEEDED_CREDENTIALS, seededPersonId, startReferenceApi } from '../src/reference-api/index.ts';

let api: ReferenceApi;
before(async () => {
  api = await startReferenceApi({ mode: 'authonly' });
});
after(async () => {
  await api.close();
});

const policy = async (): Promise<string> => (await readFile(referenceApiGatewayConfigPath, 'utf8')).replace('spec: openapi.yaml', `spec: ${referenceApiSpecPath}`);

async function writeConfig(text: string, file?: string): Promise<string> {
  const path = file ?? join(await mkdtemp(join(tmpdir(), 'leakproof-gateway-ops-')), 'gateway.yaml');
  await writeFile(path, text);
  return path;
}

const load = (file: string): ReturnType<typeof loadConfig> => loadConfig(file, { ...process.env, REFERENCE_API_URL: api.url });

async function login(base: string, username: string): Promise<string> {
  const password = SEEDED_CREDENTIALS.find((c) => c.username === username)?.password ?? '';
  const answer = await fetch(`${base}/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
  return ((await answer.json()) as { token: string }).token;
}

const me = async (base: string, token: string): Promise<number> => (await fetch(`${base}/api/me`, { headers: { authorization: `Bearer ${token}` } })).status;

describe('the admin port: metrics and health', () => {
  let gateway: RunningGateway;
  before(async () => {
    const file = await writeConfig(`${(await policy()).trimEnd()}\n  admin: { port: 0 }\n`);
    gateway = await startGateway(await prepareGateway(await load(file), { port: 0 }));
  });
  after(async () => {
    await gateway.close();
  });

  it('counts answers by operation and status, decisions, and removed records', async () => {
    const frank = await login(gateway.url, 'frank');
    await fetch(`${gateway.url}/api/user/${seededPersonId('carol')}`, { headers: { authorization: `Bearer ${frank}` } });
    await fetch(`${gateway.url}/api/user/${seededPersonId('carol')}`);
    await fetch(`${gateway.url}/nowhere`);
    await fetch(`${gateway.url}/stats/workouts/details`, { method: 'POST', headers: { authorization: `Bearer ${frank}`, 'content-type': 'application/json' }, body: JSON.stringify({ ids: [seededPersonId('carol'), seededPersonId('alice')] }) });
    assert.ok(gateway.adminUrl);
    const answer = await fetch(`${gateway.adminUrl}/metrics`);
    assert.equal(answer.status, 200);
    assert.match(answer.headers.get('content-type') ?? '', /^text\/plain/);
    const text = await answer.text();
    assert.match(text, /^leakproof_gateway_requests_total\{operation="login",status="200"\} 1$/m);
    assert.match(text, /^leakproof_gateway_requests_total\{operation="getUser",status="200"\} 1$/m);
    assert.match(text, /^leakproof_gateway_requests_total\{operation="getUser",status="401"\} 1$/m);
    assert.match(text, /^leakproof_gateway_requests_total\{operation="unrouted",status="404"\} 1$/m);
    assert.match(text, /^leakproof_gateway_decisions_total\{operation="getUser",decision="filtered"\} 1$/m);
    assert.match(text, /^leakproof_gateway_records_removed_total\{operation="getWorkoutDetails"\} 1$/m, 'carol is private and frank does not follow her');
    assert.match(text, /^leakproof_gateway_request_duration_seconds_count\{operation="getUser"\} 2$/m);
    assert.match(text, /^leakproof_gateway_process_resident_memory_bytes \d+/m);
  });

  it('answers health checks, and nothing else', async () => {
    const health = await fetch(`${gateway.adminUrl ?? ''}/healthz`);
    assert.equal(health.status, 200);
    assert.deepEqual(await health.json(), { status: 'ok' });
    assert.equal((await fetch(`${gateway.adminUrl ?? ''}/metrics`, { method: 'POST' })).status, 405);
    assert.equal((await fetch(`${gateway.adminUrl ?? ''}/api/me`)).status, 404);
  });
});

describe('reloading the configuration', () => {
  it('swaps a valid new policy in, refuses a broken one and keeps the running one', async () => {
    const text = await policy();
    const file = await writeConfig(text);
    const gateway = await startGateway(await prepareGateway(await load(file), { port: 0 }));
    try {
      const frank = await login(gateway.url, 'frank');
      assert.equal(await me(gateway.url, frank), 200);
      await writeConfig(text.replace('getMe: { allow: principal.authenticated }', 'getMe: { allow: "false" }'), file);
      await gateway.reload(await load(file));
      assert.equal(await me(gateway.url, frank), 403, 'the new policy holds');
      await writeConfig(text.replace('getMe: { allow: principal.authenticated }', 'getMe: { allow: "principal.sub ==" }'), file);
      await assert.rejects(async () => { await gateway.reload(await load(file)); }, /does not compile/);
      assert.equal(await me(gateway.url, frank), 403, 'the last good policy still holds');
      const metrics = await gateway.metrics.registry.metrics();
      assert.match(metrics, /^leakproof_gateway_reloads_total\{result="ok"\} 1$/m);
      assert.match(metrics, /^leakproof_gateway_reloads_total\{result="failed"\} 1$/m);
    } finally {
      await gateway.close();
    }
  });

  it('on the command line: a changed file and SIGHUP reload; a broken file is reported and ignored', async () => {
    const text = await policy();
    const file = await writeConfig(text);
    const child = spawn(process.execPath, ['bin/leakproof.js', 'gateway', '--config', file, '--port', '0'], { env: { ...process.env, REFERENCE_API_URL: api.url } });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => { stdout += chunk; });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk; });
    const until = async (condition: () => boolean, what: string): Promise<void> => {
      for (let waited = 0; !condition(); waited += 50) {
        if (waited > 15_000) throw new Error(`timed out waiting for ${what}; stderr: ${stderr}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    };
    try {
      await until(() => /Gateway listening on (http:\/\/\S+),/.test(stdout), 'the gateway to listen');
      const url = /Gateway listening on (http:\/\/\S+),/.exec(stdout)?.[1] ?? '';
      const frank = await login(url, 'frank');
      assert.equal(await me(url, frank), 200);
      await writeFile(file, text.replace('getMe: { allow: principal.authenticated }', 'getMe: { allow: "false" }'));
      await until(() => stderr.includes('Configuration reloaded (file changed)'), 'the reload');
      assert.equal(await me(url, frank), 403);
      await writeFile(file, 'gateway: [');
      await until(() => stderr.includes('Configuration not reloaded'), 'the refusal');
      assert.match(stderr, /ERR_PARSE/);
      assert.equal(await me(url, frank), 403, 'still the last good policy');
      await writeFile(file, text);
      await until(() => (stderr.match(/Configuration reloaded/g) ?? []).length >= 2, 'the second reload');
      child.kill('SIGHUP');
      await until(() => stderr.includes('Configuration reloaded (SIGHUP)'), 'the SIGHUP reload');
      assert.equal(await me(url, frank), 200);
    } finally {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
  });
});

describe('several workers behind one port', () => {
  it('serves from every worker, sums their metrics on the admin port, and stops them all', async () => {
    const file = await writeConfig(`${(await policy()).trimEnd()}\n  admin: { port: 0 }\n`);
    const child = spawn(process.execPath, ['bin/leakproof.js', 'gateway', '--config', file, '--port', '0', '--admin-port', '0', '--workers', '2'], { env: { ...process.env, REFERENCE_API_URL: api.url } });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => { stdout += chunk; });
    try {
      for (let waited = 0; !/metrics: (http:\/\/\S+)\/metrics/.test(stdout); waited += 50) {
        if (waited > 30_000) throw new Error(`the cluster did not start: ${stdout}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      assert.match(stdout, /Gateway listening on http:\/\/127\.0\.0\.1:\d+, in front of .* \(2 workers\)/);
      const url = /Gateway listening on (http:\/\/\S+),/.exec(stdout)?.[1] ?? '';
      const admin = /metrics: (http:\/\/\S+)\/metrics/.exec(stdout)?.[1] ?? '';
      // A new connection each time, so that the primary hands requests to both workers.
      for (let i = 0; i < 10; i += 1) assert.equal((await fetch(`${url}/api/me`, { headers: { connection: 'close' } })).status, 401);
      const metrics = await (await fetch(`${admin}/metrics`)).text();
      assert.match(metrics, /^leakproof_gateway_requests_total\{operation="getMe",status="401"\} 10$/m, 'the workers\' counts are summed');
    } finally {
      child.kill('SIGTERM');
      const [code] = (await once(child, 'exit')) as [number];
      assert.equal(code, 0);
    }
  });

  it('refuses to split rate limits between workers that each count in memory', async () => {
    const file = await writeConfig(`${(await policy()).trimEnd()}\n  rateLimits: { perPrincipal: { requests: 100, windowSeconds: 60 } }\n`);
    const io = bufferIo();
    assert.equal(await main(['gateway', '--config', file, '--workers', '2'], io), 2);
    assert.match(io.stderr.join('\n'), /2 workers would each count rate limits and enumeration on their own\n {2}hint: configure gateway\.counters \(Redis\)/);
  });
});

describe('the access log: whose personal data went to whom', () => {
  it('records every answer that carried people\'s records: principal, subjects, personal fields, view', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'leakproof-gateway-log-'));
    const store = join(dir, 'access.db');
    const file = await writeConfig(`${(await policy()).trimEnd()}\n  accessLog: { store: ${JSON.stringify(store)}, maxDelayMs: 10 }\n`);
    const gateway = await startGateway(await prepareGateway(await load(file), { port: 0 }));
    const carol = seededPersonId('carol');
    try {
      for (const reader of ['frank', 'bob', 'carol']) {
        const token = await login(gateway.url, reader);
        assert.equal((await fetch(`${gateway.url}/api/user/${carol}`, { headers: { authorization: `Bearer ${token}` } })).status, 200);
      }
      await fetch(`${gateway.url}/api/user/${carol}`);
    } finally {
      await gateway.close();
    }
    const log = await openAccessLogStore(store);
    try {
      const readers = await log.whoRead(carol);
      const by = (name: string): { fields: string[]; records: number } | undefined => readers.find((r) => r.principal === seededPersonId(name));
      assert.deepEqual(readers.map((r) => r.principal).sort(), ['bob', 'carol', 'frank'].map(seededPersonId).sort(), 'the anonymous call was refused and carried nobody');
      assert.deepEqual(by('frank')?.fields, ['id', 'image_url', 'is_profile_private', 'username'], 'a stranger got the card');
      assert.ok(by('bob')?.fields.includes('location'), 'a follower got the member view');
      assert.ok(by('carol')?.fields.includes('birthday'), 'the owner got her whole profile');
      const frank = await log.subjectCount(seededPersonId('frank'));
      assert.equal(frank.subjects, 1, 'frank received carol\'s card and no one else\'s record');
    } finally {
      await log.close();
    }
  });
});
