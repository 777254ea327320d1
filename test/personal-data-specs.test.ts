import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { createClassifier } from '../src/core/personal-data/index.ts';

const SPECS = new URL('../../shared/specs/', import.meta.url);

type Json = Record<string, unknown>;

/** Named schemas of a description, with local `$ref`s replaced by what they point at (shared objects, cycles and all). */
function namedSchemas(file: string): Map<string, Json> {
  const document = parse(readFileSync(new URL(file, SPECS), 'utf8')) as Json;
  const target = (ref: string): unknown =>
    ref
      .slice(2)
      .split('/')
      .map((token) => token.replaceAll('~1', '/').replaceAll('~0', '~'))
      .reduce<unknown>((node, token) => (node as Json | undefined)?.[token], document);
  const seen = new Set<object>();
  const resolve = (node: unknown): void => {
    if (node === null || typeof node !== 'object' || seen.has(node)) return;
    seen.add(node);
    const members = node as Json;
    for (const [key, value] of Object.entries(members)) {
      let resolved = value;
      while (isLocalRef(resolved)) resolved = target(resolved.$ref);
      members[key] = resolved;
      resolve(resolved);
    }
  };
  resolve(document);
  const components = document.components as Json | undefined;
  return new Map(Object.entries((components?.schemas ?? document.definitions ?? {}) as Record<string, Json>));
}

function isLocalRef(value: unknown): value is { $ref: string } {
  return value !== null && typeof value === 'object' && typeof (value as Json).$ref === 'string' && ((value as Json).$ref as string).startsWith('#/');
}

/** `Schema.path → category` for every personal field of every named schema. */
function personalFields(file: string): Map<string, string> {
  const classifier = createClassifier();
  const schemas = namedSchemas(file);
  const names = new Map([...schemas].map(([name, schema]) => [schema as object, name]));
  const found = new Map<string, string>();
  for (const [name, schema] of schemas) {
    for (const field of classifier.classifySchema(schema, { name, nameOf: (node) => names.get(node) })) {
      found.set(`${name}.${field.path}`, field.category);
    }
  }
  return found;
}

describe('real descriptions: Uber API (Swagger 2.0)', () => {
  const found = personalFields('oai-uber-v2.yaml');

  it('finds the rider\'s name, email and picture in Profile', () => {
    assert.equal(found.get('Profile.first_name'), 'name');
    assert.equal(found.get('Profile.last_name'), 'name');
    assert.equal(found.get('Profile.email'), 'email');
    assert.equal(found.get('Profile.picture'), 'photo');
  });

  it('leaves products, prices and errors alone: a product\'s display_name and image are not a person\'s', () => {
    for (const field of ['Product.display_name', 'Product.image', 'Product.product_id', 'PriceEstimate.display_name', 'Profile.promo_code', 'Activity.uuid', 'Error.message']) {
      assert.equal(found.get(field), undefined, field);
    }
  });

  it('finds nothing else', () => {
    assert.deepEqual([...found.keys()].sort(), ['Profile.email', 'Profile.first_name', 'Profile.last_name', 'Profile.picture']);
  });
});

describe('real descriptions: Swagger Petstore (OpenAPI 3.0)', () => {
  const found = personalFields('swagger-petstore-v3.yaml');

  it('finds the User\'s username, names, email, phone and id, and its password as a credential', () => {
    assert.deepEqual(Object.fromEntries([...found].filter(([path]) => path.startsWith('User.'))), {
      'User.id': 'person-id',
      'User.username': 'username',
      'User.firstName': 'name',
      'User.lastName': 'name',
      'User.email': 'email',
      'User.password': 'credential',
      'User.phone': 'phone',
    });
  });

  it('leaves pets, orders, categories and tags alone: a pet\'s name and photoUrls are not personal data', () => {
    assert.deepEqual([...found.keys()].filter((path) => !path.startsWith('User.')), []);
  });
});
