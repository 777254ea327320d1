import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { REPORT_FORMATS, isReportFormat, writeReport } from '../src/scan/report/index.ts';
import { findings, summary } from './fixtures/report/scan.ts';

describe('every report format writes the same text for the same scan', () => {
  for (const format of REPORT_FORMATS) {
    it(`${format}: whatever order the findings come in, and without touching them`, () => {
      const input = findings();
      const before = JSON.stringify(input);
      const text = writeReport(format, input, summary());
      assert.equal(JSON.stringify(input), before, 'the findings are left as they were');
      assert.equal(writeReport(format, findings().reverse(), summary()), text);
    });
  }
});

describe('report formats are named on the command line', () => {
  it('knows the five formats and nothing else', () => {
    assert.deepEqual(REPORT_FORMATS, ['console', 'json', 'sarif', 'junit', 'html']);
    assert.ok(isReportFormat('sarif'));
    assert.equal(isReportFormat('xml'), false);
  });
});
