/**
 * The OpenAPI document describes the API as designed: every route the server deploys except the
 * forgotten legacy one, the views the fixed mode serves, and nothing of the undeclared fields.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { MODES, SEED, identityToken, referenceApiSpecPath, startReferenceApi } from '../src/reference-api/index.ts';
import { DOCUMENTED_ROUTES, routesFor } from '../src/reference-api/routes/catalogue.ts';
import { rulesFor } from '../src/reference-api/modes.ts';
import { loadApi } from '../src/core/load.ts';
import { allowsAnonymous } from '../src/core/model.ts';

interface Operation {
  operationId?: string;
  security?: unknown[];
  responses: Record<string, unknown>;
}
interface Schema {
  type?: unknown;
  properties?: Record<string, unknown>;
  additionalProperties?: unknown;
}
interface Spec {
  openapi: string;
  security: unknown[];
  paths: Record<string, Record<string, Operation>>;
  components: { securitySchemes: Record<string, unknown>; schemas: Record<string, Schema> };
}

const text = readFileSync(referenceApiSpecPath, 'utf8');
const spec = parse(text) as Spec;

const operations = Object.entries(spec.paths).flatMap(([path, item]) =>
  Object.entries(item).map(([method, operation]) => ({ method: method.toUpperCase(), path, operation })),
);

function operation(operationId: string): Operation {
  const found = operations.find((entry) => entry.operation.operationId === operationId);
  assert.ok(found, `${operationId} is in the document`);
  return found.operation;
}

function propertiesOf(schema: string): string[] {
  return Object.keys(spec.components.schemas[schema]?.properties ?? {}).sort();
}

describe('the OpenAPI document lists exactly the documented routes', () => {
  it('is OpenAPI 3.1 and parses', () => {
    assert.match(spec.openapi, /^3\.1\./);
  });

  it('has the agreed operationIds', () => {
    const ids = operations.map((entry) => entry.operation.operationId);
    for (const id of [
      'getMe',
      'updateMe',
      'getUser',
      'getUserWorkouts',
      'getUserFollowers',
      'searchUsers',
      'getWorkoutDetails',
      'graphql',
      'listAdminUsers',
      'login',
      'register',
    ]) {
      assert.ok(ids.includes(id), id);
    }
    assert.equal(new Set(ids).size, ids.length, 'operationIds are unique');
  });

  it('every operation is a route the server deploys with the same operationId, and every documented route is in it', () => {
    const documented = operations.map((entry) => `${entry.method} ${entry.path} ${entry.operation.operationId ?? ''}`).sort();
    const deployed = DOCUMENTED_ROUTES.map((route) => `${route.method} ${route.path} ${route.operationId ?? ''}`).sort();
    assert.deepEqual(documented, deployed);
  });

  it('omits the legacy /api/v1 route the leaky modes still deploy', () => {
    assert.ok(!Object.keys(spec.paths).some((path) => path.startsWith('/api/v1/')));
    const legacy = routesFor(rulesFor('leaky')).filter((route) => route.operationId === undefined);
    assert.deepEqual(legacy.map((route) => route.path), ['/api/v1/user/{id}']);
  });
});

describe('the OpenAPI document declares bearer JWT security for everything but signing in and itself', () => {
  it('declares a bearer JWT scheme globally', () => {
    const { type, scheme, bearerFormat } = spec.components.securitySchemes.bearerAuth as Record<string, unknown>;
    assert.deepEqual({ type, scheme, bearerFormat }, { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' });
    assert.deepEqual(spec.security, [{ bearerAuth: [] }]);
  });

  it('only /auth/* and /openapi.yaml opt out, and every other operation documents 401', () => {
    for (const { path, operation: op } of operations) {
      const open = path.startsWith('/auth/') || path === '/openapi.yaml';
      assert.deepEqual(op.security, open ? [] : undefined, path);
      if (!open) assert.ok('401' in op.responses, `${path} documents 401`);
    }
  });

  it('documents 403 where the fixed mode refuses and 404 where a rider may not exist', () => {
    for (const id of ['getUserWorkouts', 'getUserFollowers', 'listAdminUsers']) assert.ok('403' in operation(id).responses, id);
    for (const id of ['getUser', 'getUserWorkouts', 'getUserFollowers']) assert.ok('404' in operation(id).responses, id);
  });
});

describe('the OpenAPI schemas are closed and never declare the last login address', () => {
  it('every object schema, named or inline, sets additionalProperties: false', () => {
    const open: string[] = [];
    const visit = (node: unknown, pointer: string): void => {
      if (typeof node !== 'object' || node === null) return;
      const schema = node as Schema;
      if (schema.type === 'object' && schema.additionalProperties !== false) open.push(pointer);
      for (const [key, child] of Object.entries(node)) visit(child, `${pointer}/${key}`);
    };
    visit(spec, '');
    assert.deepEqual(open, []);
  });

  it('last_login_ip appears nowhere in the document', () => {
    assert.ok(!text.includes('last_login_ip'));
  });
});

describe("the fixed mode's answers have exactly the properties of the documented views", () => {
  it('Profile, MemberProfile and PublicProfile match what owner, follower and stranger get', async () => {
    const api = await startReferenceApi({ mode: 'fixed' });
    try {
      const bob = SEED.people.find((person) => person.username === 'bob');
      assert.ok(bob);
      const views: [string, string][] = [
        ['bob', 'Profile'],
        ['alice', 'MemberProfile'],
        ['frank', 'PublicProfile'],
      ];
      for (const [as, schema] of views) {
        const token = await identityToken(api.url, as);
        const response = await fetch(`${api.url}/api/user/${bob.id}`, { headers: { authorization: `Bearer ${token ?? ''}` } });
        assert.deepEqual(Object.keys((await response.json()) as object).sort(), propertiesOf(schema), `${as} gets ${schema}`);
      }
    } finally {
      await api.close();
    }
  });
});

describe('every mode serves the document at /openapi.yaml without a token', () => {
  for (const mode of MODES) {
    it(`${mode}: GET /openapi.yaml returns the file`, async () => {
      const api = await startReferenceApi({ mode });
      try {
        const response = await fetch(`${api.url}/openapi.yaml`);
        assert.equal(response.status, 200);
        assert.match(response.headers.get('content-type') ?? '', /^application\/yaml/);
        assert.equal(await response.text(), text);
      } finally {
        await api.close();
      }
    });
  }
});

describe('the OpenAPI document loads cleanly into the API model', () => {
  it('with every documented operation, its security, and no diagnostics', async () => {
    const api = await loadApi(referenceApiSpecPath);
    assert.deepEqual(api.diagnostics, []);
    assert.equal(api.format, 'openapi-3.1');
    assert.deepEqual(api.operations.map((op) => op.id).sort(), DOCUMENTED_ROUTES.map((route) => route.operationId).sort());
    const open = api.operations.filter(allowsAnonymous).map((op) => op.path).sort();
    assert.deepEqual(open, ['/auth/login', '/auth/register', '/openapi.yaml']);
  });
});
