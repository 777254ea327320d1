/**
 * The reference API's description, the design Peloton's API shipped with: any member may name any
 * rider and get their record back. The audit must find exactly that, at the lines where it is
 * written, before anything runs.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { before, describe, it } from 'node:test';
import { auditApi } from '../src/audit/index.ts';
import type { AuditResult } from '../src/audit/index.ts';
import { loadApi } from '../src/core/load.ts';
import { referenceApiSpecPath } from '../src/reference-api/index.ts';
import { atOrAbove } from '../src/scan/finding.ts';

const lines = readFileSync(referenceApiSpecPath, 'utf8').split('\n');

/** The line of `text`, the first after the line of `after` when given. */
function lineOf(text: string, after?: string): number {
  const start = after === undefined ? 0 : lines.findIndex((line) => line.includes(after));
  const index = lines.findIndex((line, i) => i >= start && line.includes(text));
  assert.ok(start >= 0 && index >= 0, `${text} is in the description`);
  return index + 1;
}

describe('the reference API description yields the design flaws of the 2021 leak', () => {
  let result: AuditResult;
  before(async () => {
    result = await auditApi(await loadApi(referenceApiSpecPath));
  });
  const found = (): string[] =>
    result.findings.filter((f) => atOrAbove(f, 'medium')).map((f) => `${f.checkId} ${f.operation?.id ?? '-'} ${f.location?.line ?? 0} ${f.severity}`).sort();

  it('any member reads any rider\'s profile, workouts and followers by id, searches them and looks them up in bulk', () => {
    const userId = lineOf('    UserId:');
    const expected = [
      `personal-data-by-id getUser ${userId} high`,
      `personal-data-by-id getUserWorkouts ${userId} critical`,
      `personal-data-by-id getUserFollowers ${userId} high`,
      `personal-data-by-id searchUsers ${lineOf('- name: query')} high`,
      `personal-data-by-id getWorkoutDetails ${lineOf('ids:', '/stats/workouts/details:')} high`,
    ];
    for (const finding of expected) assert.ok(found().includes(finding), `${finding}\n${found().join('\n')}`);
  });

  it('lists of riders (followers, the admin list) come back whole, with no page size', () => {
    assert.ok(found().includes(`unbounded-array getUserFollowers ${lineOf('data:', '/api/user/{id}/followers:')} medium`));
    assert.ok(found().includes(`unbounded-array listAdminUsers ${lineOf('data:', '/api/admin/users:')} medium`));
  });

  it('finds nothing else at medium or above: the capped search and bulk lookup, the closed schemas and the login pass', () => {
    assert.equal(found().length, 7, found().join('\n'));
  });

  it('says who may call and what comes back, with the lines of the personal fields', () => {
    const getUser = result.findings.find((f) => f.checkId === 'personal-data-by-id' && f.operation?.id === 'getUser');
    assert.ok(getUser);
    assert.match(getUser.message, /Any authenticated caller \(bearerAuth, no scope\)/);
    assert.ok(getUser.message.includes(`age (line ${lineOf('age:', '    Profile:')})`), getUser.message);
    assert.match(getUser.message, /Anyone can become a member: POST \/auth\/register is open to all\./);
    assert.match(getUser.message, /The records carry is_profile_private/);
    assert.deepEqual(getUser.evidence.fields.slice(0, 3), ['age', 'birthday', 'email']);
  });
});
