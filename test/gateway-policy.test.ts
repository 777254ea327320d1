/**
 * The gateway's decisions, without a socket: which operation a path is (and which paths are
 * refused outright), what a CEL condition says (and that errors say no), which fields a schema
 * lets out, which records a policy keeps and through which view, and what a request must be.
 */
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadConfig } from '../src/core/config.ts';
import { loadApi } from '../src/core/load.ts';
import type { Operation } from '../src/core/model.ts';
import { compilePolicies } from '../src/gateway/compile.ts';
import { gatewayConfig } from '../src/gateway/config.ts';
import { createExpressionCompiler } from '../src/gateway/expression.ts';
import type { OperationPolicy } from '../src/gateway/policy.ts';
import { asksLookups, filterAnswer } from '../src/gateway/policy.ts';
import { createRouter, splitPath } from '../src/gateway/router.ts';
import { createRequestValidator } from '../src/gateway/validation.ts';
import { project, shapeOf, stripUndeclared } from '../src/gateway/views.ts';
import { referenceApiSpecPath } from '../src/reference-api/index.ts';

const api = await loadApi(referenceApiSpecPath);
const operation = (id: string): Operation => {
  const found = api.operations.find((o) => o.id === id);
  assert.ok(found, id);
  return found;
};
const alice = { authenticated: true, kind: 'jwt', sub: 'a1', roles: [], claims: {} };
const request = { method: 'GET', path: '/', params: {}, query: {}, operation: 'x' };

describe('only described operations are routed, and only plain paths are matched', () => {
  const router = createRouter(api.operations);

  it('matches templates, literal segments first', () => {
    const search = router.match('GET', '/api/user/search/al');
    assert.ok(search.ok);
    assert.equal(search.route.operation.id, 'searchUsers');
    assert.deepEqual(search.route.params, { query: 'al' });
    const user = router.match('GET', '/api/user/42');
    assert.ok(user.ok);
    assert.equal(user.route.operation.id, 'getUser');
    assert.deepEqual(user.route.params, { id: '42' });
  });

  it('refuses what the description does not name: 404 for a path, 405 for a method', () => {
    assert.deepEqual(pick(router.match('GET', '/api/v1/user/42')), [false, 404]);
    assert.deepEqual(pick(router.match('DELETE', '/api/user/42')), [false, 405]);
    assert.deepEqual(pick(router.match('GET', '/api/user/42/')), [false, 404], 'a trailing slash is another path');
  });

  it('refuses dot segments, encoded slashes, backslashes, NUL and malformed escapes before matching', () => {
    for (const path of ['/api/user/../admin/users', '/api/user/%2e%2e/admin', '/api/user/1%2F..%2Fadmin', '/api\\user/1', '/api/user/1%00', '/api/user/%E0%A4%A', 'api/user/1']) {
      assert.equal(typeof splitPath(path), 'string', path);
      assert.deepEqual(pick(router.match('GET', path)), [false, 400], path);
    }
  });
});

function pick(result: ReturnType<ReturnType<typeof createRouter>['match']>): [boolean, number | undefined] {
  return [result.ok, result.ok ? undefined : result.status];
}

describe('CEL conditions compile once and fail closed', () => {
  const cel = createExpressionCompiler({ followers: (id) => Promise.resolve(id === 'b1' ? ['a1'] : []) });

  it('decides from principal, request, resource and lookups', async () => {
    const visible = cel.compile('resource.id == principal.sub || !resource.is_profile_private || principal.sub in followers(resource.id)');
    assert.equal(await visible.test({ principal: alice, request, resource: { id: 'b1', is_profile_private: true } }), true, 'a follower');
    assert.equal(await visible.test({ principal: alice, request, resource: { id: 'c1', is_profile_private: true } }), false, 'a stranger');
    assert.equal(await visible.test({ principal: alice, request, resource: { id: 'c1', is_profile_private: false } }), true, 'a public profile');
  });

  it('knows which conditions may call a lookup, so that only those are given the caller\'s credentials', () => {
    assert.equal(cel.compile('principal.sub in followers(resource.id)').asksLookups, true);
    assert.equal(cel.compile('resource.id == principal.sub').asksLookups, false);
    assert.equal(cel.compile('resource.followers_count > 3').asksLookups, false, 'a field that only starts like a lookup');
  });

  it('counts an error at run time as false: a missing key, a failing lookup', async () => {
    assert.equal(await cel.compile('resource.is_profile_private == false').test({ principal: alice, request, resource: {} }), false);
    const failing = createExpressionCompiler({ followers: () => Promise.reject(new Error('upstream down')) });
    assert.equal(await failing.compile('principal.sub in followers("b1")').test({ principal: alice, request }), false);
  });

  it('refuses at compile time what cannot run: bad syntax, unknown names, a non-boolean result', () => {
    assert.throws(() => cel.compile('resource.id =='), /Unexpected token/);
    assert.throws(() => cel.compile('user.id == "x"'), /Unknown variable: user/);
    assert.throws(() => cel.compile('"a" + 1 == "a1"'), /no such overload/);
    assert.throws(() => cel.compile('"yes"'), /gives string, not bool/);
  });
});

describe('only declared fields leave, and a view narrows them further', () => {
  const schema = {
    type: 'object',
    additionalProperties: false,
    properties: {
      data: { type: 'array', items: { allOf: [{ type: 'object', properties: { id: { type: 'string' } } }, { properties: { age: { type: 'integer' }, address: { type: 'object', properties: { city: { type: 'string' } } } } }] } },
      meta: { type: 'object' },
    },
  };

  it('strips undeclared fields at every depth, through allOf and array items', () => {
    const answer = { data: [{ id: '1', age: 33, last_login_ip: '10.0.0.1', address: { city: 'El Paso', street: '1 Main St' } }], meta: { anything: true }, debug: 'x' };
    assert.deepEqual(stripUndeclared(answer, shapeOf(schema)), { data: [{ id: '1', age: 33, address: { city: 'El Paso' } }], meta: { anything: true } });
  });

  it('leaves open schemas open: nothing is declared to hold them to', () => {
    assert.deepEqual(stripUndeclared({ a: 1 }, shapeOf({ type: 'object', additionalProperties: true, properties: { b: {} } })), { a: 1 });
    assert.deepEqual(stripUndeclared({ a: 1 }, shapeOf(undefined)), { a: 1 });
  });

  it('projects a record to a view\'s fields', () => {
    assert.deepEqual(project({ id: '1', age: 33, username: 'erin' }, new Set(['id', 'username'])), { id: '1', username: 'erin' });
    assert.deepEqual(project({ id: '1', age: 33 }, '*'), { id: '1', age: 33 });
  });
});

describe('an answer keeps the records the caller may see, each through its view', () => {
  const cel = createExpressionCompiler({ followers: (id) => Promise.resolve(id === 'b1' ? ['a1'] : []) });
  const policy = (id: string, records: string, withViews = true): OperationPolicy => {
    const conditions = {
      allow: cel.compile('true'),
      show: undefined,
      views: withViews
        ? [
            { name: 'owner', fields: '*' as const, when: cel.compile('resource.id == principal.sub') },
            { name: 'member', fields: new Set(['id', 'username', 'location', 'is_profile_private']), when: cel.compile('!resource.is_profile_private || principal.sub in followers(resource.id)') },
          ]
        : undefined,
    };
    return { operation: operation(id), records, ...conditions, asksLookups: asksLookups(conditions) };
  };
  const people = [
    { id: 'a1', username: 'alice', age: 30, location: 'Austin', is_profile_private: false, image_url: 'x' },
    { id: 'b1', username: 'bob', age: 40, location: 'Boston', is_profile_private: true, image_url: 'x' },
    { id: 'c1', username: 'carol', age: 50, location: 'Chicago', is_profile_private: true, image_url: 'x' },
    { id: 'd1', username: 'dave', age: 60, location: 'Denver', is_profile_private: false, image_url: 'x' },
  ];

  it('removes records no view allows, never blanks them, and narrows the rest', async () => {
    const answer = await filterAnswer(policy('searchUsers', '$.data[*]'), { data: structuredClone(people) }, { principal: alice, request }, 200);
    assert.deepEqual(answer.body, {
      data: [
        { id: 'a1', username: 'alice', age: 30, location: 'Austin', is_profile_private: false, image_url: 'x' },
        { id: 'b1', username: 'bob', location: 'Boston', is_profile_private: true },
        { id: 'd1', username: 'dave', location: 'Denver', is_profile_private: false },
      ],
    });
    assert.deepEqual(answer.subjects, ['a1', 'b1', 'd1']);
    assert.equal(answer.removed, 1);
    assert.deepEqual(answer.views.sort(), ['member', 'owner']);
  });

  it('hides an answer that is itself a record the caller may not see', async () => {
    const answer = await filterAnswer(policy('getUser', '$'), structuredClone(people[2]), { principal: alice, request }, 200);
    assert.equal(answer.body, undefined);
  });

  it('finds records anywhere with `deep`, so a GraphQL alias cannot move one out of reach', async () => {
    const graphql = { data: { me: structuredClone(people[0]), sneaky: structuredClone(people[2]), list: { items: [structuredClone(people[3])] } } };
    const answer = await filterAnswer(policy('graphql', 'deep'), graphql, { principal: alice, request }, 200);
    assert.deepEqual(answer.body, { data: { me: people[0], list: { items: [{ id: 'd1', username: 'dave', location: 'Denver', is_profile_private: false }] } } });
  });

  it('without views, records keep their declared fields only', async () => {
    const answer = await filterAnswer(policy('getUser', '$', false), { ...structuredClone(people[0]), last_login_ip: '10.1.1.1' }, { principal: alice, request }, 200);
    assert.deepEqual(answer.body, people[0]);
  });
});

describe('requests are held to the description', () => {
  it('enforces a bulk lookup\'s maxItems, the body\'s shape and required bodies', () => {
    const details = createRequestValidator(operation('getWorkoutDetails'));
    const query = new URLSearchParams();
    const id = (n: number): string => n.toString(16).padStart(32, '0');
    assert.deepEqual(details.validate({ params: {}, query, body: { ids: [id(1)] }, hasBody: true }), { ok: true });
    assert.deepEqual(details.validate({ params: {}, query, body: { ids: ['1 OR 1=1'] }, hasBody: true }), { ok: false, reason: 'body.ids[0] must match pattern "^[0-9a-f]{32}$"' });
    const many = details.validate({ params: {}, query, body: { ids: Array.from({ length: 800 }, (_, i) => id(i)) }, hasBody: true });
    assert.equal(many.ok, false);
    assert.match(many.reason, /^body\.ids must NOT have more than 50 items$/);
    assert.equal(details.validate({ params: {}, query, body: undefined, hasBody: false }).ok, false);
  });

  it('refuses properties a client may not write (mass assignment) and bodies where none is taken', () => {
    const update = createRequestValidator(operation('updateMe'));
    const result = update.validate({ params: {}, query: new URLSearchParams(), body: { role: 'admin' }, hasBody: true });
    assert.equal(result.ok, false);
    const me = createRequestValidator(operation('getMe'));
    assert.deepEqual(me.validate({ params: {}, query: new URLSearchParams(), body: {}, hasBody: true }), { ok: false, reason: 'this operation takes no request body' });
  });
});

describe('the configuration compiles once, and every mistake is at its line', () => {
  async function compileYaml(gateway: string): Promise<unknown> {
    const dir = await mkdtemp(join(tmpdir(), 'leakproof-gateway-'));
    const file = join(dir, 'gateway.yaml');
    await writeFile(file, `gateway:\n  upstream: { url: http://127.0.0.1:1 }\n  spec: ${referenceApiSpecPath}\n${gateway}`);
    const config = await loadConfig(file);
    return compilePolicies(gatewayConfig(config), api, createExpressionCompiler(), config);
  }

  it('a condition that does not compile', async () => {
    await assert.rejects(compileYaml('  operations:\n    getUser:\n      allow: principal.sub ==\n'), (error: Error & { code?: string; location?: { line: number } }) => {
      assert.equal(error.code, 'ERR_CONFIG');
      assert.match(error.message, /gateway\.operations\.getUser: the condition 'principal\.sub ==' does not compile: Unexpected token/);
      assert.equal(error.location?.line, 6);
      return true;
    });
  });

  it('an operation the description does not have, and a view that does not exist', async () => {
    await assert.rejects(compileYaml('  operations:\n    getUsr: { allow: "true" }\n'), (error: Error & { location?: { line: number } }) => {
      assert.match(error.message, /has no operation 'getUsr'/);
      assert.equal(error.location?.line, 5);
      return true;
    });
    await assert.rejects(compileYaml('  operations:\n    getUser:\n      views: [{ view: nosuch }]\n'), /there is no view 'nosuch'/);
  });

  it('denies by default: an operation without a policy, with no default, allows nobody', async () => {
    const policies = (await compileYaml('  operations:\n    getUser: { allow: "true" }\n')) as Map<string, OperationPolicy>;
    assert.equal(await policies.get('getMe')?.allow.test({ principal: alice, request }), false);
    assert.equal(await policies.get('getUser')?.allow.test({ principal: alice, request }), true);
  });
});
