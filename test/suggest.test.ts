/**
 * `leakproof suggest`: the findings of a scan of the leaky reference API, turned into a gateway
 * policy draft. The draft is a valid gateway configuration that says, above each policy, which
 * findings it answers; with the reference API's JWT settings filled in, it makes the leaky and the
 * February ("authonly") API pass a full scan, while owners still get everything of their own.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { isMap, isScalar, parseDocument } from 'yaml';
import type { YAMLMap } from 'yaml';
import { bufferIo } from '../src/cli/io.ts';
import { main } from '../src/cli/main.ts';
import { loadConfig } from '../src/core/config.ts';
import type { RunningGateway } from '../src/gateway/index.ts';
import { prepareGateway, startGateway } from '../src/gateway/index.ts';
import type { ReferenceApi } from '../src/reference-api/index.ts';
import { referenceApiGatewayConfigPath, referenceApiScanConfigPath, referenceApiSpecPath, SEEDED_CREDENTIALS, seededPersonId, startReferenceApi } from '../src/reference-api/index.ts';
import type { ExecutedScan } from '../src/scan/index.ts';
import { executeScan, prepareScan, scanConfig } from '../src/scan/index.ts';
import { writeJsonReport } from '../src/scan/report/json.ts';

async function run(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const io = bufferIo();
  const code = await main(argv, io);
  return { code, stdout: io.stdout.join('\n'), stderr: io.stderr.join('\n') };
}

const scanSettings = await loadConfig(referenceApiScanConfigPath);

/** A full scan: writes too (the reference API is a test environment), so mass assignment is tried. */
async function scan(target: string): Promise<ExecutedScan> {
  const settings = scanConfig(scanSettings, { target });
  settings.safety.rateLimit = 1_000_000;
  settings.safety.writes = true;
  return executeScan(await prepareScan(settings, scanSettings.personalData), settings);
}

let dir = '';
let leaky: ReferenceApi;
let findings: ExecutedScan;
let report = '';
/** The draft, as `leakproof suggest` wrote it. */
let draft = '';
let draftFile = '';

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'leakproof-suggest-'));
  leaky = await startReferenceApi({ mode: 'leaky' });
  findings = await scan(leaky.url);
  report = join(dir, 'findings.json');
  await writeFile(report, writeJsonReport(findings.findings, findings.summary));
  draftFile = join(dir, 'gateway.yaml');
  const { code, stderr } = await run('suggest', report, '--config', referenceApiScanConfigPath, '--output', draftFile);
  assert.equal(code, 0, stderr);
  draft = await readFile(draftFile, 'utf8');
});

after(async () => {
  await leaky.close();
});

function operationsOf(text: string): YAMLMap {
  const operations = parseDocument(text).getIn(['gateway', 'operations']);
  assert.ok(isMap(operations));
  return operations;
}

/** The comment above an operation's policy, its lines joined back into sentences. */
function commentAbove(operations: YAMLMap, id: string): string {
  const pair = operations.items.find((item) => isScalar(item.key) && item.key.value === id);
  assert.ok(pair && isScalar(pair.key), `a policy for ${id}`);
  return (pair.key.commentBefore ?? '').split('\n').map((line) => line.trim()).join(' ');
}

describe('the draft is a gateway configuration that names the findings each policy answers', () => {
  it('passes leakproof gateway check', async () => {
    const { code, stdout, stderr } = await run('gateway', 'check', '--config', draftFile);
    assert.equal(code, 0, stderr);
    assert.match(stdout, /gateway\.yaml: valid\./);
    assert.match(draft, new RegExp(`^ {2}upstream: \\{ url: ${leaky.url.replace(/[.]/g, '\\.')} \\}$`, 'm'), 'the report\'s target is the upstream');
  });

  it('says, above each operation\'s policy, the check and title of every finding it answers', () => {
    const operations = operationsOf(draft);
    const described = findings.findings.filter((f) => f.checkId !== 'undocumented-endpoint');
    assert.ok(described.length > 15);
    for (const finding of described) {
      assert.ok(commentAbove(operations, finding.operation?.id ?? '').includes(`${finding.checkId}: ${finding.title}`), `${finding.checkId} on ${finding.operation?.id ?? ''}`);
    }
    const undocumented = findings.findings.find((f) => f.checkId === 'undocumented-endpoint');
    assert.ok(undocumented);
    assert.ok(draft.replace(/\n\s*#\s*/g, ' ').includes(`undocumented-endpoint: ${undocumented.title}: deny-by-default`));
  });

  it('answers each check with what the gateway does about it', () => {
    const gateway = parseDocument(draft).toJS() as { gateway: { default: unknown; views: Record<string, string[]>; lookups: Record<string, { path: string }>; operations: Record<string, { allow: string; records?: string; views?: { when?: string; view: string }[] }> } };
    const { operations } = gateway.gateway;
    assert.deepEqual(gateway.gateway.default, { allow: 'principal.authenticated' });
    assert.deepEqual(operations.getUser, {
      allow: 'principal.authenticated',
      records: '$',
      views: [
        { when: 'resource.id == principal.sub', view: '*' },
        { when: '!resource.is_profile_private || principal.sub in followers(resource.id)', view: 'member' },
        { view: 'card' },
      ],
    });
    assert.equal(operations.searchUsers?.records, '$.data[*]');
    assert.equal(operations.graphql?.records, 'deep');
    assert.equal(operations.listAdminUsers?.allow, "'admin' in principal.roles");
    assert.equal(gateway.gateway.lookups.followers?.path, '/api/user/{id}/followers');
    assert.deepEqual(gateway.gateway.views.card, ['id', 'username', 'image_url', 'is_profile_private']);
    assert.match(commentAbove(operationsOf(draft), 'getWorkoutDetails'), /Request validation holds ids to 50 items/);
    assert.match(commentAbove(operationsOf(draft), 'listAdminUsers'), /Adapt the condition/);
    assert.match(commentAbove(operationsOf(draft), 'updateMe'), /mass-assignment: .* Request validation refuses properties the request schema does not declare/);
  });

  it('gives operations without findings no policy, except those the description opens to anyone, and only the views and lookups used', async () => {
    const file = join(dir, 'get-user-only.json');
    const whole = JSON.parse(await readFile(report, 'utf8')) as { findings: { operation: { id: string } | null }[] };
    whole.findings = whole.findings.filter((f) => f.operation?.id === 'getUser');
    await writeFile(file, JSON.stringify(whole));
    const { code, stdout } = await run('suggest', file, '--config', referenceApiScanConfigPath);
    assert.equal(code, 0);
    const { gateway } = parseDocument(stdout).toJS() as { gateway: { views: object; lookups: object; operations: Record<string, unknown> } };
    assert.deepEqual(Object.keys(gateway.operations), ['getOpenApiDocument', 'register', 'login', 'getUser']);
    assert.deepEqual(gateway.operations.login, { allow: 'true' });
    assert.deepEqual(Object.keys(gateway.views), ['member', 'card']);
    assert.deepEqual(Object.keys(gateway.lookups), ['followers']);
  });

  it('tells where the description lacks the limit that request validation would enforce', async () => {
    const spec = join(dir, 'uncapped.yaml');
    const text = await readFile(referenceApiSpecPath, 'utf8');
    const uncapped = text.replace(/(\n {16}ids:\n {18}type: array)\n {18}maxItems: 50/, '$1');
    assert.notEqual(uncapped, text);
    await writeFile(spec, uncapped);
    const { code, stdout } = await run('suggest', report, '--config', referenceApiScanConfigPath, '--spec', spec);
    assert.equal(code, 0);
    assert.match(commentAbove(operationsOf(stdout), 'getWorkoutDetails'), /The description declares no maxItems on ids: add one to the request schema of getWorkoutDetails \(.*uncapped\.yaml:\d+:\d+\)/);
  });

  it('without a configuration saying what is public, shows people\'s records to their owners only, and emits no views', async () => {
    const config = join(dir, 'no-visibility.yaml');
    await writeFile(config, 'scan: {}\n');
    const { code, stdout } = await run('suggest', report, '--config', config);
    assert.equal(code, 0);
    const document = parseDocument(stdout);
    assert.equal(document.getIn(['gateway', 'views']), undefined);
    assert.deepEqual((document.getIn(['gateway', 'operations', 'getUser', 'views']) as YAMLMap).toJSON(), [{ when: 'resource.id == principal.sub', view: '*' }]);
    await writeFile(join(dir, 'owners-only.yaml'), stdout.replace(/^ {2}spec: .*$/m, `  spec: ${referenceApiSpecPath}`));
    assert.equal((await run('gateway', 'check', '--config', join(dir, 'owners-only.yaml'))).code, 0);
  });
});

/** The draft with the reference API's JWT settings in place of its placeholder, in front of `api`. */
async function guard(api: ReferenceApi, name: string): Promise<RunningGateway> {
  const document = parseDocument(draft);
  const reference = parseDocument(await readFile(referenceApiGatewayConfigPath, 'utf8'));
  document.setIn(['gateway', 'authentication'], reference.getIn(['gateway', 'authentication']));
  const file = join(dir, `${name}.yaml`);
  await writeFile(file, document.toString());
  const config = await loadConfig(file, { ...process.env, REFERENCE_API_URL: api.url });
  return startGateway(await prepareGateway(config, { port: 0, upstream: api.url }));
}

const password = (username: string): string => SEEDED_CREDENTIALS.find((c) => c.username === username)?.password ?? '';

async function profileThrough(gateway: RunningGateway, reader: string, owner: string): Promise<Record<string, unknown>> {
  const login = await fetch(`${gateway.url}/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: reader, password: password(reader) }) });
  assert.equal(login.status, 200);
  const { token } = (await login.json()) as { token: string };
  const answer = await fetch(`${gateway.url}/api/user/${seededPersonId(owner)}`, { headers: { authorization: `Bearer ${token}` } });
  assert.equal(answer.status, 200);
  return (await answer.json()) as Record<string, unknown>;
}

describe('with the JWT settings filled in, the draft fixes what the scan found', () => {
  for (const mode of ['leaky', 'authonly'] as const) {
    it(`in front of ${mode}: a full scan finds nothing, and owners still read their whole profile`, async () => {
      const api = mode === 'leaky' ? leaky : await startReferenceApi({ mode });
      const gateway = await guard(api, mode);
      try {
        const through = await scan(gateway.url);
        assert.deepEqual(through.findings.map((f) => `${f.checkId} on ${f.operation?.id ?? ''}: ${f.title}`), []);
        const own = await profileThrough(gateway, 'carol', 'carol');
        assert.deepEqual(Object.keys(own).sort(), ['age', 'birthday', 'email', 'gender', 'height', 'id', 'image_url', 'is_profile_private', 'location', 'role', 'total_followers', 'total_following', 'total_workouts', 'username', 'weight']);
        assert.deepEqual(Object.keys(await profileThrough(gateway, 'bob', 'carol')).sort(), ['id', 'image_url', 'is_profile_private', 'location', 'total_followers', 'total_following', 'total_workouts', 'username'], 'a follower gets the member view');
        assert.deepEqual(Object.keys(await profileThrough(gateway, 'frank', 'carol')).sort(), ['id', 'image_url', 'is_profile_private', 'username'], 'a stranger gets the card');
      } finally {
        await gateway.close();
        if (api !== leaky) await api.close();
      }
    });
  }
});

describe('input that is not a findings report, or a description that does not load, exits 2', () => {
  it('a JSON file that is not a findings report, at its file:line', async () => {
    const file = join(dir, 'probe.json');
    await writeFile(file, '{\n  "format": "leakproof-probe/1",\n  "check": "bola"\n}\n');
    const { code, stderr } = await run('suggest', file);
    assert.equal(code, 2);
    assert.match(stderr, /probe\.json:1:1: ERR_FINDINGS not a findings report: missing 'tool'\n {2}hint: write one with `leakproof scan --format json/);
  });

  it('a report whose findings are malformed', async () => {
    const file = join(dir, 'broken.json');
    const broken = JSON.parse(await readFile(report, 'utf8')) as { findings: { checkId: unknown }[] };
    if (broken.findings[0]) broken.findings[0].checkId = 7;
    await writeFile(file, JSON.stringify(broken, null, 2));
    const { code, stderr } = await run('suggest', file);
    assert.equal(code, 2);
    assert.match(stderr, /broken\.json:\d+:\d+: ERR_FINDINGS not a findings report: findings\[0\]\.checkId: must be a string/);
  });

  it('a file that is not JSON', async () => {
    const { code, stderr } = await run('suggest', referenceApiSpecPath);
    assert.equal(code, 2);
    assert.match(stderr, /openapi\.yaml:1:1: ERR_PARSE/);
  });

  it('a description that is missing, or not a description', async () => {
    const missing = await run('suggest', report, '--spec', join(dir, 'nowhere.yaml'));
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /ERR_FILE_READ cannot read .*nowhere\.yaml: no such file/);
    const notADescription = await run('suggest', report, '--spec', report);
    assert.equal(notADescription.code, 2);
    assert.match(notADescription.stderr, /findings\.json:1:1: ERR_SPEC_INVALID not an API description/);
  });

  it('a report that names no description, without --spec', async () => {
    const file = join(dir, 'no-spec.json');
    const bare = JSON.parse(await readFile(report, 'utf8')) as { summary: { spec: string | null } };
    bare.summary.spec = null;
    await writeFile(file, JSON.stringify(bare));
    const { code, stderr } = await run('suggest', file);
    assert.equal(code, 2);
    assert.match(stderr, /ERR_USAGE .*no-spec\.json names no API description: give --spec FILE/);
  });
});
