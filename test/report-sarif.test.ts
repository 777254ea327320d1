import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, it } from 'node:test';
import AjvDraft04 from 'ajv-draft-04';
import type { Log, Result } from 'sarif';
import { FINGERPRINT_KEY, sarifLog, writeSarifReport } from '../src/scan/report/index.ts';
import { artifactLocation } from '../src/scan/report/sarif.ts';
import { CHECKS, REPORT_ORDER, SPEC, findings, summary } from './fixtures/report/scan.ts';

const schemaPath = createRequire(import.meta.url).resolve('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json');
// unicodeRegExp off: the official schema's language pattern ('…]?$') is not valid with the u flag.
// A CommonJS module: its class is module.exports, and (for TypeScript's view of it) also `.default`.
const Ajv = AjvDraft04.default;
const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
ajv.addFormat('uri', (value: string) => URL.canParse(value));
ajv.addFormat('uri-reference', (value: string) => URL.canParse(value, 'file:///base/'));
ajv.addFormat('date-time', /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/);
const validateSarif = ajv.compile(JSON.parse(readFileSync(schemaPath, 'utf8')) as object);

function log(): Log {
  return JSON.parse(writeSarifReport(findings(), summary())) as Log;
}

function results(): Result[] {
  return log().runs[0]?.results ?? [];
}

function resultFor(fingerprint: string): Result {
  const found = results().find((r) => r.partialFingerprints?.[FINGERPRINT_KEY] === fingerprint);
  assert.ok(found, `no result for ${fingerprint}`);
  return found;
}

describe('the SARIF log validates against the official SARIF 2.1.0 schema', () => {
  it('with findings of every severity, with and without locations', () => {
    const valid = validateSarif(log());
    assert.ok(valid, JSON.stringify(validateSarif.errors, null, 2));
  });

  it('with no findings at all, and with a summary that has no spec, target or valid start time', () => {
    assert.ok(validateSarif(sarifLog([], summary())), JSON.stringify(validateSarif.errors));
    const bare = sarifLog(findings(), summary({ spec: undefined, target: undefined, startedAt: 'not a date' }));
    assert.ok(validateSarif(bare), JSON.stringify(validateSarif.errors));
  });

  it('while a deliberately broken log fails, so the validator can fail', () => {
    const broken = log() as unknown as { runs: { results: { level: string }[] }[] };
    const [first] = broken.runs[0]?.results ?? [];
    assert.ok(first);
    first.level = 'critical';
    assert.equal(validateSarif(broken), false);
    assert.equal(validateSarif({ version: '2.1.0', runs: [{ tool: { driver: {} } }] }), false, 'a driver needs a name');
  });

  it('names the schema and the version GitHub code scanning expects', () => {
    const sarif = log();
    assert.equal(sarif.$schema, 'https://json.schemastore.org/sarif-2.1.0.json');
    assert.equal(sarif.version, '2.1.0');
    assert.equal(sarif.runs.length, 1);
  });
});

describe('every check that ran is a rule, with help and a security severity', () => {
  const driver = log().runs[0]?.tool.driver;

  it('identifies the tool', () => {
    assert.equal(driver?.name, 'leakproof');
    assert.equal(driver.version, '0.1.0');
    assert.match(driver.informationUri ?? '', /^https:\/\//);
  });

  it('lists the checks in registry order, including those that found nothing', () => {
    assert.deepEqual(driver?.rules?.map((r) => r.id), CHECKS.map((c) => c.id));
  });

  it('describes each rule with its title, description, remediation, link, OWASP and CWE tags', () => {
    const bola = driver?.rules?.find((r) => r.id === 'bola');
    assert.equal(bola?.name, 'BrokenObjectLevelAuthorization');
    assert.equal(bola.shortDescription?.text, 'Broken object level authorization');
    assert.equal(bola.fullDescription?.text, 'Broken object level authorization lets a caller read other people\'s data.');
    assert.match(bola.help?.text ?? '', /Remediation: Enforce broken object level authorization rules on the server/);
    assert.match(bola.help?.markdown ?? '', /## Remediation\n\nEnforce broken object level authorization/);
    assert.equal(bola.helpUri, 'https://owasp.org/API-Security/editions/2023/en/0xa1/');
    assert.deepEqual((bola.properties?.tags ?? []).slice(0, 3), ['security', 'API1:2023', 'CWE-639']);
  });

  it('maps severities to the numbers code scanning ranks by, and to default levels', () => {
    const bySeverity = Object.fromEntries(
      (driver?.rules ?? []).map((r) => [CHECKS.find((c) => c.id === r.id)?.severity ?? 'none', [r.properties?.['security-severity'], r.defaultConfiguration?.level]]),
    );
    assert.deepEqual(bySeverity, {
      critical: ['9.5', 'error'],
      high: ['8.0', 'error'],
      medium: ['5.5', 'warning'],
      low: ['3.0', 'note'],
      info: ['0.0', 'note'],
    });
  });

  it('still writes a rule for a finding whose check the summary does not describe', () => {
    const stray = { ...findings()[0], checkId: 'undocumented-endpoint' } as ReturnType<typeof findings>[number];
    const sarif = sarifLog([stray], summary());
    const rules = sarif.runs[0]?.tool.driver.rules ?? [];
    assert.equal(rules.at(-1)?.id, 'undocumented-endpoint');
    assert.equal(sarif.runs[0]?.results?.[0]?.ruleIndex, rules.length - 1);
    assert.ok(validateSarif(sarif), JSON.stringify(validateSarif.errors));
  });
});

describe('every finding is a result pointing at its rule, its level and its place in the description', () => {
  it('in report order, with the fingerprint as a partial fingerprint', () => {
    assert.deepEqual(results().map((r) => r.partialFingerprints?.[FINGERPRINT_KEY]), REPORT_ORDER);
  });

  it('with ruleIndex pointing at the rule of the same id', () => {
    const rules = log().runs[0]?.tool.driver.rules ?? [];
    for (const result of results()) assert.equal(rules[result.ruleIndex ?? -1]?.id, result.ruleId);
  });

  it('at level error for critical and high, warning for medium, note for low and info', () => {
    assert.deepEqual(results().map((r) => r.level), ['error', 'error', 'error', 'error', 'warning', 'note', 'note']);
  });

  it('with the title and the details as the message, and the evidence as properties', () => {
    const result = resultFor('bol0000000000001');
    assert.equal(result.message.text, 'alice reads bob\'s workout history\n\nSwapping the id in the path to another member\'s returned their workouts.');
    assert.deepEqual(result.properties, {
      severity: 'high',
      fields: ['data[].calories', 'data[].user_id'],
      subjects: ['bob'],
      curl: 'curl -s \'http://127.0.0.1:8080/api/user/8/workouts\' -H "Authorization: Bearer $ALICE_TOKEN"',
    });
  });

  it('located at the operation\'s line and column in the spec, relative to the source root', () => {
    const [location] = resultFor('unb0000000000001').locations ?? [];
    assert.deepEqual(location?.physicalLocation, {
      artifactLocation: { uri: SPEC, uriBaseId: '%SRCROOT%' },
      region: { startLine: 250, startColumn: 7 },
    });
    assert.deepEqual(location.logicalLocations, [
      { name: 'searchUsers', fullyQualifiedName: 'GET /api/user/search/{query}', kind: 'function' },
    ]);
  });

  it('a finding without a location still names its operation, and points at the description', () => {
    const [location] = resultFor('pfb0000000000001').locations ?? [];
    assert.deepEqual(location?.logicalLocations, [{ name: 'graphql', fullyQualifiedName: 'POST /graphql', kind: 'function' }]);
    assert.deepEqual(location.physicalLocation, { artifactLocation: { uri: SPEC, uriBaseId: '%SRCROOT%' }, region: { startLine: 1 } });
  });

  it('an API-wide finding is located at the API itself', () => {
    const [location] = resultFor('mis0000000000001').locations ?? [];
    assert.deepEqual(location?.logicalLocations, [{ name: 'http://127.0.0.1:8080', kind: 'module' }]);
    const [bare] = sarifLog(findings(), summary({ spec: undefined })).runs[0]?.results?.filter((r) => r.ruleId === 'misconfiguration') ?? [];
    assert.equal(bare?.locations?.[0]?.physicalLocation, undefined, 'no file to point at');
  });
});

describe('file paths become URIs that code scanning resolves against the checkout', () => {
  it('relative paths stay relative, with forward slashes and without ./', () => {
    assert.deepEqual(artifactLocation('./api/openapi.yaml'), { uri: 'api/openapi.yaml', uriBaseId: '%SRCROOT%' });
    assert.deepEqual(artifactLocation('api\\specs\\openapi.yaml'), { uri: 'api/specs/openapi.yaml', uriBaseId: '%SRCROOT%' });
    assert.deepEqual(artifactLocation('my specs/open#api.yaml'), { uri: 'my%20specs/open%23api.yaml', uriBaseId: '%SRCROOT%' });
  });

  it('absolute paths and URLs are absolute URIs', () => {
    assert.deepEqual(artifactLocation('/srv/api/openapi.yaml'), { uri: 'file:///srv/api/openapi.yaml' });
    assert.deepEqual(artifactLocation('C:\\api\\openapi.yaml'), { uri: 'file:///C:/api/openapi.yaml' });
    assert.deepEqual(artifactLocation('https://example.com/openapi.yaml'), { uri: 'https://example.com/openapi.yaml' });
  });
});

describe('the run records its invocation', () => {
  it('as successful, from the start time to the end of the scan', () => {
    assert.deepEqual(log().runs[0]?.invocations, [
      { executionSuccessful: true, startTimeUtc: '2021-01-20T10:00:00.000Z', endTimeUtc: '2021-01-20T10:00:03.250Z' },
    ]);
  });
});
