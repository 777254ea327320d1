import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { checkSection, configSchema, loadConfig } from '../src/core/config.ts';
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
    const defaults = await loadConfig();
    assert.equal(defaults.file, undefined);
    assert.deepEqual(defaults.personalData, {});
    await writeFile('leakproof.yaml', 'personalData:\n  fields:\n    home_base: location\n');
    const found = await loadConfig();
    assert.equal(found.file, 'leakproof.yaml');
    assert.deepEqual(found.personalData, { fields: { home_base: 'location' } });
  });

  it('publishes a JSON Schema of the whole file', () => {
    assert.equal(configSchema.additionalProperties, false);
    assert.ok('personalData' in configSchema.properties);
  });
});

describe('a bad configuration is refused at its file:line, with what to do', () => {
  it('an unknown key, listing the known ones', async () => {
    assert.equal(await configError('unknown-key'), "test/fixtures/config/unknown-key.yaml:4:3: ERR_CONFIG personalData: unknown key 'disabled'\n  hint: known keys here: categories, disable, fields");
    assert.equal(await configError('top-level'), "test/fixtures/config/top-level.yaml:1:1: ERR_CONFIG unknown key 'personaldata'\n  hint: known keys here: personalData, scan, audit, gateway, disclose");
  });

  it('a value of the wrong type, naming every alternative once', async () => {
    assert.equal(await configError('wrong-type'), 'test/fixtures/config/wrong-type.yaml:4:5: ERR_CONFIG personalData.fields.nickname: must be a string or false');
  });

  it('a reference to a category that does not exist', async () => {
    assert.match(await configError('unknown-category'), /^test\/fixtures\/config\/unknown-category\.yaml:3:5: ERR_CONFIG personalData\.fields\.home_base: unknown category 'adress'\n {2}hint: known categories: person-id, /);
  });
});

describe('secrets come from the environment, not the file', () => {
  const write = async (text: string): Promise<string> => {
    const dir = await mkdtemp(join(tmpdir(), 'leakproof-env-'));
    const file = join(dir, 'leakproof.yaml');
    await writeFile(file, text);
    return file;
  };

  it('substitutes ${NAME} and ${NAME:-fallback} in every string', async () => {
    const file = await write('scan:\n  token: "Bearer ${TOKEN}"\n  list: ["${MISSING:-none}", plain]\n');
    const config = await loadConfig(file, { TOKEN: 's3cret' });
    assert.deepEqual(config.document.scan, { token: 'Bearer s3cret', list: ['none', 'plain'] });
  });

  it('refuses an unset variable at its line', async () => {
    const file = await write('scan:\n  identities:\n    - password: ${ALICE_PASSWORD}\n');
    await assert.rejects(loadConfig(file, {}), (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.equal(error.format(), `${file}:3:7: ERR_CONFIG environment variable ALICE_PASSWORD is not set\n  hint: set it, or give a fallback: \${ALICE_PASSWORD:-value}`);
      return true;
    });
  });
});

describe('each part checks its own section, with the same file:line errors', () => {
  const schema = { type: 'object', additionalProperties: false, properties: { target: { type: 'string' }, rate: { type: 'number' } } };

  it('returns a valid section, and undefined when the file has none', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'leakproof-section-'));
    const file = join(dir, 'leakproof.yaml');
    await writeFile(file, 'scan:\n  target: http://127.0.0.1:8080\n');
    const config = await loadConfig(file, {});
    assert.deepEqual(checkSection(config, 'scan', schema), { target: 'http://127.0.0.1:8080' });
    assert.equal(checkSection(config, 'gateway', schema), undefined);
  });

  it('names the key path from the top of the file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'leakproof-section-'));
    const file = join(dir, 'leakproof.yaml');
    await writeFile(file, 'scan:\n  target: http://127.0.0.1:8080\n  rate: fast\n');
    const config = await loadConfig(file, {});
    assert.throws(() => checkSection(config, 'scan', schema), (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.equal(error.format(), `${file}:3:3: ERR_CONFIG scan.rate: must be a number`);
      return true;
    });
  });
});
