/**
 * The SQLite access log, on real files in a temporary directory: its tables and their use, nothing
 * lost on close, several connections at once, a locked file, and files that are not access logs.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { after, before, describe, it } from 'node:test';
import type { LeakproofError } from '../src/core/errors.ts';
import type { AccessRecord } from '../src/gateway/access-log/index.ts';
import { openAccessLog, openAccessLogStore, SqliteAccessLog } from '../src/gateway/access-log/index.ts';
import { withoutSqliteWarning } from '../src/gateway/access-log/sqlite-module.ts';
import { SUBJECT_COUNT_SQL, TOP_READERS_SQL, WHO_READ_SQL } from '../src/gateway/access-log/sqlite-queries.ts';

let dir = '';
let files = 0;
const file = (): string => join(dir, `log-${++files}.db`);

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'leakproof-sqlite-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

function record(n: number, overrides: Partial<AccessRecord> = {}): AccessRecord {
  return { time: 1_611_136_800_000 + n, requestId: `req-${n}`, principal: `key-${n % 7}`, operation: 'lookupRiders', method: 'POST', path: '/stats/workouts/details', status: 200, subjects: [`rider-${n % 101}`, `rider-${n % 13}`], fields: ['age', 'location'], view: 'public', decision: 'allow', ...overrides };
}

/** Reads the file with a connection of the test's own. */
function inspect<T>(path: string, read: (db: DatabaseSync) => T): T {
  const db = new DatabaseSync(path, { readOnly: true, allowUnknownNamedParameters: true });
  try {
    return read(db);
  } finally {
    db.close();
  }
}

const count = (path: string, table: string): number => inspect(path, (db) => (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n);

describe('an SQLite access log file', () => {
  it('is made with its tables, in WAL mode, at schema version 1', async () => {
    const path = file();
    const log = await openAccessLog(path);
    log.write(record(1, { view: undefined }));
    await log.close();
    inspect(path, (db) => {
      assert.deepEqual({ ...db.prepare('PRAGMA journal_mode').get() }, { journal_mode: 'wal' });
      assert.deepEqual(db.prepare('SELECT version FROM schema_version').all().map((row) => row.version), [1]);
      const tables = db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name").all().map((row) => row.name);
      assert.deepEqual(tables, ['access_field_sets', 'access_records', 'access_segments', 'access_subjects', 'schema_version']);
      assert.deepEqual({ ...db.prepare('SELECT request_id, principal, subjects, view, decision FROM access_records').get() }, { request_id: 'req-1', principal: 'key-1', subjects: '["rider-1"]', view: null, decision: 'allow' });
    });
  });

  it('answers who-read by seeking the subject in each segment, and reads no other rows', async () => {
    const path = file();
    await new SqliteAccessLog(path).close();
    inspect(path, (db) => {
      const plan = (sql: string): string[] => db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all({ subject: 's', principal: 'p', since: 0, limit: 1 }).map((row) => String(row.detail));
      assert.ok(plan(WHO_READ_SQL).includes('SEARCH s USING PRIMARY KEY (segment=? AND subject=?)'), plan(WHO_READ_SQL).join('\n'));
      assert.ok(plan(SUBJECT_COUNT_SQL).includes('SEARCH r USING INDEX access_records_by_principal (segment=? AND principal=? AND time>?)'), plan(SUBJECT_COUNT_SQL).join('\n'));
      assert.ok(plan(TOP_READERS_SQL).includes('SEARCH r USING INDEX access_records_by_principal (segment=?)'), plan(TOP_READERS_SQL).join('\n'));
    });
  });

  it('reopened, keeps its records and numbers new ones after them', async () => {
    const path = file();
    for (const start of [0, 5]) {
      const log = await openAccessLog(path);
      for (let n = start; n < start + 5; n++) log.write(record(n));
      await log.close();
    }
    assert.deepEqual(inspect(path, (db) => db.prepare('SELECT id, request_id FROM access_records ORDER BY id').all().map((row) => [row.id, row.request_id])),
      Array.from({ length: 10 }, (_, n) => [n + 1, `req-${n}`]));
  });
});

describe('nothing written before close is lost', () => {
  it('close stores every record, with batches still in flight on the writer thread', async () => {
    const path = file();
    const log = await openAccessLog(path, { batchSize: 500, maxDelayMs: 1 });
    for (let n = 0; n < 30_000; n++) log.write(record(n));
    await log.close();
    assert.equal(count(path, 'access_records'), 30_000);
    assert.equal(count(path, 'access_subjects'), 30_000 * 2 - Array.from({ length: 30_000 }, (_, n) => (n % 101 === n % 13 ? 1 : 0)).reduce<number>((a, b) => a + b, 0));
    assert.deepEqual(log.stats(), { queued: 0, written: 30_000, dropped: 0, failedWrites: 0 });
  });
});

describe('several connections share one file', () => {
  it('a reader sees what the writer has flushed, while it keeps writing', async () => {
    const path = file();
    const writer = await openAccessLogStore(path, { create: true });
    writer.write(record(1));
    await writer.flush();
    const reader = await openAccessLogStore(path);
    assert.equal((await reader.subjectCount('key-1')).records, 1);
    writer.write(record(8));
    await writer.flush();
    assert.equal((await reader.subjectCount('key-1')).records, 2);
    await reader.close();
    await writer.close();
  });

  it('two writers on one file keep every record, each under its own id', async () => {
    const path = file();
    const [a, b] = [await openAccessLog(path, { batchSize: 50 }), await openAccessLog(path, { batchSize: 50 })];
    for (let n = 0; n < 2000; n++) (n % 2 === 0 ? a : b).write(record(n));
    await Promise.all([a.close(), b.close()]);
    assert.deepEqual(inspect(path, (db) => ({ ...db.prepare('SELECT count(*) AS records, count(DISTINCT request_id) AS requests FROM access_records').get() })), { records: 2000, requests: 2000 });
  });
});

describe('a file the writer cannot write for a while', () => {
  it('fails the batch without throwing, reports it, keeps the records, and stores them once the lock is gone', async () => {
    const path = file();
    const errors: LeakproofError[] = [];
    const log = await openAccessLog(path, { busyTimeoutMs: 20, retryDelayMs: 10, maxRetryDelayMs: 20, onError: (error) => errors.push(error) });
    const other = new DatabaseSync(path);
    other.exec('BEGIN IMMEDIATE');
    for (let n = 0; n < 10; n++) log.write(record(n));
    await assert.rejects(log.flush(), /database is locked/);
    assert.equal(errors[0]?.code, 'ERR_ACCESS_LOG_STORE');
    assert.match(errors[0].message, /could not store 10 access records .*: SQLite .*: database is locked/);
    assert.deepEqual({ queued: log.stats().queued, written: log.stats().written }, { queued: 10, written: 0 });
    other.exec('COMMIT');
    other.close();
    await log.close();
    assert.equal(count(path, 'access_records'), 10);
    assert.equal(log.stats().dropped, 0);
  });
});

describe('a store that is not there, or not an access log, is refused', () => {
  it('querying a missing file is an error, and does not create it', async () => {
    const path = join(dir, 'missing.db');
    await assert.rejects(openAccessLogStore(path), (error: LeakproofError) => error.code === 'ERR_ACCESS_LOG_NOT_FOUND' && error.exitCode === 2 && error.message === `there is no access log at ${path}`);
    assert.equal(existsSync(path), false);
  });

  it('a file that is not SQLite', async () => {
    const path = join(dir, 'notes.db');
    await writeFile(path, 'these are my notes, not a database\n'.repeat(200));
    await assert.rejects(openAccessLogStore(path), (error: LeakproofError) => error.code === 'ERR_ACCESS_LOG_FORMAT' && /is not an SQLite database/.test(error.message));
  });

  it("another application's SQLite database", async () => {
    const path = join(dir, 'app.db');
    const db = new DatabaseSync(path);
    db.exec('CREATE TABLE users (id INTEGER PRIMARY KEY)');
    db.close();
    await assert.rejects(openAccessLogStore(path), (error: LeakproofError) => error.code === 'ERR_ACCESS_LOG_FORMAT' && /is an SQLite database but not a Leakproof access log/.test(error.message));
  });

  it('a log written by a newer Leakproof, for reading and for writing', async () => {
    const path = file();
    await (await openAccessLog(path)).close();
    const db = new DatabaseSync(path);
    db.exec('UPDATE schema_version SET version = 99');
    db.close();
    for (const open of [() => openAccessLogStore(path), () => openAccessLog(path)]) {
      await assert.rejects(open(), (error: LeakproofError) => error.code === 'ERR_ACCESS_LOG_FORMAT' && /schema 99, written by a newer Leakproof \(this one knows up to 1\)/.test(error.message));
    }
  });

  it('a directory that does not exist, when creating', async () => {
    await assert.rejects(openAccessLog(join(dir, 'no', 'such', 'dir', 'log.db')), (error: LeakproofError) => error.code === 'ERR_ACCESS_LOG_STORE' && error.exitCode === 3);
  });
});

describe("node:sqlite's ExperimentalWarning (Node 24 before 24.15) is not shown", () => {
  it('is held back while the module loads, and no other warning is', async () => {
    const seen: string[] = [];
    const listener = (warning: Error): void => {
      seen.push(warning.message);
    };
    process.on('warning', listener);
    withoutSqliteWarning(() => {
      process.emitWarning('SQLite is an experimental feature and might change at any time', 'ExperimentalWarning');
      process.emitWarning('Something else is experimental', 'ExperimentalWarning');
    });
    await new Promise((resolve) => setImmediate(resolve));
    process.off('warning', listener);
    assert.deepEqual(seen, ['Something else is experimental']);
  });
});
