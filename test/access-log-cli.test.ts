/**
 * `leakproof logs`, through `main()` as the command line runs it, against a real SQLite file in the
 * working directory (the default store) and the real PostgreSQL server.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import pg from 'pg';
import { bufferIo } from '../src/cli/io.ts';
import { main } from '../src/cli/main.ts';
import type { AccessRecord } from '../src/gateway/access-log/index.ts';
import { openAccessLog } from '../src/gateway/access-log/index.ts';

const POSTGRES = process.env.LEAKPROOF_TEST_POSTGRES ?? 'postgres://postgres@127.0.0.1:5432/test';
const SCHEMA = `leakproof_test_cli_${process.pid}_${Date.now()}`;
const T = Date.parse('2021-01-20T10:00:00Z');
const root = join(import.meta.dirname, '..');
const home = process.cwd();
let dir = '';

function record(minutes: number, principal: string, subjects: string[], fields: string[], decision: AccessRecord['decision'] = 'allow'): AccessRecord {
  return { time: T + minutes * 60_000, requestId: `req-${minutes}`, principal, operation: 'getUser', method: 'GET', path: `/api/user/${subjects[0] ?? ''}`, status: decision === 'deny' ? 403 : 200, subjects, fields, view: undefined, decision };
}

const STORY: AccessRecord[] = [
  record(0, 'anonymous', ['erin'], ['age', 'gender', 'location']),
  record(1, 'anonymous', ['erin', 'bob', 'carol'], ['age', 'location', 'username']),
  record(2, 'mallory', ['bob', 'carol'], ['username', 'location'], 'filtered'),
  record(3, 'mallory', ['erin'], ['age'], 'deny'),
  record(5, 'mallory', ['dave', 'erin', 'frank'], ['location'], 'filtered'),
  record(10, 'alice', ['erin'], ['username']),
];

async function run(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const io = bufferIo();
  const code = await main(argv, io);
  return { code, stdout: io.stdout.join('\n'), stderr: io.stderr.join('\n') };
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'leakproof-logs-'));
  process.chdir(dir);
  for (const store of ['leakproof-access.db', `${POSTGRES}?schema=${SCHEMA}`]) {
    const log = await openAccessLog(store);
    for (const r of STORY) log.write(r);
    await log.close();
  }
});

after(async () => {
  process.chdir(home);
  await rm(dir, { recursive: true, force: true });
  const client = new pg.Client({ connectionString: POSTGRES });
  await client.connect();
  await client.query(`DROP SCHEMA IF EXISTS "${SCHEMA}" CASCADE`);
  await client.end();
});

describe('leakproof logs who-read SUBJECT', () => {
  it('prints the principals that received the subject, from leakproof-access.db here by default', async () => {
    assert.deepEqual(await run('logs', 'who-read', 'erin'), {
      code: 0,
      stderr: '',
      stdout: [
        "Principals that received personal data of 'erin' (leakproof-access.db):",
        '  principal  responses  first                 last                  fields',
        '  anonymous          2  2021-01-20T10:00:00Z  2021-01-20T10:01:00Z  age, gender, location, username',
        '  alice              1  2021-01-20T10:10:00Z  2021-01-20T10:10:00Z  username',
        '  mallory            1  2021-01-20T10:05:00Z  2021-01-20T10:05:00Z  location',
        '',
        '3 principals.',
      ].join('\n'),
    });
  });

  it('--json gives the same answer for programs, times in ISO 8601', async () => {
    const { code, stdout } = await run('logs', 'who-read', 'erin', '--since', '2021-01-20T10:02Z', '--json');
    assert.equal(code, 0);
    assert.deepEqual(JSON.parse(stdout), {
      subject: 'erin',
      since: '2021-01-20T10:02:00.000Z',
      readers: [
        { principal: 'alice', records: 1, fields: ['username'], first: '2021-01-20T10:10:00.000Z', last: '2021-01-20T10:10:00.000Z' },
        { principal: 'mallory', records: 1, fields: ['location'], first: '2021-01-20T10:05:00.000Z', last: '2021-01-20T10:05:00.000Z' },
      ],
      truncated: false,
    });
  });

  it('--limit says when there are more', async () => {
    const { stdout } = await run('logs', 'who-read', 'erin', '--limit', '1');
    assert.match(stdout, /^ {2}anonymous /m);
    assert.doesNotMatch(stdout, /alice/);
    assert.match(stdout, /The first 1 principal; there are more \(raise --limit\)\.$/);
    assert.equal((JSON.parse((await run('logs', 'who-read', 'erin', '--limit', '1', '--json')).stdout) as { truncated: boolean }).truncated, true);
  });

  it('a subject nobody received is an empty answer, exit code 0', async () => {
    assert.deepEqual(await run('logs', 'who-read', 'zelda'), { code: 0, stdout: "No principal received personal data of 'zelda' (leakproof-access.db).", stderr: '' });
  });
});

describe('leakproof logs top-readers --since WHEN', () => {
  it('ranks principals by the people whose data they received', async () => {
    const { code, stdout } = await run('logs', 'top-readers', '--since', '2021-01-20');
    assert.equal(code, 0);
    assert.equal(stdout, [
      'Principals by the number of people whose data they received since 2021-01-20T00:00:00Z (leakproof-access.db):',
      '  principal  people  responses  first                 last',
      '  mallory         5          2  2021-01-20T10:02:00Z  2021-01-20T10:05:00Z',
      '  anonymous       3          2  2021-01-20T10:00:00Z  2021-01-20T10:01:00Z',
      '  alice           1          1  2021-01-20T10:10:00Z  2021-01-20T10:10:00Z',
      '',
      '3 principals.',
    ].join('\n'));
  });

  it('a duration counts back from now', async () => {
    assert.equal((await run('logs', 'top-readers', '--since', '24h')).stdout.split(' since ')[0], 'No principal received personal data');
    const { readers } = JSON.parse((await run('logs', 'top-readers', '--since', `${Math.ceil((Date.now() - T) / 86_400_000) + 1}d`, '--json')).stdout) as { readers: { principal: string; subjects: number }[] };
    assert.deepEqual(readers.map((r) => [r.principal, r.subjects]), [['mallory', 5], ['anonymous', 3], ['alice', 1]]);
  });
});

describe('leakproof logs subject-count PRINCIPAL', () => {
  it('tells how many people one principal received', async () => {
    assert.deepEqual(await run('logs', 'subject-count', 'mallory'), {
      code: 0,
      stderr: '',
      stdout: "'mallory' received personal data of 5 people in 2 responses (leakproof-access.db), from 2021-01-20T10:02:00Z to 2021-01-20T10:05:00Z.",
    });
    assert.deepEqual(JSON.parse((await run('logs', 'subject-count', 'mallory', '--since', '2021-01-20T10:03', '--json')).stdout), {
      principal: 'mallory', subjects: 3, records: 1, first: '2021-01-20T10:05:00.000Z', last: '2021-01-20T10:05:00.000Z', since: '2021-01-20T10:03:00.000Z',
    });
    assert.equal((await run('logs', 'subject-count', 'nobody')).stdout, "'nobody' received no personal data (leakproof-access.db).");
  });
});

describe('logs queries PostgreSQL with --store postgres://...', () => {
  it('gives the same answers', async () => {
    const store = `${POSTGRES}?schema=${SCHEMA}`;
    const label = `postgres://${new URL(POSTGRES).host}/test?schema=${SCHEMA}`;
    const { code, stdout } = await run('logs', 'subject-count', 'mallory', '--store', store);
    assert.equal(code, 0);
    assert.equal(stdout, `'mallory' received personal data of 5 people in 2 responses (${label}), from 2021-01-20T10:02:00Z to 2021-01-20T10:05:00Z.`);
    const sqlite = JSON.parse((await run('logs', 'top-readers', '--since', '2021-01-20', '--json')).stdout) as unknown;
    assert.deepEqual(JSON.parse((await run('logs', 'top-readers', '--since', '2021-01-20', '--json', '--store', store)).stdout), sqlite);
  });

  it('a server that does not answer is exit code 3, and the password is not printed', async () => {
    const { code, stderr } = await run('logs', 'who-read', 'erin', '--store', 'postgres://postgres:s3cret@127.0.0.1:1/test');
    assert.equal(code, 3);
    assert.match(stderr, /^leakproof: ERR_ACCESS_LOG_STORE could not connect to postgres:\/\/127\.0\.0\.1:1\/test\?schema=leakproof: connect ECONNREFUSED/);
    assert.doesNotMatch(stderr, /s3cret/);
  });
});

describe('bad usage and missing stores are refused with a clear error', () => {
  const cases: [string, string[], number, RegExp][] = [
    ['no query', ['logs'], 2, /ERR_USAGE logs needs a query\n {2}hint: queries: who-read, top-readers, subject-count/],
    ['an unknown query', ['logs', 'who-reads', 'erin'], 2, /ERR_USAGE unknown logs query 'who-reads'/],
    ['a missing subject', ['logs', 'who-read'], 2, /ERR_USAGE logs who-read takes exactly one SUBJECT/],
    ['top-readers without --since', ['logs', 'top-readers'], 2, /ERR_USAGE logs top-readers needs --since\n {2}hint: for example --since 24h/],
    ['a bad --since', ['logs', 'top-readers', '--since', 'yesterday'], 2, /ERR_USAGE --since must be a duration back from now, like 15m, 24h, 7d or 1h30m, or an ISO date, like 2026-11-24 or 2026-11-24T10:00Z, not 'yesterday'/],
    ['a bad --limit', ['logs', 'who-read', 'erin', '--limit', '0'], 2, /ERR_USAGE --limit must be a whole number of at least 1, not '0'/],
    ['a store that does not exist', ['logs', 'who-read', 'erin', '--store', 'nothing-here.db'], 2, /^leakproof: ERR_ACCESS_LOG_NOT_FOUND there is no access log at nothing-here\.db\n {2}hint: /],
    ['an NDJSON store', ['logs', 'who-read', 'erin', '--store', 'ndjson:access.ndjson'], 2, /ERR_USAGE the store 'ndjson:access\.ndjson' is NDJSON lines, which can be written but not queried/],
    ['an unknown kind of store', ['logs', 'who-read', 'erin', '--store', 'mysql://db/logs'], 2, /ERR_USAGE unknown access log store 'mysql:'/],
  ];
  for (const [what, argv, exitCode, message] of cases) {
    it(what, async () => {
      const { code, stdout, stderr } = await run(...argv);
      assert.equal(code, exitCode);
      assert.equal(stdout, '');
      assert.match(stderr, message);
    });
  }
});

describe('the installed command', () => {
  it('answers with nothing on stderr: no ExperimentalWarning from node:sqlite', async () => {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [join(root, 'bin', 'leakproof.js'), 'logs', 'subject-count', 'alice', '--store', join(dir, 'leakproof-access.db')], { cwd: dir });
    assert.equal(stderr, '');
    assert.match(stdout, /^'alice' received personal data of 1 person in 1 response/);
  });
});
