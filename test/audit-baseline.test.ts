/**
 * `leakproof audit --baseline`: a team adopts the audit as a CI gate on an API that already has
 * findings. It accepts them once, and from then on only new findings fail the run, however the
 * description is edited around the old ones.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { auditApi, auditConfig } from '../src/audit/index.ts';
import type { AuditResult } from '../src/audit/index.ts';
import { bufferIo } from '../src/cli/io.ts';
import { main } from '../src/cli/main.ts';
import { loadConfig } from '../src/core/config.ts';
import { loadApi } from '../src/core/load.ts';
import type { Baseline } from '../src/scan/baseline.ts';
import { BaselineError, applyBaseline, loadBaseline, parseBaseline } from '../src/scan/baseline.ts';

const fixtures = join('test', 'fixtures', 'audit');
const flawed = join(fixtures, 'flawed.yaml');
const root = join(import.meta.dirname, '..');

/** Replaces the one occurrence of `anchor`: an edit that silently missed would prove nothing. */
function edit(text: string, anchor: string, replacement: string): string {
  assert.equal(text.split(anchor).length, 2, `'${anchor}' occurs once`);
  return text.replace(anchor, replacement);
}

/**
 * flawed.yaml after edits unrelated to its flaws, each above some of them: a server listed first,
 * an operation that returns the same User schema put first among the paths (so that it, not
 * getUser, is now the first to reach that schema), and a header parameter put before `q`.
 */
function moved(text: string): string {
  const withServer = edit(text, '\nservers:\n', '\nservers:\n  - url: https://eu.riders.example.com\n');
  const withOperation = edit(withServer, '\npaths:\n', `
paths:
  /profile:
    get:
      operationId: getProfile
      security:
        - bearer: []
      responses:
        '200':
          description: The caller's own record.
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/User'
        '401':
          $ref: '#/components/responses/Problem'
        '404':
          $ref: '#/components/responses/Problem'
`);
  return edit(withOperation, '      parameters:\n        - name: q', `      parameters:
        - name: X-Request-Id
          in: header
          schema: { type: string, format: uuid }
        - name: q`);
}

/** The moved description, one flaw fixed (clients can no longer set `role`) and one added (a second plain-HTTP server). */
function nextVersion(text: string): string {
  const fixed = edit(moved(text), 'role: { type: string, enum: [member, admin] }', 'role: { type: string, enum: [member, admin], readOnly: true }');
  return edit(fixed, '\nservers:\n', '\nservers:\n  - url: http://legacy.riders.example.com\n');
}

async function audit(path: string): Promise<AuditResult> {
  return auditApi(await loadApi(path));
}

async function run(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const io = bufferIo();
  const code = await main(['audit', ...argv], io);
  return { code, stdout: io.stdout.join('\n'), stderr: io.stderr.join('\n') };
}

/** The real executable, as CI runs it. */
async function spawn(...argv: string[]): Promise<{ code: number; stderr: string }> {
  try {
    const { stderr } = await promisify(execFile)(process.execPath, [join(root, 'bin', 'leakproof.js'), 'audit', ...argv], { cwd: root, env: { ...process.env, LEAKPROOF_DEBUG: '' } });
    return { code: 0, stderr };
  } catch (error) {
    const failed = error as { code: number; stderr: string };
    return { code: failed.code, stderr: failed.stderr };
  }
}

let dir: string;
let paths: { moved: string; next: string; baseline: string };

before(async () => {
  dir = relative(process.cwd(), await mkdtemp(join(tmpdir(), 'leakproof-audit-baseline-')));
  const text = await readFile(flawed, 'utf8');
  paths = { moved: join(dir, 'moved.yaml'), next: join(dir, 'next.yaml'), baseline: join(dir, 'audit-baseline.json') };
  await writeFile(paths.moved, moved(text));
  await writeFile(paths.next, nextVersion(text));
  assert.equal((await run(flawed, '--write-baseline', paths.baseline)).code, 1, 'flawed.yaml fails without a baseline');
});

after(() => rm(dir, { recursive: true, force: true }));

describe('an audit finding keeps its fingerprint when the description is edited around it', () => {
  it('inserting a server, an operation and a parameter above the flaws moves every line and changes no fingerprint', async () => {
    const before = await audit(flawed);
    const later = await audit(paths.moved);
    const byFingerprint = new Map(later.findings.map((f) => [f.fingerprint, f]));
    assert.equal(later.findings.length, before.findings.length);
    for (const finding of before.findings) {
      const same = byFingerprint.get(finding.fingerprint);
      assert.ok(same, `${finding.checkId} at line ${String(finding.location?.line)} kept its fingerprint`);
      assert.equal(same.checkId, finding.checkId);
      assert.notEqual(same.location?.line, finding.location?.line, `${finding.checkId} moved`);
    }
  });

  it('a shared schema keeps its fingerprint when an operation above becomes the first to reach it', async () => {
    const open = (result: AuditResult) => result.findings.filter((f) => f.checkId === 'response-schema-open');
    const [before] = open(await audit(flawed));
    const [later] = open(await audit(paths.moved));
    assert.equal(before?.operation?.id, 'getUser');
    assert.equal(later?.operation?.id, 'getProfile');
    assert.equal(later.fingerprint, before.fingerprint);
  });

  it('copies of one Swagger 2.0 parameter, one per operation, stay one finding each, told apart by their operation', async () => {
    const { findings } = await audit(join(fixtures, 'swagger2-shared-parameter.yaml'));
    assert.deepEqual(findings.map((f) => [f.checkId, f.operation?.id, f.location?.line]), [
      ['unbounded-string-input', 'searchRides', 29],
      ['unbounded-string-input', 'searchRoutes', 29],
    ]);
    assert.notEqual(findings[0]?.fingerprint, findings[1]?.fingerprint);
  });
});

describe('a baseline written by audit accepts every finding of the description', () => {
  it('is the scan\'s baseline format, marked "kind": "audit", with the rule id as checkId', async () => {
    const baseline = JSON.parse(await readFile(paths.baseline, 'utf8')) as Baseline;
    const { findings } = await audit(flawed);
    assert.equal(baseline.version, 1);
    assert.equal(baseline.kind, 'audit');
    assert.deepEqual(baseline.findings.map((e) => e.fingerprint), findings.map((f) => f.fingerprint));
    assert.deepEqual(baseline.findings.find((e) => e.checkId === 'writable-server-field'), {
      fingerprint: findings.find((f) => f.checkId === 'writable-server-field')?.fingerprint,
      checkId: 'writable-server-field',
      operation: 'PATCH /me',
      title: 'PATCH /me lets clients set \'role\', which grants privileges',
    });
  });

  it('so the same description passes: everything known, nothing new, nothing gone', async () => {
    assert.equal((await run(flawed, '--baseline', paths.baseline)).code, 0);
    const comparison = applyBaseline((await audit(flawed)).findings, await loadBaseline(paths.baseline, 'audit'));
    assert.deepEqual(comparison.new, []);
    assert.deepEqual(comparison.fixed, []);
    assert.equal(comparison.known.length, 22);
  });

  it('and so does the description with lines inserted above its flaws, which fails without it', async () => {
    assert.equal((await run(paths.moved, '--baseline', paths.baseline)).code, 0);
    assert.equal((await run(paths.moved)).code, 1);
  });
});

describe('with a baseline, only new findings fail the run', () => {
  it('a flaw added to the description fails it, at or above --fail-on, while the accepted ones do not', async () => {
    const comparison = applyBaseline((await audit(paths.next)).findings, await loadBaseline(paths.baseline, 'audit'));
    assert.deepEqual(comparison.new.map((f) => [f.checkId, f.severity, f.title]), [['http-server', 'high', 'The server http://legacy.riders.example.com is plain HTTP']]);
    assert.equal((await run(paths.next, '--baseline', paths.baseline)).code, 1);
    assert.equal((await run(paths.next, '--baseline', paths.baseline, '--fail-on', 'critical')).code, 0, 'the new finding is high');
  });

  it('a fixed flaw is listed as no longer seen, with what it was', async () => {
    const comparison = applyBaseline((await audit(paths.next)).findings, await loadBaseline(paths.baseline, 'audit'));
    assert.deepEqual(comparison.fixed.map((e) => [e.checkId, e.operation]), [['writable-server-field', 'PATCH /me']]);
    assert.equal(comparison.known.length, 21);
  });

  it('takes the baseline from the audit section of the configuration, relative to it, --baseline winning', async () => {
    const config = join(dir, 'leakproof.yaml');
    await writeFile(config, 'audit:\n  baseline: audit-baseline.json\n');
    assert.equal(auditConfig(await loadConfig(config)).baseline, paths.baseline);
    assert.equal(auditConfig(await loadConfig(config), { baseline: 'ci/other.json' }).baseline, 'ci/other.json');
    assert.equal((await run(paths.next, '--config', config, '--fail-on', 'critical')).code, 0);
    assert.equal((await run(paths.next, '--config', config, '--baseline', join(fixtures, 'baseline-scan.json'))).code, 2);
  });
});

describe('a baseline audit cannot use is refused, naming the file and the line, with exit code 2', () => {
  it('malformed JSON', async () => {
    const { code, stderr } = await run(flawed, '--baseline', join(fixtures, 'baseline-malformed.json'));
    assert.equal(code, 2);
    assert.equal(stderr, 'leakproof: test/fixtures/audit/baseline-malformed.json:7:7: ERR_PARSE invalid JSON: \',\' expected');
  });

  it('a kind that is neither scan nor audit', async () => {
    const { code, stderr } = await run(flawed, '--baseline', join(fixtures, 'baseline-unknown-kind.json'));
    assert.equal(code, 2);
    assert.equal(stderr, 'leakproof: test/fixtures/audit/baseline-unknown-kind.json:3:3: ERR_BASELINE kind: must be one of scan, audit');
  });

  it('a scan\'s baseline, whose fingerprints would make every audit finding new', async () => {
    const { code, stderr } = await run(flawed, '--baseline', join(fixtures, 'baseline-scan.json'));
    assert.equal(code, 2);
    assert.equal(stderr, [
      'leakproof: test/fixtures/audit/baseline-scan.json:1:1: ERR_BASELINE this is a scan baseline, and \'leakproof audit\' needs an audit baseline',
      '  hint: write one with \'leakproof audit SPEC --write-baseline FILE\' (it writes "kind": "audit")',
    ].join('\n'));
  });

  it('and the other way round, an audit\'s baseline given to scan, at its "kind"', async () => {
    const text = await readFile(paths.baseline, 'utf8');
    assert.throws(() => parseBaseline(text, 'audit-baseline.json'), (error: unknown) => {
      assert.ok(error instanceof BaselineError);
      assert.equal(error.format(), 'audit-baseline.json:3:3: ERR_BASELINE this is an audit baseline, and \'leakproof scan\' needs a scan baseline\n  hint: write one with \'leakproof scan --write-baseline FILE\'');
      return true;
    });
  });
});

describe('the leakproof executable gates CI with an audit baseline', () => {
  it('exits 0 on accepted findings, 1 on a new one, 2 on a bad baseline', async () => {
    assert.equal((await spawn(paths.moved, '--baseline', paths.baseline, '--format', 'sarif')).code, 0);
    assert.equal((await spawn(paths.next, '--baseline', paths.baseline, '--format', 'sarif')).code, 1);
    const refused = await spawn(flawed, '--baseline', join(fixtures, 'baseline-scan.json'));
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /^leakproof: test\/fixtures\/audit\/baseline-scan\.json:1:1: ERR_BASELINE /);
  });
});
