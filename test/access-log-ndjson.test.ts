/** The NDJSON sink, for a SIEM: one JSON record a line, to a file or to standard output. */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import type { LeakproofError } from '../src/core/errors.ts';
import type { AccessRecord } from '../src/gateway/access-log/index.ts';
import { openAccessLog } from '../src/gateway/access-log/index.ts';

let dir = '';
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'leakproof-ndjson-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

function record(n: number, overrides: Partial<AccessRecord> = {}): AccessRecord {
  return { time: 1_611_136_800_000 + n, requestId: `req-${n}`, principal: 'anonymous', operation: 'getUser', method: 'GET', path: `/api/user/${n}`, status: 200, subjects: [`rider-${n}`], fields: ['age', 'gender'], view: 'public', decision: 'allow', ...overrides };
}

const lines = async (path: string): Promise<unknown[]> => (await readFile(path, 'utf8')).split('\n').filter(Boolean).map((line) => JSON.parse(line) as unknown);

describe('NDJSON to a file', () => {
  it('appends one JSON line per record, every line with the same keys', async () => {
    const path = join(dir, 'access.ndjson');
    for (const n of [1, 2]) {
      const log = await openAccessLog(`ndjson:${path}`);
      log.write(record(n, { view: n === 1 ? undefined : 'owner' }));
      await log.close();
    }
    assert.deepEqual(await lines(path), [
      { ...record(1), view: null },
      { ...record(2), view: 'owner' },
    ]);
  });

  it('loses nothing written before close', async () => {
    const path = join(dir, 'many.ndjson');
    const log = await openAccessLog(`ndjson:${path}`, { batchSize: 300, maxDelayMs: 1 });
    for (let n = 0; n < 20_000; n++) log.write(record(n));
    await log.close();
    const written = await lines(path);
    assert.equal(written.length, 20_000);
    assert.deepEqual(written[19_999], record(19_999));
  });

  it('a file that cannot be opened yet is reported, and its records are written once it can be', async () => {
    const path = join(dir, 'later', 'access.ndjson');
    const errors: LeakproofError[] = [];
    const log = await openAccessLog(`ndjson:${path}`, { onError: (error) => errors.push(error) });
    log.write(record(1));
    await assert.rejects(log.flush(), /ENOENT/);
    assert.equal(errors[0]?.code, 'ERR_ACCESS_LOG_STORE');
    await mkdir(join(dir, 'later'));
    await log.close();
    assert.deepEqual(await lines(path), [record(1)]);
  });
});

describe('NDJSON to standard output', () => {
  it("writes the records to the process's stdout", async () => {
    const module = join(import.meta.dirname, '..', 'src', 'gateway', 'access-log', 'index.ts');
    const script = `const { openAccessLog } = await import(${JSON.stringify(module)});
      const log = await openAccessLog('-');
      for (const record of ${JSON.stringify([record(1), record(2)])}) log.write(record);
      await log.close();`;
    const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script]);
    assert.deepEqual(stdout.split('\n').filter(Boolean).map((line) => JSON.parse(line) as unknown), [record(1), record(2)]);
  });
});
