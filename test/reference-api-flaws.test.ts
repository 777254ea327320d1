/**
 * The planted flaws are ground truth only if they are real: each exploit, replayed with plain HTTP,
 * must leak the victim's seeded values in its mode and must not leak them in `fixed`.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import type { ExploitOutcome, FlawKind, PlantedFlaw, ReferenceApi } from '../src/reference-api/index.ts';
import { PLANTED_FLAWS, SEED, referenceApiSpecPath, replayExploit, startReferenceApi } from '../src/reference-api/index.ts';
import type { Mode } from '../src/reference-api/index.ts';

interface Spec {
  paths: Record<string, unknown>;
  components: { schemas: Record<string, { properties?: Record<string, unknown>; required?: string[] }> };
}
const spec = parse(readFileSync(referenceApiSpecPath, 'utf8')) as Spec;

type Json = Readonly<Record<string, unknown>>;

async function withApi<T>(mode: Mode, use: (api: ReferenceApi) => Promise<T>): Promise<T> {
  const api = await startReferenceApi({ mode });
  try {
    return await use(api);
  } finally {
    await api.close();
  }
}

function seeded(username: string) {
  const person = SEED.people.find((candidate) => candidate.username === username);
  assert.ok(person, `${username} is a seeded person`);
  return person;
}

/** Every object anywhere in a JSON answer whose `key` is `value`. */
function recordsWhere(body: unknown, key: string, value: string): Json[] {
  if (Array.isArray(body)) return body.flatMap((item) => recordsWhere(item, key, value));
  if (typeof body !== 'object' || body === null) return [];
  const record = body as Json;
  const own = record[key] === value ? [record] : [];
  return [...own, ...Object.values(record).flatMap((child) => recordsWhere(child, key, value))];
}

function isWorkoutFlaw(flaw: PlantedFlaw): boolean {
  return flaw.operation === 'getUserWorkouts';
}

/** The records of the answer that are the victim's: their profile, or their workouts. */
function victimRecords(flaw: PlantedFlaw, body: unknown): Json[] {
  const victim = seeded(flaw.exploit.victim);
  return recordsWhere(body, isWorkoutFlaw(flaw) ? 'user_id' : 'id', victim.id);
}

/** The seeded values of each listed field: one per person field, one per workout for workouts. */
function seededValues(flaw: PlantedFlaw): Map<string, unknown[]> {
  const victim = seeded(flaw.exploit.victim);
  const sources: readonly Json[] = isWorkoutFlaw(flaw)
    ? SEED.workouts.filter((workout) => workout.user_id === victim.id)
    : [victim];
  return new Map(flaw.fields.map((field) => [field, sources.map((source) => source[field])]));
}

function assertLeaks(flaw: PlantedFlaw, outcome: ExploitOutcome): void {
  const records = victimRecords(flaw, outcome.body);
  assert.ok(records.length > 0, `the answer carries a record of ${flaw.exploit.victim}`);
  for (const [field, values] of seededValues(flaw)) {
    for (const value of values) {
      assert.ok(
        records.some((record) => record[field] === value),
        `${flaw.exploit.victim}'s ${field} (${String(value)}) is in the answer`,
      );
    }
  }
}

function assertDoesNotLeak(flaw: PlantedFlaw, outcome: ExploitOutcome): void {
  const records = victimRecords(flaw, outcome.body);
  for (const [field, values] of seededValues(flaw)) {
    for (const value of values) {
      assert.ok(
        !records.some((record) => record[field] === value),
        `${flaw.exploit.victim}'s ${field} (${String(value)}) is not in the answer`,
      );
    }
  }
}

function seededIdsIn(body: unknown): Set<string> {
  return new Set(SEED.people.filter((person) => recordsWhere(body, 'id', person.id).length > 0).map((person) => person.id));
}

function authorization(token: string | undefined): Record<string, string> {
  return token === undefined ? {} : { authorization: `Bearer ${token}` };
}

async function readMe(api: ReferenceApi, token: string | undefined): Promise<Json> {
  const response = await fetch(`${api.url}/api/me`, { headers: authorization(token) });
  assert.equal(response.status, 200);
  return (await response.json()) as Json;
}

const MEMBER_PROFILE_FIELDS = new Set(Object.keys(spec.components.schemas.MemberProfile?.properties ?? {}));
const WORKOUT_FIELDS_FOR_ANYONE = new Set(spec.components.schemas.Workout?.required ?? []);

function specDescribesPath(path: string): boolean {
  return Object.keys(spec.paths).some((template) =>
    new RegExp(`^${template.replace(/\{\w+\}/g, '[^/]+')}$`).test(path),
  );
}

/** What each kind of flaw means, checked on the exploit's answer beyond the leaked values. */
const KIND_CHECKS: Readonly<Record<FlawKind, (flaw: PlantedFlaw, outcome: ExploitOutcome, api: ReferenceApi) => Promise<void> | void>> = {
  'missing-authentication'(flaw, outcome) {
    assert.equal(flaw.exploit.as, 'anonymous');
    assert.equal(outcome.token, undefined, 'sent with no token');
  },
  bola(flaw) {
    assert.equal(seeded(flaw.exploit.victim).is_profile_private, true, 'the victim is a private profile');
    assert.equal(flaw.exploit.as, 'member', 'read by an account that has no relation to the victim');
  },
  'private-flag-bypass'(flaw) {
    assert.equal(seeded(flaw.exploit.victim).is_profile_private, true, 'the victim is a private profile');
    assert.ok(['anonymous', 'member'].includes(flaw.exploit.as), 'read by someone who follows nobody');
  },
  'excessive-data-exposure'(flaw) {
    for (const field of flaw.fields) {
      const forAnyone = isWorkoutFlaw(flaw) ? WORKOUT_FIELDS_FOR_ANYONE : MEMBER_PROFILE_FIELDS;
      assert.ok(!forAnyone.has(field), `${field} is not meant for anyone but the owner`);
    }
  },
  enumeration(_flaw, outcome) {
    assert.ok(seededIdsIn(outcome.body).size >= 3, 'one query returns the victim and at least two other riders');
  },
  'function-level-authorization'(flaw, outcome) {
    assert.notEqual(flaw.exploit.as, 'admin');
    assert.equal(seededIdsIn(outcome.body).size, SEED.people.length, 'every account is listed');
  },
  'unrestricted-resource-consumption'(flaw, outcome) {
    const { ids } = flaw.exploit.body as { ids: readonly string[] };
    assert.ok(ids.length >= 800, `one lookup names ${ids.length} riders`);
    assert.equal(seededIdsIn(outcome.body).size, SEED.people.length, 'every seeded rider named is served');
  },
  'undocumented-endpoint'(flaw) {
    assert.ok(!specDescribesPath(flaw.exploit.path), `${flaw.exploit.path} is absent from the OpenAPI document`);
  },
  async 'mass-assignment'(flaw, outcome, api) {
    const me = await readMe(api, outcome.token);
    for (const [field, value] of Object.entries(flaw.exploit.body as Json)) {
      assert.equal(me[field], value, `${field} was written and persisted`);
    }
  },
};

/** How the fixed mode refuses the exploit, or that it serves the request without the values. */
function fixedStatus(flaw: PlantedFlaw): number {
  if (flaw.kind === 'undocumented-endpoint') return 404;
  if (flaw.exploit.as === 'anonymous') return 401;
  if (flaw.kind === 'function-level-authorization') return 403;
  if (flaw.kind === 'unrestricted-resource-consumption' || flaw.kind === 'mass-assignment') return 400;
  const activity = flaw.operation === 'getUserWorkouts' || flaw.operation === 'getUserFollowers';
  if (activity && (flaw.kind === 'bola' || flaw.kind === 'private-flag-bypass')) return 403;
  return 200;
}

describe('every planted flaw is exploitable by plain HTTP in its mode', () => {
  for (const flaw of PLANTED_FLAWS) {
    it(`${flaw.id}: ${flaw.kind} on ${flaw.operation} leaks ${flaw.fields.join(', ')} of ${flaw.exploit.victim}`, () =>
      withApi(flaw.mode, async (api) => {
        const outcome = await replayExploit(api.url, flaw.exploit);
        assert.equal(outcome.status, 200, JSON.stringify(outcome.body));
        if (flaw.kind !== 'mass-assignment') assertLeaks(flaw, outcome);
        await KIND_CHECKS[flaw.kind](flaw, outcome, api);
      }));
  }
});

describe('the fixed mode answers every planted exploit without the leak', () => {
  for (const flaw of PLANTED_FLAWS) {
    const status = fixedStatus(flaw);
    it(`${flaw.id} replayed on fixed: HTTP ${status} and none of ${flaw.exploit.victim}'s ${flaw.fields.join(', ')}`, () =>
      withApi('fixed', async (api) => {
        const outcome = await replayExploit(api.url, flaw.exploit);
        assert.equal(outcome.status, status, JSON.stringify(outcome.body));
        assertDoesNotLeak(flaw, outcome);
        if (status >= 400) assert.deepEqual(Object.keys(outcome.body as Json).sort(), ['error', 'message']);
        if (flaw.kind === 'mass-assignment') {
          const me = await readMe(api, outcome.token);
          assert.equal(me.role, seeded(flaw.exploit.victim).role, 'the role is unchanged');
        }
      }));
  }
});

describe('the planted flaws are consistent ground truth', () => {
  const operationIds = new Set(
    Object.values(spec.paths).flatMap((item) => Object.values(item as Record<string, { operationId?: string }>).map((op) => op.operationId)),
  );

  it('ids are unique and prefixed by their mode, and only leaky and authonly plant flaws', () => {
    assert.equal(new Set(PLANTED_FLAWS.map((flaw) => flaw.id)).size, PLANTED_FLAWS.length);
    for (const flaw of PLANTED_FLAWS) {
      assert.ok(flaw.id.startsWith(`${flaw.mode}/`), flaw.id);
      assert.ok(['leaky', 'authonly'].includes(flaw.mode), flaw.id);
    }
  });

  it('every flaw names a documented operation, or the method and path of an undocumented one', () => {
    for (const flaw of PLANTED_FLAWS) {
      if (flaw.kind === 'undocumented-endpoint') assert.match(flaw.operation, /^GET \/api\/v1\//, flaw.id);
      else assert.ok(operationIds.has(flaw.operation), `${flaw.id}: ${flaw.operation}`);
    }
  });

  it('the attacker is the identity the exploit is sent as, and every victim is a seeded person', () => {
    for (const flaw of PLANTED_FLAWS) {
      assert.equal(flaw.attacker, flaw.exploit.as === 'anonymous' ? 'anonymous' : 'member', flaw.id);
      assert.ok(flaw.fields.length > 0, flaw.id);
      seeded(flaw.exploit.victim);
    }
  });

  it('in January anyone could exploit another rider\'s data; after the Feb 2 "fix" every exploit needs an account', () => {
    // Flaws an account exploits on its own record (mass assignment, its own undeclared fields) need that account.
    const leaky = PLANTED_FLAWS.filter((flaw) => flaw.mode === 'leaky' && flaw.exploit.as !== flaw.exploit.victim);
    const authonly = PLANTED_FLAWS.filter((flaw) => flaw.mode === 'authonly');
    assert.ok(leaky.every((flaw) => flaw.attacker === 'anonymous'));
    assert.ok(authonly.every((flaw) => flaw.attacker === 'member'));
  });

  it('both leaky modes cover the incident: profile, workouts, followers, search, bulk details, GraphQL, admin list, legacy route, mass assignment', () => {
    const required = [
      'getUser',
      'getUserWorkouts',
      'getUserFollowers',
      'searchUsers',
      'getWorkoutDetails',
      'graphql',
      'listAdminUsers',
      'GET /api/v1/user/{id}',
      'updateMe',
    ];
    for (const mode of ['leaky', 'authonly'] as const) {
      const operations = new Set(PLANTED_FLAWS.filter((flaw) => flaw.mode === mode).map((flaw) => flaw.operation));
      assert.deepEqual(required.filter((operation) => !operations.has(operation)), [], mode);
      const kinds = new Set(PLANTED_FLAWS.filter((flaw) => flaw.mode === mode).map((flaw) => flaw.kind));
      for (const kind of ['private-flag-bypass', 'excessive-data-exposure', 'enumeration', 'unrestricted-resource-consumption'] as const) {
        assert.ok(kinds.has(kind), `${mode} plants ${kind}`);
      }
    }
  });
});
