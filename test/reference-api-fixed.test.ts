/**
 * The fixed mode is a fix only if the service still works: owners, followers and strangers each get
 * exactly their view, through every route.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ReferenceApi } from '../src/reference-api/index.ts';
import { SEED, identityToken, startReferenceApi } from '../src/reference-api/index.ts';

type Json = Record<string, unknown>;

const PUBLIC_VIEW = ['id', 'image_url', 'is_profile_private', 'username'];
const MEMBER_VIEW = [...PUBLIC_VIEW, 'location', 'total_followers', 'total_following', 'total_workouts'].sort();
const OWNER_VIEW = [...MEMBER_VIEW, 'age', 'birthday', 'email', 'gender', 'height', 'role', 'weight'].sort();

function seeded(username: string) {
  const person = SEED.people.find((candidate) => candidate.username === username);
  assert.ok(person, `${username} is a seeded person`);
  return person;
}

function workoutsOf(username: string) {
  return SEED.workouts.filter((workout) => workout.user_id === seeded(username).id);
}

/** A fixed-mode instance for one describe, and a client that acts as a seeded person. */
function fixedApi() {
  let api: ReferenceApi | undefined;
  before(async () => {
    api = await startReferenceApi({ mode: 'fixed' });
  });
  after(async () => {
    await api?.close();
  });
  const tokens = new Map<string, string | undefined>();
  return async function call(as: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: Json }> {
    assert.ok(api);
    if (!tokens.has(as)) tokens.set(as, await identityToken(api.url, as));
    const token = tokens.get(as);
    const response = await fetch(`${api.url}${path}`, {
      method,
      headers: {
        ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, body: (await response.json()) as Json };
  };
}

function expectedView(username: string, fields: readonly string[]): Json {
  const person = seeded(username) as unknown as Json;
  return Object.fromEntries(fields.map((field) => [field, person[field]]));
}

function dataOf(body: Json): Json[] {
  assert.ok(Array.isArray(body.data), 'the answer has a data array');
  return body.data as Json[];
}

describe('fixed: the owner gets their own full profile and workouts', () => {
  const call = fixedApi();

  it('GET /api/me and GET /api/user/{own id} return every owner field, never the last login address', async () => {
    const me = await call('bob', 'GET', '/api/me');
    assert.equal(me.status, 200);
    assert.deepEqual(me.body, expectedView('bob', OWNER_VIEW));
    const byId = await call('bob', 'GET', `/api/user/${seeded('bob').id}`);
    assert.deepEqual(byId.body, me.body);
  });

  it('the owner reads their workouts with calories and heart rate', async () => {
    const { status, body } = await call('bob', 'GET', `/api/user/${seeded('bob').id}/workouts`);
    assert.equal(status, 200);
    assert.deepEqual(dataOf(body), workoutsOf('bob'));
  });

  it('the owner reads their own followers of a private profile', async () => {
    const { status, body } = await call('carol', 'GET', `/api/user/${seeded('carol').id}/followers`);
    assert.equal(status, 200);
    assert.deepEqual(dataOf(body).map((follower) => follower.username).sort(), ['bob', 'dave']);
  });
});

describe('fixed: an accepted follower of a private profile sees its member view and workouts', () => {
  const call = fixedApi();
  const bob = seeded('bob');

  it('alice, who follows bob, gets his member view: no age, gender, weight, birthday or email', async () => {
    const { status, body } = await call('alice', 'GET', `/api/user/${bob.id}`);
    assert.equal(status, 200);
    assert.deepEqual(body, expectedView('bob', MEMBER_VIEW));
  });

  it("alice reads bob's workouts without calories or heart rate", async () => {
    const { status, body } = await call('alice', 'GET', `/api/user/${bob.id}/workouts`);
    assert.equal(status, 200);
    const expected = workoutsOf('bob').map(({ calories: _calories, avg_heart_rate: _heartRate, ...rest }) => rest);
    assert.deepEqual(dataOf(body), expected);
  });

  it('through GraphQL alice gets the same member view and null owner-only fields', async () => {
    const { status, body } = await call('alice', 'POST', '/graphql', {
      query: 'query ($id: ID!) { user(id: $id) { id location age weight workouts { id calories } } }',
      variables: { id: bob.id },
    });
    assert.equal(status, 200);
    const workouts = workoutsOf('bob').map((workout) => ({ id: workout.id, calories: null }));
    assert.deepEqual(body, { data: { user: { id: bob.id, location: bob.location, age: null, weight: null, workouts } } });
  });
});

describe('fixed: a stranger gets only the public view of a private profile', () => {
  const call = fixedApi();
  const bob = seeded('bob');

  it('frank, who follows nobody, gets id, username, image and the private flag only', async () => {
    const { status, body } = await call('frank', 'GET', `/api/user/${bob.id}`);
    assert.equal(status, 200);
    assert.deepEqual(body, expectedView('bob', PUBLIC_VIEW));
  });

  it("frank is refused bob's workouts and followers with 403", async () => {
    for (const path of [`/api/user/${bob.id}/workouts`, `/api/user/${bob.id}/followers`]) {
      const { status, body } = await call('frank', 'GET', path);
      assert.equal(status, 403, path);
      assert.equal(body.error, 'forbidden');
    }
  });

  it('a pending follow request grants nothing: grace sees only the public view of erin', async () => {
    const { body } = await call('grace', 'GET', `/api/user/${seeded('erin').id}`);
    assert.deepEqual(body, expectedView('erin', PUBLIC_VIEW));
  });

  it('through GraphQL every field frank may not see is null, workouts included', async () => {
    const { body } = await call('frank', 'POST', '/graphql', {
      query: 'query ($id: ID!) { user(id: $id) { id username location total_workouts age workouts { id } } }',
      variables: { id: bob.id },
    });
    assert.deepEqual(body, {
      data: { user: { id: bob.id, username: 'bob', location: null, total_workouts: null, age: null, workouts: null } },
    });
  });
});

describe('fixed: a public profile shows its member view to any member, and nothing owner-only', () => {
  const call = fixedApi();
  const alice = seeded('alice');

  it('frank gets the member view of alice', async () => {
    const { body } = await call('frank', 'GET', `/api/user/${alice.id}`);
    assert.deepEqual(body, expectedView('alice', MEMBER_VIEW));
  });

  it("frank gets alice's followers, each in the view frank may see of them", async () => {
    const { status, body } = await call('frank', 'GET', `/api/user/${alice.id}/followers`);
    assert.equal(status, 200);
    const byName = new Map(dataOf(body).map((follower) => [follower.username, follower]));
    assert.deepEqual(byName.get('dave'), expectedView('dave', MEMBER_VIEW));
    assert.deepEqual(byName.get('carol'), expectedView('carol', PUBLIC_VIEW));
    assert.deepEqual(byName.get('heidi'), expectedView('heidi', PUBLIC_VIEW));
  });
});

describe('fixed: the bulk stats lookup returns only riders the caller may see', () => {
  const call = fixedApi();
  const ids = ['alice', 'bob', 'carol', 'dave'].map((username) => seeded(username).id);

  it('alice gets her own stats with age and gender, bob and dave without, and nothing of carol', async () => {
    const { status, body } = await call('alice', 'POST', '/stats/workouts/details', { ids });
    assert.equal(status, 200);
    const byName = new Map(dataOf(body).map((stats) => [stats.username, stats]));
    assert.deepEqual([...byName.keys()], ['alice', 'bob', 'dave']);
    assert.equal(byName.get('alice')?.age, seeded('alice').age);
    assert.equal(byName.get('bob')?.age, undefined);
    assert.equal(byName.get('bob')?.location, seeded('bob').location);
    const bobOutput = workoutsOf('bob').reduce((sum, workout) => sum + workout.total_output, 0);
    assert.equal(byName.get('bob')?.total_output, bobOutput);
  });

  it('50 ids are served and 51 are refused with 400', async () => {
    const many = (count: number) => Array.from({ length: count }, (_, index) => index.toString(16).padStart(32, '0'));
    assert.equal((await call('alice', 'POST', '/stats/workouts/details', { ids: many(50) })).status, 200);
    const refused = await call('alice', 'POST', '/stats/workouts/details', { ids: many(51) });
    assert.equal(refused.status, 400);
    assert.equal(refused.body.error, 'bad_request');
  });
});

describe('search returns every match in the leaky modes and at most 20 in fixed', () => {
  async function searchAfterSignups(mode: 'leaky' | 'fixed'): Promise<number> {
    const api = await startReferenceApi({ mode });
    try {
      for (let index = 0; index < 25; index += 1) {
        const response = await fetch(`${api.url}/auth/register`, {
          method: 'POST',
          body: JSON.stringify({ username: `rider${String(index)}`, password: 'rider-password' }),
        });
        assert.equal(response.status, 201);
      }
      const token = await identityToken(api.url, 'alice');
      const response = await fetch(`${api.url}/api/user/search/RIDER`, { headers: { authorization: `Bearer ${token ?? ''}` } });
      assert.equal(response.status, 200);
      return ((await response.json()) as { data: unknown[] }).data.length;
    } finally {
      await api.close();
    }
  }

  it('leaky: 25 matching riders, 25 returned', async () => {
    assert.equal(await searchAfterSignups('leaky'), 25);
  });

  it('fixed: 25 matching riders, 20 returned', async () => {
    assert.equal(await searchAfterSignups('fixed'), 20);
  });
});

describe('fixed: PATCH /api/me writes declared properties and refuses every other', () => {
  const call = fixedApi();

  it('a writable property is saved and served back', async () => {
    const { status, body } = await call('dave', 'PATCH', '/api/me', { location: 'Boulder, CO', weight: 76.5 });
    assert.equal(status, 200);
    assert.equal(body.location, 'Boulder, CO');
    assert.equal((await call('dave', 'GET', '/api/me')).body.weight, 76.5);
  });

  it('making a profile private hides it from strangers at once', async () => {
    const hank = seeded('hank');
    assert.equal((await call('frank', 'GET', `/api/user/${hank.id}`)).body.location, hank.location);
    assert.equal((await call('hank', 'PATCH', '/api/me', { is_profile_private: true })).status, 200);
    assert.deepEqual((await call('frank', 'GET', `/api/user/${hank.id}`)).body, {
      ...expectedView('hank', PUBLIC_VIEW),
      is_profile_private: true,
    });
  });

  for (const body of [{ role: 'admin' }, { username: 'root' }, { last_login_ip: '10.0.0.1' }, { total_workouts: 999 }, { nickname: 'x' }]) {
    it(`${JSON.stringify(body)} is refused with 400 and nothing changes`, async () => {
      const before = await call('grace', 'GET', '/api/me');
      const refused = await call('grace', 'PATCH', '/api/me', { location: 'Madison, WI', ...body });
      assert.equal(refused.status, 400);
      assert.equal(refused.body.error, 'bad_request');
      assert.deepEqual((await call('grace', 'GET', '/api/me')).body, before.body);
    });
  }

  it('a value of the wrong type is refused with 400', async () => {
    assert.equal((await call('grace', 'PATCH', '/api/me', { weight: 'heavy' })).status, 400);
    assert.equal((await call('grace', 'PATCH', '/api/me', { is_profile_private: 'yes' })).status, 400);
  });
});

describe('fixed: only administrators list every account', () => {
  const call = fixedApi();

  it('admin gets every account with owner fields and no last login address', async () => {
    const { status, body } = await call('admin', 'GET', '/api/admin/users');
    assert.equal(status, 200);
    const accounts = dataOf(body);
    assert.deepEqual(accounts.map((account) => account.id), SEED.people.map((person) => person.id));
    for (const account of accounts) assert.deepEqual(Object.keys(account).sort(), OWNER_VIEW);
  });

  it('a member is refused with 403', async () => {
    assert.equal((await call('alice', 'GET', '/api/admin/users')).status, 403);
  });
});
