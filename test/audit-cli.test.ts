/** `leakproof audit` as a CI gate: the scan's report formats and exit codes, for a description. */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { bufferIo } from '../src/cli/io.ts';
import { main } from '../src/cli/main.ts';
import type { JsonReport } from '../src/scan/report/index.ts';

const flawed = join('test', 'fixtures', 'audit', 'flawed.yaml');
const clean = join('test', 'fixtures', 'audit', 'clean.yaml');
const config = join('test', 'fixtures', 'audit', 'leakproof.yaml');

async function audit(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const io = bufferIo();
  const code = await main(['audit', ...argv], io);
  return { code, stdout: io.stdout.join('\n'), stderr: io.stderr.join('\n') };
}

describe('leakproof audit as a CI gate', () => {
  it('exits 1 on findings at or above --fail-on, with a console report grouped by severity', async () => {
    const { code, stdout } = await audit(flawed);
    assert.equal(code, 1);
    assert.match(stdout, /^Leakproof audit of test\/fixtures\/audit\/flawed\.yaml\n/);
    assert.match(stdout, /^ {6}test\/fixtures\/audit\/flawed\.yaml:23:11$/m);
    assert.match(stdout, /fails at --fail-on medium/);
    assert.doesNotMatch(stdout, /curl/);
  });

  it('exits 0 when nothing reaches the threshold, and on a clean description', async () => {
    assert.equal((await audit(flawed, '--fail-on', 'critical')).code, 0);
    const { code, stdout } = await audit(clean, '--fail-on', 'info');
    assert.equal(code, 0);
    assert.match(stdout, /No findings\./);
  });

  it('takes the threshold and the rules from the configuration, flags winning', async () => {
    const { code, stdout } = await audit(flawed, '--config', config, '--format', 'json');
    assert.equal(code, 1);
    const report = JSON.parse(stdout) as JsonReport;
    assert.equal(report.summary.kind, 'audit');
    assert.equal(report.summary.failOn, 'high');
    assert.equal(report.summary.requests, 0);
    assert.equal(report.findings.some((f) => f.checkId === 'unbounded-string-input'), false);
    assert.equal((await audit(flawed, '--config', config, '--fail-on', 'critical')).code, 1, 'response-schema-open is critical by configuration');
  });

  it('writes SARIF whose results point at the lines of what they name', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'leakproof-audit-'));
    try {
      const output = join(dir, 'audit.sarif');
      const { code, stderr } = await audit(flawed, '--format', 'sarif', '--output', output);
      assert.equal(code, 1);
      assert.match(stderr, /Report written to .*audit\.sarif \(\d+ findings\)\./);
      const log = JSON.parse(await readFile(output, 'utf8')) as { runs: { results: { ruleId: string; locations: { physicalLocation: { region: { startLine: number } } }[]; properties: Record<string, unknown> }[] }[] };
      const [run] = log.runs;
      const server = run?.results.find((r) => r.ruleId === 'http-server');
      assert.ok(server);
      assert.equal(server.locations[0]?.physicalLocation.region.startLine, 7);
      assert.equal('curl' in server.properties, false, 'an audit has no request to reproduce');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('prints the description\'s and the audit\'s own problems on stderr, at their lines', async () => {
    const { stderr } = await audit(join('test', 'fixtures', 'audit', 'ignores.yaml'));
    assert.match(stderr, /^test\/fixtures\/audit\/ignores\.yaml:29:7: warning audit-ignore: x-leakproof-ignore is not applied/m);
  });

  it('exits 2 on bad usage, a missing file or an unknown format', async () => {
    assert.equal((await audit()).code, 2);
    assert.equal((await audit(flawed, clean)).code, 2);
    assert.equal((await audit('missing.yaml')).code, 2);
    const { code, stderr } = await audit(flawed, '--format', 'pdf');
    assert.equal(code, 2);
    assert.match(stderr, /--format must be one of console, json, sarif, junit, html/);
    assert.equal((await audit(flawed, '--config', join('test', 'fixtures', 'audit', 'unknown-rule.yaml'))).code, 2);
  });
});
