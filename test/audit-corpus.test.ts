/**
 * The audit runs on every real, published description in ../shared/specs without failing, gives
 * the same findings twice, and places every finding in the file and at a line.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { auditApi } from '../src/audit/index.ts';
import { loadApi } from '../src/core/load.ts';

const corpus = process.env.LEAKPROOF_SPECS_DIR ?? join(import.meta.dirname, '..', '..', 'shared', 'specs');
const files = existsSync(corpus) ? readdirSync(corpus).filter((f) => !f.endsWith('.md')).sort() : [];

describe('leakproof audit on every description in shared/specs', { skip: files.length > 0 ? false : `no corpus at ${corpus}` }, () => {
  for (const file of files) {
    it(file, async () => {
      const path = join(corpus, file);
      const api = await loadApi(path, { displayName: file });
      const first = await auditApi(api, { path });
      const second = await auditApi(api, { path });
      assert.deepEqual(second.findings, first.findings, 'the same findings, in the same order');
      assert.equal(new Set(first.findings.map((f) => f.fingerprint)).size, first.findings.length, 'fingerprints are unique');
      for (const finding of first.findings) {
        assert.ok(finding.location && finding.location.line >= 1, `${finding.checkId} ${finding.title} has a line`);
        assert.equal(finding.location.file, file, `${finding.checkId} is in the file itself`);
      }
    });
  }
});
