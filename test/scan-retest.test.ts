/**
 * Probes and `leakproof retest`: every finding of a scan of the leaky reference API is written as a
 * probe and tried again against all three modes. A retest fails where the flaw is still there (or
 * the same data leaks another way, as after the February half fix), passes on the fixed API, and
 * is inconclusive, never a pass, whenever it cannot tell.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { bufferIo } from '../src/cli/io.ts';
import { main } from '../src/cli/main.ts';
import { loadConfig } from '../src/core/config.ts';
import type { Mode, ReferenceApi } from '../src/reference-api/index.ts';
import { MODES, referenceApiScanConfigPath, referenceApiSpecPath, startReferenceApi } from '../src/reference-api/index.ts';
import type { ExecutedScan, ScanConfig } from '../src/scan/index.ts';
import { executeScan, prepareScan, scanConfig } from '../src/scan/index.ts';
import type { Probe } from '../src/scan/probe.ts';
import { formatProbe, parseProbe, PROBE_FORMAT, probeOf } from '../src/scan/probe.ts';
import type { RetestResult } from '../src/scan/retest.ts';
import { retest } from '../src/scan/retest.ts';

const config = await loadConfig(referenceApiScanConfigPath);

function settingsFor(target: string, writes = false): ScanConfig {
  const settings = scanConfig(config, { target });
  settings.safety.rateLimit = 1_000_000;
  settings.safety.writes = writes;
  return settings;
}

const apis = new Map<Mode, ReferenceApi>();
/** Probes of every finding of a scan of the leaky and of the February ("authonly") API. */
const probes: Record<'leaky' | 'authonly', Probe[]> = { leaky: [], authonly: [] };
const fullScans = new Map<Mode, ExecutedScan>();

before(async () => {
  for (const mode of MODES) apis.set(mode, await startReferenceApi({ mode }));
  for (const mode of ['leaky', 'authonly'] as const) {
    const settings = settingsFor(url(mode));
    const scan = await executeScan(await prepareScan(settings, config.personalData), settings);
    fullScans.set(mode, scan);
    probes[mode] = scan.findings.map((finding) => probeOf(finding, scan.summary));
  }
});

after(async () => {
  for (const api of apis.values()) await api.close();
});

function url(mode: Mode): string {
  const api = apis.get(mode);
  if (!api) throw new Error(`no ${mode} API`);
  return api.url;
}

async function retestIn(mode: Mode, probe: Probe, writes = false): Promise<RetestResult> {
  return retest(probe, settingsFor(url(mode), writes), config.personalData);
}

function probeFor(check: string, operation: string): Probe {
  const probe = [...probes.leaky, ...probes.authonly].find((p) => p.check === check && p.operation === operation);
  assert.ok(probe, `a scan found ${check} on ${operation}`);
  return probe;
}

describe('a probe is the finding, written down without secrets', () => {
  it('names the check and the described operation, and carries the decisive request redacted', () => {
    const probe = probeFor('missing-authentication', 'getWorkoutDetails');
    assert.equal(probe.format, PROBE_FORMAT);
    assert.equal(probe.finding.route, 'POST /stats/workouts/details');
    assert.equal(probe.request?.method, 'POST');
    assert.match(probe.request.body ?? '', /"ids":\[/);
    assert.equal(probe.found.target, url('leaky'));
    const text = formatProbe(probe);
    for (const password of ['erin-cadence-2021', 'frank-watts-2021', 'holly-recovery-2021', 'admin-console-2021']) assert.ok(!text.includes(password));
    assert.doesNotMatch(text, /Bearer ey/, 'no token of any identity');
  });

  it('points an undocumented route\'s probe at the described operation it mirrors', () => {
    const twin = probes.leaky.find((p) => p.check === 'undocumented-endpoint');
    assert.equal(twin?.operation, 'getUser');
    assert.equal(twin.finding.route, 'GET /api/v1/user/{id}');
  });

  it('reads back what it wrote, and says where a broken file is wrong', () => {
    const probe = probeFor('bola', 'getUser');
    assert.deepEqual(parseProbe(formatProbe(probe), 'p.json'), probe);
    const unknown = formatProbe(probe).replace('"check": "bola",', '"check": "bola",\n  "secret": "x",');
    assert.throws(() => parseProbe(unknown, 'p.json'), (error: Error & { code?: string; location?: { line: number } }) => {
      assert.equal(error.code, 'ERR_PROBE');
      assert.match(error.message, /unknown key 'secret'/);
      assert.equal(error.location?.line, 4);
      return true;
    });
    assert.throws(() => parseProbe('{"format": "leakproof-probe/9"}', 'p.json'), /not a probe this Leakproof reads/);
    assert.throws(() => parseProbe(formatProbe(probe).replace('"severity": "high"', '"severity": "dire"'), 'p.json'), /finding\.severity: must be one of info, low, medium, high, critical/);
  });
});

describe('a retest agrees with the deployment it is run against', () => {
  it('every finding still fails against the API it was found in', async () => {
    for (const mode of ['leaky', 'authonly'] as const) {
      for (const probe of probes[mode]) {
        const result = await retestIn(mode, probe);
        assert.equal(result.verdict, 'fail', `${mode}: ${probe.check} on ${probe.operation}: ${result.reason}`);
        assert.ok(result.findings.length > 0);
      }
    }
  });

  it('every finding passes against the fixed API, asked as anonymous and every identity', async () => {
    for (const probe of [...probes.leaky, ...probes.authonly]) {
      const result = await retestIn('fixed', probe);
      assert.equal(result.verdict, 'pass', `${probe.check} on ${probe.operation}: ${result.reason}`);
      assert.deepEqual(result.findings, []);
      assert.deepEqual(new Set(result.callers.map((c) => c.name)), new Set(['anonymous', 'erin', 'frank', 'holly', 'admin']), probe.check);
    }
  });

  it('against the February fix, January\'s findings fail exactly where a full scan of it still finds the flaw on that operation', async () => {
    const full = fullScans.get('authonly');
    assert.ok(full);
    for (const probe of probes.leaky) {
      const result = await retestIn('authonly', probe);
      const related = result.checks;
      const stillThere = full.findings.some((f) => f.retestOperation === probe.operation && related.includes(f.checkId));
      assert.equal(result.verdict, stillThere ? 'fail' : 'pass', `${probe.check} on ${probe.operation}: ${result.reason}`);
    }
  });

  it('refuses the February fix for January\'s headline: login required, but members still read everyone', async () => {
    const result = await retestIn('authonly', probeFor('missing-authentication', 'getWorkoutDetails'));
    assert.equal(result.verdict, 'fail');
    assert.match(result.reason, /^missing-authentication no longer reproduces, but the same data still leaks another way \(.*bola.*\)/);
    assert.equal(result.callers.find((c) => c.name === 'anonymous')?.answers['401'] !== undefined, true);
    assert.ok(result.findings.some((f) => f.checkId === 'bola'));
  });

  it('retests mass assignment only where writes are allowed, and then decides', async () => {
    const settings = settingsFor(url('leaky'), true);
    const writesScan = await executeScan(await prepareScan(settings, config.personalData), settings);
    const finding = writesScan.findings.find((f) => f.checkId === 'mass-assignment');
    assert.ok(finding, 'the writes-mode scan finds mass assignment');
    const probe = probeOf(finding, writesScan.summary);
    assert.equal(probe.operation, 'updateMe');
    assert.equal((await retestIn('leaky', probe, true)).verdict, 'fail');
    assert.equal((await retestIn('fixed', probe, true)).verdict, 'pass');
    const safe = await retestIn('fixed', probe, false);
    assert.equal(safe.verdict, 'inconclusive');
    assert.match(safe.reason, /not a safe method|writes are off/);
  });
});

describe('inconclusive is never a pass', () => {
  it('when the target does not answer at all', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise((resolve) => closed.close(resolve));
    const settings = settingsFor(`http://127.0.0.1:${port}`);
    settings.safety.timeoutMs = 2000;
    const result = await retest(probeFor('bola', 'getUser'), settings, config.personalData);
    assert.equal(result.verdict, 'inconclusive');
    assert.match(result.reason, /could not run to the end|no usable answer|no identity received its own record/);
  });

  it('when the operation answers everyone, the owner included, with a server error', async () => {
    const server = await fakeApi((path) => (path.startsWith('/api/me') ? [200, { id: 7, username: 'frank' }] : [500, { error: 'internal' }]));
    try {
      const result = await retest(probeFor('bola', 'getUser'), await bearerSettings(server.url, 2), config.personalData);
      assert.equal(result.verdict, 'inconclusive');
      assert.match(result.reason, /got no usable answer \(HTTP 500 ×\d+\)/);
    } finally {
      await server.close();
    }
  });

  it('when everyone is refused, the owner included: a broken route is not a fix', async () => {
    const server = await fakeApi((path) => (path.startsWith('/api/me') ? [200, { id: 7, username: 'frank' }] : [404, { error: 'not found' }]));
    try {
      const result = await retest(probeFor('bola', 'getUser'), await bearerSettings(server.url, 2), config.personalData);
      assert.equal(result.verdict, 'inconclusive');
      assert.match(result.reason, /no identity received its own record from GET \/api\/user\/\{id\}/);
    } finally {
      await server.close();
    }
  });

  it('when there is no unrelated member to ask', async () => {
    const settings = settingsFor(url('fixed'));
    settings.identities = settings.identities.filter((identity) => identity.name === 'erin');
    const result = await retest(probeFor('bola', 'getUser'), settings, config.personalData);
    assert.equal(result.verdict, 'inconclusive');
    assert.match(result.reason, /at least two member identities/);
  });

  it('when the description no longer has the operation, without sending anything', async () => {
    const probe = { ...probeFor('bola', 'getUser'), operation: 'getUserV0' };
    const result = await retestIn('fixed', probe);
    assert.equal(result.verdict, 'inconclusive');
    assert.equal(result.requests, 0);
    assert.match(result.reason, /operation 'getUserV0' is not in/);
  });
});

describe('leakproof scan --probes and leakproof retest on the command line', () => {
  it('writes a probe per finding, and retest exits 1 on fail, 0 on pass, 4 on inconclusive, with JSON on request', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'leakproof-probes-'));
    const scanIo = bufferIo();
    const code = await main(['scan', '--config', referenceApiScanConfigPath, '--target', url('authonly'), '--rate-limit', '100000', '--format', 'json', '--output', join(dir, 'report.json'), '--probes', join(dir, 'probes')], scanIo);
    assert.equal(code, 1);
    const files = await readdir(join(dir, 'probes'));
    const report = JSON.parse(await readFile(join(dir, 'report.json'), 'utf8')) as { findings: { checkId: string; fingerprint: string; retestOperation: string }[] };
    assert.deepEqual(files.sort(), report.findings.map((f) => `${f.checkId}-${f.fingerprint}.json`).sort());
    assert.match(scanIo.stderr.join('\n'), new RegExp(`${files.length} probe files written to`));

    const finding = report.findings.find((f) => f.checkId === 'bola' && f.retestOperation === 'getUser');
    assert.ok(finding);
    const bola = `bola-${finding.fingerprint}.json`;
    const run = async (target: string, ...extra: string[]): Promise<[number, string]> => {
      const io = bufferIo();
      const exit = await main(['retest', join(dir, 'probes', bola), '--config', referenceApiScanConfigPath, '--target', target, '--rate-limit', '100000', ...extra], io);
      return [exit, io.stdout.join('\n')];
    };
    const [failCode, failText] = await run(url('authonly'));
    assert.equal(failCode, 1);
    assert.match(failText, /^FAIL {2}bola on GET \/api\/user\/\{id\}/);
    assert.match(failText, /still found: GET \/api\/user\/\{id\} serves other members'/);
    const [passCode, passText] = await run(url('fixed'), '--format', 'json');
    assert.equal(passCode, 0);
    const json = JSON.parse(passText) as RetestResult;
    assert.equal(json.verdict, 'pass');
    assert.equal(json.probe.check, 'bola');

    const onlyErin = join(dir, 'erin.yaml');
    await writeFile(onlyErin, (await readFile(referenceApiScanConfigPath, 'utf8')).replace('spec: openapi.yaml', `spec: ${referenceApiSpecPath}`).replace(/ {4}- name: frank[\s\S]*?(?= {2}visibility:)/, ''));
    const io = bufferIo();
    assert.equal(await main(['retest', join(dir, 'probes', bola), '--config', onlyErin, '--target', url('fixed'), '--rate-limit', '100000'], io), 4);
    assert.match(io.stdout.join('\n'), /^INCONCLUSIVE {2}bola/);
  });

  it('exits 2 with file:line for a broken probe, and for a missing one', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'leakproof-probes-'));
    const broken = join(dir, 'broken.json');
    await writeFile(broken, formatProbe(probeFor('bola', 'getUser')).replace('"operation": "getUser"', '"operation": 7'));
    const io = bufferIo();
    assert.equal(await main(['retest', broken, '--config', referenceApiScanConfigPath, '--target', url('fixed')], io), 2);
    assert.match(io.stderr.join('\n'), /broken\.json:4:\d+: ERR_PROBE operation: must be a string/);
    const missing = bufferIo();
    assert.equal(await main(['retest', join(dir, 'nothing.json'), '--target', url('fixed')], missing), 2);
    assert.match(missing.stderr.join('\n'), /ERR_FILE_READ/);
  });
});

/** A tiny API: `answer(path)` decides status and body; every request needs a bearer token. */
async function fakeApi(answer: (path: string) => [number, unknown]): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((request, response) => {
    const [status, body] = request.headers.authorization === undefined ? [401, { error: 'login' }] : answer(request.url ?? '/');
    response.writeHead(status, { 'content-type': 'application/json' });
    response.end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => {
      server.close(() => { resolve(); });
      server.closeAllConnections();
    }),
  };
}

/** The reference API's description with `count` static bearer identities, against `target`. */
async function bearerSettings(target: string, count: number): Promise<ScanConfig> {
  const dir = await mkdtemp(join(tmpdir(), 'leakproof-retest-'));
  const file = join(dir, 'leakproof.yaml');
  const identities = Array.from({ length: count }, (_, i) => `    - { name: member${i}, kind: bearer, token: token-${i} }`).join('\n');
  await writeFile(file, `scan:\n  spec: ${referenceApiSpecPath}\n  identities:\n${identities}\n`);
  const settings = scanConfig(await loadConfig(file), { target });
  settings.safety.rateLimit = 1_000_000;
  return settings;
}
