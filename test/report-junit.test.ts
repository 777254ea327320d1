import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { writeJunitReport } from '../src/scan/report/index.ts';
import type { ScanSummary } from '../src/scan/finding.ts';
import type { XmlNode } from './fixtures/report/browser.ts';
import { launchChromium, parseXml } from './fixtures/report/browser.ts';
import { CHECKS, HOSTILE_SCRIPT, findings, summary } from './fixtures/report/scan.ts';

let browser: Browser;
let page: Page;

before(async () => {
  browser = await launchChromium();
  page = await browser.newPage();
});
after(async () => {
  await browser.close();
});

async function parsed(overrides: Partial<ScanSummary> = {}): Promise<XmlNode> {
  const { error, root } = await parseXml(page, writeJunitReport(findings(), summary(overrides)));
  assert.equal(error, undefined, error);
  return root;
}

function suite(root: XmlNode, checkId: string): XmlNode {
  const found = root.children.find((s) => s.name === 'testsuite' && s.attributes.name?.endsWith(`(${checkId})`));
  assert.ok(found, `no suite for ${checkId}`);
  return found;
}

function cases(suiteNode: XmlNode): XmlNode[] {
  return suiteNode.children.filter((c) => c.name === 'testcase');
}

function child(node: XmlNode | undefined, name: string): XmlNode | undefined {
  return node?.children.find((c) => c.name === name);
}

describe('the JUnit report is well-formed XML that CI systems read', () => {
  it('parses in a browser\'s XML parser, starting with an XML declaration', async () => {
    const xml = writeJunitReport(findings(), summary());
    assert.ok(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites '));
    const root = await parsed();
    assert.equal(root.name, 'testsuites');
  });

  it('carries the attributes readers expect on every suite', async () => {
    const root = await parsed();
    assert.deepEqual(Object.keys(root.attributes), ['name', 'tests', 'failures', 'errors', 'skipped', 'time', 'timestamp']);
    assert.equal(root.attributes.time, '3.250');
    for (const s of root.children) {
      for (const name of ['name', 'tests', 'failures', 'errors', 'skipped', 'time', 'timestamp']) assert.ok(s.attributes[name] !== undefined, name);
      assert.equal(s.attributes.timestamp, '2021-01-20T10:00:00');
    }
  });
});

describe('one test suite per check, one test case per operation the check found something in', () => {
  it('has a suite for every check, in registry order', async () => {
    const root = await parsed();
    assert.deepEqual(root.children.map((s) => s.attributes.name), CHECKS.map((c) => `${c.title} (${c.id})`));
  });

  it('counts tests and failures per suite and in total', async () => {
    const root = await parsed();
    const counts = Object.fromEntries(root.children.map((s) => [(s.attributes.name ?? '').replace(/.*\((.+)\)$/, '$1'), [s.attributes.tests, s.attributes.failures]]));
    assert.deepEqual(counts, {
      'missing-authentication': ['2', '2'],
      bola: ['1', '1'],
      'private-flag-bypass': ['1', '1'],
      'mass-assignment': ['1', '0'],
      'excessive-data-exposure': ['1', '1'],
      'unbounded-resource': ['1', '0'],
      misconfiguration: ['1', '0'],
    });
    assert.equal(root.attributes.tests, '8');
    assert.equal(root.attributes.failures, '5');
  });

  it('names test cases by operation, with an API-wide case for findings about the whole API', async () => {
    const root = await parsed();
    assert.deepEqual(cases(suite(root, 'missing-authentication')).map((c) => c.attributes.name), [
      'GET /api/user/{id} (getUser)',
      'POST /stats/workouts/details (getWorkoutDetails)',
    ]);
    assert.deepEqual(cases(suite(root, 'misconfiguration')).map((c) => c.attributes.name), ['API-wide']);
    assert.equal(cases(suite(root, 'bola'))[0]?.attributes.classname, 'leakproof.bola');
  });

  it('a check that found nothing is one passing test case', async () => {
    const [only] = cases(suite(await parsed(), 'mass-assignment'));
    assert.equal(only?.attributes.name, 'no findings');
    assert.deepEqual(only.children, []);
  });
});

describe('findings at or above failOn fail their test case; those below are reported but pass', () => {
  it('a failure carries the title, the severity and the details down to the curl line', async () => {
    const failure = child(cases(suite(await parsed(), 'bola'))[0], 'failure');
    assert.equal(failure?.attributes.message, 'alice reads bob\'s workout history');
    assert.equal(failure.attributes.type, 'high');
    assert.match(failure.text, /^\[high\] alice reads bob's workout history\nSwapping the id/);
    assert.match(failure.text, /at src\/reference-api\/openapi\.yaml:201:5\nfields: data\[\]\.calories, data\[\]\.user_id\nsubjects: bob\nfingerprint: bol0000000000001\ncurl -s /);
  });

  it('below the threshold a finding goes to system-out, not failure', async () => {
    const [low] = cases(suite(await parsed(), 'unbounded-resource'));
    assert.equal(child(low, 'failure'), undefined);
    assert.match(child(low, 'system-out')?.text ?? '', /^Below the failure threshold:\n\n\[low\] Search returns every matching rider/);
  });

  it('raising failOn turns failures into passing cases', async () => {
    const root = await parsed({ failOn: 'high' });
    assert.equal(root.attributes.failures, '4');
    const [medium] = cases(suite(root, 'excessive-data-exposure'));
    assert.equal(child(medium, 'failure'), undefined);
    assert.ok(child(medium, 'system-out'));
  });
});

describe('text from responses cannot break the XML', () => {
  it('markup, ]]>, quotes and ampersands come back exactly as text', async () => {
    const failure = child(cases(suite(await parsed(), 'excessive-data-exposure'))[0], 'failure');
    assert.equal(failure?.attributes.message, 'GET /api/user/{id} returns last_login_ip & "bio", which the description does not declare');
    assert.ok(failure.text.includes(`${HOSTILE_SCRIPT} ]]> "quoted" 'single' & &amp; 🚴‍♀️`));
  });

  it('control characters XML 1.0 forbids are written as visible \\u escapes', async () => {
    const xml = writeJunitReport(findings(), summary());
    // eslint-disable-next-line no-control-regex -- looking for control characters is the point
    assert.doesNotMatch(xml, /[\u0000-\u0008\u000B\u000C\u000E-\u001F]/);
    const failure = child(cases(suite(await parsed(), 'excessive-data-exposure'))[0], 'failure');
    assert.match(failure?.text ?? '', /nul:\\u0000 esc:\\u001B\[31m bell:\\u0007/);
  });

  it('(the parser used here does reject a raw NUL, so the test above can fail)', async () => {
    const { error } = await parseXml(page, '<a>\u0000</a>');
    assert.ok(error);
  });

  it('a line break in an attribute survives as a line break', async () => {
    const [first] = findings();
    assert.ok(first);
    first.title = 'two\nlines\tand a tab';
    const { root } = await parseXml(page, writeJunitReport([first], summary()));
    const failure = child(cases(suite(root, 'excessive-data-exposure'))[0], 'failure');
    assert.equal(failure?.attributes.message, 'two\nlines\tand a tab');
  });
});
