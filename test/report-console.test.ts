import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import pc from 'picocolors';
import { writeConsoleReport, writeReport } from '../src/scan/report/index.ts';
import { findings, summary } from './fixtures/report/scan.ts';

const plain = pc.createColors(false);
const text = writeConsoleReport(findings(), summary(), plain);
const lines = text.split('\n');

// eslint-disable-next-line no-control-regex -- ANSI colour codes are what is looked for
const ANSI = /\u001B\[[0-9;]*m/g;

describe('the console report is plain text unless given colours', () => {
  it('has no escape codes with colours off, and is what writeReport writes by default', () => {
    assert.doesNotMatch(text, ANSI);
    assert.equal(writeReport('console', findings(), summary()), text);
  });

  it('with colours on, differs only by escape codes', () => {
    const coloured = writeConsoleReport(findings(), summary(), pc.createColors(true));
    assert.match(coloured, ANSI);
    assert.equal(coloured.replace(ANSI, ''), text);
  });
});

describe('findings are grouped by severity, most severe first, then by operation', () => {
  it('has one header per severity that has findings, with its count', () => {
    assert.deepEqual(lines.filter((l) => /^[A-Z]+ \(/.test(l)), [
      'CRITICAL (2 findings)',
      'HIGH (2 findings)',
      'MEDIUM (1 finding)',
      'LOW (1 finding)',
      'INFO (1 finding)',
    ]);
    const onlyLow = writeConsoleReport(findings().filter((f) => f.severity === 'low'), summary(), plain);
    assert.deepEqual(onlyLow.split('\n').filter((l) => /^[A-Z]+ \(/.test(l)), ['LOW (1 finding)']);
  });

  it('lists operations under their severity by path, with API-wide findings on their own', () => {
    assert.deepEqual(lines.filter((l) => /^ {2}\S/.test(l)), [
      '  GET /api/user/{id}  getUser',
      '  POST /stats/workouts/details  getWorkoutDetails',
      '  GET /api/user/{id}/workouts  getUserWorkouts',
      '  POST /graphql  graphql',
      '  GET /api/user/{id}  getUser',
      '  GET /api/user/search/{query}  searchUsers',
      '  API-wide',
    ]);
  });

  it('shows each finding as its title and check, where it is described, the fields, whose, and the curl line', () => {
    const start = lines.indexOf('    alice reads bob\'s workout history [bola]');
    assert.deepEqual(lines.slice(start, start + 5), [
      '    alice reads bob\'s workout history [bola]',
      '      src/reference-api/openapi.yaml:201:5',
      '      fields: data[].calories, data[].user_id',
      '      subjects: bob',
      '      curl -s \'http://127.0.0.1:8080/api/user/8/workouts\' -H "Authorization: Bearer $ALICE_TOKEN"',
    ]);
  });

  it('leaves out what a finding does not have', () => {
    const start = lines.indexOf('  API-wide');
    assert.deepEqual(lines.slice(start, start + 3), [
      '  API-wide',
      '    Responses say which framework serves them (X-Powered-By: Express) [misconfiguration]',
      '      curl -sI \'http://127.0.0.1:8080/\'',
    ]);
  });
});

describe('the console report fits 100 columns and cannot be steered by response text', () => {
  it('wraps every line but the curl lines at 100 columns', () => {
    const long = lines.filter((l) => l.length > 100);
    assert.ok(long.length > 0, 'the fixture has a long curl line');
    for (const line of long) assert.match(line, /^ {6}curl /);
  });

  it('turns control characters in titles into visible escapes, so nothing reaches the terminal', () => {
    const [first] = findings();
    assert.ok(first);
    first.title = 'erin\u001B[2J\u001B]0;pwned\u0007 leaks\nhere';
    const out = writeConsoleReport([first], summary(), plain);
    // eslint-disable-next-line no-control-regex -- looking for control characters is the point
    assert.doesNotMatch(out, /[\u0000-\u0009\u000B-\u001F]/);
    assert.match(out, /erin\\u001B\[2J\\u001B\]0;pwned\\u0007 leaks here/);
  });
});

describe('the report ends with the verdict and what the scan did', () => {
  it('counts findings by severity and says whether the run fails at --fail-on', () => {
    assert.deepEqual(lines.slice(-2), [
      '7 findings: 2 critical, 2 high, 1 medium, 1 low, 1 info — fails at --fail-on medium (5 at or above)',
      '1,234 requests to 12 operations as anonymous, alice, bob, admin in 3.3 s',
    ]);
  });

  it('passes when nothing is at or above the threshold', () => {
    const low = findings().filter((f) => f.severity === 'low' || f.severity === 'info');
    assert.equal(writeConsoleReport(low, summary(), plain).split('\n').at(-2), '2 findings: 0 critical, 0 high, 0 medium, 1 low, 1 info — passes at --fail-on medium');
  });

  it('says so when there are no findings', () => {
    assert.deepEqual(writeConsoleReport([], summary({ durationMs: 850 }), plain).split('\n'), [
      'Leakproof scan of http://127.0.0.1:8080 (src/reference-api/openapi.yaml)',
      '',
      'No findings.',
      '',
      '0 findings — passes at --fail-on medium',
      '1,234 requests to 12 operations as anonymous, alice, bob, admin in 850 ms',
    ]);
  });

  it('an audit sent no requests and says only what it read', () => {
    const audit = summary({ kind: 'audit', target: undefined, requests: 0, identities: [], durationMs: 125_000 });
    const out = writeConsoleReport([], audit, plain).split('\n');
    assert.equal(out[0], 'Leakproof audit of src/reference-api/openapi.yaml');
    assert.equal(out.at(-1), '12 operations in 2 min 5 s');
  });
});
