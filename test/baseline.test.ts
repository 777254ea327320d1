import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { FileReadError, LeakproofError, ParseError } from '../src/core/errors.ts';
import type { Baseline } from '../src/scan/baseline.ts';
import { BaselineError, applyBaseline, createBaseline, formatBaseline, loadBaseline, parseBaseline } from '../src/scan/baseline.ts';
import { atOrAbove } from '../src/scan/finding.ts';
import { REPORT_ORDER, findings } from './fixtures/report/scan.ts';

const fixture = (name: string): string => join('test', 'fixtures', 'report', `baseline-${name}.json`);

async function loadError(name: string): Promise<{ error: LeakproofError; text: string }> {
  try {
    await loadBaseline(fixture(name));
  } catch (error) {
    assert.ok(error instanceof LeakproofError, String(error));
    assert.equal(error.exitCode, 2);
    return { error, text: error.format() };
  }
  assert.fail(`${name} loaded without error`);
}

describe('a baseline is created from the current findings', () => {
  it('holds one entry per finding, in report order, with what a reviewer needs to recognise it', () => {
    const baseline = createBaseline(findings());
    assert.equal(baseline.version, 1);
    assert.deepEqual(baseline.findings.map((e) => e.fingerprint), REPORT_ORDER);
    assert.deepEqual(baseline.findings[0], {
      fingerprint: 'mau0000000000001',
      checkId: 'missing-authentication',
      operation: 'GET /api/user/{id}',
      title: 'Anyone reads erin\'s profile without logging in',
    });
    assert.equal(baseline.findings.at(-1)?.operation, null, 'an API-wide finding has no operation');
  });

  it('stamps new entries with when and why, when given', () => {
    const [entry] = createBaseline(findings(), { acceptedAt: '2021-02-02', reason: 'tracked in SEC-12' }).findings;
    assert.equal(entry?.acceptedAt, '2021-02-02');
    assert.equal(entry.reason, 'tracked in SEC-12');
  });

  it('keeps the when and why of entries it already had when updated', () => {
    const previous: Baseline = { version: 1, findings: [{ fingerprint: 'bol0000000000001', checkId: 'bola', operation: null, title: 'old', acceptedAt: '2021-01-21', reason: 'accepted risk' }] };
    const updated = createBaseline(findings(), { previous, acceptedAt: '2021-02-02' });
    const bola = updated.findings.find((e) => e.fingerprint === 'bol0000000000001');
    assert.equal(bola?.acceptedAt, '2021-01-21');
    assert.equal(bola.reason, 'accepted risk');
    assert.equal(bola.title, 'alice reads bob\'s workout history', 'the description is refreshed');
    assert.equal(updated.findings.find((e) => e.fingerprint === 'mau0000000000001')?.acceptedAt, '2021-02-02');
  });

  it('collapses findings that share a fingerprint', () => {
    const twice = [...findings(), ...findings()];
    assert.equal(createBaseline(twice).findings.length, 7);
  });

  it('is written as JSON that loads back unchanged', async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'leakproof-baseline-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    const baseline = createBaseline(findings(), { acceptedAt: '2021-02-02T09:30:00Z', reason: 'known' });
    const text = formatBaseline(baseline);
    assert.ok(text.startsWith('{\n  "version": 1,\n  "findings": [\n'));
    assert.ok(text.endsWith('\n'));
    await writeFile(join(dir, 'baseline.json'), text);
    assert.deepEqual(await loadBaseline(join(dir, 'baseline.json')), baseline);
  });
});

describe('applying a baseline leaves only new findings to fail on', () => {
  it('the same findings again: nothing new, everything known, nothing fixed', () => {
    const comparison = applyBaseline(findings(), createBaseline(findings()));
    assert.deepEqual(comparison.new, []);
    assert.equal(comparison.known.length, 7);
    assert.deepEqual(comparison.fixed, []);
  });

  it('a finding that changed (a new victim, a new fingerprint) is new, and its old entry is listed as fixed', () => {
    const baseline = createBaseline(findings());
    const now = findings();
    const bola = now.find((f) => f.checkId === 'bola');
    assert.ok(bola);
    bola.fingerprint = 'bol0000000000002';
    const comparison = applyBaseline(now, baseline);
    assert.deepEqual(comparison.new.map((f) => f.fingerprint), ['bol0000000000002']);
    assert.equal(comparison.known.length, 6);
    assert.deepEqual(comparison.fixed.map((e) => e.fingerprint), ['bol0000000000001']);
  });

  it('a finding that is gone is listed as fixed, with what it was', () => {
    const comparison = applyBaseline(findings().filter((f) => f.checkId !== 'misconfiguration'), createBaseline(findings()));
    assert.deepEqual(comparison.new, []);
    assert.deepEqual(comparison.fixed, [{
      fingerprint: 'mis0000000000001',
      checkId: 'misconfiguration',
      operation: null,
      title: 'Responses say which framework serves them (X-Powered-By: Express)',
    }]);
  });

  it('so CI fails only on new findings at or above the threshold', async () => {
    const baseline = await loadBaseline(fixture('good'));
    const comparison = applyBaseline(findings(), baseline);
    assert.deepEqual(comparison.known.map((f) => f.fingerprint).sort(), ['mau0000000000001', 'mis0000000000001']);
    assert.deepEqual(comparison.new.filter((f) => atOrAbove(f, 'medium')).map((f) => f.fingerprint).sort(), [
      'bol0000000000001', 'ede0000000000001', 'mau0000000000002', 'pfb0000000000001',
    ]);
  });
});

describe('a bad baseline file is refused, naming the file, the line and what is wrong', () => {
  it('malformed JSON, at the line where it breaks', async () => {
    const { error, text } = await loadError('malformed');
    assert.ok(error instanceof ParseError);
    assert.equal(text, 'test/fixtures/report/baseline-malformed.json:9:5: ERR_PARSE invalid JSON: property name expected');
  });

  it('an empty file', async () => {
    const { error, text } = await loadError('empty');
    assert.ok(error instanceof ParseError);
    assert.match(text, /^test\/fixtures\/report\/baseline-empty\.json:1:1: ERR_PARSE /);
  });

  it('a file that is not there', async () => {
    await assert.rejects(loadBaseline(fixture('absent')), (error: unknown) => {
      assert.ok(error instanceof FileReadError);
      assert.equal(error.message, 'cannot read test/fixtures/report/baseline-absent.json: no such file');
      return true;
    });
  });

  it('a version this Leakproof does not read, with what to do', async () => {
    const { error, text } = await loadError('newer-version');
    assert.ok(error instanceof BaselineError);
    assert.equal(error.code, 'ERR_BASELINE');
    assert.equal(text, 'test/fixtures/report/baseline-newer-version.json:2:3: ERR_BASELINE version 2 is not a baseline version this Leakproof reads (1)\n  hint: this file was written by a newer Leakproof: upgrade, or write the baseline again');
  });

  it('an entry without a fingerprint, at the entry', async () => {
    assert.equal((await loadError('missing-fingerprint')).text, "test/fixtures/report/baseline-missing-fingerprint.json:10:5: ERR_BASELINE findings[1]: missing 'fingerprint'");
  });

  it('an unknown key, at the key, listing the known ones', async () => {
    assert.equal(
      (await loadError('unknown-key')).text,
      "test/fixtures/report/baseline-unknown-key.json:9:7: ERR_BASELINE findings[0]: unknown key 'reasons'\n  hint: known keys here: fingerprint, checkId, operation, title, acceptedAt, reason",
    );
  });

  it('a value of the wrong type, naming what it must be', async () => {
    assert.equal((await loadError('wrong-type')).text, 'test/fixtures/report/baseline-wrong-type.json:7:7: ERR_BASELINE findings[0].operation: must be a string or null');
  });

  it('a date that is not a date', async () => {
    assert.equal((await loadError('bad-date')).text, 'test/fixtures/report/baseline-bad-date.json:9:7: ERR_BASELINE findings[0].acceptedAt: must be an ISO 8601 date or date-time, e.g. 2021-02-02');
  });

  it('a file that is not an object, or has no findings', async () => {
    assert.equal((await loadError('array')).text, 'test/fixtures/report/baseline-array.json:1:1: ERR_BASELINE a baseline must be a JSON object with "version": 1 and "findings"');
    assert.equal((await loadError('no-findings')).text, "test/fixtures/report/baseline-no-findings.json:1:1: ERR_BASELINE missing 'findings'");
  });

  it('text parsed directly names the file it was given', () => {
    assert.throws(() => parseBaseline('{"version": 1, "findings": {}}', 'ci/baseline.json'), (error: unknown) => {
      assert.ok(error instanceof BaselineError);
      assert.equal(error.format(), 'ci/baseline.json:1:16: ERR_BASELINE findings: must be an array');
      return true;
    });
  });
});
