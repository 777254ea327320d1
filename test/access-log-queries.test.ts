/**
 * The three questions of an investigation, asked of the real stores: an SQLite file in a temporary
 * directory and the PostgreSQL server on 127.0.0.1:5432 (a schema of its own per run, dropped after).
 * Both must give the same answers.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import type { AccessLogStore, AccessRecord } from '../src/gateway/access-log/index.ts';
import { openAccessLogStore } from '../src/gateway/access-log/index.ts';
import { SEGMENT_RECORDS } from '../src/gateway/access-log/segments.ts';
import { random } from './fixtures/random.ts';

const POSTGRES = process.env.LEAKPROOF_TEST_POSTGRES ?? 'postgres://postgres@127.0.0.1:5432/test';
const T = Date.parse('2021-01-20T10:00:00Z');
const MINUTE = 60_000;

function record(minutes: number, principal: string, subjects: string[], fields: string[], overrides: Partial<AccessRecord> = {}): AccessRecord {
  return { time: T + minutes * MINUTE, requestId: `req-${minutes}-${principal}`, principal, operation: 'getUser', method: 'GET', path: `/api/user/${subjects[0] ?? ''}`, status: 200, subjects, fields, view: undefined, decision: 'allow', ...overrides };
}

/** January 2021 in seven responses. */
const STORY: AccessRecord[] = [
  record(0, 'anonymous', ['erin'], ['age', 'gender', 'location']),
  record(1, 'anonymous', ['erin', 'bob', 'carol', 'erin'], ['location', 'age', 'username'], { operation: 'lookupRiders', method: 'POST', path: '/stats/workouts/details' }),
  record(2, 'mallory', ['bob', 'carol'], ['username', 'location'], { operation: 'searchUsers', view: 'public', decision: 'filtered' }),
  record(3, 'mallory', ['erin'], ['age'], { decision: 'deny', status: 403 }),
  record(4, 'bob', ['bob'], ['age', 'weight'], { view: 'owner' }),
  record(5, 'mallory', ['dave', 'erin', 'frank'], ['location'], { operation: 'lookupRiders', method: 'POST', decision: 'filtered' }),
  record(10, 'alice', ['erin'], ['username'], { view: 'public' }),
  record(11, 'eve', ['carol'], ['age'], { decision: 'deny', status: 403 }),
];

const at = (minutes: number): number => T + minutes * MINUTE;

interface StoreKind {
  name: string;
  open(): Promise<AccessLogStore>;
  cleanUp(): Promise<void>;
}

function sqliteKind(): StoreKind {
  let dir = '';
  let n = 0;
  return {
    name: 'SQLite',
    async open() {
      dir ||= await mkdtemp(join(tmpdir(), 'leakproof-access-log-'));
      return openAccessLogStore(join(dir, `log-${++n}.db`), { create: true });
    },
    async cleanUp() {
      if (dir) await rm(dir, { recursive: true, force: true });
    },
  };
}

function postgresKind(): StoreKind {
  const schemas: string[] = [];
  return {
    name: 'PostgreSQL',
    open() {
      const schema = `leakproof_test_${process.pid}_${Date.now()}_${schemas.length}`;
      schemas.push(schema);
      return openAccessLogStore(`${POSTGRES}?schema=${schema}`, { create: true });
    },
    async cleanUp() {
      const client = new pg.Client({ connectionString: POSTGRES });
      await client.connect();
      for (const schema of schemas) await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await client.end();
    },
  };
}


/** A busy morning at the reference API: records over three segments. */
function busyMorning(): AccessRecord[] {
  const next = random(2021);
  const pick = <V>(values: readonly V[]): V => values[Math.floor(next() * values.length)] as V;
  const fields = ['age', 'gender', 'location', 'weight', 'birthday', 'username', 'image_url', 'is_profile_private'];
  return Array.from({ length: 2 * SEGMENT_RECORDS + 1000 }, (_, n) => {
    const subjects = Array.from({ length: 1 + Math.floor(next() * 3) }, () => `rider-${Math.floor(next() * 300)}`);
    const decision = pick(['allow', 'allow', 'filtered', 'deny'] as const);
    return { ...record(0, `key-${Math.floor(next() * 40)}`, subjects, fields.slice(0, 3 + Math.floor(next() * 6)), { decision }), time: T + n * 1000, requestId: `req-${n}` };
  });
}

/** The answers, computed the slow way from the records themselves. */
function expectedReaders(records: readonly AccessRecord[], subject: string) {
  const readers = new Map<string, { records: number; fields: Set<string>; first: number; last: number }>();
  for (const r of records) {
    if (r.decision === 'deny' || !r.subjects.includes(subject)) continue;
    const reader = readers.get(r.principal) ?? { records: 0, fields: new Set<string>(), first: r.time, last: r.time };
    reader.records += 1;
    for (const field of r.fields) reader.fields.add(field);
    reader.first = Math.min(reader.first, r.time);
    reader.last = Math.max(reader.last, r.time);
    readers.set(r.principal, reader);
  }
  return [...readers].map(([principal, v]) => ({ principal, records: v.records, fields: [...v.fields].sort(), first: v.first, last: v.last }))
    .sort((a, b) => b.records - a.records || (a.principal < b.principal ? -1 : 1));
}

function expectedCount(records: readonly AccessRecord[], principal: string, since: number) {
  const mine = records.filter((r) => r.principal === principal && r.decision !== 'deny' && r.time >= since);
  return { principal, subjects: new Set(mine.flatMap((r) => r.subjects)).size, records: mine.length, first: Math.min(...mine.map((r) => r.time)), last: Math.max(...mine.map((r) => r.time)) };
}

const kinds = [sqliteKind(), postgresKind()];

for (const kind of kinds) {
  describe(`${kind.name}: who read whose data`, () => {
    let log: AccessLogStore;
    before(async () => {
      log = await kind.open();
      for (const r of STORY) log.write(r);
      await log.flush();
    });
    after(async () => {
      await log.close();
    });

    it('who-read lists each principal that received the subject, with its responses, fields and first and last time', async () => {
      assert.deepEqual(await log.whoRead('erin'), [
        { principal: 'anonymous', records: 2, fields: ['age', 'gender', 'location', 'username'], first: at(0), last: at(1) },
        { principal: 'alice', records: 1, fields: ['username'], first: at(10), last: at(10) },
        { principal: 'mallory', records: 1, fields: ['location'], first: at(5), last: at(5) },
      ]);
    });

    it('who-read counts a subject named twice in one response once, and denied responses not at all', async () => {
      const mallory = (await log.whoRead('erin')).find((row) => row.principal === 'mallory');
      assert.equal(mallory?.records, 1, 'the denied getUser at 10:03 does not count');
      assert.deepEqual((await log.whoRead('carol')).map((row) => row.principal), ['anonymous', 'mallory'], "eve's denied request does not count");
    });

    it('who-read honours since and limit', async () => {
      assert.deepEqual((await log.whoRead('erin', { since: at(2) })).map((row) => row.principal), ['alice', 'mallory']);
      assert.deepEqual((await log.whoRead('erin', { limit: 1 })).map((row) => row.principal), ['anonymous']);
    });

    it('who-read of a subject nobody received is empty', async () => {
      assert.deepEqual(await log.whoRead('zelda'), []);
    });

    it('top-readers ranks principals by distinct people received since a time', async () => {
      assert.deepEqual(await log.topReaders({ since: at(0) }), [
        { principal: 'mallory', subjects: 5, records: 2, first: at(2), last: at(5) },
        { principal: 'anonymous', subjects: 3, records: 2, first: at(0), last: at(1) },
        { principal: 'alice', subjects: 1, records: 1, first: at(10), last: at(10) },
        { principal: 'bob', subjects: 1, records: 1, first: at(4), last: at(4) },
      ]);
    });

    it('top-readers honours since and limit', async () => {
      assert.deepEqual((await log.topReaders({ since: at(3) })).map((row) => [row.principal, row.subjects]), [['mallory', 3], ['alice', 1], ['bob', 1]]);
      assert.deepEqual((await log.topReaders({ since: at(0), limit: 2 })).map((row) => row.principal), ['mallory', 'anonymous']);
      assert.deepEqual(await log.topReaders({ since: at(60) }), []);
    });

    it('subject-count tells how many people one principal received, and when', async () => {
      assert.deepEqual(await log.subjectCount('mallory'), { principal: 'mallory', subjects: 5, records: 2, first: at(2), last: at(5) });
      assert.deepEqual(await log.subjectCount('mallory', { since: at(3) }), { principal: 'mallory', subjects: 3, records: 1, first: at(5), last: at(5) });
    });

    it('subject-count of a principal that received nothing is zero, with no times', async () => {
      assert.deepEqual(await log.subjectCount('eve'), { principal: 'eve', subjects: 0, records: 0 }, 'eve was only denied');
      assert.deepEqual(await log.subjectCount('nobody'), { principal: 'nobody', subjects: 0, records: 0 });
    });
  });

  describe(`${kind.name}: the answers hold across segments`, () => {
    const records = busyMorning();
    let log: AccessLogStore;
    before(async () => {
      log = await kind.open();
      for (const r of records) log.write(r);
      await log.flush();
    });
    after(async () => {
      await log.close();
    });

    it('who-read matches the records, for every tenth rider', async () => {
      for (let rider = 0; rider < 300; rider += 10) assert.deepEqual(await log.whoRead(`rider-${rider}`), expectedReaders(records, `rider-${rider}`), `rider-${rider}`);
    });

    it('subject-count and top-readers match the records, since the middle of the morning', async () => {
      const since = T + SEGMENT_RECORDS * 1000;
      for (const principal of ['key-0', 'key-7', 'key-39']) assert.deepEqual(await log.subjectCount(principal, { since }), expectedCount(records, principal, since));
      const top = await log.topReaders({ since, limit: 5 });
      const expected = [...new Set(records.map((r) => r.principal))].map((p) => expectedCount(records, p, since))
        .sort((a, b) => b.subjects - a.subjects || b.records - a.records || (a.principal < b.principal ? -1 : 1)).slice(0, 5);
      assert.deepEqual(top, expected);
    });
  });
}

after(async () => {
  for (const kind of kinds) await kind.cleanUp();
});
