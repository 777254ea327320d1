import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { configSchema, loadConfig } from '../src/core/config.ts';
import { ConfigError } from '../src/core/errors.ts';
import { createClassifier } from '../src/core/personal-data/index.ts';

const fixture = (name: string): string => join('test', 'fixtures', 'config', `${name}.yaml`);

async function configError(name: string): Promise<string> {
  try {
    await loadConfig(fixture(name));
  } catch (error) {
    assert.ok(error instanceof ConfigError, String(error));
    assert.equal(error.exitCode, 2);
    return error.format();
  }
  assert.fail(`${name} loaded without error`);
}

describe('a configuration file extends the personal-data catalogue', () => {
  it('loads categories, disabled categories and field verdicts, and the classifier obeys them', async () => {
    const config = await loadConfig(fixture('good'));
    assert.equal(config.file, fixture('good'));
    const classifier = createClassifier(config.personalData);
    assert.equal(classifier.classifyField('loyalty_number')?.category, 'loyalty-number');
    assert.equal(classifier.classifyField('home_base')?.category, 'location');
    assert.equal(classifier.classifyField('display_name', undefined, { personLike: true }), undefined);
    assert.equal(classifier.classifyField('total_workouts', undefined, { personLike: true }), undefined, 'activity is disabled');
  });

  it('uses the defaults when there is no file, and reads leakproof.yaml from the working directory', async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'leakproof-config-'));
    const cwd = process.cwd();
    t.after(async () => {
      process.chdir(cwd);
      await rm(dir, { recursive: true, force: true });
    });
    process.chdir(dir);
    assert.deepEqual(await loadConfig(), { file: undefined, personalData: {} });
    await writeFile('leakproof.yaml', 'personalData:\n  fields:\n    home_base: location\n');
    assert.deepEqual(await loadConfig(), { file: 'leakproof.yaml', personalData: { fields: { home_base: 'location' } } });
  });

  it('publishes a JSON Schema of the whole file', () => {
    assert.equal(configSchema.additionalProperties, false);
    assert.ok('personalData' in configSchema.properties);
  });
});

describe('a bad configuration is refused at its file:line, with what to do', () => {
  it('an unknown key, listing the known ones', async () => {
    assert.equal(await configError('unknown-key'), "test/fixtures/config/unknown-key.yaml:4:3: ERR_CONFIG personalData: unknown key 'disabled'\n  hint: known keys here: categories, disable, fields");
    assert.equal(await configError('top-level'), "test/fixtures/config/top-level.yaml:1:1: ERR_CONFIG unknown key 'personaldata'\n  hint: known keys here: personalData");
  });

  it('a value of the wrong type, naming every alternative once', async () => {
    assert.equal(await configError('wrong-type'), 'test/fixtures/config/wrong-type.yaml:4:5: ERR_CONFIG personalData.fields.nickname: must be a string or false');
  });

  it('a reference to a category that does not exist', async () => {
    assert.match(await configError('unknown-category'), /^test\/fixtures\/config\/unknown-category\.yaml:3:5: ERR_CONFIG personalData\.fields\.home_base: unknown category 'adress'\n {2}hint: known categories: person-id, /);
  });
});
