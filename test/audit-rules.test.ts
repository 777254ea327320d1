/**
 * The audit's rules, each at the line of what it names: a description with one of each flaw,
 * marked `# expect: rule-id` where the audit must report it, and one written to be clean.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { AUDIT_RULES, auditApi, auditConfig } from '../src/audit/index.ts';
import type { AuditResult, AuditSettings } from '../src/audit/index.ts';
import { loadConfig } from '../src/core/config.ts';
import type { LeakproofConfig } from '../src/core/config.ts';
import { ConfigError, UsageError } from '../src/core/errors.ts';
import { loadApi } from '../src/core/load.ts';
import type { Finding } from '../src/scan/finding.ts';

const fixture = (name: string): string => join('test', 'fixtures', 'audit', name);

async function audit(name: string, settings?: AuditSettings): Promise<AuditResult> {
  return auditApi(await loadApi(fixture(name)), { settings });
}

/** `rule@line` for every `# expect: rule, rule` comment of a fixture. */
function expectations(name: string): string[] {
  return readFileSync(fixture(name), 'utf8').split('\n').flatMap((line, index) => {
    const marked = /# expect: (.+)$/.exec(line)?.[1];
    return marked === undefined ? [] : marked.split(',').map((id) => `${id.trim()}@${index + 1}`);
  });
}

/** What `loadConfig` gives when there is no file. */
const NO_CONFIG: LeakproofConfig = { file: undefined, personalData: {}, document: {}, locate: () => undefined };

const at = (finding: Finding): string => `${finding.checkId}@${finding.location?.line ?? 0}`;

describe('each rule reports at the line of what it names, and nowhere else', () => {
  it('finds every marked flaw of flawed.yaml, at its line, and nothing unmarked', async () => {
    const { findings, diagnostics } = await audit('flawed.yaml');
    assert.deepEqual(findings.map(at).sort(), expectations('flawed.yaml').sort());
    assert.deepEqual(diagnostics, []);
    for (const finding of findings) assert.equal(finding.location?.file, fixture('flawed.yaml'));
  });

  it('has a marked flaw for every registered rule', () => {
    const marked = new Set(expectations('flawed.yaml').map((e) => e.split('@')[0]));
    assert.deepEqual(AUDIT_RULES.map((rule) => rule.id).filter((id) => !marked.has(id)), []);
  });

  it('weighs a finding by what it exposes: whose data, to whom, for what', async () => {
    const { findings } = await audit('flawed.yaml');
    const severity = (id: string, line: number): string | undefined => findings.find((f) => at(f) === `${id}@${line}`)?.severity;
    assert.equal(severity('unauthenticated-operation', 12), 'medium', 'read-only, no personal data');
    assert.equal(severity('writable-server-field', 112), 'high', 'a role grants privileges');
    assert.equal(severity('unbounded-array', 60), 'medium', 'a list of people');
    assert.equal(severity('unbounded-array', 79), 'low', 'a list of ids in a request');
  });
});

describe('a description written to be clean yields nothing', () => {
  it('has no finding at any severity, and no diagnostic', async () => {
    const { findings, diagnostics, summary } = await audit('clean.yaml');
    assert.deepEqual(findings.map((f) => `${at(f)} ${f.title}`), []);
    assert.deepEqual(diagnostics, []);
    assert.equal(summary.kind, 'audit');
    assert.equal(summary.checks.length, AUDIT_RULES.length);
  });
});

describe('x-leakproof-audience weighs severities, and private is not internal', () => {
  it('drops two steps for a private API on an internal server, one for partners, none when reachable from the internet', async () => {
    const { findings } = await audit('audiences.yaml');
    const byOperation = Object.fromEntries(findings.filter((f) => f.checkId === 'personal-data-by-id').map((f): [string, string] => [f.operation?.id ?? '', f.severity]));
    assert.deepEqual(byOperation, { getRider: 'low', getRiderForPartner: 'medium', getRiderForApp: 'high' });
  });

  it('reports the public server of a private API at its line', async () => {
    const { findings } = await audit('audiences.yaml');
    assert.deepEqual(findings.filter((f) => f.checkId === 'private-api-reachable').map((f) => [f.operation?.id, f.location?.line]), [['getRiderForApp', 40]]);
    assert.equal(findings.some((f) => f.checkId === 'internal-server'), false, 'an internal server is expected of a private API');
  });
});

describe('x-leakproof-ignore silences a rule where it is written, with a reason', () => {
  it('applies document and operation ignores that give a reason', async () => {
    const { findings } = await audit('ignores.yaml');
    assert.equal(findings.some((f) => f.checkId === 'http-server'), false, 'ignored by the document');
    assert.deepEqual(findings.filter((f) => f.checkId === 'personal-data-by-id').map((f) => f.operation?.id), ['getRiderCard']);
  });

  it('still reports a schema an ignoring operation shares with one that does not, under the latter', async () => {
    const { findings } = await audit('ignores.yaml');
    assert.deepEqual(findings.filter((f) => f.checkId === 'response-schema-open').map((f) => [f.operation?.id, f.location?.line]), [['getRiderCard', 69]]);
  });

  it('refuses an ignore without a reason, and names an unknown rule, at their lines', async () => {
    const { diagnostics } = await audit('ignores.yaml');
    assert.deepEqual(diagnostics.map((d) => [d.code, d.location?.line, d.message]), [
      ['audit-ignore', 29, 'x-leakproof-ignore is not applied: say why in x-leakproof-ignore-reason'],
      ['audit-ignore', 42, 'x-leakproof-ignore names no audit rule: "no-such-rule"'],
    ]);
  });
});

describe('the audit section of the configuration switches rules off and re-weights them', () => {
  it('reads the rules and the threshold, flags winning over the file', async () => {
    const config = await loadConfig(fixture('leakproof.yaml'));
    assert.deepEqual(auditConfig(config), { failOn: 'high', rules: { 'unbounded-string-input': 'off', 'response-schema-open': 'critical' } });
    assert.equal(auditConfig(config, { failOn: 'low' }).failOn, 'low');
    assert.deepEqual(auditConfig(NO_CONFIG), { failOn: 'medium', rules: {} });
  });

  it('leaves out rules switched off, and reports re-weighted ones at their new severity whatever the audience', async () => {
    const settings = auditConfig(await loadConfig(fixture('leakproof.yaml')));
    const { findings, summary } = await audit('flawed.yaml', settings);
    assert.equal(findings.some((f) => f.checkId === 'unbounded-string-input'), false);
    assert.deepEqual(findings.filter((f) => f.checkId === 'response-schema-open').map((f) => f.severity), ['critical']);
    assert.equal(summary.checks.find((c) => c.id === 'response-schema-open')?.severity, 'critical');
    assert.equal(summary.checks.some((c) => c.id === 'unbounded-string-input'), false);
  });

  it('refuses an unknown rule at its line, naming the known ones, and a bad --fail-on', async () => {
    await assert.rejects(async () => auditConfig(await loadConfig(fixture('unknown-rule.yaml'))), (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.match(error.format(), /^test\/fixtures\/audit\/unknown-rule\.yaml:3:5: ERR_CONFIG audit\.rules: unknown key 'personal-data-by-ids'\n {2}hint: known keys here: personal-data-by-id, /);
      return true;
    });
    assert.throws(() => auditConfig(NO_CONFIG, { failOn: 'severe' }), UsageError);
  });
});

describe('every rule is described for reports', () => {
  it('has a unique id, an OWASP API 2023 class, a CWE, a rationale, a remedy and a link', () => {
    assert.equal(new Set(AUDIT_RULES.map((r) => r.id)).size, AUDIT_RULES.length);
    for (const rule of AUDIT_RULES) {
      assert.match(rule.id, /^[a-z]+(?:-[a-z]+)*$/);
      assert.match(rule.owasp, /^API(?:[1-9]|10):2023$/);
      assert.match(rule.cwe, /^CWE-\d+$/);
      assert.ok(rule.description.length > 80 && rule.remediation.length > 40, rule.id);
      assert.match(rule.helpUrl, /^https:\/\/owasp\.org\/API-Security\/editions\/2023\/en\/0xa/);
    }
  });
});
