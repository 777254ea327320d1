import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { LeakContext } from '../src/scan/leak.ts';
import { leakedValues, privateValues } from '../src/scan/leak.ts';
import { recordsOf } from '../src/scan/records.ts';

const ERIN = 'e1';
const personal = new Set(['age', 'gender', 'location', 'email', 'username', 'weight', 'profile.city', 'last_seen', 'etag']);
const owner = { id: ERIN, username: 'erin', age: 33, gender: 'female', location: 'El Paso', email: 'erin@example.com', last_seen: '10:00:01', etag: 'W/"1"' };
const ownerAgain = { ...owner, last_seen: '10:00:02', etag: 'W/"2"' };

function context(overrides: Partial<LeakContext> = {}): LeakContext {
  return {
    subjectId: ERIN,
    ownerAnswers: [owner, ownerAgain],
    anonymousAnswer: undefined,
    allowed: new Set(['username']),
    isPersonal: (path) => personal.has(path),
    ...overrides,
  };
}

describe('a subject\'s records are found wherever a response puts them', () => {
  it('at the root, in lists, in GraphQL data and by owner keys', () => {
    const body = { data: { user: { id: ERIN, age: 33 }, list: [{ id: 'x' }, { user_id: ERIN, avg_heart_rate: 140 }] } };
    assert.deepEqual(recordsOf(body, ERIN).map((r) => r.path), ['data.user', 'data.list[1]']);
    assert.deepEqual(recordsOf({ id: ERIN, profile: { city: 'El Paso' } }, ERIN)[0]?.values, new Map<string, unknown>([['id', ERIN], ['profile.city', 'El Paso']]));
  });
});

describe('the owner\'s private values are personal, stable and not public by design', () => {
  it('drops volatile fields, allowed fields, identifiers and what is not personal data', () => {
    assert.deepEqual([...privateValues(context()).keys()].sort(), ['age', 'email', 'gender', 'location']);
  });

  it('drops what an anonymous caller receives too', () => {
    assert.deepEqual([...privateValues(context({ anonymousAnswer: [{ id: ERIN, location: 'El Paso' }] })).keys()].sort(), ['age', 'email', 'gender']);
  });
});

describe('a leak is decided by content, not by status', () => {
  it('another caller who receives the owner\'s values leaks them, wherever they sit', () => {
    const leaked = leakedValues({ results: [{ id: 'x', age: 33 }, { id: ERIN, age: 33, location: 'El Paso' }] }, context());
    assert.deepEqual(leaked, [{ field: 'age', value: 33 }, { field: 'location', value: 'El Paso' }]);
  });

  it('the public card alone leaks nothing', () => {
    assert.deepEqual(leakedValues({ id: ERIN, username: 'erin' }, context()), []);
  });

  it('the same value in someone else\'s record is not the owner\'s leak', () => {
    assert.deepEqual(leakedValues([{ id: 'x', age: 33, location: 'El Paso' }], context()), []);
  });

  it('an error body that carries the data still leaks it', () => {
    assert.deepEqual(leakedValues({ error: 'forbidden', user: { id: ERIN, email: 'erin@example.com' } }, context()), [{ field: 'email', value: 'erin@example.com' }]);
  });

  it('nothing leaks when the owner\'s own answers carry nothing private', () => {
    assert.deepEqual(leakedValues(owner, context({ ownerAnswers: [{ error: 'not found' }, { error: 'not found' }] })), []);
  });
});
