/**
 * The npm package works once installed: `npm pack` builds JavaScript into dist/ (Node will not
 * strip TypeScript types inside node_modules), and the installed `leakproof` command runs from it.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = join(import.meta.dirname, '..');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

describe('the packed npm package installs and runs without its TypeScript sources', { timeout: 180_000 }, () => {
  let prefix = '';
  let files: string[] = [];

  before(async () => {
    prefix = await mkdtemp(join(tmpdir(), 'leakproof-package-'));
    const { stdout } = await run(npm, ['pack', '--json', '--pack-destination', prefix], { cwd: root });
    const [packed] = JSON.parse(stdout.slice(stdout.indexOf('['))) as { filename: string; files: { path: string }[] }[];
    assert.ok(packed);
    files = packed.files.map((f) => f.path);
    await run(npm, ['install', '--prefix', prefix, '--prefer-offline', '--no-audit', '--no-fund', join(prefix, packed.filename)], { cwd: prefix });
  });

  after(async () => {
    await rm(prefix, { recursive: true, force: true });
  });

  it('ships the launcher, the built JavaScript and the reference API description, but no sources or tests', () => {
    for (const file of ['bin/leakproof.js', 'dist/cli/main.js', 'dist/index.js', 'dist/index.d.ts', 'dist/reference-api/openapi.yaml', 'dist/reference-api/leakproof.yaml', 'LICENSE', 'README.md']) {
      assert.ok(files.includes(file), `${file} is packed`);
    }
    assert.deepEqual(files.filter((f) => f.startsWith('src/') || f.startsWith('test/')), []);
  });

  it('installs a leakproof command that runs the demo', async () => {
    const bin = join(prefix, 'node_modules', '.bin', 'leakproof');
    assert.ok((await readdir(join(prefix, 'node_modules', '.bin'))).includes('leakproof'));
    assert.equal((await run(bin, ['--version'])).stdout.trim(), '0.1.0');
    const { stdout } = await run(bin, ['demo', '--json']);
    assert.equal((JSON.parse(stdout) as { victim: string }).victim, 'erin');
  });

  it('exposes the library entry point', async () => {
    const script = "const { loadApi, PLANTED_FLAWS } = await import('leakproof'); const api = await loadApi(process.argv[1]); console.log(api.operations.length, PLANTED_FLAWS.length);";
    const spec = join(prefix, 'node_modules', 'leakproof', 'dist', 'reference-api', 'openapi.yaml');
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script, spec], { cwd: prefix });
    assert.equal(stdout.trim(), '12 35');
  });
});
