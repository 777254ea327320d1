/** `leakproof gateway` and `leakproof gateway check` on the command line. */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { bufferIo } from '../src/cli/io.ts';
import { main } from '../src/cli/main.ts';
import { referenceApiGatewayConfigPath, referenceApiSpecPath, seededPersonId, startReferenceApi } from '../src/reference-api/index.ts';

async function run(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const io = bufferIo();
  const code = await main(argv, io);
  return { code, stdout: io.stdout.join('\n'), stderr: io.stderr.join('\n') };
}

describe('leakproof gateway check validates without starting', () => {
  it('accepts the reference API\'s policy', async () => {
    const { code, stdout } = await run('gateway', 'check', '--config', referenceApiGatewayConfigPath);
    assert.equal(code, 0);
    assert.match(stdout, /gateway\.yaml: valid\. 12 operations routed, 12 with a policy that can allow a call; upstream http:\/\/127\.0\.0\.1:8080\./);
  });

  it('refuses a condition that does not compile at its file:line, with exit code 2', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'leakproof-gateway-cli-'));
    const file = join(dir, 'gateway.yaml');
    const text = (await readFile(referenceApiGatewayConfigPath, 'utf8')).replace('spec: openapi.yaml', `spec: ${referenceApiSpecPath}`).replace('getMe: { allow: principal.authenticated }', 'getMe: { allow: principal.authenticated && }');
    await writeFile(file, text);
    const { code, stderr } = await run('gateway', 'check', '--config', file);
    assert.equal(code, 2);
    const line = text.split('\n').findIndex((l) => l.includes('principal.authenticated && }')) + 1;
    assert.match(stderr, new RegExp(`gateway\\.yaml:${line}:\\d+: ERR_CONFIG gateway\\.operations\\.getMe: the condition 'principal\\.authenticated &&' does not compile`));
  });

  it('refuses an unknown subcommand, and a file without a gateway section', async () => {
    assert.equal((await run('gateway', 'start')).code, 2);
    const dir = await mkdtemp(join(tmpdir(), 'leakproof-gateway-cli-'));
    const file = join(dir, 'empty.yaml');
    await writeFile(file, 'scan: {}\n');
    const { code, stderr } = await run('gateway', 'check', '--config', file);
    assert.equal(code, 2);
    assert.match(stderr, /has no gateway section/);
  });
});

describe('leakproof gateway runs until it is told to stop', () => {
  it('serves through the policy, and exits 0 on SIGTERM', async () => {
    const api = await startReferenceApi({ mode: 'authonly' });
    try {
      const child = spawn(process.execPath, ['bin/leakproof.js', 'gateway', '--config', referenceApiGatewayConfigPath, '--port', '0'], { env: { ...process.env, REFERENCE_API_URL: api.url } });
      let stdout = '';
      child.stdout.setEncoding('utf8');
      const listening = new Promise<string>((resolve) => {
        child.stdout.on('data', (chunk: string) => {
          stdout += chunk;
          const url = /Gateway listening on (http:\/\/\S+),/.exec(stdout)?.[1];
          if (url) resolve(url);
        });
      });
      const url = await listening;
      assert.equal((await fetch(`${url}/api/user/${seededPersonId('erin')}`)).status, 401);
      child.kill('SIGTERM');
      const [code] = (await once(child, 'exit')) as [number];
      assert.equal(code, 0);
    } finally {
      await api.close();
    }
  });
});
