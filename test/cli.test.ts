import assert from 'node:assert/strict';
import { execFile, spawn as spawnChild } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { bufferIo } from '../src/cli/io.ts';
import { main, VERSION } from '../src/cli/main.ts';

const bin = join(import.meta.dirname, '..', 'bin', 'leakproof.js');
const fixture = (name: string): string => join('test', 'fixtures', 'specs', name);
const root = join(import.meta.dirname, '..');

async function run(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const io = bufferIo();
  const code = await main(argv, io);
  return { code, stdout: io.stdout.join('\n'), stderr: io.stderr.join('\n') };
}

/** Runs the real executable, as a user would. */
async function spawn(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [bin, ...argv], { cwd: root, env: { ...process.env, LEAKPROOF_DEBUG: '' } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('leakproof --help and --version', () => {
  it('lists the commands and the exit codes', async () => {
    const { code, stdout } = await run('--help');
    assert.equal(code, 0);
    for (const command of ['demo', 'scan', 'inspect', 'reference-api']) assert.match(stdout, new RegExp(`^ {2}${command} +\\S`, 'm'));
    assert.match(stdout, /Exit codes: 0 ok, 1 findings, 2 bad usage/);
  });

  it('prints the package version', async () => {
    assert.equal(VERSION, '0.1.0');
    assert.deepEqual(await run('--version'), { code: 0, stdout: '0.1.0', stderr: '' });
  });

  it('shows a command\'s own help', async () => {
    const { code, stdout } = await run('inspect', '--help');
    assert.equal(code, 0);
    assert.match(stdout, /^Usage: leakproof inspect SPEC/);
  });

  it('exits 2 with the usage when no command is given', async () => {
    const { code, stdout } = await run();
    assert.equal(code, 2);
    assert.match(stdout, /^Usage: leakproof <command>/);
  });
});

describe('bad usage is refused with exit code 2 and a pointer to help', () => {
  it('an unknown command', async () => {
    const { code, stderr } = await run('scna');
    assert.equal(code, 2);
    assert.equal(stderr, "leakproof: ERR_USAGE unknown command 'scna'\n  hint: commands: demo, scan, retest, audit, gateway, logs, suggest, disclose, inspect, reference-api");
  });

  it('an unknown option', async () => {
    const { code, stderr } = await run('inspect', 'x.yaml', '--jsn');
    assert.equal(code, 2);
    assert.match(stderr, /^leakproof: ERR_USAGE Unknown option '--jsn'\n {2}hint: see 'leakproof inspect --help'$/);
  });

  it('a missing argument', async () => {
    const { code, stderr } = await run('inspect');
    assert.equal(code, 2);
    assert.match(stderr, /ERR_USAGE inspect takes exactly one API description file/);
  });

  it('a bad mode or port', async () => {
    assert.match((await run('reference-api', '--mode', 'leaking')).stderr, /ERR_USAGE --mode must be one of leaky, authonly, fixed, not 'leaking'/);
    const port = await run('reference-api', '--port', '80a');
    assert.equal(port.code, 2);
    assert.match(port.stderr, /ERR_USAGE --port must be a whole number from 0 to 65535, not '80a'/);
  });
});

describe('leakproof inspect SPEC', () => {
  it('lists each operation with its security and file:line', async () => {
    const { code, stdout } = await run('inspect', fixture('fitness.yaml'));
    assert.equal(code, 0);
    assert.match(stdout, /^Fixture fitness API 1 — OpenAPI 3\.1 \(test\/fixtures\/specs\/fitness\.yaml\)$/m);
    assert.match(stdout, /^4 operations, 1 webhook, 2 security schemes, 1 named schema$/m);
    assert.match(stdout, /^ {2}GET +\/users\/\{id\} +getUser +bearer +test\/fixtures\/specs\/fitness\.yaml:17:5$/m);
    assert.match(stdout, /^ {2}DELETE +\/users\/\{id\} +deleteUser +none +test\/fixtures\/specs\/fitness\.yaml:34:5$/m);
    assert.match(stdout, /^ {2}GET +\/users\/\{id\}\/friends +listFriends +anonymous \| bearer /m);
  });

  it('prints the model as JSON with --json', async () => {
    const { code, stdout } = await run('inspect', fixture('petstore-swagger2.json'), '--json');
    assert.equal(code, 0);
    const model = JSON.parse(stdout) as { format: string; operations: { id: string; location: { line: number } }[] };
    assert.equal(model.format, 'swagger-2.0');
    assert.deepEqual(model.operations.map((op) => [op.id, op.location.line]), [['listPets', 15], ['createPet', 20], ['uploadPhoto', 28]]);
  });

  it('reports description errors on stderr as file:line, and fails on them only with --strict', async () => {
    const lenient = await run('inspect', fixture('broken-ref.yaml'));
    assert.equal(lenient.code, 0);
    assert.match(lenient.stderr, /^test\/fixtures\/specs\/broken-ref\.yaml:12:17: error unresolved-ref: \$ref '#\/components\/schemas\/Thnig' points at nothing/);
    assert.match(lenient.stdout, /1 error and 0 warnings in the description/);
    const strict = await run('inspect', fixture('broken-ref.yaml'), '--strict');
    assert.equal(strict.code, 2);
    assert.match(strict.stderr, /^leakproof: test\/fixtures\/specs\/broken-ref\.yaml:12:17: ERR_SPEC_REF /);
  });

  it('lists the personal data each operation returns, most sensitive first', async () => {
    const { code, stdout } = await run('inspect', 'src/reference-api/openapi.yaml');
    assert.equal(code, 0);
    assert.match(stdout, /^Personal data in successful responses \(10 of 12 operations\):$/m);
    assert.match(stdout, /^ {2}getUser +200 {2}age, gender, weight, height, birthday, email, location, id \(\+6 more\)$/m);
    assert.match(stdout, /^ {2}getUserWorkouts +200 {2}data\[\]\.calories, data\[\]\.avg_heart_rate, /m);
  });

  it('applies a configuration file to the classification', async () => {
    const fields = async (...config: string[]): Promise<string[] | undefined> => {
      const { stdout } = await run('inspect', fixture('fitness.yaml'), '--json', ...config);
      const model = JSON.parse(stdout) as { operations: { id: string; personalData: { fields: { path: string; category: string }[] }[] }[] };
      return model.operations.find((op) => op.id === 'getUser')?.personalData[0]?.fields.map((f) => `${f.path}:${f.category}`);
    };
    assert.deepEqual(await fields(), ['id:person-id', 'birthday:birthday']);
    assert.deepEqual(await fields('--config', join('test', 'fixtures', 'config', 'no-birthday.yaml')), ['id:person-id']);
  });

  it('refuses a bad configuration file at its line, before loading anything', async () => {
    const { code, stderr } = await run('inspect', fixture('fitness.yaml'), '--config', join('test', 'fixtures', 'config', 'wrong-type.yaml'));
    assert.equal(code, 2);
    assert.equal(stderr, 'leakproof: test/fixtures/config/wrong-type.yaml:4:5: ERR_CONFIG personalData.fields.nickname: must be a string or false');
  });

  it('refuses a malformed file with file:line:column and exit code 2', async () => {
    const { code, stderr } = await run('inspect', fixture('malformed.json'));
    assert.equal(code, 2);
    assert.equal(stderr, 'leakproof: test/fixtures/specs/malformed.json:5:41: ERR_PARSE invalid JSON: property name expected');
  });
});

describe('the leakproof executable', () => {
  it('exits with the documented code and never prints a stack trace', async () => {
    const missing = await spawn('inspect', 'no-such-file.yaml');
    assert.equal(missing.code, 2);
    assert.equal(missing.stderr, 'leakproof: ERR_FILE_READ cannot read no-such-file.yaml: no such file\n');
    assert.doesNotMatch(missing.stderr, /\bat .*\.ts:\d+/);
  });

  it('stops quietly when the reader closes the pipe early (| head)', async () => {
    // Far more output than a pipe buffers, so that writes go on after the reader has gone.
    const dir = await mkdtemp(join(tmpdir(), 'leakproof-pipe-'));
    const paths = Object.fromEntries(Array.from({ length: 3000 }, (_, i) => [`/things/${i}/{id}`, { get: { operationId: `getThing${i}`, responses: { 200: { description: 'ok' } } } }]));
    await writeFile(join(dir, 'big.json'), JSON.stringify({ openapi: '3.0.3', info: { title: 'big', version: '1' }, paths }));
    const child = spawnChild(process.execPath, [bin, 'inspect', join(dir, 'big.json')], { cwd: root });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
    child.stdout.once('data', () => child.stdout.destroy());
    const [code] = (await once(child, 'close')) as [number];
    assert.equal(code, 0);
    assert.equal(stderr, '');
  });

  it('says clearly when the port is taken, with exit code 3', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const { code, stderr } = await spawn('reference-api', '--port', String(port));
      assert.equal(code, 3);
      assert.match(stderr, /^leakproof: ERR_LISTEN cannot start the reference API on 127\.0\.0\.1:\d+: the port is already in use\n {2}hint: /);
    } finally {
      blocker.close();
    }
  });
});
