/**
 * The scanner's false-positive bar: a control API that keeps every rule, yet is full of what a
 * naive scanner takes for a leak (test/fixtures/control-api), gives zero findings. So that zero
 * means something, the scan must have asked every operation as every identity, and a twin of the
 * same API with one rule broken must be caught, with nothing reported that the flaw does not explain.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { loadApi } from '../src/core/load.ts';
import { loadConfig } from '../src/core/config.ts';
import type { Finding } from '../src/scan/index.ts';
import { executeScan, prepareScan, scanConfig } from '../src/scan/index.ts';
import type { ControlFlaw, LoggedRequest } from './fixtures/control-api/server.ts';
import { startControlApi } from './fixtures/control-api/server.ts';

const CONFIG = fileURLToPath(new URL('fixtures/control-api/leakproof.yaml', import.meta.url));
const SPEC = fileURLToPath(new URL('fixtures/control-api/openapi.yaml', import.meta.url));
const CALLERS = ['anonymous', 'ana', 'ben', 'cleo', 'ops'];

interface ScanOutcome {
  findings: Finding[];
  requests: readonly LoggedRequest[];
}

const scans = new Map<string, Promise<ScanOutcome>>();

/** Scans the control API (or its broken twin) once per test file, whichever describe asks first. */
function scanControlApi(broken?: ControlFlaw): Promise<ScanOutcome> {
  const key = broken ?? 'control';
  let scan = scans.get(key);
  if (!scan) {
    scan = runScan(broken);
    scans.set(key, scan);
  }
  return scan;
}

async function runScan(broken: ControlFlaw | undefined): Promise<ScanOutcome> {
  const api = await startControlApi({ broken });
  try {
    const config = await loadConfig(CONFIG);
    const settings = scanConfig(config, { target: api.url });
    settings.safety.rateLimit = 5000;
    const { findings } = await executeScan(await prepareScan(settings, config.personalData), settings);
    return { findings, requests: api.requests };
  } finally {
    await api.close();
  }
}

function summary(finding: Finding): string {
  return `${finding.checkId} on ${finding.operation?.id ?? '?'}: ${finding.title} (${finding.message})`;
}

/** What each operation of the control API does right, and so what a finding on it would get wrong. */
const RULES: Readonly<Record<string, string>> = {
  getMe: 'the caller\'s own profile, with its volatile fields, is theirs to see',
  getGreeting: 'a greeting that echoes the caller\'s own display name leaks nothing',
  getProfile: 'public profiles are public by design, a private one goes whole to its follower only, and anonymous callers get the card',
  getProfileFollowers: 'a follower list shown to the owner and the member audience, holding the caller\'s own record, leaks nothing',
  getProfileActivities: 'activities shared with followers reach followers only, without health data',
  searchProfiles: 'a capped search that returns only cards, the caller\'s own among them, enumerates nobody',
  lookupProfiles: 'a lookup capped at 50 ids that returns each member in the caller\'s view is neither enumeration nor unbounded',
  listMembers: 'an administrator\'s route that refuses members serves the administrator',
};

describe('the scan asks every operation of the control API as every identity', () => {
  let requests: readonly LoggedRequest[] = [];
  let operations: string[] = [];
  before(async () => {
    ({ requests } = await scanControlApi());
    operations = (await loadApi(SPEC)).operations.map((o) => o.operationId ?? o.id);
  });

  it('describes exactly the operations the control API serves', () => {
    assert.deepEqual([...operations].sort(), Object.keys(RULES).sort());
  });

  for (const operation of Object.keys(RULES)) {
    it(`asks ${operation} as ${CALLERS.join(', ')}`, () => {
      const askedBy = new Set(requests.filter((r) => r.operationId === operation).map((r) => r.caller));
      assert.deepEqual(CALLERS.filter((caller) => !askedBy.has(caller)), [], `${operation} was never asked by these callers`);
    });
  }
});

describe('a control API that keeps every rule gives zero findings', () => {
  let findings: Finding[] = [];
  before(async () => {
    ({ findings } = await scanControlApi());
  });

  for (const [operation, rule] of Object.entries(RULES)) {
    it(`reports nothing on ${operation}: ${rule}`, () => {
      assert.deepEqual(findings.filter((f) => f.operation?.id === operation).map(summary), []);
    });
  }

  it('reports nothing anywhere else either', () => {
    assert.deepEqual(findings.filter((f) => f.operation?.id === undefined || !(f.operation.id in RULES)).map(summary), []);
  });
});

interface BrokenTwin {
  flaw: ControlFlaw;
  /** The describe's name: the rule the twin breaks, and how the scan must catch it. */
  rule: string;
  expected: { check: string; operation: string };
  /** Checks whose findings the flaw explains. */
  explaining: readonly string[];
  /** Whose data the flaw leaks, among the identities. */
  victims: readonly string[];
}

/** A broken twin must be caught where the flaw is, and nothing must be reported that the flaw does not explain. */
function describeBrokenTwin({ flaw, rule, expected, explaining, victims }: BrokenTwin): void {
  describe(rule, () => {
    let twin: Finding[] = [];
    let control: Finding[] = [];
    before(async () => {
      ({ findings: twin } = await scanControlApi(flaw));
      ({ findings: control } = await scanControlApi());
    });

    it(`reports ${expected.check} on ${expected.operation}`, () => {
      assert.ok(
        twin.some((f) => f.checkId === expected.check && f.operation?.id === expected.operation),
        `no ${expected.check} finding on ${expected.operation}; got: ${twin.map(summary).join('; ') || 'none'}`,
      );
    });

    it(`reports nothing beyond the control API's findings but ${explaining.join(' and ')}`, () => {
      const known = new Set(control.map((f) => f.fingerprint));
      assert.deepEqual(twin.filter((f) => !known.has(f.fingerprint) && !explaining.includes(f.checkId)).map(summary), []);
    });

    it(`names the people whose data leaked by identity name, all of them among ${victims.join(', ')}`, () => {
      for (const finding of twin.filter((f) => explaining.includes(f.checkId) && f.evidence.subjects.length > 0)) {
        assert.deepEqual(finding.evidence.subjects.filter((s) => !victims.includes(s)), [], summary(finding));
      }
    });
  });
}

describeBrokenTwin({
  flaw: 'private-flag-ignored',
  rule: 'a twin that ignores the private flag is caught: a non-follower reading a private profile is a private-flag bypass',
  expected: { check: 'private-flag-bypass', operation: 'getProfile' },
  explaining: ['private-flag-bypass'],
  victims: ['ben'],
});

describeBrokenTwin({
  flaw: 'email-to-members',
  rule: 'a twin that serves the owner\'s email to other members is caught as broken object-level authorization',
  expected: { check: 'bola', operation: 'getProfile' },
  explaining: ['bola', 'enumeration'],
  victims: ['ana', 'ben', 'cleo', 'ops'],
});
