import assert from 'node:assert/strict';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { HTML_BODY_LIMIT, sortFindings, writeHtmlReport } from '../src/scan/report/index.ts';
import { launchChromium } from './fixtures/report/browser.ts';
import { HOSTILE_SCRIPT, findings, summary } from './fixtures/report/scan.ts';

const html = writeHtmlReport(findings(), summary());

let browser: Browser;
let page: Page;
let dir: string;
let file: string;
const requests: string[] = [];
const dialogs: string[] = [];
const pageErrors: string[] = [];

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'leakproof-html-report-'));
  file = join(dir, 'leakproof.html');
  await writeFile(file, html);
  browser = await launchChromium();
  page = await browser.newPage({ javaScriptEnabled: true, viewport: { width: 1280, height: 900 } });
  page.on('request', (request) => requests.push(request.url()));
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  page.on('pageerror', (error) => pageErrors.push(error.message));
  await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
});

after(async () => {
  await browser.close();
  await rm(dir, { recursive: true, force: true });
});

describe('the HTML report shows a person the summary and every finding', () => {
  it('is titled after the scan, in English', async () => {
    assert.equal(await page.title(), 'Leakproof scan report: http://127.0.0.1:8080');
    assert.equal(await page.locator('html').getAttribute('lang'), 'en');
    assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'Leakproof scan report: http://127.0.0.1:8080');
  });

  it('has a heading for the summary, the checks and each severity that has findings', async () => {
    assert.deepEqual(await page.getByRole('heading', { level: 2 }).allInnerTexts(), [
      'Summary',
      'Checks',
      'Critical (2 findings)',
      'High (2 findings)',
      'Medium (1 finding)',
      'Low (1 finding)',
      'Info (1 finding)',
    ]);
  });

  it('summarises target, description, time, duration, requests and the verdict', async () => {
    const summaryText = await page.locator('section[aria-labelledby="summary"]').innerText();
    for (const expected of [
      'Fails: 5 findings at or above medium.',
      'http://127.0.0.1:8080',
      'src/reference-api/openapi.yaml',
      '2021-01-20 10:00:00 UTC',
      '3.3 s',
      '1,234',
      'anonymous, alice, bob, admin',
    ]) {
      assert.ok(summaryText.includes(expected), `summary lacks ${expected}:\n${summaryText}`);
    }
  });

  it('counts findings by severity in a table with headers', async () => {
    const rows = await page.locator('table.counts tr').evaluateAll((trs) => trs.map((tr) => (tr as unknown as { innerText: string }).innerText.split('\t').map((c) => c.trim())));
    assert.deepEqual(rows, [
      ['Severity', 'Findings'],
      ['CRITICAL', '2'],
      ['HIGH', '2'],
      ['MEDIUM', '1'],
      ['LOW', '1'],
      ['INFO', '1'],
      ['Total', '7'],
    ]);
    assert.equal(await page.locator('th:not([scope])').count(), 0, 'every header cell says what it heads');
  });

  it('shows every finding\'s title, in report order, and its curl line', async () => {
    const sorted = sortFindings(findings());
    assert.deepEqual(await page.getByRole('heading', { level: 3 }).allInnerTexts(), sorted.map((f) => `${f.severity.toUpperCase()} ${f.title}`));
    const curls = page.locator('pre.curl');
    assert.deepEqual(await curls.allInnerTexts(), sorted.map((f) => f.evidence.curl));
    for (const curl of await curls.all()) assert.ok(await curl.isVisible());
  });

  it('explains each finding: operation, location, fields, subjects, why it matters and what to do', async () => {
    const bola = page.locator('article', { has: page.getByRole('heading', { name: 'alice reads bob\'s workout history' }) });
    const text = await bola.innerText();
    for (const expected of [
      'GET /api/user/{id}/workouts getUserWorkouts',
      'Broken object level authorization (bola), API1:2023, CWE-639',
      'src/reference-api/openapi.yaml:201:5',
      'data[].calories, data[].user_id',
      'Subjects\nbob',
      'Why it matters',
      'Broken object level authorization lets a caller read other people\'s data.',
      'What to do',
      'Enforce broken object level authorization rules on the server, per request & per object.',
      'GET http://127.0.0.1:8080/api/user/8/workouts\naccept: application/json\nauthorization: Bearer $ALICE_TOKEN',
      'HTTP 200\ncontent-type: application/json',
      '"calories": 400',
    ]) {
      assert.ok(text.includes(expected), `finding lacks ${JSON.stringify(expected)}:\n${text}`);
    }
    assert.equal(await bola.getByRole('link').getAttribute('href'), 'https://owasp.org/API-Security/editions/2023/en/0xa1/');
  });

  it('says when a request got no response, and cuts long bodies with a note', async () => {
    assert.ok(await page.getByText('No response: timeout after 10000 ms').isVisible());
    const search = await page.locator('article', { hasText: 'Search returns every matching rider' }).innerText();
    assert.match(search, /… [\d,]+ more characters \(the JSON report has them all\)/);
    assert.match(search, /The scanner kept only the start of this response/);
    assert.ok(html.length < 60_000, `report is ${html.length} characters; bodies are cut at ${HTML_BODY_LIMIT}`);
  });

  it('can hide a severity without any script, by unticking it', async () => {
    const info = page.locator('section.severity-info');
    assert.ok(await info.isVisible());
    await page.getByLabel('Info (1)').uncheck();
    assert.equal(await info.isVisible(), false);
    await page.getByLabel('Info (1)').check();
    assert.ok(await info.isVisible());
  });

  it('takes a screenshot a person can look at', async () => {
    const shot = join(dir, 'report.png');
    await page.screenshot({ path: shot, fullPage: true });
    assert.ok((await stat(shot)).size > 10_000);
  });
});

describe('response text in the HTML report is shown, never run', () => {
  it('shows a hostile <script> from a response as text', async () => {
    const shown = page.getByText(HOSTILE_SCRIPT, { exact: false });
    assert.ok(await shown.count() >= 2, 'in the HTML response and in the JSON one');
    assert.ok(await shown.first().isVisible());
  });

  it('runs no script: nothing set window.__pwned, no dialog, no element came from a response', async () => {
    assert.equal(await page.evaluate(() => (globalThis as { __pwned?: unknown }).__pwned), undefined);
    assert.deepEqual(dialogs, []);
    assert.deepEqual(pageErrors, []);
    assert.equal(await page.locator('script, img, iframe, object, embed, link').count(), 0);
  });

  it('makes no request but the one for the file itself', () => {
    assert.deepEqual(requests.filter((url) => url !== pathToFileURL(file).href), []);
  });

  it('forbids scripts and requests in its Content-Security-Policy, in case escaping ever fails', async () => {
    const policy = await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content');
    assert.match(policy ?? '', /default-src 'none'/);
    assert.doesNotMatch(policy ?? '', /script-src/);
  });

  it('escapes markup everywhere, with no raw <script in the file', () => {
    assert.doesNotMatch(html, /<script/i);
    assert.doesNotMatch(html, /<img/i);
    // eslint-disable-next-line no-control-regex -- looking for control characters is the point
    assert.doesNotMatch(html, /[\u0000-\u0008\u000B\u000C\u000E-\u001F]/);
  });
});

describe('the HTML report prints', () => {
  it('hides the filter and lets every excerpt run to its full length', async () => {
    await page.emulateMedia({ media: 'print' });
    assert.equal(await page.locator('fieldset.filter').isVisible(), false);
    const maxHeight = await page.locator('article pre').first().evaluate((pre) => (globalThis as unknown as { getComputedStyle(e: unknown): { maxHeight: string } }).getComputedStyle(pre).maxHeight);
    assert.equal(maxHeight, 'none');
    const pdf = await page.pdf({ format: 'A4' });
    assert.ok(pdf.length > 10_000);
    await page.emulateMedia({ media: 'screen' });
  });
});

describe('an HTML report with no findings says so', () => {
  it('with a passing verdict', async () => {
    const empty = await browser.newPage();
    await empty.setContent(writeHtmlReport([], summary()));
    assert.ok(await empty.getByText('Passes: nothing at or above medium.').isVisible());
    assert.ok(await empty.getByText('No findings.').isVisible());
    await empty.close();
  });
});
