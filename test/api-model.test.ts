import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { FileReadError, ParseError, RefError, SpecError } from '../src/core/errors.ts';
import { loadApi } from '../src/core/load.ts';
import type { ApiModel, JsonSchema, Operation } from '../src/core/model.ts';
import { allowsAnonymous } from '../src/core/model.ts';

const fixtures = join(import.meta.dirname, 'fixtures', 'specs');
const fixture = (name: string): string => join(fixtures, name);

function operation(api: ApiModel, id: string): Operation {
  const found = api.operations.find((op) => op.id === id);
  assert.ok(found, `operation ${id} is in the model`);
  return found;
}

function schemaOf(op: Operation, status: string): JsonSchema {
  const schema = op.responses.find((r) => r.status === status)?.content[0]?.schema;
  assert.ok(schema, `${op.id} has a ${status} schema`);
  return schema;
}

describe('OpenAPI 3.1 descriptions become operations with their source lines', async () => {
  const api = await loadApi(fixture('fitness.yaml'), { displayName: 'fitness.yaml' });

  it('reads the format, title, servers and document extensions', () => {
    assert.equal(api.format, 'openapi-3.1');
    assert.equal(api.title, 'Fixture fitness API');
    assert.deepEqual(api.servers.map((s) => s.url), ['https://api.example.test']);
    assert.equal(api.extensions['x-leakproof-audience'], 'private');
  });

  it('lists every operation of every path, and webhooks apart', () => {
    assert.deepEqual(api.operations.map((op) => `${op.method} ${op.path}`), [
      'GET /users/{id}', 'DELETE /users/{id}', 'GET /users/{id}/friends', 'POST /stats',
    ]);
    assert.deepEqual(api.webhooks.map((op) => `${op.method} ${op.path}`), ['POST workoutFinished']);
  });

  it('locates each operation at its method key', () => {
    assert.deepEqual(operation(api, 'getUser').location, { file: 'fitness.yaml', line: 17, column: 5, pointer: '/paths/~1users~1{id}/get' });
    assert.equal(operation(api, 'deleteUser').location?.line, 34);
    assert.equal(operation(api, 'bulkStats').location?.line, 57);
  });

  it('merges path-level parameters, the operation overriding by name and place', () => {
    const params = operation(api, 'getUser').parameters;
    assert.deepEqual(params.map((p) => `${p.in}:${p.name}:${String(p.required)}`), ['path:id:true', 'header:trace:true']);
    assert.equal(params[1]?.schema.maxLength, 64);
    assert.equal(params[0]?.location?.line, 76, 'a $ref parameter locates at its definition');
  });

  it('takes security from the operation, else from the document', () => {
    const getUser = operation(api, 'getUser');
    assert.deepEqual(getUser.security, [{ bearer: [] }]);
    assert.equal(getUser.securitySource, 'document');
    assert.equal(allowsAnonymous(getUser), false);
    const deleteUser = operation(api, 'deleteUser');
    assert.deepEqual(deleteUser.security, []);
    assert.equal(deleteUser.securitySource, 'operation');
    assert.equal(allowsAnonymous(deleteUser), true, 'security: [] switches authentication off');
    assert.equal(allowsAnonymous(operation(api, 'listFriends')), true, 'an empty requirement {} makes credentials optional');
  });

  it('reads security schemes', () => {
    assert.deepEqual(
      { ...api.securitySchemes.get('bearer'), location: undefined },
      { name: 'bearer', type: 'http', scheme: 'bearer', bearerFormat: 'JWT', in: undefined, parameterName: undefined, location: undefined },
    );
    assert.equal(api.securitySchemes.get('key')?.in, 'query');
    assert.equal(api.securitySchemes.get('bearer')?.location?.line, 81);
  });

  it('reads request bodies, responses, tags, deprecation and extensions', () => {
    const bulk = operation(api, 'bulkStats');
    assert.equal(bulk.requestBody?.required, true);
    assert.equal(bulk.requestBody.content[0]?.mediaType, 'application/json');
    assert.deepEqual(bulk.responses.map((r) => r.status), ['default']);
    assert.deepEqual(operation(api, 'getUser').tags, ['users']);
    assert.equal(operation(api, 'deleteUser').deprecated, true);
    assert.equal(operation(api, 'listFriends').extensions['x-rate-limit'], 10);
  });

  it('replaces schema $refs with the schemas they name, sharing recursive ones', () => {
    const profile = schemaOf(operation(api, 'getUser'), '200');
    assert.equal(profile, api.schemas.get('Profile'));
    const properties = profile.properties as Record<string, JsonSchema>;
    assert.equal(properties.best_friend, profile, 'a recursive schema points at itself instead of being copied');
  });

  it('locates schemas and their members, escaping JSON Pointer tokens', () => {
    const profile = api.schemas.get('Profile');
    assert.ok(profile);
    assert.equal(api.locate(profile)?.line, 90);
    const properties = profile.properties as Record<string, JsonSchema>;
    assert.deepEqual(api.locate(properties, 'birthday'), { file: 'fitness.yaml', line: 94, column: 9, pointer: '/components/schemas/Profile/properties/birthday' });
    assert.equal(api.locate(properties, 'a/b~c')?.pointer, '/components/schemas/Profile/properties/a~1b~0c');
  });

  it('follows $refs into other files and locates what it finds there in that file', () => {
    const friends = schemaOf(operation(api, 'listFriends'), '200');
    const person = friends.items as JsonSchema;
    const properties = person.properties as Record<string, JsonSchema>;
    assert.equal(properties.location?.type, 'string', 'a $ref inside the other file resolves against that file');
    const where = api.locate(person);
    assert.equal(where?.file, join('test', 'fixtures', 'specs', 'shared', 'person.yaml'));
    assert.equal(where.line, 1);
    assert.equal(where.pointer, '/Person');
  });

  it('loads a clean description without diagnostics', () => {
    assert.deepEqual(api.diagnostics, []);
  });
});

describe('Swagger 2.0 descriptions are read into the same model, keeping their own lines', async () => {
  const api = await loadApi(fixture('petstore-swagger2.json'), { displayName: 'petstore.json' });

  it('builds servers from schemes, host and basePath', () => {
    assert.equal(api.format, 'swagger-2.0');
    assert.deepEqual(api.servers.map((s) => s.url), ['https://pets.example.test/v1', 'http://pets.example.test/v1']);
    assert.equal(api.servers[0]?.location?.line, 4);
  });

  it('keeps paths as written and locates operations in the JSON file', () => {
    assert.deepEqual(api.operations.map((op) => [op.id, op.path, op.location?.line]), [
      ['listPets', '/pets', 15], ['createPet', '/pets', 20], ['uploadPhoto', '/pets/{petId}/photo', 28],
    ]);
  });

  it('gathers inline parameter keywords into a schema that locates at the parameter', () => {
    const [limit] = operation(api, 'listPets').parameters;
    assert.deepEqual(limit?.schema, { type: 'integer', maximum: 100 });
    assert.equal(limit.location?.line, 17);
    assert.equal(api.locate(limit.schema, 'maximum')?.line, 17);
  });

  it('turns a body parameter into a request body for each consumed media type', () => {
    const body = operation(api, 'createPet').requestBody;
    assert.equal(body?.required, true);
    assert.deepEqual(body.content.map((c) => c.mediaType), ['application/json', 'application/xml']);
    assert.equal(body.content[0]?.schema, api.schemas.get('Pet'));
  });

  it('turns formData parameters into a form body, multipart when a file is sent', () => {
    const op = operation(api, 'uploadPhoto');
    assert.deepEqual(op.parameters.map((p) => p.name), ['petId']);
    assert.equal(op.requestBody?.content[0]?.mediaType, 'multipart/form-data');
    const schema = op.requestBody.content[0].schema;
    assert.deepEqual(Object.keys(schema?.properties as object), ['file', 'caption']);
    assert.deepEqual(schema?.required, ['file']);
  });

  it('gives responses with a schema one content entry per produced media type', () => {
    const list = schemaOf(operation(api, 'listPets'), '200');
    assert.equal(list.items, api.schemas.get('Pet'));
    assert.deepEqual(operation(api, 'createPet').responses[0]?.content, [], 'a response without a schema has no content');
  });

  it('maps security definitions and requirements', () => {
    assert.equal(api.securitySchemes.get('key')?.type, 'apiKey');
    assert.equal(api.securitySchemes.get('key')?.parameterName, 'X-Key');
    assert.equal(api.securitySchemes.get('basic')?.scheme, 'basic');
    assert.deepEqual(operation(api, 'listPets').security, [{ key: [] }]);
    assert.deepEqual(operation(api, 'uploadPhoto').security, [{ basic: [] }]);
  });
});

describe('a $ref that points at nothing is reported at the $ref, with file and line', () => {
  it('is an error diagnostic, and the rest of the description still loads', async () => {
    const api = await loadApi(fixture('broken-ref.yaml'), { displayName: 'broken-ref.yaml' });
    assert.equal(api.operations.length, 1);
    assert.equal(api.diagnostics.length, 1);
    const [diagnostic] = api.diagnostics;
    assert.equal(diagnostic?.severity, 'error');
    assert.equal(diagnostic.code, 'unresolved-ref');
    assert.match(diagnostic.message, /'#\/components\/schemas\/Thnig' points at nothing: there is no 'Thnig'/);
    assert.deepEqual(diagnostic.location, { file: 'broken-ref.yaml', line: 12, column: 17, pointer: '/paths/~1things/get/responses/200/content/application~1json/schema/$ref' });
  });

  it('throws a RefError with the location in strict mode', async () => {
    await assert.rejects(loadApi(fixture('broken-ref.yaml'), { displayName: 'broken-ref.yaml', strict: true }), (error: unknown) => {
      assert.ok(error instanceof RefError);
      assert.equal(error.code, 'ERR_SPEC_REF');
      assert.equal(error.exitCode, 2);
      assert.match(error.format(), /^broken-ref\.yaml:12:17: ERR_SPEC_REF \$ref '#\/components\/schemas\/Thnig' points at nothing/);
      return true;
    });
  });

  it('names a referenced file that cannot be read', async () => {
    const api = await loadApi(fixture('missing-file-ref.yaml'), { displayName: 'missing-file-ref.yaml' });
    const [diagnostic] = api.diagnostics;
    assert.match(diagnostic?.message ?? '', /'nowhere\/thing\.yaml#\/Thing' names a file that cannot be read \(cannot read .*: no such file\)/);
    assert.equal(diagnostic?.location?.line, 12);
  });
});

describe('input that is not a usable description fails with file:line and exit code 2', () => {
  const rejects = async (name: string, type: new (...args: never[]) => Error, pattern: RegExp): Promise<void> => {
    await assert.rejects(loadApi(fixture(name), { displayName: name }), (error: unknown) => {
      assert.ok(error instanceof type, `${name}: ${String(error)}`);
      assert.equal((error as { exitCode?: number }).exitCode, 2);
      assert.match((error as unknown as { format(): string }).format(), pattern);
      return true;
    });
  };

  it('malformed YAML', () => rejects('malformed.yaml', ParseError, /^malformed\.yaml:9:\d+: ERR_PARSE invalid YAML: /));
  it('malformed JSON', () => rejects('malformed.json', ParseError, /^malformed\.json:5:41: ERR_PARSE invalid JSON: property name expected/));
  it('an unsupported version, at its line', () =>
    rejects('unsupported.yaml', SpecError, /^unsupported\.yaml:3:1: ERR_SPEC_INVALID unsupported OpenAPI version '4\.0\.0'\n {2}hint: Leakproof reads OpenAPI 3\.0, OpenAPI 3\.1 and Swagger 2\.0/));
  it('a YAML file that is no API description', () => rejects('not-a-spec.yaml', SpecError, /^not-a-spec\.yaml:1:1: ERR_SPEC_INVALID not an API description: it has neither an 'openapi' nor a 'swagger' field/));
  it('a file that does not exist', () => rejects('nope.yaml', FileReadError, /^ERR_FILE_READ cannot read nope\.yaml: no such file/));
});
