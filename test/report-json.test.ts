import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { JsonReport } from '../src/scan/report/index.ts';
import { sortFindings, writeJsonReport, writeReport } from '../src/scan/report/index.ts';
import { AWKWARD, CHECKS, HOSTILE_SCRIPT, REPORT_ORDER, findings, summary } from './fixtures/report/scan.ts';

/** The documented convention: what is undefined in memory is null in the file. */
function withNulls(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value, (_key, v: unknown) => (v === undefined ? null : v)));
}

const report = JSON.parse(writeJsonReport(findings(), summary())) as JsonReport;

describe('the JSON report has a stable, documented shape', () => {
  it('is { tool, summary, findings }', () => {
    assert.deepEqual(Object.keys(report), ['tool', 'summary', 'findings']);
    assert.deepEqual(report.tool, { name: 'leakproof', version: '0.1.0' });
  });

  it('summarises the scan with counts by severity and how many findings fail the run', () => {
    const { checks, ...rest } = report.summary;
    assert.deepEqual(rest, {
      kind: 'scan',
      target: 'http://127.0.0.1:8080',
      spec: 'src/reference-api/openapi.yaml',
      startedAt: '2021-01-20T10:00:00.000Z',
      durationMs: 3250,
      requests: 1234,
      operations: 12,
      identities: ['anonymous', 'alice', 'bob', 'admin'],
      failOn: 'medium',
      counts: { critical: 2, high: 2, medium: 1, low: 1, info: 1 },
      total: 7,
      failing: 5,
    });
    assert.deepEqual(checks, CHECKS);
  });

  it('writes every member, with null for what a finding does not have', () => {
    const apiWide = report.findings.find((f) => f.checkId === 'misconfiguration');
    assert.equal(apiWide?.operation, null);
    assert.equal(apiWide.location, null);
    const unanswered = report.findings.flatMap((f) => f.evidence.exchanges).find((e) => e.response === null);
    assert.equal(unanswered?.error, 'timeout after 10000 ms');
    assert.equal(unanswered.request.body, null);
    assert.equal((JSON.parse(writeJsonReport([], summary({ target: undefined }))) as JsonReport).summary.target, null);
  });
});

describe('the JSON report round-trips the findings and their evidence', () => {
  it('reads back as the findings, in report order, undefined written as null', () => {
    assert.deepEqual(report.findings, withNulls(sortFindings(findings())));
  });

  it('keeps hostile and awkward response text exactly', () => {
    const exposure = report.findings.find((f) => f.checkId === 'excessive-data-exposure');
    const [exchange] = exposure?.evidence.exchanges ?? [];
    assert.equal((exchange?.response?.json as { bio: string }).bio, `${HOSTILE_SCRIPT}${AWKWARD}`);
  });
});

describe('the JSON report is the same text for the same scan', () => {
  it('whatever order the findings come in', () => {
    const shuffled = findings().reverse();
    assert.equal(writeJsonReport(shuffled, summary()), writeJsonReport(findings(), summary()));
    assert.deepEqual(report.findings.map((f) => f.fingerprint), REPORT_ORDER);
  });

  it('whatever order headers were recorded in', () => {
    const [first] = findings();
    const [exchange] = first?.evidence.exchanges ?? [];
    assert.ok(first && exchange?.response);
    const headers = exchange.response.headers;
    exchange.response.headers = Object.fromEntries(Object.entries(headers).reverse());
    const [original] = findings();
    assert.ok(original);
    assert.equal(writeJsonReport([first], summary()), writeJsonReport([original], summary()));
  });

  it('as two-space JSON ending in a newline, the same through writeReport', () => {
    const text = writeReport('json', findings(), summary());
    assert.ok(text.startsWith('{\n  "tool": {'));
    assert.ok(text.endsWith('}\n'));
    assert.equal(text, writeJsonReport(findings(), summary()));
  });
});
