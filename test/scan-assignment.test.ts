import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { privilegedProperties, tamperedValue } from '../src/scan/assignment.ts';

describe('which properties of one\'s own record a client must not set', () => {
  it('privileged ones by name, and those the description marks readOnly, never the id', () => {
    const record = { id: 'x', username: 'frank', role: 'member', is_admin: false, email_verified: true, credits: 5, created_at: '2021-01-01', nickname: 'f' };
    const schema = { properties: { nickname: { type: 'string', readOnly: true } } };
    assert.deepEqual(privilegedProperties(record, schema), ['role', 'is_admin', 'email_verified', 'credits', 'created_at', 'nickname']);
  });
});

describe('a tampered value differs in a way a server would not produce by itself', () => {
  it('escalates roles, flips flags, inflates numbers', () => {
    assert.equal(tamperedValue('role', 'member'), 'admin');
    assert.equal(tamperedValue('role', 'admin'), 'superuser');
    assert.equal(tamperedValue('is_admin', false), true);
    assert.equal(tamperedValue('credits', 5), 1005);
    assert.deepEqual(tamperedValue('roles', ['member']), ['member', 'admin']);
    assert.equal(tamperedValue('created_at', '2021-01-01'), '2000-01-01T00:00:00.000Z');
  });
});
