/**
 * The gateway in front of the reference API, over real HTTP: with the policy in
 * src/reference-api/gateway.yaml, the leaky and authonly modes behave like fixed for every
 * planted flaw (a full scan through the gateway finds nothing), while owners and followers still
 * get what they should.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { loadConfig } from '../src/core/config.ts';
import type { RunningGateway } from '../src/gateway/index.ts';
import { prepareGateway, startGateway } from '../src/gateway/index.ts';
import type { Mode, ReferenceApi } from '../src/reference-api/index.ts';
import { referenceApiGatewayConfigPath, referenceApiScanConfigPath, SEEDED_CREDENTIALS, seededPersonId, startReferenceApi } from '../src/reference-api/index.ts';
import { executeScan, prepareScan, scanConfig } from '../src/scan/index.ts';
import { probeOf } from '../src/scan/probe.ts';
import { retest } from '../src/scan/retest.ts';

interface Guarded {
  api: ReferenceApi;
  gateway: RunningGateway;
}

async function guard(mode: Mode): Promise<Guarded> {
  const api = await startReferenceApi({ mode });
  const config = await loadConfig(referenceApiGatewayConfigPath, { ...process.env, REFERENCE_API_URL: api.url });
  const gateway = await startGateway(await prepareGateway(config, { port: 0 }));
  return { api, gateway };
}

const password = (username: string): string => SEEDED_CREDENTIALS.find((c) => c.username === username)?.password ?? '';

async function login(base: string, username: string): Promise<string> {
  const answer = await fetch(`${base}/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password: password(username) }) });
  assert.equal(answer.status, 200, `${username} logs in through the gateway`);
  const { token } = (await answer.json()) as { token: string };
  return token;
}

async function get(base: string, path: string, token?: string): Promise<{ status: number; json: unknown }> {
  const answer = await fetch(`${base}${path}`, { headers: token === undefined ? {} : { authorization: `Bearer ${token}` } });
  return { status: answer.status, json: await answer.json() };
}

const guarded = new Map<Mode, Guarded>();

before(async () => {
  for (const mode of ['leaky', 'authonly'] as const) guarded.set(mode, await guard(mode));
});

after(async () => {
  for (const { api, gateway } of guarded.values()) {
    await gateway.close();
    await api.close();
  }
});

function base(mode: Mode): string {
  const entry = guarded.get(mode);
  assert.ok(entry);
  return entry.gateway.url;
}

describe('through the gateway, the leaky modes behave like fixed', () => {
  for (const mode of ['leaky', 'authonly'] as const) {
    it(`a full scan of ${mode} through the gateway finds nothing`, async () => {
      const config = await loadConfig(referenceApiScanConfigPath);
      const settings = scanConfig(config, { target: base(mode) });
      settings.safety.rateLimit = 1_000_000;
      const { findings } = await executeScan(await prepareScan(settings, config.personalData), settings);
      assert.deepEqual(findings.map((f) => `${f.checkId}: ${f.title}`), []);
    });

    it(`every finding of a direct scan of ${mode} is verified fixed by a retest through the gateway, not just unseen`, async () => {
      const config = await loadConfig(referenceApiScanConfigPath);
      const direct = scanConfig(config, { target: guarded.get(mode)?.api.url });
      direct.safety.rateLimit = 1_000_000;
      const scan = await executeScan(await prepareScan(direct, config.personalData), direct);
      assert.ok(scan.findings.length > 10);
      const through = scanConfig(config, { target: base(mode) });
      through.safety.rateLimit = 1_000_000;
      for (const finding of scan.findings) {
        const result = await retest(probeOf(finding, scan.summary), through, config.personalData);
        assert.equal(result.verdict, 'pass', `${finding.checkId} on ${finding.operation?.id ?? ''}: ${result.reason}`);
      }
    });
  }
});

describe('owners and followers still get what they should', () => {
  for (const mode of ['leaky', 'authonly'] as const) {
    it(`${mode}: the owner reads her whole profile, a follower the member view, a stranger the card`, async () => {
      const carol = seededPersonId('carol');
      const asCarol = await get(base(mode), `/api/user/${carol}`, await login(base(mode), 'carol'));
      assert.equal(asCarol.status, 200);
      assert.deepEqual(Object.keys(asCarol.json as object).sort(), ['age', 'birthday', 'email', 'gender', 'height', 'id', 'image_url', 'is_profile_private', 'location', 'role', 'total_followers', 'total_following', 'total_workouts', 'username', 'weight']);
      const asBob = await get(base(mode), `/api/user/${carol}`, await login(base(mode), 'bob'));
      assert.deepEqual(Object.keys(asBob.json as object).sort(), ['id', 'image_url', 'is_profile_private', 'location', 'total_followers', 'total_following', 'total_workouts', 'username']);
      const asFrank = await get(base(mode), `/api/user/${carol}`, await login(base(mode), 'frank'));
      assert.deepEqual(Object.keys(asFrank.json as object).sort(), ['id', 'image_url', 'is_profile_private', 'username']);
    });

    it(`${mode}: a private profile's activity goes to its owner and followers only`, async () => {
      const carol = seededPersonId('carol');
      const byBob = await get(base(mode), `/api/user/${carol}/workouts`, await login(base(mode), 'bob'));
      assert.equal(byBob.status, 200);
      const workouts = (byBob.json as { data: Record<string, unknown>[] }).data;
      assert.ok(workouts.length > 0);
      for (const workout of workouts) assert.ok(!('calories' in workout) && !('avg_heart_rate' in workout), 'health data is the owner\'s alone');
      const byCarol = (await get(base(mode), `/api/user/${carol}/workouts`, await login(base(mode), 'carol'))).json as { data: Record<string, unknown>[] };
      assert.ok(byCarol.data.some((w) => 'calories' in w));
      assert.equal((await get(base(mode), `/api/user/${carol}/workouts`, await login(base(mode), 'frank'))).status, 403);
      assert.equal((await get(base(mode), `/api/user/${carol}/followers`, await login(base(mode), 'frank'))).status, 403);
      assert.equal((await get(base(mode), `/api/user/${carol}/followers`, await login(base(mode), 'dave'))).status, 200);
    });
  }

  it('anonymous callers are refused what needs a login, and undescribed routes do not exist', async () => {
    assert.equal((await get(base('leaky'), `/api/user/${seededPersonId('erin')}`)).status, 401);
    assert.equal((await get(base('leaky'), `/api/v1/user/${seededPersonId('erin')}`)).status, 404);
  });
});
