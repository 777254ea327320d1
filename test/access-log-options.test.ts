/** How a store and a time window are named: `--store`, the gateway's store string, and `--since`. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { StoreTarget } from '../src/gateway/access-log/index.ts';
import { parseStoreTarget } from '../src/gateway/access-log/index.ts';
import { parsePostgresTarget } from '../src/core/postgres-target.ts';
import { parseSince } from '../src/gateway/access-log/since.ts';

describe('one string names the store', () => {
  const cases: [string, StoreTarget][] = [
    ['leakproof-access.db', { kind: 'sqlite', file: 'leakproof-access.db' }],
    ['/var/lib/leakproof/access.db', { kind: 'sqlite', file: '/var/lib/leakproof/access.db' }],
    ['sqlite:logs/access.db', { kind: 'sqlite', file: 'logs/access.db' }],
    ['C:\\leakproof\\access.db', { kind: 'sqlite', file: 'C:\\leakproof\\access.db' }],
    ['postgres://gateway@db:5432/audit', { kind: 'postgres', url: 'postgres://gateway@db:5432/audit' }],
    ['postgresql://gateway@db/audit?schema=gw', { kind: 'postgres', url: 'postgresql://gateway@db/audit?schema=gw' }],
    ['-', { kind: 'ndjson', file: undefined }],
    ['ndjson:-', { kind: 'ndjson', file: undefined }],
    ['ndjson:/var/log/leakproof/access.ndjson', { kind: 'ndjson', file: '/var/log/leakproof/access.ndjson' }],
  ];
  for (const [text, target] of cases) {
    it(text, () => {
      assert.deepEqual(parseStoreTarget(text), target);
    });
  }

  it('refuses what names no store', () => {
    assert.throws(() => parseStoreTarget(''), /'' does not name an access log store/);
    assert.throws(() => parseStoreTarget('sqlite:'), /'sqlite:' does not name an access log store/);
    assert.throws(() => parseStoreTarget('ndjson:'), /'ndjson:' does not name an access log store/);
    assert.throws(() => parseStoreTarget('redis://cache:6379'), /unknown access log store 'redis:'/);
  });
});

describe('a PostgreSQL store string', () => {
  it('keeps the tables in the leakproof schema unless ?schema= says otherwise, and never shows the password', () => {
    assert.deepEqual(parsePostgresTarget('postgres://gw:s3cret@db:5433/audit'), {
      connectionString: 'postgres://gw:s3cret@db:5433/audit',
      schema: 'leakproof',
      label: 'postgres://db:5433/audit?schema=leakproof',
    });
    assert.deepEqual(parsePostgresTarget('postgres://gw@db/audit?schema=gateway_eu&sslmode=require'), {
      connectionString: 'postgres://gw@db/audit?sslmode=require',
      schema: 'gateway_eu',
      label: 'postgres://db/audit?schema=gateway_eu',
    });
  });

  it('refuses a schema name that is not a plain identifier', () => {
    assert.throws(() => parsePostgresTarget('postgres://db/audit?schema=x";drop table users;--'), /the schema 'x";drop table users;--' in the PostgreSQL URL must be letters, digits and _/);
  });
});

describe('--since names a time back from now, or a date', () => {
  const now = Date.parse('2026-11-25T12:00:00Z');
  const cases: [string, string][] = [
    ['15m', '2026-11-25T11:45:00.000Z'],
    ['24h', '2026-11-24T12:00:00.000Z'],
    ['7d', '2026-11-18T12:00:00.000Z'],
    ['2w', '2026-11-11T12:00:00.000Z'],
    ['1h30m', '2026-11-25T10:30:00.000Z'],
    ['2026-11-24', '2026-11-24T00:00:00.000Z'],
    ['2026-11-24T10:00', '2026-11-24T10:00:00.000Z'],
    ['2026-11-24 10:00:30', '2026-11-24T10:00:30.000Z'],
    ['2026-11-24T10:00+02:00', '2026-11-24T08:00:00.000Z'],
    ['2026-11-24T10:00:00.250Z', '2026-11-24T10:00:00.250Z'],
  ];
  for (const [text, time] of cases) {
    it(text, () => {
      assert.equal(new Date(parseSince(text, now)).toISOString(), time);
    });
  }

  it('refuses anything else, saying what it takes', () => {
    for (const text of ['yesterday', '1', '15 m', '-1h', '2026-13-45', '24/11/2026']) {
      assert.throws(() => parseSince(text, now), (error: Error) => error.message.includes(`not '${text}'`), text);
    }
  });
});
