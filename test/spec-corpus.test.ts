/**
 * Every real, published description in ../shared/specs loads, with the operation counts of its
 * MANIFEST.md, locations for every operation, and only the diagnostics its own flaws call for.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { escapePointerToken } from '../src/core/location.ts';
import { loadApi } from '../src/core/load.ts';

const corpus = process.env.LEAKPROOF_SPECS_DIR ?? join(import.meta.dirname, '..', '..', 'shared', 'specs');

interface Expected {
  operations: number;
  webhooks: number;
}

/** Reads the `Operations` column of MANIFEST.md: `288 (+16 webhook)`. */
function manifestCounts(): Map<string, Expected> {
  const counts = new Map<string, Expected>();
  for (const line of readFileSync(join(corpus, 'MANIFEST.md'), 'utf8').split('\n')) {
    const cells = line.split('|').map((c) => c.trim());
    const file = /^`(.+)`$/.exec(cells[2] ?? '')?.[1];
    const operations = /^(\d+)(?: \(\+(\d+) webhook\))?$/.exec(cells[10] ?? '');
    if (file && operations) counts.set(file, { operations: Number(operations[1]), webhooks: Number(operations[2] ?? 0) });
  }
  return counts;
}

/** The flaws these published files really have, and what Leakproof says about them. */
const KNOWN_DIAGNOSTICS: Record<string, Record<string, number>> = {
  // Kong's generator writes empty objects as [] (Lua has one type for both).
  'kong-admin-api.yml': { 'empty-list-as-object': 14 },
  // Five $refs to CatalogModifierToggleOverrideType, which the file never defines.
  'square-connect-api.json': { 'unresolved-ref': 5 },
};

describe('every description in shared/specs loads as MANIFEST.md counts it', { skip: existsSync(corpus) ? false : `no corpus at ${corpus}` }, () => {
  const expected = existsSync(corpus) ? manifestCounts() : new Map<string, Expected>();
  const files = existsSync(corpus) ? readdirSync(corpus).filter((f) => !f.endsWith('.md')).sort() : [];

  it('has a MANIFEST.md row for each of the 36 files', () => {
    assert.equal(files.length, 36);
    assert.deepEqual(files.filter((f) => !expected.has(f)), []);
  });

  for (const file of files) {
    it(file, async () => {
      const api = await loadApi(join(corpus, file), { displayName: file });
      const want = expected.get(file);
      assert.equal(api.operations.length, want?.operations, 'operations');
      assert.equal(api.webhooks.length, want?.webhooks, 'webhooks');

      for (const op of api.operations) {
        assert.equal(op.location?.file, file);
        assert.ok(op.location.line >= 1);
        assert.equal(op.location.pointer, `/paths/${escapePointerToken(op.path)}/${op.method.toLowerCase()}`);
      }
      assert.equal(new Set(api.operations.map((op) => op.id)).size, api.operations.length, 'operation ids are unique');

      const codes: Record<string, number> = {};
      for (const diagnostic of api.diagnostics) {
        codes[diagnostic.code] = (codes[diagnostic.code] ?? 0) + 1;
        assert.equal(diagnostic.location?.file, file, 'every diagnostic says where');
      }
      assert.deepEqual(codes, KNOWN_DIAGNOSTICS[file] ?? {});
    });
  }
});
