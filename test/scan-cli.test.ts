import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { bufferIo } from '../src/cli/io.ts';
import { main } from '../src/cli/main.ts';
import type { ReferenceApi } from '../src/reference-api/index.ts';
import { referenceApiScanConfigPath, startReferenceApi } from '../src/reference-api/index.ts';

const config = referenceApiScanConfigPath;
const run = promisify(execFile);

async function scan(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const io = bufferIo();
  const code = await main(['scan', '--config', config, '--rate-limit', '2000', ...argv], io);
  return { code, stdout: io.stdout.join('\n'), stderr: io.stderr.join('\n') };
}

describe('leakproof scan as a CI gate', () => {
  let authonly: ReferenceApi;
  let fixed: ReferenceApi;
  let dir = '';
  before(async () => {
    [authonly, fixed] = await Promise.all([startReferenceApi({ mode: 'authonly' }), startReferenceApi({ mode: 'fixed' })]);
    dir = await mkdtemp(join(tmpdir(), 'leakproof-scan-cli-'));
  });
  after(async () => {
    await Promise.all([authonly.close(), fixed.close()]);
  });

  it('exits 1 on findings at or above --fail-on, with a console report grouped by severity', async () => {
    const { code, stdout } = await scan('--target', authonly.url);
    assert.equal(code, 1);
    assert.match(stdout, /^Leakproof scan of http:\/\/127\.0\.0\.1:\d+ \(src\/reference-api\/openapi\.yaml\)/);
    assert.match(stdout, /bola/);
    assert.match(stdout, /fails at --fail-on medium/);
  });

  it('draws a progress bar that advances to the last step and is cleared before the report', async () => {
    const io = bufferIo();
    await main(['scan', '--config', config, '--rate-limit', '2000', '--target', fixed.url], io);
    const lines = io.statuses.filter((line) => line !== undefined);
    assert.equal(io.statuses.at(-1), undefined, 'cleared at the end');
    assert.match(lines[0] ?? '', /^\[-{24}\] +1\/\d+ {2}0 requests {2}authenticating 4 identities$/);
    assert.ok(lines.some((line) => /probing GET \/api\/user\/\{id\}$/.test(line)));
    const steps = lines.map((line) => Number(/(\d+)\/\d+/.exec(line)?.[1]));
    assert.deepEqual(steps, [...steps].sort((a, b) => a - b), 'steps only go forward');
    assert.match(lines.at(-1) ?? '', /^\[#+-*\] +(\d+)\/\1 {2}\d+ requests {2}testing the identities' tokens$/, 'the last step is the last');
  });

  it('keeps piped output plain: no progress bar, no escape codes', async () => {
    // The API runs in this process: the child must be awaited, not waited for with a blocked event loop.
    const child = await run(process.execPath, ['bin/leakproof.js', 'scan', '--config', config, '--rate-limit', '2000', '--target', fixed.url], { encoding: 'utf8', env: { ...process.env, CI: '' } });
    const output = child.stderr + child.stdout;
    for (const mark of ['\r', '\u001b[', '[#', '[-']) assert.ok(!output.includes(mark), `no ${JSON.stringify(mark)} in piped output`);
    assert.match(child.stdout, /No findings/i);
  });

  it('exits 0 when nothing reaches the threshold', async () => {
    assert.equal((await scan('--target', authonly.url, '--fail-on', 'critical')).code, 0);
  });

  it('exits 0 with no findings on the fixed API', async () => {
    const { code, stdout } = await scan('--target', fixed.url);
    assert.equal(code, 0);
    assert.match(stdout, /No findings\./);
  });

  it('writes SARIF to a file, located at the operation\'s line in the description', async () => {
    const output = join(dir, 'scan.sarif');
    const { code, stderr } = await scan('--target', authonly.url, '--format', 'sarif', '--output', output);
    assert.equal(code, 1);
    assert.match(stderr, /^Report written to .*scan\.sarif \(\d+ findings\)\.$/m);
    const log = JSON.parse(await readFile(output, 'utf8')) as { runs: { results: { ruleId: string; locations: { physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } } }[] }[] }[] };
    const bola = log.runs[0]?.results.find((r) => r.ruleId === 'bola');
    assert.equal(bola?.locations[0]?.physicalLocation.artifactLocation.uri, 'src/reference-api/openapi.yaml');
    assert.ok(bola.locations[0].physicalLocation.region.startLine > 1);
  });

  it('fails only on new findings once they are in a baseline', async () => {
    const baseline = join(dir, 'baseline.json');
    assert.equal((await scan('--target', authonly.url, '--write-baseline', baseline, '--format', 'json', '--output', join(dir, 'first.json'))).code, 1);
    assert.equal((await scan('--target', authonly.url, '--baseline', baseline, '--format', 'json', '--output', join(dir, 'second.json'))).code, 0);
  });

  it('prints the plan and sends nothing with --dry-run', async () => {
    const { code, stdout } = await scan('--target', 'http://127.0.0.1:9', '--dry-run');
    assert.equal(code, 0);
    assert.match(stdout, /^ {2}GET +\/api\/user\/\{id\} +subject$/m);
    assert.match(stdout, /^ {2}PATCH +\/api\/me +skipped: PATCH is not a safe method/m);
  });
});

describe('leakproof scan refuses what it cannot do, with what to do about it', () => {
  it('a login that fails is a runtime error (3) that names the identity and keeps the password out', async () => {
    const api = await startReferenceApi({ mode: 'authonly' });
    const saved = process.env.ERIN_PASSWORD;
    process.env.ERIN_PASSWORD = 'not-her-password';
    try {
      const { code, stderr } = await scan('--target', api.url);
      assert.equal(code, 3);
      assert.match(stderr, /ERR_IDENTITY/);
      assert.match(stderr, /erin/);
      assert.doesNotMatch(stderr, /not-her-password/);
    } finally {
      if (saved === undefined) delete process.env.ERIN_PASSWORD;
      else process.env.ERIN_PASSWORD = saved;
      await api.close();
    }
  });

  it('a bad scan section is refused at its line', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'leakproof-scan-config-'));
    const file = join(dir, 'leakproof.yaml');
    await writeFile(file, 'scan:\n  target: http://127.0.0.1:8080\n  spec: openapi.yaml\n  safety:\n    rateLimit: fast\n');
    const io = bufferIo();
    assert.equal(await main(['scan', '--config', file], io), 2);
    assert.equal(io.stderr.join('\n'), `leakproof: ${file}:5:5: ERR_CONFIG scan.safety.rateLimit: must be a number`);
  });

  it('a missing target, and a bad format, are usage errors', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'leakproof-scan-config-'));
    const file = join(dir, 'leakproof.yaml');
    await writeFile(file, 'scan:\n  spec: openapi.yaml\n');
    const io = bufferIo();
    assert.equal(await main(['scan', '--config', file], io), 2);
    assert.match(io.stderr.join('\n'), /ERR_USAGE no target: give --target URL or scan\.target/);
    const format = bufferIo();
    assert.equal(await main(['scan', '--format', 'pdf'], format), 2);
    assert.match(format.stderr.join('\n'), /ERR_USAGE --format must be one of console, json, sarif, junit, html, not 'pdf'/);
  });
});
