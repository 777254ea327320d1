/**
 * A staff account's life after creation: an admin changes a member's role, disables the account
 * and enables it again. Disabling ends the member's sessions and API tokens at once, and enabling
 * brings none back; a new role applies to open sessions and tokens at their next request. An
 * admin cannot change their own role or disable themself, and the tracker always keeps an active
 * admin, even against two admins demoting each other at once. Each change is a trail event, and
 * the trail verifies. Over HTTP against the running service, and in the store in SQLite and in
 * PostgreSQL.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { User } from '../src/disclose/model.ts';
import { InputError } from '../src/disclose/report-input.ts';
import { verifyTrail } from '../src/disclose/store/trail.ts';
import type { Tracker } from '../src/disclose/tracker.ts';
import { escapeHtml } from '../src/disclose/web/html.ts';
import type { Answer, TestService } from './fixtures/disclose.ts';
import { Browser, dropStores, freshStore, PELOTON_REPORT, STORE_KINDS, startTestService, testTracker } from './fixtures/disclose.ts';

const PASSWORD = 'correct horse battery staple';
/** A member's name that must print as text on the users page. */
const MARKUP_NAME = 'Eve <script>alert(1)</script> "><img src=x onerror=alert(2)>';

async function signIn(base: string, email: string): Promise<Answer & { browser: Browser }> {
  const browser = new Browser(base);
  return { ...(await browser.post('/login', { email, password: PASSWORD }, '/login')), browser };
}

async function signedIn(base: string, email: string): Promise<Browser> {
  const { status, browser } = await signIn(base, email);
  assert.equal(status, 303, `${email} signs in`);
  return browser;
}

/** Whether this browser's session still opens a staff page. */
async function stillSignedIn(browser: Browser): Promise<boolean> {
  const answer = await browser.send('/cases');
  assert.ok(answer.status === 200 || (answer.status === 303 && answer.headers.get('location') === '/login'), `/cases answered ${String(answer.status)}`);
  return answer.status === 200;
}

/** The status of a JSON API call with a staff API token. */
async function apiStatus(base: string, token: string, path: string, json?: unknown): Promise<number> {
  return (await new Browser(base).send(`/api/v1${path}`, { json, headers: { authorization: `Bearer ${token}` } })).status;
}

/** What a refused change must leave as it was. */
async function accounts(tracker: Tracker): Promise<unknown> {
  const db = tracker.database.db;
  const count = async (table: 'sessions' | 'api_tokens' | 'events') => Number((await db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
  return {
    users: (await db.selectFrom('users').select(['id', 'role', 'disabled']).orderBy('id').execute()).map((row) => ({ ...row })),
    sessions: await count('sessions'),
    apiTokens: await count('api_tokens'),
    events: await count('events'),
  };
}

/** The trail's account events, oldest first, once the whole trail has verified. */
async function accountEvents(tracker: Tracker): Promise<{ actor: string; action: string; data: unknown }[]> {
  const db = tracker.database.db;
  assert.equal((await verifyTrail(db)).broken, undefined, 'the trail verifies');
  const events = await db.selectFrom('events').select(['actor', 'action', 'data']).where('case_id', 'is', null).orderBy('seq').execute();
  return events.map((e) => ({ actor: e.actor, action: e.action, data: JSON.parse(e.data) as unknown }));
}

async function lastAccountEvent(tracker: Tracker): Promise<unknown> {
  return (await accountEvents(tracker)).at(-1);
}

/** The credentials a member holds: a signed-in browser and an API token. */
async function credentials(test: TestService, member: User): Promise<{ browser: Browser; token: string }> {
  return { browser: await signedIn(test.url, member.email), token: await test.service.tracker.staff.createApiToken(member, 'ci') };
}

function refusal(pattern: RegExp) {
  return (error: Error) => {
    assert.ok(error instanceof InputError, error.message);
    assert.match(error.message, pattern);
    return true;
  };
}

after(async () => {
  await dropStores();
});

describe('an admin manages members\' accounts from the users page', () => {
  let test: TestService;
  let ada: User;
  let eve: User;
  let vic: User;
  let admin: Browser;
  let caseId: number;
  /** Eve's credentials from before her account was disabled. */
  let ended: { browser: Browser; token: string };

  before(async () => {
    test = await startTestService();
    const { staff } = test.service.tracker;
    ada = await staff.createUser({ email: 'ada@example.com', name: 'Ada', role: 'admin', password: PASSWORD });
    eve = await staff.createUser({ email: 'eve@example.com', name: MARKUP_NAME, role: 'engineer', password: PASSWORD });
    vic = await staff.createUser({ email: 'vic@example.com', name: 'Vic', role: 'viewer', password: PASSWORD });
    admin = await signedIn(test.url, 'ada@example.com');
    caseId = (await test.service.tracker.submitReport(PELOTON_REPORT)).case.id;
  });
  after(async () => {
    await test.close();
  });

  it('shows each member\'s state with the buttons that fit it, none on one\'s own row, every name as text', async () => {
    const { staff } = test.service.tracker;
    const old = await staff.createUser({ email: 'old@example.com', name: 'Old', role: 'triager', password: PASSWORD });
    await staff.disable(old.id, ada.id);
    const page = await admin.send('/users');
    assert.equal(page.status, 200);
    const row = (member: User) => {
      const found = page.text.split('<tr>').find((r) => r.includes(`<td>${member.email}</td>`));
      assert.ok(found, `a row for ${member.email}`);
      return found;
    };
    const active = row(eve);
    assert.ok(active.includes('<td>active</td>'));
    for (const action of ['role', 'reset-password', 'disable']) assert.ok(active.includes(`action="/users/${String(eve.id)}/${action}"`), `${action} for an active member`);
    assert.ok(!active.includes('/enable"'), 'no Enable for an active member');
    assert.match(active, /<option selected>engineer<\/option>/, 'the role select shows the member\'s role');
    assert.equal((active.match(/<option/g) ?? []).length, 4, 'and offers the four roles');
    assert.ok(active.includes('aria-label="Role of Eve &lt;script&gt;alert(1)&lt;/script&gt; &quot;&gt;&lt;img src=x onerror=alert(2)&gt;"'), 'the name prints as text, in attributes too');
    assert.ok(!page.text.includes('<script>') && !page.text.includes('<img'));

    const disabled = row(old);
    assert.ok(disabled.includes('<td>disabled</td>'));
    assert.ok(disabled.includes(`action="/users/${String(old.id)}/enable"`), 'Enable for a disabled member');
    assert.ok(disabled.includes(`action="/users/${String(old.id)}/role"`), 'whose role may change before enabling');
    assert.ok(!disabled.includes('/disable"') && !disabled.includes('/reset-password"'), 'no Disable or Reset password for a disabled member');

    const own = row(ada);
    assert.ok(own.includes('Ada (you)'));
    assert.ok(!own.includes('<form'), 'no buttons on one\'s own row');
  });

  it('disables an account, ending its sessions and API tokens at once', async () => {
    const { tracker } = test.service;
    ended = await credentials(test, eve);
    const { browser, token } = ended;
    assert.ok(await stillSignedIn(browser));
    assert.equal(await apiStatus(test.url, token, '/cases'), 200);

    const answer = await admin.post(`/users/${String(eve.id)}/disable`, {}, '/users');
    assert.equal(answer.status, 303);
    assert.equal(answer.headers.get('location'), '/users');
    assert.ok(!(await stillSignedIn(browser)), 'the session ended');
    assert.equal(await apiStatus(test.url, token, '/cases'), 401, 'the API token ended');
    assert.equal((await signIn(test.url, 'eve@example.com')).status, 401, 'and the password no longer signs in');
    const db = tracker.database.db;
    assert.equal((await db.selectFrom('sessions').select('token_hash').where('user_id', '=', eve.id).execute()).length, 0, 'no session row is left');
    assert.equal((await db.selectFrom('api_tokens').select('token_hash').where('user_id', '=', eve.id).execute()).length, 0, 'no token row is left');
    assert.deepEqual(await lastAccountEvent(tracker), { actor: `user:${String(ada.id)}`, action: 'user.disabled', data: { id: eve.id } });
  });

  it('enables the account again, reviving none of the sessions and tokens that disabling ended', async () => {
    const { tracker } = test.service;
    const answer = await admin.post(`/users/${String(eve.id)}/enable`, {}, '/users');
    assert.equal(answer.status, 303);
    assert.deepEqual(await lastAccountEvent(tracker), { actor: `user:${String(ada.id)}`, action: 'user.enabled', data: { id: eve.id } });
    assert.ok((await admin.send('/users')).text.split('<tr>').find((r) => r.includes('eve@example.com'))?.includes('<td>active</td>'));
    assert.ok(!(await stillSignedIn(ended.browser)), 'the old session stays ended');
    assert.equal(await apiStatus(test.url, ended.token, '/cases'), 401, 'so does the old API token');
    const again = await credentials(test, eve);
    assert.ok(await stillSignedIn(again.browser), 'the member signs in again');
    assert.equal(await apiStatus(test.url, again.token, '/cases'), 200, 'and a new token works');
  });

  it('applies a new role to the member\'s open session and API token at their next request', async () => {
    const { tracker } = test.service;
    const { browser, token } = await credentials(test, eve);
    const message = (text: string) => browser.post(`/cases/${String(caseId)}/message`, { message: text, internal: '1' }, '/account');
    assert.equal((await browser.send('/users')).status, 403, 'an engineer does not manage accounts');
    assert.equal((await message('as an engineer')).status, 303);

    assert.equal((await admin.post(`/users/${String(eve.id)}/role`, { role: 'admin' }, '/users')).status, 303);
    assert.deepEqual(await lastAccountEvent(tracker), { actor: `user:${String(ada.id)}`, action: 'user.role', data: { id: eve.id, from: 'engineer', to: 'admin' } });
    assert.equal((await browser.send('/users')).status, 200, 'the same session opens the users page now');

    assert.equal((await admin.post(`/users/${String(eve.id)}/role`, { role: 'viewer' }, '/users')).status, 303);
    assert.deepEqual(await lastAccountEvent(tracker), { actor: `user:${String(ada.id)}`, action: 'user.role', data: { id: eve.id, from: 'admin', to: 'viewer' } });
    assert.equal((await browser.send('/users')).status, 403, 'and no longer');
    const refused = await message('as a viewer');
    assert.equal(refused.status, 403, 'a viewer writes no messages');
    assert.match(refused.text, /this page needs the engineer role/);
    assert.ok(await stillSignedIn(browser), 'a viewer still reads');
    assert.equal(await apiStatus(test.url, token, '/cases'), 200, 'so does the API token');
    assert.equal(await apiStatus(test.url, token, `/cases/${String(caseId)}/actions`, { action: 'message', message: 'as a viewer' }), 403, 'which acts with the new role too');
    assert.deepEqual((await tracker.thread(caseId, { internal: true })).filter((m) => m.userId === eve.id).map((m) => m.body), ['as an engineer']);

    const before = await accounts(tracker);
    assert.equal((await admin.post(`/users/${String(eve.id)}/role`, { role: 'viewer' }, '/users')).status, 303);
    assert.deepEqual(await accounts(tracker), before, 'the role it has already: nothing to record');
  });

  it('refuses an admin\'s change to their own account, saying why on the users page, changing nothing', async () => {
    const { tracker } = test.service;
    const before = await accounts(tracker);
    const refusals: [string, Record<string, string>, string][] = [
      ['role', { role: 'viewer' }, 'user: you cannot change your own role: another admin can'],
      ['disable', {}, 'user: you cannot disable your own account'],
      ['enable', {}, 'user: your own account is enabled already'],
    ];
    for (const [action, form, message] of refusals) {
      const answer = await admin.post(`/users/${String(ada.id)}/${action}`, form, '/users');
      assert.equal(answer.status, 400, message);
      assert.ok(answer.text.includes(`<p class="error" role="alert">${message}</p>`), `the page says ${message}`);
      assert.ok(answer.text.includes('action="/users"'), 'on the users page, to carry on');
    }
    assert.deepEqual(await accounts(tracker), before, 'nothing changed');
    assert.ok(await stillSignedIn(admin));
  });

  it('refuses an unknown role, an unknown member, and enabling an active account or disabling a disabled one', async () => {
    const { tracker } = test.service;
    const before = await accounts(tracker);
    const refusals: [string, Record<string, string>, string][] = [
      [`/users/${String(vic.id)}/role`, { role: 'owner' }, 'role: must be one of admin, triager, engineer, viewer'],
      [`/users/${String(vic.id)}/role`, {}, 'role: must be one of admin, triager, engineer, viewer'],
      ['/users/999999/role', { role: 'admin' }, 'user: there is no account number 999999'],
      ['/users/999999/disable', {}, 'user: there is no active account number 999999'],
      ['/users/999999/enable', {}, 'user: there is no disabled account number 999999'],
      [`/users/${String(vic.id)}/enable`, {}, `user: there is no disabled account number ${String(vic.id)}`],
      ['/users/vic/disable', {}, "user: 'vic' is not a user number"],
    ];
    for (const [path, form, message] of refusals) {
      const answer = await admin.post(path, form, '/users');
      assert.equal(answer.status, 400, `${path}: ${message}`);
      assert.ok(answer.text.includes(`<p class="error" role="alert">${escapeHtml(message)}</p>`), `the page says ${message}`);
    }
    assert.deepEqual(await accounts(tracker), before, 'nothing changed');
    await tracker.staff.disable(vic.id, ada.id);
    const disabled = await accounts(tracker);
    const twice = await admin.post(`/users/${String(vic.id)}/disable`, {}, '/users');
    assert.equal(twice.status, 400);
    assert.ok(twice.text.includes(`user: there is no active account number ${String(vic.id)}`));
    assert.deepEqual(await accounts(tracker), disabled, 'no second event for an account disabled already');
    await tracker.staff.enable(vic.id, ada.id);
  });

  it('refuses members below admin with 403, and forms without this session\'s CSRF token, changing nothing', async () => {
    const { tracker } = test.service;
    const { staff } = tracker;
    await staff.changeRole(eve.id, 'triager', ada.id);
    const triager = await signedIn(test.url, 'eve@example.com');
    const viewer = await signedIn(test.url, 'vic@example.com');
    const before = await accounts(tracker);
    const attempts: [string, Record<string, string>][] = [
      [`/users/${String(vic.id)}/role`, { role: 'admin' }],
      [`/users/${String(ada.id)}/role`, { role: 'viewer' }],
      [`/users/${String(ada.id)}/disable`, {}],
      [`/users/${String(vic.id)}/enable`, {}],
    ];
    for (const [path, form] of attempts) {
      for (const [who, browser] of [['a triager', triager], ['a viewer', viewer]] as const) {
        const answer = await browser.post(path, form, '/account');
        assert.equal(answer.status, 403, `${who}: ${path}`);
        assert.match(answer.text, /this page needs the admin role/);
      }
      const forged = await admin.send(path, { form });
      assert.equal(forged.status, 403, `no CSRF token: ${path}`);
      assert.ok(forged.text.includes('Form expired'));
      const borrowed = await admin.send(path, { form: { ...form, _csrf: await new Browser(test.url).csrf('/login') } });
      assert.equal(borrowed.status, 403, `another browser's CSRF token: ${path}`);
    }
    assert.deepEqual(await accounts(tracker), before, 'nothing changed');
  });

  it('records every change in the trail, naming the account and who did it, and the trail verifies', async () => {
    const events = await accountEvents(test.service.tracker);
    const changes = events.filter((e) => e.action !== 'user.created');
    assert.deepEqual(changes.map((e) => e.action), ['user.disabled', 'user.disabled', 'user.enabled', 'user.role', 'user.role', 'user.disabled', 'user.enabled', 'user.role']);
    for (const event of changes) assert.equal(event.actor, `user:${String(ada.id)}`);
  });
});

for (const kind of STORE_KINDS) {
  describe(`the tracker always keeps an active admin, and accounts change at once, in ${kind}`, () => {
    let tracker: Tracker;
    let ada: User;
    let bob: User;
    let eve: User;

    before(async () => {
      tracker = await testTracker(freshStore(kind));
      ada = await tracker.staff.createUser({ email: 'ada@example.com', name: 'Ada', role: 'admin', password: PASSWORD });
      bob = await tracker.staff.createUser({ email: 'bob@example.com', name: 'Bob', role: 'admin', password: PASSWORD }, ada.id);
      eve = await tracker.staff.createUser({ email: 'eve@example.com', name: 'Eve', role: 'engineer', password: PASSWORD }, ada.id);
    });
    after(async () => {
      await tracker.close();
    });

    it('refuses to demote or disable the last active admin; a disabled admin does not count', async () => {
      const { staff } = tracker;
      await staff.disable(bob.id, ada.id);
      const before = await accounts(tracker);
      await assert.rejects(staff.changeRole(ada.id, 'triager', ada.id), refusal(/^user: Ada is the last active admin and must stay one: make another member an admin first/));
      await assert.rejects(staff.disable(ada.id, ada.id), refusal(/^user: Ada is the last active admin and cannot be disabled: make another member an admin first/));
      assert.deepEqual(await accounts(tracker), before, 'nothing changed');

      await staff.changeRole(bob.id, 'viewer', ada.id);
      await staff.changeRole(bob.id, 'admin', ada.id);
      await staff.enable(bob.id, ada.id);
      await staff.changeRole(ada.id, 'triager', bob.id);
      await assert.rejects(staff.disable(bob.id, bob.id), refusal(/Bob is the last active admin/));
      await staff.changeRole(ada.id, 'admin', bob.id);
      assert.deepEqual((await staff.users()).filter((u) => u.role === 'admin' && !u.disabled).map((u) => u.id), [ada.id, bob.id]);
    });

    it('lets only one of two admins demoting or disabling each other at once succeed', async () => {
      const { staff } = tracker;
      const demotions: [() => Promise<void>, () => Promise<void>][] = [
        [() => staff.changeRole(ada.id, 'viewer', bob.id), () => staff.changeRole(bob.id, 'viewer', ada.id)],
        [() => staff.disable(ada.id, bob.id), () => staff.disable(bob.id, ada.id)],
        [() => staff.changeRole(ada.id, 'engineer', bob.id), () => staff.disable(bob.id, ada.id)],
      ];
      for (const [first, second] of demotions) {
        for (let round = 0; round < 3; round += 1) {
          const outcomes = await Promise.allSettled([first(), second()]);
          assert.deepEqual(outcomes.map((o) => o.status).sort(), ['fulfilled', 'rejected'], 'one succeeds, one is refused');
          const refused = outcomes.find((o) => o.status === 'rejected');
          assert.match(String((refused as PromiseRejectedResult).reason), /is the last active admin/);
          const admins = (await staff.users()).filter((u) => u.role === 'admin' && !u.disabled);
          assert.equal(admins.length, 1, 'one active admin is left');
          const survivor = admins[0] as User;
          const other = survivor.id === ada.id ? bob : ada;
          await staff.changeRole(other.id, 'admin', survivor.id);
          if ((await staff.user(other.id))?.disabled) await staff.enable(other.id, survivor.id);
        }
      }
      assert.equal((await verifyTrail(tracker.database.db)).broken, undefined, 'the trail verifies');
    });

    it('reads the role and the state afresh for every session and token, and revives neither on enabling', async () => {
      const { staff } = tracker;
      const session = await staff.openSession(eve);
      const token = await staff.createApiToken(eve, 'ci');
      await staff.changeRole(eve.id, 'viewer', ada.id);
      assert.equal((await staff.sessionUser(session))?.role, 'viewer');
      assert.equal((await staff.tokenUser(token))?.role, 'viewer');
      await staff.disable(eve.id, ada.id);
      assert.equal(await staff.sessionUser(session), undefined);
      assert.equal(await staff.tokenUser(token), undefined);
      await staff.enable(eve.id, ada.id);
      assert.equal(await staff.sessionUser(session), undefined, 'the session stays ended');
      assert.equal(await staff.tokenUser(token), undefined, 'the token stays ended');
      assert.equal((await staff.authenticate('eve@example.com', PASSWORD))?.role, 'viewer', 'the member signs in again, with the role they had');
    });

    it('records each change with who did it, and the role change with the old and the new role', async () => {
      const events = await accountEvents(tracker);
      const actor = (user: User) => `user:${String(user.id)}`;
      assert.deepEqual(events.slice(0, 8), [
        { actor: 'system', action: 'user.created', data: { id: ada.id, email: 'ada@example.com', role: 'admin' } },
        { actor: actor(ada), action: 'user.created', data: { id: bob.id, email: 'bob@example.com', role: 'admin' } },
        { actor: actor(ada), action: 'user.created', data: { id: eve.id, email: 'eve@example.com', role: 'engineer' } },
        { actor: actor(ada), action: 'user.disabled', data: { id: bob.id } },
        { actor: actor(ada), action: 'user.role', data: { id: bob.id, from: 'admin', to: 'viewer' } },
        { actor: actor(ada), action: 'user.role', data: { id: bob.id, from: 'viewer', to: 'admin' } },
        { actor: actor(ada), action: 'user.enabled', data: { id: bob.id } },
        { actor: actor(bob), action: 'user.role', data: { id: ada.id, from: 'admin', to: 'triager' } },
      ]);
      assert.deepEqual(events.slice(-3), [
        { actor: actor(ada), action: 'user.role', data: { id: eve.id, from: 'engineer', to: 'viewer' } },
        { actor: actor(ada), action: 'user.disabled', data: { id: eve.id } },
        { actor: actor(ada), action: 'user.enabled', data: { id: eve.id } },
      ]);
    });
  });
}
