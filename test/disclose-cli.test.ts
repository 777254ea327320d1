/**
 * `leakproof disclose`, through `main()` as the command line runs it: init makes the first admin
 * and shows the password once, token gives an API token that opens the API, sweep reports what it
 * did, verify-log exits 1 on a trail changed behind its back, and serve starts the service.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { sql } from 'kysely';
import { bufferIo } from '../src/cli/io.ts';
import { main } from '../src/cli/main.ts';
import { openTracker } from '../src/disclose/tracker.ts';
import { PELOTON_REPORT } from './fixtures/disclose.ts';

async function run(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const io = bufferIo();
  const code = await main(argv, io);
  return { code, stdout: io.stdout.join('\n'), stderr: io.stderr.join('\n') };
}

describe('leakproof disclose on the command line', () => {
  it('inits a tracker, hands out an API token, sweeps, and verifies the trail until it is tampered with', async () => {
    const store = `sqlite:${join(await mkdtemp(join(tmpdir(), 'leakproof-disclose-cli-')), 'disclose.db')}`;
    const init = await run('disclose', 'init', '--email', 'Ada@Example.com', '--name', 'Ada', '--store', store);
    assert.equal(init.code, 0, init.stderr);
    const password = /password: (\S+)/.exec(init.stdout)?.[1];
    assert.ok(password && password.length >= 12, 'the password is printed once, long enough');
    const token = await run('disclose', 'token', '--email', 'ada@example.com', '--store', store);
    assert.equal(token.code, 0, token.stderr);
    assert.match(token.stdout, /^[A-Za-z0-9_-]{43}$/);

    const tracker = await openTracker({ store });
    try {
      const admin = await tracker.staff.authenticate('ada@example.com', password);
      assert.equal(admin?.role, 'admin', 'the printed password signs the admin in');
      assert.equal((await tracker.staff.tokenUser(token.stdout))?.email, 'ada@example.com');
      await tracker.submitReport(PELOTON_REPORT);
    } finally {
      await tracker.close();
    }

    const sweep = await run('disclose', 'sweep', '--store', store);
    assert.equal(sweep.code, 0, sweep.stderr);
    assert.match(sweep.stdout, /^1 open cases; 0 new reminders and escalations; 0 digest mails sent\.$/);

    const verified = await run('disclose', 'verify-log', '--store', store);
    assert.equal(verified.code, 0);
    assert.match(verified.stdout, /^The audit trail verifies: 2 events, head [0-9a-f]{64}\./);

    const again = await openTracker({ store });
    try {
      await sql`DROP TRIGGER events_no_update`.execute(again.database.db);
      await again.database.db.updateTable('events').set({ actor: 'someone else' }).where('seq', '=', 1).execute();
    } finally {
      await again.close();
    }
    const broken = await run('disclose', 'verify-log', '--store', store);
    assert.equal(broken.code, 1);
    assert.match(broken.stdout, /does NOT verify: event 1: its content does not match its hash/);
  });

  it('refuses bad usage with exit code 2', async () => {
    const store = `sqlite:${join(await mkdtemp(join(tmpdir(), 'leakproof-disclose-cli-')), 'disclose.db')}`;
    assert.equal((await run('disclose')).code, 2);
    assert.equal((await run('disclose', 'launch')).code, 2);
    const noEmail = await run('disclose', 'init', '--store', store);
    assert.equal(noEmail.code, 2);
    assert.match(noEmail.stderr, /init needs --email/);
    const shortEmail = await run('disclose', 'init', '--email', 'not-an-address', '--store', store);
    assert.equal(shortEmail.code, 2);
    assert.match(shortEmail.stderr, /ERR_DISCLOSE_INPUT email: must be an email address/);
    assert.equal((await run('disclose', 'token', '--email', 'nobody@example.com', '--store', store)).code, 2);
  });

  it('serves the pages and the API until it is stopped', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'leakproof-disclose-cli-'));
    const child = spawn(process.execPath, [join(import.meta.dirname, '..', 'bin', 'leakproof.js'), 'disclose', 'serve', '--port', '0', '--store', `sqlite:${join(dir, 'disclose.db')}`], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => { output += chunk.toString(); });
    while (!/listening on (http:\/\/\S+)/.test(output)) await once(child.stdout, 'data');
    const url = /listening on (http:\/\/\S+)/.exec(output)?.[1] ?? '';
    const securityTxt = await fetch(`${url}/.well-known/security.txt`);
    assert.equal(securityTxt.status, 200);
    assert.match(await securityTxt.text(), new RegExp(`^Contact: ${url}/report$`, 'm'), 'with no publicUrl, links use the address it listens on');
    assert.match(output, /no staff account yet: run 'leakproof disclose init/);
    child.kill('SIGTERM');
    const [code] = (await once(child, 'exit')) as [number | null];
    assert.equal(code, 0);
  });
});
