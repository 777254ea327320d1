import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Operation } from '../src/core/model.ts';
import { undocumentedVariants } from '../src/scan/inventory.ts';

const operation = (path: string): Operation => ({ path, method: 'GET' } as Operation);

describe('undocumented twins are derived from documented routes', () => {
  it('puts a version at the root and after the first segment', () => {
    assert.deepEqual(undocumentedVariants(operation('/api/user/{id}'), new Set()).slice(0, 2), ['/v1/api/user/{id}', '/api/v1/user/{id}']);
    assert.equal(undocumentedVariants(operation('/api/user/{id}'), new Set()).length, 8);
  });

  it('replaces the version of a versioned route instead of adding a second one', () => {
    assert.deepEqual(undocumentedVariants(operation('/api/v2/user/{id}'), new Set()), ['/api/v1/user/{id}', '/api/v0/user/{id}', '/api/v3/user/{id}']);
  });

  it('never proposes a route the description documents', () => {
    const variants = undocumentedVariants(operation('/api/user/{id}'), new Set(['GET /api/v1/user/{id}']));
    assert.ok(variants.length > 0);
    assert.ok(!variants.includes('/api/v1/user/{id}'));
  });
});
