/**
 * Reports under a baseline: a CI reader sees at once which findings are new (the ones the run is
 * judged on), which the baseline accepts, and which accepted findings were not found this time,
 * so that the baseline can be pruned. Without a baseline, every report is what it always was.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import AjvDraft04 from 'ajv-draft-04';
import type { Browser, Page } from 'playwright-core';
import type { Log, Result } from 'sarif';
import { bufferIo } from '../src/cli/io.ts';
import { main } from '../src/cli/main.ts';
import { parseFindingsReport } from '../src/gateway/suggest/report.ts';
import type { ReferenceApi } from '../src/reference-api/index.ts';
import { referenceApiScanConfigPath, startReferenceApi } from '../src/reference-api/index.ts';
import type { Baseline, BaselineEntry } from '../src/scan/baseline.ts';
import { applyBaseline, createBaseline, formatBaseline } from '../src/scan/baseline.ts';
import type { JsonReport, ReportBaseline } from '../src/scan/report/index.ts';
import { FINGERPRINT_KEY, REPORT_FORMATS, writeReport } from '../src/scan/report/index.ts';
import type { XmlNode } from './fixtures/report/browser.ts';
import { launchChromium, parseXml } from './fixtures/report/browser.ts';
import { HOSTILE_SCRIPT, REPORT_ORDER, findings, summary } from './fixtures/report/scan.ts';

const root = join(import.meta.dirname, '..');

/** The one finding of the fixture that the baseline does not hold: high, so it fails the run. */
const FRESH = 'bol0000000000001';

/** Accepted once, reported no more: a check this scan does not describe, and an API-wide one. */
const GONE: BaselineEntry[] = [
  {
    fingerprint: 'old0000000000001',
    checkId: 'retired-check',
    operation: 'GET /api/legacy/{id}',
    title: `An old leak ${HOSTILE_SCRIPT} & esc:\u001B[31m`,
    acceptedAt: '2021-01-21',
    reason: 'tracked in SEC-12',
  },
  { fingerprint: 'old0000000000002', checkId: 'misconfiguration', operation: null, title: 'Responses said which server version they ran' },
];

function accepting(): Baseline {
  const baseline = createBaseline(findings().filter((f) => f.fingerprint !== FRESH));
  return { ...baseline, findings: [...baseline.findings, ...GONE] };
}

function comparison(): ReportBaseline {
  return { ...applyBaseline(findings(), accepting()), file: 'leakproof-baseline.json' };
}

function report(format: (typeof REPORT_FORMATS)[number]): string {
  return writeReport(format, findings(), summary(), { baseline: comparison() });
}

let browser: Browser;
let page: Page;

before(async () => {
  browser = await launchChromium();
  page = await browser.newPage();
});

after(async () => {
  await browser.close();
});

describe('without a baseline, every report is what it was', () => {
  for (const format of REPORT_FORMATS) {
    it(`${format}: the same text with and without an undefined baseline, and nothing about baselines`, () => {
      const text = writeReport(format, findings(), summary());
      assert.equal(writeReport(format, findings(), summary(), { baseline: undefined }), text);
      assert.doesNotMatch(text, /baseline|accepted|baselineState|no longer found/i);
    });
  }
});

describe('SARIF: every result has a baseline state; accepted findings no longer found are left out', () => {
  const schemaPath = createRequire(import.meta.url).resolve('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json');
  // As in report-sarif.test.ts: the official schema is draft-04, and one of its patterns is not valid with the u flag.
  const ajv = new AjvDraft04.default({ allErrors: true, strict: false, unicodeRegExp: false });
  ajv.addFormat('uri', (value: string) => URL.canParse(value));
  ajv.addFormat('uri-reference', (value: string) => URL.canParse(value, 'file:///base/'));
  ajv.addFormat('date-time', /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/);
  const validateSarif = ajv.compile(JSON.parse(readFileSync(schemaPath, 'utf8')) as object);
  const log = JSON.parse(report('sarif')) as Log;
  const run = log.runs[0];
  const results = run?.results ?? [];
  const byFingerprint = (fingerprint: string): Result | undefined => results.find((r) => r.partialFingerprints?.[FINGERPRINT_KEY] === fingerprint);

  it('validates against the official SARIF 2.1.0 schema', () => {
    assert.ok(validateSarif(log), JSON.stringify(validateSarif.errors, null, 2));
  });

  it('marks the finding the baseline does not hold new, and every accepted one unchanged, in report order', () => {
    assert.deepEqual(results.map((r) => [r.partialFingerprints?.[FINGERPRINT_KEY], r.baselineState]), [
      ...REPORT_ORDER.map((fingerprint) => [fingerprint, fingerprint === FRESH ? 'new' : 'unchanged']),
    ]);
  });

  it('leaves the present results as they were, but for their baseline state', () => {
    const plain = (JSON.parse(writeReport('sarif', findings(), summary())) as Log).runs[0]?.results ?? [];
    assert.deepEqual(results.map(({ baselineState: _, ...rest }) => rest), plain);
  });

  it('writes no absent result, which code scanning would show as an open alert, and no rule for a check only the baseline names', () => {
    assert.equal(byFingerprint('old0000000000001'), undefined);
    assert.equal(byFingerprint('old0000000000002'), undefined);
    const rules = run?.tool.driver.rules ?? [];
    assert.ok(!rules.some((r) => r.id === 'retired-check'));
    for (const result of results) assert.equal(rules[result.ruleIndex ?? -1]?.id, result.ruleId);
  });

  it('still validates when there is no description to point at', () => {
    const bare = writeReport('sarif', findings(), summary({ spec: undefined }), { baseline: comparison() });
    assert.ok(validateSarif(JSON.parse(bare)), JSON.stringify(validateSarif.errors, null, 2));
  });
});

describe('JSON: each finding says new or known, and the report summarises the baseline', () => {
  const json = JSON.parse(report('json')) as JsonReport;

  it('puts the baseline after the summary: its file, how many are new and known, and the absent entries as the file has them', () => {
    assert.deepEqual(Object.keys(json), ['tool', 'summary', 'baseline', 'findings']);
    assert.deepEqual(json.baseline, { file: 'leakproof-baseline.json', new: 1, known: 6, absent: GONE });
  });

  it('marks each finding', () => {
    assert.deepEqual(json.findings.map((f) => [f.fingerprint, f.baseline]), REPORT_ORDER.map((fp) => [fp, fp === FRESH ? 'new' : 'known']));
  });

  it('counts as failing only the new findings at or above failOn, as the exit code does', () => {
    assert.equal(json.summary.failing, 1);
    assert.equal(json.summary.total, 7);
  });

  it('writes null for a baseline whose file is not known', () => {
    const unnamed = { ...applyBaseline(findings(), accepting()) };
    const text = writeReport('json', findings(), summary(), { baseline: unnamed });
    assert.equal((JSON.parse(text) as JsonReport).baseline?.file, null);
  });

  it('is still a findings report that leakproof suggest reads', () => {
    const read = parseFindingsReport(report('json'), 'findings.json');
    assert.equal(read.findings.length, 7);
  });
});

describe('console: accepted findings are tagged, the verdict counts what is new, and what is gone is listed', () => {
  const lines = report('console').split('\n');

  it('tags every accepted finding, and not the new one', () => {
    const titles = lines.filter((l) => /^ {4}\S/.test(l));
    assert.equal(titles.find((l) => l.includes('alice reads bob\'s workout history')), '    alice reads bob\'s workout history [bola]');
    assert.equal(lines.filter((l) => l.endsWith(' (accepted)')).length, 6);
  });

  it('lists the accepted findings not found this time, wrapped at 100 columns, control characters made visible', () => {
    const start = lines.indexOf('NO LONGER FOUND (2 accepted findings: fixed, or not tested this time)');
    assert.ok(start > 0);
    assert.deepEqual(lines.slice(start + 1, start + 5), [
      `  GET /api/legacy/{id}: An old leak ${HOSTILE_SCRIPT} &`,
      '    esc:\\u001B[31m [retired-check]',
      '  API-wide: Responses said which server version they ran [misconfiguration]',
      '',
    ]);
  });

  it('ends with the new findings by severity, the accepted ones, the ones no longer found, and the verdict on the new', () => {
    assert.equal(
      lines.at(-2),
      '1 new finding: 0 critical, 1 high, 0 medium, 0 low, 0 info; 6 accepted by the baseline, 2 accepted no longer found — fails at --fail-on medium (1 new at or above)',
    );
  });

  it('passes when nothing new reaches the threshold, however severe the accepted findings are', () => {
    const all = { ...applyBaseline(findings(), createBaseline(findings())) };
    const text = writeReport('console', findings(), summary(), { baseline: all });
    assert.equal(text.split('\n').at(-2), '0 new findings; 7 accepted by the baseline, 0 accepted no longer found — passes at --fail-on medium');
    assert.doesNotMatch(text, /NO LONGER FOUND/);
  });
});

describe('JUnit: only new findings fail; accepted ones are skipped', () => {
  let junit: XmlNode;
  before(async () => {
    const { error, root: parsed } = await parseXml(page, report('junit'));
    assert.equal(error, undefined, error);
    junit = parsed;
  });

  const suite = (checkId: string): XmlNode | undefined => junit.children.find((s) => [checkId, `(${checkId})`].some((end) => s.attributes.name?.endsWith(end)));
  const cases = (checkId: string): XmlNode[] => suite(checkId)?.children.filter((c) => c.name === 'testcase') ?? [];
  const child = (node: XmlNode | undefined, name: string): XmlNode | undefined => node?.children.find((c) => c.name === name);

  it('counts one failure, the new finding, and skips the test cases whose findings are all accepted', () => {
    assert.deepEqual([junit.attributes.tests, junit.attributes.failures, junit.attributes.skipped], ['9', '1', '6']);
    const failure = child(cases('bola')[0], 'failure');
    assert.equal(failure?.attributes.message, 'alice reads bob\'s workout history');
  });

  it('an accepted finding is a skipped test case, "accepted by the baseline", with its details in the output', () => {
    const [accepted] = cases('missing-authentication');
    assert.equal(child(accepted, 'failure'), undefined);
    assert.equal(child(accepted, 'skipped')?.attributes.message, 'accepted by the baseline');
    assert.match(child(accepted, 'system-out')?.text ?? '', /^Accepted by the baseline:\n\n\[critical\] Anyone reads erin's profile/);
    assert.equal(suite('missing-authentication')?.attributes.skipped, '2');
  });

  it('lists the accepted findings not found this time in their check\'s suite, escaped', () => {
    const output = child(suite('retired-check'), 'system-out')?.text ?? '';
    assert.equal(output, `Accepted by the baseline, not found this time (fixed, or not tested):\n\nGET /api/legacy/{id}: An old leak ${HOSTILE_SCRIPT} & esc:\\u001B[31m\nfingerprint: old0000000000001`);
    assert.deepEqual(cases('retired-check').map((c) => c.attributes.name), ['no findings']);
  });
});

describe('HTML: a badge per finding, the counts in the summary, and a section for what is gone', () => {
  before(async () => {
    await page.setContent(report('html'), { waitUntil: 'load' });
  });

  it('marks each finding new or accepted, beside its severity', async () => {
    const marks = await page.locator('article.finding h3 .mark').allInnerTexts();
    assert.deepEqual(marks, REPORT_ORDER.map((fp) => (fp === FRESH ? 'new' : 'accepted')));
  });

  it('names the baseline, judges on the new findings, and counts new, accepted and no longer found', async () => {
    assert.equal(await page.locator('.verdict').innerText(), 'Fails: 1 new finding at or above medium.');
    assert.match(await page.locator('dl.facts').first().innerText(), /Baseline\s+leakproof-baseline\.json/);
    const table = page.locator('table.counts', { has: page.locator('caption', { hasText: 'Findings against the baseline' }) });
    assert.deepEqual(await table.locator('tr').allInnerTexts(), ['new\t1', 'accepted\t6', 'accepted, no longer found\t2']);
  });

  it('lists the accepted findings not found this time as text, markup and all', async () => {
    assert.equal(await page.locator('#absent').innerText(), 'No longer found (2 accepted findings)');
    assert.deepEqual(await page.locator('ul.absent li').allInnerTexts(), [
      `GET /api/legacy/{id}: An old leak ${HOSTILE_SCRIPT} & esc:\\u001B[31m retired-check`,
      'API-wide: Responses said which server version they ran misconfiguration',
    ]);
    assert.equal(await page.locator('script').count(), 0);
  });
});

/** The real executable, as CI runs it; stdout as well as the exit code. */
async function spawn(...argv: string[]): Promise<{ code: number; stdout: string }> {
  try {
    const { stdout } = await promisify(execFile)(process.execPath, [join(root, 'bin', 'leakproof.js'), ...argv], { cwd: root, env: { ...process.env, LEAKPROOF_DEBUG: '' } });
    return { code: 0, stdout };
  } catch (error) {
    const failed = error as { code: number; stdout: string };
    return { code: failed.code, stdout: failed.stdout };
  }
}

/** Replaces the one occurrence of `anchor`: an edit that silently missed would prove nothing. */
function edit(text: string, anchor: string, replacement: string): string {
  assert.equal(text.split(anchor).length, 2, `'${anchor}' occurs once`);
  return text.replace(anchor, replacement);
}

describe('leakproof audit reports against a baseline, and keeps what people wrote in it', () => {
  const flawed = join('test', 'fixtures', 'audit', 'flawed.yaml');
  const writable = 'writable-server-field';
  let dir: string;
  let next: string;
  let baselinePath: string;
  let written: Baseline;

  before(async () => {
    dir = relative(root, await mkdtemp(join(tmpdir(), 'leakproof-report-baseline-')));
    next = join(dir, 'next.yaml');
    baselinePath = join(dir, 'audit-baseline.json');
    // The next version: clients can no longer set `role` (a fix), and a plain-HTTP server is added (a new flaw).
    const text = await readFile(flawed, 'utf8');
    const fixed = edit(text, 'role: { type: string, enum: [member, admin] }', 'role: { type: string, enum: [member, admin], readOnly: true }');
    await writeFile(next, edit(fixed, '\nservers:\n', '\nservers:\n  - url: http://legacy.riders.example.com\n'));
    assert.equal((await spawn('audit', flawed, '--write-baseline', baselinePath)).code, 1);
    written = JSON.parse(await readFile(baselinePath, 'utf8')) as Baseline;
    // What a reviewer adds by hand: to the flaw that will be fixed, and to the first that stays.
    const annotated = written.findings.map((entry, index) => (entry.checkId === writable || index === 0
      ? { ...entry, acceptedAt: '2021-02-02', reason: `reviewed: ${entry.checkId}` }
      : entry));
    await writeFile(baselinePath, formatBaseline({ ...written, findings: annotated }));
  });

  after(() => rm(dir, { recursive: true, force: true }));

  it('the JSON report marks the one new finding, counts the accepted ones, and lists the fixed flaw with its reason', async () => {
    const { code, stdout } = await spawn('audit', next, '--baseline', baselinePath, '--format', 'json');
    assert.equal(code, 1);
    const json = JSON.parse(stdout) as JsonReport;
    const fresh = json.findings.filter((f) => f.baseline === 'new');
    assert.deepEqual(fresh.map((f) => [f.checkId, f.title]), [['http-server', 'The server http://legacy.riders.example.com is plain HTTP']]);
    assert.equal(json.findings.filter((f) => f.baseline === 'known').length, written.findings.length - 1);
    assert.equal(json.summary.failing, 1);
    assert.deepEqual(json.baseline && { ...json.baseline, absent: json.baseline.absent.map((e) => [e.checkId, e.operation, e.reason]) }, {
      file: baselinePath,
      new: 1,
      known: written.findings.length - 1,
      absent: [[writable, 'PATCH /me', `reviewed: ${writable}`]],
    });
  });

  it('exits 0 when the new finding is below --fail-on, and the report still says what is new', async () => {
    const { code, stdout } = await spawn('audit', next, '--baseline', baselinePath, '--format', 'json', '--fail-on', 'critical');
    assert.equal(code, 0);
    const json = JSON.parse(stdout) as JsonReport;
    assert.equal(json.summary.failing, 0);
    assert.equal(json.baseline?.new, 1);
  });

  it('the console report says the same in its last lines', async () => {
    const { stdout } = await spawn('audit', next, '--baseline', baselinePath);
    assert.match(stdout, /^NO LONGER FOUND \(1 accepted finding: fixed, or not tested this time\)\n {2}PATCH \/me: PATCH \/me lets clients set 'role', which grants privileges \[writable-server-field\]$/m);
    assert.match(stdout, new RegExp(`^1 new finding: 0 critical, 1 high, 0 medium, 0 low, 0 info; ${written.findings.length - 1} accepted by the baseline, 1 accepted no longer found — fails at --fail-on medium \\(1 new at or above\\)$`, 'm'));
  });

  it('--write-baseline over the --baseline file keeps acceptedAt and reason, adds the new finding bare, and drops the fixed one', async () => {
    const rewritten = join(dir, 'rewritten.json');
    await writeFile(rewritten, await readFile(baselinePath, 'utf8'));
    assert.equal((await spawn('audit', next, '--baseline', rewritten, '--write-baseline', rewritten)).code, 1);
    const after = JSON.parse(await readFile(rewritten, 'utf8')) as Baseline;
    const kept = written.findings[0];
    assert.deepEqual(after.findings.find((e) => e.fingerprint === kept?.fingerprint), { ...kept, acceptedAt: '2021-02-02', reason: `reviewed: ${kept?.checkId ?? ''}` });
    const added = after.findings.find((e) => e.checkId === 'http-server' && e.title.includes('legacy'));
    assert.ok(added);
    assert.equal('reason' in added || 'acceptedAt' in added, false);
    assert.equal(after.findings.some((e) => e.checkId === writable), false);
    assert.equal(after.kind, 'audit');
    assert.equal((await spawn('audit', next, '--baseline', rewritten)).code, 0, 'the rewritten baseline accepts the run');
  });
});

describe('leakproof scan reports against a baseline, and keeps what people wrote in it', () => {
  let api: ReferenceApi;
  let dir: string;
  before(async () => {
    api = await startReferenceApi({ mode: 'authonly' });
    dir = await mkdtemp(join(tmpdir(), 'leakproof-report-baseline-scan-'));
  });
  after(async () => {
    await api.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function scan(...argv: string[]): Promise<number> {
    return main(['scan', '--config', referenceApiScanConfigPath, '--rate-limit', '2000', '--target', api.url, ...argv], bufferIo());
  }

  it('every finding of the same API is known, and a reason written into the baseline survives --write-baseline', async () => {
    const baselinePath = join(dir, 'baseline.json');
    assert.equal(await scan('--write-baseline', baselinePath, '--format', 'json', '--output', join(dir, 'first.json')), 1);
    const written = JSON.parse(await readFile(baselinePath, 'utf8')) as Baseline;
    const [first, ...rest] = written.findings;
    assert.ok(first);
    await writeFile(baselinePath, formatBaseline({ ...written, findings: [{ ...first, reason: 'internal admin field' }, ...rest] }));

    const output = join(dir, 'second.json');
    assert.equal(await scan('--baseline', baselinePath, '--write-baseline', baselinePath, '--format', 'json', '--output', output), 0);
    const json = JSON.parse(await readFile(output, 'utf8')) as JsonReport;
    assert.deepEqual(json.baseline, { file: baselinePath, new: 0, known: written.findings.length, absent: [] });
    assert.ok(json.findings.every((f) => f.baseline === 'known'));
    const rewritten = JSON.parse(await readFile(baselinePath, 'utf8')) as Baseline;
    assert.equal(rewritten.findings.find((e) => e.fingerprint === first.fingerprint)?.reason, 'internal admin field');
  });
});
