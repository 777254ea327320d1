import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Ajv } from 'ajv';
import { ConfigError } from '../src/core/errors.ts';
import type { SourceLocation } from '../src/core/location.ts';
import { CATALOGUE, checkPersonalDataConfig, createClassifier, personalDataConfigSchema } from '../src/core/personal-data/index.ts';
import type { CategoryDefinition } from '../src/core/personal-data/index.ts';

const loyalty: CategoryDefinition = {
  id: 'loyalty-number',
  label: 'Loyalty card number',
  sensitivity: 'identifier',
  names: ['loyalty number', 'membership number'],
  values: ['^LOY-\\d{8}$'],
  description: 'Number on a customer loyalty card',
};

/** Asserts that `run` throws a ConfigError whose message matches `message`, and returns it. */
function configError(run: () => unknown, message: RegExp): ConfigError {
  let caught: unknown;
  assert.throws(run, (error: unknown) => {
    caught = error;
    return true;
  });
  assert.ok(caught instanceof ConfigError, `expected a ConfigError, got ${String(caught)}`);
  assert.equal(caught.code, 'ERR_CONFIG');
  assert.match(caught.message, message);
  return caught;
}

describe('configured categories add to the catalogue or replace a built-in one', () => {
  it('adds a category, matched by name and by value', () => {
    const classifier = createClassifier({ categories: [loyalty] });
    assert.deepEqual(classifier.classifyField('loyaltyNumber'), { category: 'loyalty-number', sensitivity: 'identifier', reason: 'name' });
    assert.equal(classifier.classifyValue('ref', 'LOY-12345678')?.reason, 'value');
    assert.equal(classifier.categories.length, CATALOGUE.length + 1);
  });

  it('replaces the built-in category with the same id, whole', () => {
    const classifier = createClassifier({ categories: [{ id: 'age', label: 'Age', sensitivity: 'special', names: ['years old'], description: 'Age, treated as special here' }] });
    assert.equal(classifier.classifyField('age'), undefined);
    assert.deepEqual(classifier.classifyField('years_old'), { category: 'age', sensitivity: 'special', reason: 'name' });
    assert.equal(classifier.categories.length, CATALOGUE.length);
  });

  it('honours person-only evidence and unless patterns of a configured category', () => {
    const classifier = createClassifier({
      categories: [{ id: 'shoe-size', label: 'Shoe size', sensitivity: 'demographic', names: [], person: { names: ['size'] }, unless: ['page size'], description: 'Shoe size' }],
    });
    assert.equal(classifier.classifyField('size'), undefined);
    assert.equal(classifier.classifyField('size', undefined, { personLike: true })?.category, 'shoe-size');
    assert.equal(classifier.classifyField('page_size', undefined, { personLike: true }), undefined);
  });
});

describe('disabled categories are never reported', () => {
  it('turns a built-in category off everywhere', () => {
    const classifier = createClassifier({ disable: ['activity', 'credential'] });
    assert.equal(classifier.classifyField('total_workouts'), undefined);
    assert.equal(classifier.classifyField('password', { format: 'password' }), undefined);
    assert.equal(classifier.classifyField('age')?.category, 'age');
    assert.ok(!classifier.categories.some((category) => category.id === 'activity'));
  });
});

describe('configured fields decide exact field names first', () => {
  const classifier = createClassifier({ fields: { home_base: 'location', email: false, nick: 'username' } });

  it('maps a field name to a category, with reason config', () => {
    assert.deepEqual(classifier.classifyField('home_base'), { category: 'location', sensitivity: 'location', reason: 'config' });
    assert.equal(classifier.classifyValue('nick', 'whatever')?.reason, 'config');
  });

  it('false never classifies the field, by name, format or value', () => {
    assert.equal(classifier.classifyField('email', { format: 'email' }), undefined);
    assert.equal(classifier.classifyValue('email', 'ann@example.com'), undefined);
  });

  it('matches the name exactly, not its words', () => {
    assert.equal(classifier.classifyField('homeBase'), undefined);
    assert.equal(classifier.classifyField('user_email')?.category, 'email');
  });

  it('yields to an x-personal-data extension on the schema itself', () => {
    assert.equal(classifier.classifyField('home_base', { 'x-personal-data': false }), undefined);
  });
});

describe('an invalid configuration is a ConfigError naming the bad entry', () => {
  const cases: [string, unknown, RegExp][] = [
    ['a configuration that is not a mapping', ['email'], /must be a mapping/],
    ['an unknown setting', { categorys: [] }, /categorys: unknown setting 'categorys'/],
    ['an unknown category in fields', { fields: { home_base: 'adress' } }, /fields\.home_base: unknown category 'adress'/],
    ['a field verdict that is neither a category nor false', { fields: { email: true } }, /fields\.email: must be a category id, or false/],
    ['a field naming a disabled category', { disable: ['email'], fields: { mail: 'email' } }, /fields\.mail: category 'email' is disabled/],
    ['an unknown category in disable', { disable: ['emails'] }, /disable\[0\]: unknown category 'emails'/],
    ['an invalid regular expression in values', { categories: [{ ...loyalty, values: ['^LOY-(\\d{8}$'] }] }, /categories\[0\]\.values\[0\]: is not a valid regular expression/],
    ['a name pattern without words', { categories: [{ ...loyalty, names: ['42'] }] }, /categories\[0\]\.names\[0\]: name pattern has no word/],
    ['an anchor inside a name pattern', { categories: [{ ...loyalty, names: ['loyalty ^number'] }] }, /names\[0\]: name pattern `\^` may only start/],
    ['an unknown sensitivity', { categories: [{ ...loyalty, sensitivity: 'secret' }] }, /categories\[0\]\.sensitivity: unknown sensitivity 'secret'/],
    ['a bad category id', { categories: [{ ...loyalty, id: 'Loyalty Number' }] }, /categories\[0\]\.id: 'Loyalty Number' is not a category id/],
    ['a missing label', { categories: [{ ...loyalty, label: undefined }] }, /categories\[0\]\.label: is missing/],
    ['missing names', { categories: [{ ...loyalty, names: undefined }] }, /categories\[0\]: has no `names`/],
    ['an unknown JSON type', { categories: [{ ...loyalty, types: ['text'] }] }, /categories\[0\]\.types\[0\]: unknown JSON type 'text'/],
    ['an unknown member of person', { categories: [{ ...loyalty, person: { name: ['x'] } }] }, /categories\[0\]\.person\.name: unknown setting/],
    ['a category defined twice', { categories: [loyalty, loyalty] }, /categories\[1\]\.id: category 'loyalty-number' is defined twice/],
    ['a field name that needs quoting', { fields: { 'home base': 'nowhere' } }, /fields\["home base"\]: unknown category 'nowhere'/],
  ];
  for (const [what, config, message] of cases) {
    it(`rejects ${what}`, () => {
      configError(() => createClassifier(config as never), message);
    });
  }

  it('lists the known categories in the hint', () => {
    const error = configError(() => createClassifier({ fields: { x: 'adress' } }), /adress/);
    assert.match(error.hint ?? '', /postal-address/);
  });

  it('places the error in the configuration file when given a locate function', () => {
    const fields = { home_base: 'adress' };
    const config = { fields };
    const located: [object, string | number | undefined][] = [];
    const locate = (node: object, member?: string | number): SourceLocation => {
      located.push([node, member]);
      return { file: 'leakproof.yaml', line: 7, column: 5, pointer: '/personalData/fields/home_base' };
    };
    const error = configError(() => checkPersonalDataConfig(config, { locate }), /unknown category/);
    assert.deepEqual(located, [[fields, 'home_base']]);
    assert.match(error.format(), /^leakproof\.yaml:7:5: ERR_CONFIG /);
  });
});

describe('the JSON Schema of the configuration agrees with the checks on shape', () => {
  const validate = new Ajv({ allErrors: true, strict: true }).compile(personalDataConfigSchema);

  it('accepts a valid configuration', () => {
    const config = { categories: [loyalty, { ...loyalty, id: 'other', person: { names: ['x'] }, types: ['string'], unless: ['y'] }], disable: ['activity'], fields: { a: 'email', b: false } };
    assert.equal(validate(config), true, JSON.stringify(validate.errors));
    assert.doesNotThrow(() => createClassifier(config as never));
  });

  const invalid: [string, unknown][] = [
    ['an unknown setting', { categorys: [] }],
    ['a field verdict of true', { fields: { email: true } }],
    ['an unknown sensitivity', { categories: [{ ...loyalty, sensitivity: 'secret' }] }],
    ['a bad category id', { categories: [{ ...loyalty, id: 'Loyalty Number' }] }],
    ['missing names', { categories: [{ id: 'x', label: 'X', sensitivity: 'identifier', description: 'x' }] }],
    ['an unknown JSON type', { categories: [{ ...loyalty, types: ['text'] }] }],
    ['an empty name pattern', { categories: [{ ...loyalty, names: [''] }] }],
  ];
  for (const [what, config] of invalid) {
    it(`rejects ${what}, as the checks do`, () => {
      assert.equal(validate(config), false);
      assert.throws(() => createClassifier(config as never), ConfigError);
    });
  }
});
