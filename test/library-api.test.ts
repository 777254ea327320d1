/**
 * The package entry is enough to embed each part: nothing here imports from src/ but
 * src/index.ts. The audit of a description, the gateway in front of the reference API in this
 * process, who-read in the access log the gateway wrote, and the tracker: a report filed, read
 * back, resolved and exported as CSAF, with a trail that verifies.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import type { Publisher, ReferenceApi, RunningGateway, Staff, Tracker } from '../src/index.ts';
import {
  AccessLogNotFoundError, AdvisoryError, atOrAbove, auditApi, auditConfig, CaseNotFoundError, createClassifier, csafAdvisory,
  loadApi, loadConfig, openAccessLogStore, openTracker, parseSince, prepareGateway, SEED, startGateway, startReferenceApi,
  validateCsaf,
} from '../src/index.ts';
import { PELOTON_REPORT } from './fixtures/disclose.ts';

const root = join(import.meta.dirname, '..');
const auditFixture = (name: string): string => join(import.meta.dirname, 'fixtures', 'audit', name);

let dir = '';
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'leakproof-library-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('importing the package entry', () => {
  it('starts nothing: no handle keeps the process alive, and nothing is printed', async () => {
    // stdout and stderr are pipes to this test: they are opened before the handles are counted.
    const script = "process.stdout.write(''); process.stderr.write(''); const idle = process.getActiveResourcesInfo(); await import('./src/index.ts'); console.log(JSON.stringify({ idle, imported: process.getActiveResourcesInfo() }));";
    const { stdout, stderr } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], { cwd: root, timeout: 20_000 });
    const { idle, imported } = JSON.parse(stdout) as { idle: string[]; imported: string[] };
    assert.deepEqual(imported, idle);
    assert.equal(stderr, '');
  });
});

describe('the audit, as a CI script runs it', () => {
  it('reports the flaws of a description at their lines, with the configuration\'s rules and threshold', async () => {
    const config = await loadConfig(auditFixture('leakproof.yaml'));
    const settings = auditConfig(config);
    const { findings, summary } = await auditApi(await loadApi(auditFixture('flawed.yaml')), { settings, classifier: createClassifier(config.personalData) });
    const at = (checkId: string): number[] => findings.filter((f) => f.checkId === checkId).map((f) => f.location?.line ?? 0);
    assert.deepEqual(at('http-server'), [7]);
    assert.deepEqual(at('unauthenticated-operation'), [12]);
    assert.deepEqual(at('unbounded-string-input'), [], 'switched off in the configuration');
    assert.deepEqual([...new Set(findings.filter((f) => f.checkId === 'response-schema-open').map((f) => f.severity))], ['critical'], 're-weighted in the configuration');
    assert.equal(settings.failOn, 'high');
    assert.ok(findings.some((f) => atOrAbove(f, settings.failOn)), 'the run fails');
    assert.deepEqual({ kind: summary.kind, failOn: summary.failOn }, { kind: 'audit', failOn: 'high' });
  });
});

describe('the gateway in this process, and the access log it writes', () => {
  let upstream: ReferenceApi;
  let gateway: RunningGateway;
  const store = (): string => join(dir, 'access.db');
  const erin = SEED.people.find((p) => p.username === 'erin');

  before(async () => {
    upstream = await startReferenceApi({ mode: 'leaky' });
    const file = join(dir, 'gateway.yaml');
    await writeFile(file, [
      'gateway:',
      `  upstream: { url: ${JSON.stringify(upstream.url)} }`,
      `  spec: ${JSON.stringify(join(root, 'src', 'reference-api', 'openapi.yaml'))}`,
      '  views: { card: [id, username] }',
      '  operations:',
      '    getUser: { allow: "true", records: $, views: [{ view: card }] }',
      `  accessLog: { store: ${JSON.stringify(store())}, maxDelayMs: 10 }`,
      '',
    ].join('\n'));
    gateway = await startGateway(await prepareGateway(await loadConfig(file), { port: 0 }));
  });

  after(async () => {
    await upstream.close();
  });

  it('answers through its policy on a free port, refuses what the policy does not allow, and stops', async () => {
    assert.ok(erin);
    try {
      assert.match(gateway.url, /^http:\/\/127\.0\.0\.1:(?!0$)\d+$/);
      const answer = await fetch(`${gateway.url}/api/user/${erin.id}`);
      assert.equal(answer.status, 200);
      assert.deepEqual(await answer.json(), { id: erin.id, username: 'erin' }, 'the card view');
      assert.ok('birthday' in (await (await fetch(`${upstream.url}/api/user/${erin.id}`)).json() as object), 'the leaky API itself sends the whole profile');
      assert.equal((await fetch(`${gateway.url}/api/user/${erin.id}/workouts`)).status, 401, 'no policy for getUserWorkouts: refused by default');
      assert.equal((await fetch(`${upstream.url}/api/user/${erin.id}/workouts`)).status, 200, 'the leaky API itself answers anyone');
    } finally {
      await gateway.close();
    }
    await assert.rejects(fetch(`${gateway.url}/api/user/${erin.id}`), 'nothing listens any more');
  });

  it('who-read names the anonymous caller that received erin\'s card, since an hour ago, and no one since tomorrow', async () => {
    assert.ok(erin);
    const log = await openAccessLogStore(store());
    try {
      const readers = await log.whoRead(erin.id, { since: parseSince('1h') });
      assert.deepEqual(readers.map(({ principal, records, fields }) => ({ principal, records, fields })), [{ principal: 'anonymous', records: 1, fields: ['id', 'username'] }]);
      assert.deepEqual(await log.whoRead(erin.id, { since: Date.now() + 86_400_000 }), []);
    } finally {
      await log.close();
    }
    await assert.rejects(openAccessLogStore(join(dir, 'no-such-log.db')), AccessLogNotFoundError);
  });
});

describe('the disclosure tracker, filed into from another system', () => {
  let tracker: Tracker;
  before(async () => {
    tracker = await openTracker({ store: `sqlite:${join(dir, 'disclose.db')}` });
  });
  after(async () => {
    await tracker.close();
  });

  it('files a report, reads it back by id and by tracking link, and the trail verifies', async () => {
    const { case: filed, token } = await tracker.submitReport(PELOTON_REPORT);
    assert.equal(filed.state, 'new');
    assert.equal(filed.title, PELOTON_REPORT.title);
    assert.deepEqual(await tracker.getCase(filed.id), filed);
    assert.equal((await tracker.caseForToken(token))?.id, filed.id);
    await assert.rejects(tracker.getCase(filed.id + 1), CaseNotFoundError);
    const check = await tracker.verifyTrail();
    assert.deepEqual({ events: check.events, broken: check.broken }, { events: 1, broken: undefined });
    assert.match(check.head, /^[0-9a-f]{64}$/);
  });

  it('exports a resolved case as valid CSAF, and refuses to export an open one', async () => {
    const { case: filed } = await tracker.submitReport(PELOTON_REPORT);
    const publisher: Publisher = { name: 'Example Fitness', namespace: 'https://example.com', category: 'vendor' };
    assert.throws(() => csafAdvisory({ case: filed, publisher, revisions: [], now: tracker.now() }), AdvisoryError);
    const admin: Staff = await tracker.staff.createUser({ email: 'admin@example.com', name: 'Admin', role: 'admin', password: 'a long enough password' });
    await tracker.triage(filed.id, admin, { triage: 'valid', cvss31: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N' });
    await tracker.startFix(filed.id, admin);
    await tracker.submitFix(filed.id, admin);
    const resolved = await tracker.override(filed.id, admin, 'the route now requires a session, checked by hand');
    assert.equal(resolved.state, 'resolved');
    const draft = csafAdvisory({ case: resolved, publisher, revisions: [], now: tracker.now() }) as { document: { title: string; tracking: { status: string } } };
    assert.deepEqual(validateCsaf(draft), []);
    assert.deepEqual([draft.document.title, draft.document.tracking.status], [PELOTON_REPORT.title, 'draft']);
    const { number } = await tracker.publishAdvisory(filed.id, admin, { publisher });
    const published = JSON.parse((await tracker.publishedAdvisory(filed.id, number))?.csaf ?? '{}') as { document: { tracking: { status: string; version: string } } };
    assert.deepEqual(validateCsaf(published), []);
    assert.deepEqual([published.document.tracking.status, published.document.tracking.version, (await tracker.getCase(filed.id)).state], ['final', '1', 'disclosed']);
    assert.equal((await tracker.verifyTrail()).broken, undefined);
  });
});
