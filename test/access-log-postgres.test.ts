/**
 * The PostgreSQL access log, against the real server on 127.0.0.1:5432 (`LEAKPROOF_TEST_POSTGRES`
 * to point elsewhere), each test in a schema of its own that is dropped after: lazy creation,
 * nothing lost on close, a server that refuses connections or comes back, and hostile values.
 */
import assert from 'node:assert/strict';
import type { AddressInfo, Socket } from 'node:net';
import { createServer, connect } from 'node:net';
import { once } from 'node:events';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import type { LeakproofError } from '../src/core/errors.ts';
import type { AccessRecord } from '../src/gateway/access-log/index.ts';
import { openAccessLog, openAccessLogStore } from '../src/gateway/access-log/index.ts';

const POSTGRES = process.env.LEAKPROOF_TEST_POSTGRES ?? 'postgres://postgres@127.0.0.1:5432/test';
const schemas: string[] = [];

/** A fresh schema for one test, dropped when the file is done. */
function schemaUrl(base = POSTGRES): { url: string; schema: string } {
  const schema = `leakproof_test_${process.pid}_${Date.now()}_${schemas.length}`;
  schemas.push(schema);
  return { url: `${base}?schema=${schema}`, schema };
}

async function sql<T extends pg.QueryResultRow>(text: string, values: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: POSTGRES });
  await client.connect();
  try {
    return (await client.query<T>(text, values)).rows;
  } finally {
    await client.end();
  }
}

after(async () => {
  for (const schema of schemas) await sql(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
});

function record(n: number, overrides: Partial<AccessRecord> = {}): AccessRecord {
  return { time: 1_611_136_800_000 + n, requestId: `req-${n}`, principal: `key-${n % 7}`, operation: 'lookupRiders', method: 'POST', path: '/stats/workouts/details', status: 200, subjects: [`rider-${n % 101}`], fields: ['age', 'location'], view: 'public', decision: 'allow', ...overrides };
}

async function closedPort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  server.close();
  await once(server, 'close');
  return port;
}

/** A TCP relay to the real server that can be switched off (connections reset) and on again. */
async function switchableRelay(): Promise<{ url: string; up: boolean; close(): Promise<void> }> {
  const target = new URL(POSTGRES);
  const sockets = new Set<Socket>();
  const relay = {
    url: '',
    up: false,
    async close() {
      for (const socket of sockets) socket.destroy();
      server.close();
      await once(server, 'close');
    },
  };
  const server = createServer((client) => {
    if (!relay.up) {
      client.destroy();
      return;
    }
    const upstream = connect(Number(target.port || 5432), target.hostname);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('error', () => undefined);
      socket.on('close', () => sockets.delete(socket));
    }
    client.pipe(upstream).pipe(client);
  }).listen(0, '127.0.0.1');
  await once(server, 'listening');
  const url = new URL(POSTGRES);
  url.port = String((server.address() as AddressInfo).port);
  relay.url = url.href;
  return relay;
}

describe('the PostgreSQL tables', () => {
  it('are made in their own schema by the first batch, not when the log is opened', async () => {
    const { url, schema } = schemaUrl();
    const log = await openAccessLog(url);
    assert.deepEqual(await sql('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema]), [], 'opening contacts nobody');
    log.write(record(1));
    await log.close();
    assert.deepEqual(await sql(`SELECT version FROM "${schema}".schema_version`), [{ version: 1 }]);
    const tables = await sql<{ tablename: string }>('SELECT tablename FROM pg_tables WHERE schemaname = $1 ORDER BY tablename', [schema]);
    assert.deepEqual(tables.map((t) => t.tablename), ['access_field_sets', 'access_records', 'access_segments', 'access_subjects', 'schema_version']);
  });

  it('a schema with no log in it is an error to query, not an empty answer', async () => {
    const { url, schema } = schemaUrl();
    await assert.rejects(openAccessLogStore(url), (error: LeakproofError) => error.code === 'ERR_ACCESS_LOG_NOT_FOUND' && error.message === `there is no access log in postgres://${new URL(POSTGRES).host}/test?schema=${schema}`);
  });

  it('a log written by a newer Leakproof is refused', async () => {
    const { url, schema } = schemaUrl();
    await (await openAccessLogStore(url, { create: true })).close();
    const log = await openAccessLog(url);
    log.write(record(1));
    await log.close();
    await sql(`UPDATE "${schema}".schema_version SET version = 99`);
    await assert.rejects(openAccessLogStore(url), (error: LeakproofError) => error.code === 'ERR_ACCESS_LOG_FORMAT' && /schema 99, written by a newer Leakproof/.test(error.message));
  });
});

describe('nothing written before close is lost', () => {
  it('close stores every record, with batches still in flight', async () => {
    const { url, schema } = schemaUrl();
    const log = await openAccessLog(url, { batchSize: 500, maxDelayMs: 1 });
    for (let n = 0; n < 30_000; n++) log.write(record(n));
    await log.close();
    assert.deepEqual(await sql(`SELECT count(*)::int AS records, count(DISTINCT request_id)::int AS requests FROM "${schema}".access_records`), [{ records: 30_000, requests: 30_000 }]);
    assert.deepEqual(await sql(`SELECT count(*)::int AS rows FROM "${schema}".access_subjects`), [{ rows: 30_000 }]);
  });
});

describe('a server that refuses connections', () => {
  it('does not throw into the caller: it reports, keeps records up to the bound, and counts the rest as dropped', async () => {
    const port = await closedPort();
    const errors: LeakproofError[] = [];
    const log = await openAccessLog(`postgres://postgres@127.0.0.1:${port}/test`, { maxQueued: 50, maxDelayMs: 1, retryDelayMs: 10, maxRetryDelayMs: 20, closeTimeoutMs: 200, onError: (error) => errors.push(error) });
    for (let n = 0; n < 80; n++) log.write(record(n));
    await sleep(100);
    const failures = errors.filter((e) => e.code === 'ERR_ACCESS_LOG_STORE');
    assert.ok(failures.length >= 2, 'every failed attempt is reported');
    assert.match(failures[0]?.message ?? '', new RegExp(`could not store 50 access records .*: could not connect to postgres://127.0.0.1:${port}/test\\?schema=leakproof: connect ECONNREFUSED`));
    assert.deepEqual(errors.filter((e) => e.code === 'ERR_ACCESS_LOG_DROPPED').map((e) => e.message), ['the queue holds 50 records the store has not taken: new records are dropped until it recovers']);
    assert.deepEqual({ queued: log.stats().queued, dropped: log.stats().dropped }, { queued: 50, dropped: 30 });
    await assert.rejects(log.close(), (error: LeakproofError) => error.code === 'ERR_ACCESS_LOG_DROPPED' && error.message.startsWith('50 access records could not be stored before the log was closed'));
    assert.equal(log.stats().dropped, 80);
  });

  it('keeps the records until the server comes back, then stores them all', async () => {
    const relay = await switchableRelay();
    const { url, schema } = schemaUrl(relay.url);
    const errors: LeakproofError[] = [];
    const log = await openAccessLog(url, { retryDelayMs: 10, maxRetryDelayMs: 20, onError: (error) => errors.push(error) });
    for (let n = 0; n < 100; n++) log.write(record(n));
    await assert.rejects(log.flush());
    assert.equal(log.stats().queued, 100);
    relay.up = true;
    await log.flush();
    await log.close();
    await relay.close();
    assert.ok(errors.length >= 1);
    assert.deepEqual(await sql(`SELECT count(*)::int AS n FROM "${schema}".access_records`), [{ n: 100 }]);
    assert.deepEqual(log.stats(), { queued: 0, written: 100, dropped: 0, failedWrites: log.stats().failedWrites });
  });
});

describe('values the caller chooses cannot fail a batch', () => {
  it('a NUL in a path or a subject id is stored as U+FFFD', async () => {
    const { url, schema } = schemaUrl();
    const log = await openAccessLogStore(url, { create: true });
    log.write(record(1, { path: '/api/user/erin%00\0', subjects: ['erin\0'] }));
    await log.flush();
    assert.deepEqual(await sql(`SELECT path, subjects FROM "${schema}".access_records`), [{ path: '/api/user/erin%00\uFFFD', subjects: ['erin\uFFFD'] }]);
    assert.equal((await log.whoRead('erin\uFFFD')).length, 1);
    await log.close();
  });

  it('a bulk lookup of 800 riders with 60 fields is one record, and each rider is found', async () => {
    const { url } = schemaUrl();
    const log = await openAccessLogStore(url, { create: true });
    const riders = Array.from({ length: 800 }, (_, n) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`);
    const fields = Array.from({ length: 60 }, (_, n) => `workouts[].metrics[].personal_measurement_${n}`);
    log.write(record(1, { principal: 'mallory', subjects: riders, fields }));
    await log.flush();
    assert.deepEqual(await log.subjectCount('mallory'), { principal: 'mallory', subjects: 800, records: 1, first: record(1).time, last: record(1).time });
    assert.deepEqual((await log.whoRead(riders[799] ?? '')).map((row) => [row.principal, row.fields.length]), [['mallory', 60]]);
    await log.close();
  });
});
