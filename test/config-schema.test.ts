import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Ajv } from 'ajv';
import { parse } from 'yaml';
import { leakproofConfigSchema } from '../src/config-schema.ts';
import { referenceApiScanConfigPath } from '../src/reference-api/index.ts';

const published = JSON.parse(readFileSync(join(import.meta.dirname, '..', 'leakproof.schema.json'), 'utf8')) as unknown;

describe('leakproof.schema.json is the configuration schema the code checks against', () => {
  it('matches the schemas in the code (run npm run schema after changing them)', () => {
    assert.deepEqual(published, JSON.parse(JSON.stringify(leakproofConfigSchema)));
  });

  it('compiles, accepts the reference API\'s configuration, and refuses a typo', () => {
    const validate = new Ajv({ allErrors: true, strict: true, strictRequired: false }).compile(published as object);
    assert.equal(validate(parse(readFileSync(referenceApiScanConfigPath, 'utf8'))), true, JSON.stringify(validate.errors));
    assert.equal(validate({ scan: { targte: 'http://127.0.0.1' } }), false);
  });
});
