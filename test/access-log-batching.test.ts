/**
 * The queue between the gateway and its access log store: batching by size and by time, order,
 * retries that keep records, the bound and its drop count, and a close that loses nothing it can
 * store. The store here is a function that records what it is given and fails on demand.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { LeakproofError } from '../src/core/errors.ts';
import { BatchWriter } from '../src/gateway/access-log/batch-writer.ts';
import type { AccessRecord } from '../src/gateway/access-log/index.ts';

function record(n: number, overrides: Partial<AccessRecord> = {}): AccessRecord {
  return { time: 1_700_000_000_000 + n, requestId: `req-${n}`, principal: 'mallory', operation: 'getUser', method: 'GET', path: `/api/user/${n}`, status: 200, subjects: [`rider-${n}`], fields: ['age'], view: 'public', decision: 'allow', ...overrides };
}

/** A store that keeps each batch it takes, and fails while `failing` is set. */
function recordingStore() {
  const batches: AccessRecord[][] = [];
  const state = { failing: false, writing: 0, mostAtOnce: 0 };
  const write = async (records: readonly AccessRecord[]): Promise<void> => {
    state.writing += 1;
    state.mostAtOnce = Math.max(state.mostAtOnce, state.writing);
    await sleep(1);
    state.writing -= 1;
    if (state.failing) throw new Error('connection refused');
    batches.push([...records]);
  };
  return { batches, state, write, stored: () => batches.flat().map((r) => r.requestId) };
}

async function until(condition: () => boolean): Promise<void> {
  for (let waited = 0; !condition(); waited += 5) {
    if (waited > 5000) throw new Error('timed out');
    await sleep(5);
  }
}

describe('records are written in batches, by size and by time', () => {
  it('a full batch is written at once, the rest after the delay', async () => {
    const store = recordingStore();
    const log = new BatchWriter(store.write, { batchSize: 100, maxBatchSize: 100, maxDelayMs: 400 });
    const started = Date.now();
    for (let n = 0; n < 250; n++) log.write(record(n));
    await until(() => store.batches.length === 2);
    assert.ok(Date.now() - started < 300, 'two full batches went without waiting');
    await until(() => store.batches.length === 3);
    assert.ok(Date.now() - started >= 390, 'the remainder waited for the delay');
    assert.deepEqual(store.batches.map((b) => b.length), [100, 100, 50]);
    await log.close();
  });

  it('write returns before the store is called, and never throws', () => {
    const calls: number[] = [];
    const log = new BatchWriter(() => {
      calls.push(1);
      throw new Error('the store is on fire');
    }, { batchSize: 1, closeTimeoutMs: 0, onError: () => undefined });
    log.write(record(1));
    assert.deepEqual(calls, []);
    void log.close().catch(() => undefined);
  });

  it('one batch at a time, in the order written', async () => {
    const store = recordingStore();
    const log = new BatchWriter(store.write, { batchSize: 7, maxBatchSize: 7, maxDelayMs: 1 });
    for (let n = 0; n < 100; n++) log.write(record(n));
    await log.flush();
    assert.equal(store.state.mostAtOnce, 1);
    assert.deepEqual(store.stored(), Array.from({ length: 100 }, (_, n) => `req-${n}`));
    await log.close();
  });

  it('when more than a batch is queued, one batch takes up to maxBatchSize', async () => {
    const store = recordingStore();
    const log = new BatchWriter(store.write, { batchSize: 100, maxBatchSize: 300, maxDelayMs: 60_000 });
    for (let n = 0; n < 1000; n++) log.write(record(n));
    await log.flush();
    assert.deepEqual(store.batches.map((b) => b.length), [300, 300, 300, 100]);
    await log.close();
  });

  it('flush writes at once, without waiting for the batch to fill', async () => {
    const store = recordingStore();
    const log = new BatchWriter(store.write, { batchSize: 1000, maxDelayMs: 60_000 });
    log.write(record(1));
    const started = Date.now();
    await log.flush();
    assert.ok(Date.now() - started < 1000);
    assert.deepEqual(store.stored(), ['req-1']);
    assert.deepEqual(log.stats(), { queued: 0, written: 1, dropped: 0, failedWrites: 0 });
    await log.close();
  });
});

describe('a failing store neither throws into the caller nor loses records, up to the bound', () => {
  it('keeps a failed batch, reports it, and stores it once the store is back', async () => {
    const store = recordingStore();
    const errors: LeakproofError[] = [];
    const log = new BatchWriter(store.write, { batchSize: 10, maxBatchSize: 10, maxDelayMs: 1, retryDelayMs: 5, maxRetryDelayMs: 20, onError: (e) => errors.push(e) });
    store.state.failing = true;
    for (let n = 0; n < 25; n++) log.write(record(n));
    await sleep(60);
    assert.ok(errors.length >= 2, 'each failed attempt is reported');
    assert.equal(errors[0]?.code, 'ERR_ACCESS_LOG_STORE');
    assert.match(errors[0].message, /could not store 10 access records \(25 queued, kept for another attempt in 5 ms\): connection refused/);
    assert.equal(log.stats().queued, 25);
    assert.ok(log.stats().failedWrites >= 2);
    store.state.failing = false;
    await log.flush();
    assert.deepEqual(store.stored(), Array.from({ length: 25 }, (_, n) => `req-${n}`));
    assert.equal(log.stats().dropped, 0);
    await log.close();
  });

  it('flush rejects while the store fails, and the records stay queued', async () => {
    const store = recordingStore();
    const log = new BatchWriter(store.write, { onError: () => undefined });
    store.state.failing = true;
    log.write(record(1));
    await assert.rejects(log.flush(), /connection refused/);
    assert.equal(log.stats().queued, 1);
    store.state.failing = false;
    await log.close();
    assert.deepEqual(store.stored(), ['req-1']);
  });

  it('beyond the bound, drops new records, counts them, and says so once', async () => {
    const store = recordingStore();
    const errors: LeakproofError[] = [];
    const log = new BatchWriter(store.write, { batchSize: 10, maxQueued: 100, retryDelayMs: 5, onError: (e) => errors.push(e) });
    store.state.failing = true;
    for (let n = 0; n < 130; n++) log.write(record(n));
    assert.deepEqual({ queued: log.stats().queued, dropped: log.stats().dropped }, { queued: 100, dropped: 30 });
    const drops = errors.filter((e) => e.code === 'ERR_ACCESS_LOG_DROPPED');
    assert.equal(drops.length, 1);
    assert.match(drops[0]?.message ?? '', /the queue holds 100 records the store has not taken/);
    store.state.failing = false;
    await log.close();
    assert.deepEqual(store.stored(), Array.from({ length: 100 }, (_, n) => `req-${n}`), 'the first 100 are kept, in order');
  });

  it('an onError that throws does not escape', async () => {
    const store = recordingStore();
    const log = new BatchWriter(store.write, { retryDelayMs: 1, onError: () => { throw new Error('the logger is broken too'); } });
    store.state.failing = true;
    log.write(record(1));
    await sleep(20);
    store.state.failing = false;
    await log.close();
    assert.deepEqual(store.stored(), ['req-1']);
  });
});

describe('close stores what is queued and in flight', () => {
  it('loses nothing written before close', async () => {
    const store = recordingStore();
    const log = new BatchWriter(store.write, { batchSize: 64, maxDelayMs: 1000 });
    for (let n = 0; n < 1000; n++) log.write(record(n));
    await log.close();
    assert.equal(store.stored().length, 1000);
    assert.deepEqual(log.stats(), { queued: 0, written: 1000, dropped: 0, failedWrites: 0 });
  });

  it('keeps trying a failing store until its timeout, then drops the rest and says how many', async () => {
    const store = recordingStore();
    const errors: LeakproofError[] = [];
    const log = new BatchWriter(store.write, { retryDelayMs: 10, closeTimeoutMs: 100, onError: (e) => errors.push(e) });
    store.state.failing = true;
    for (let n = 0; n < 5; n++) log.write(record(n));
    const started = Date.now();
    await assert.rejects(log.close(), (error: LeakproofError) => error.code === 'ERR_ACCESS_LOG_DROPPED' && /5 access records could not be stored before the log was closed: connection refused/.test(error.message));
    assert.ok(Date.now() - started >= 90, 'it tried for the whole timeout');
    assert.ok(log.stats().failedWrites >= 3);
    assert.deepEqual({ queued: log.stats().queued, dropped: log.stats().dropped }, { queued: 0, dropped: 5 });
    assert.ok(errors.some((e) => e.code === 'ERR_ACCESS_LOG_DROPPED'));
  });

  it('records written after close are dropped and counted, not thrown', async () => {
    const store = recordingStore();
    const errors: LeakproofError[] = [];
    const log = new BatchWriter(store.write, { onError: (e) => errors.push(e) });
    await log.close();
    log.write(record(1));
    log.write(record(2));
    assert.equal(log.stats().dropped, 2);
    assert.deepEqual(errors.map((e) => e.message), ['the access log is closed']);
  });
});

describe('a malformed record is dropped alone, so it cannot fail a batch at every attempt', () => {
  it('reports each one, and writes the rest', async () => {
    const store = recordingStore();
    const errors: LeakproofError[] = [];
    const log = new BatchWriter(store.write, { onError: (e) => errors.push(e) });
    log.write(record(1, { time: 1.5 }));
    log.write(record(2, { status: 1200 }));
    log.write(record(3, { decision: 'maybe' as AccessRecord['decision'] }));
    log.write(record(4, { principal: 'x'.repeat(256) }));
    log.write(record(5, { subjects: [7 as unknown as string] }));
    log.write(record(6));
    await log.close();
    assert.deepEqual(store.stored(), ['req-6']);
    assert.equal(log.stats().dropped, 5);
    assert.deepEqual(errors.map((e) => e.message.replace(/^a malformed record was not logged: /, '')), [
      'time must be whole ms since the epoch',
      'status must be an HTTP status code',
      'decision must be one of allow, filtered, deny',
      'principal and subject ids must be at most 255 characters',
      'subjects must be an array of strings',
    ]);
  });
});
