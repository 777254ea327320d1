/**
 * Staff passwords after the first: a member changes their own with the current one, an admin
 * resets another member's and sees the new one once, and `disclose reset-password` lets a
 * locked-out admin back in. Each new password ends the account's other sessions, keeps its API
 * tokens, and leaves a trail event that holds no password or hash; over HTTP, in SQLite and in
 * PostgreSQL.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { bufferIo } from '../src/cli/io.ts';
import { main } from '../src/cli/main.ts';
import type { User } from '../src/disclose/model.ts';
import type { Tracker } from '../src/disclose/tracker.ts';
import { verifyTrail } from '../src/disclose/store/trail.ts';
import type { Answer, TestService } from './fixtures/disclose.ts';
import { Browser, dropStores, freshStore, STORE_KINDS, startTestService } from './fixtures/disclose.ts';

const PASSWORD = 'correct horse battery staple';
const NEW_PASSWORD = 'a longer passphrase, changed';
/** A member's name that must print as text on every page that shows it. */
const MARKUP_NAME = 'Eve <script>alert(1)</script> "><img src=x onerror=alert(2)>';

/** Whether this browser's session still opens a staff page. */
async function stillSignedIn(browser: Browser): Promise<boolean> {
  const answer = await browser.send('/cases');
  assert.ok(answer.status === 200 || (answer.status === 303 && answer.headers.get('location') === '/login'), `/cases answered ${String(answer.status)}`);
  return answer.status === 200;
}

async function signIn(base: string, email: string, password: string): Promise<Answer & { browser: Browser }> {
  const browser = new Browser(base);
  return { ...(await browser.post('/login', { email, password }, '/login')), browser };
}

async function signedIn(base: string, email: string, password: string): Promise<Browser> {
  const { status, browser } = await signIn(base, email, password);
  assert.equal(status, 303, `${email} signs in`);
  return browser;
}

/** What a refused change must leave as it was. */
async function accounts(tracker: Tracker): Promise<unknown> {
  const db = tracker.database.db;
  return {
    users: await db.selectFrom('users').select(['id', 'password_hash', 'disabled']).orderBy('id').execute(),
    sessions: await db.selectFrom('sessions').select('token_hash').orderBy('token_hash').execute(),
    events: (await db.selectFrom('events').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n,
  };
}

/** The trail's account events, checking that none holds a password or a hash. */
async function accountEvents(tracker: Tracker, secrets: string[]): Promise<{ actor: string; action: string; data: string }[]> {
  const db = tracker.database.db;
  const hashes = (await db.selectFrom('users').select('password_hash').execute()).map((u) => u.password_hash);
  const events = await db.selectFrom('events').select(['actor', 'action', 'data']).where('case_id', 'is', null).orderBy('seq').execute();
  for (const event of events) {
    for (const secret of [...secrets, ...hashes, ...hashes.map((h) => h.split('$').at(-1) ?? h)]) assert.ok(!JSON.stringify(event).includes(secret), `${event.action} holds no password or hash`);
  }
  assert.equal((await verifyTrail(db)).broken, undefined, 'the trail verifies');
  // SQLite's rows have no prototype; plain objects compare with the expected ones.
  return events.map((event) => ({ ...event }));
}

async function run(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const io = bufferIo();
  const code = await main(argv, io);
  return { code, stdout: io.stdout.join('\n'), stderr: io.stderr.join('\n') };
}

after(async () => {
  await dropStores();
});

for (const kind of STORE_KINDS) {
  describe(`staff passwords are changed and reset in ${kind}`, () => {
    let test: TestService;
    let store: string;
    let ada: User;
    let eve: User;
    let evePassword = PASSWORD;

    before(async () => {
      store = freshStore(kind);
      test = await startTestService({ store });
      ada = await test.service.tracker.staff.createUser({ email: 'ada@example.com', name: 'Ada', role: 'admin', password: PASSWORD });
      eve = await test.service.tracker.staff.createUser({ email: 'eve@example.com', name: MARKUP_NAME, role: 'engineer', password: PASSWORD });
    });
    after(async () => {
      await test.close();
    });

    it('changes one\'s own password with the current one, ending the other sessions but not this one', async () => {
      const { tracker } = test.service;
      const here = await signedIn(test.url, 'eve@example.com', PASSWORD);
      const elsewhere = await signedIn(test.url, 'eve@example.com', PASSWORD);
      const apiToken = await tracker.staff.createApiToken(eve, 'ci');
      const account = await here.send('/account');
      assert.equal(account.status, 200);
      assert.match(account.text, /<a href="\/account">Account<\/a>/, 'the navigation links the account page');
      assert.ok(account.text.includes('Eve &lt;script&gt;alert(1)&lt;/script&gt; &quot;&gt;&lt;img'), 'the name prints as text');
      assert.ok(!account.text.includes('<script>') && !account.text.includes('<img'));

      const changed = await here.post('/account', { currentPassword: PASSWORD, newPassword: NEW_PASSWORD, repeatPassword: NEW_PASSWORD }, '/account');
      assert.equal(changed.status, 303);
      assert.equal(changed.headers.get('location'), '/account?changed=1');
      evePassword = NEW_PASSWORD;
      assert.match((await here.get('/account?changed=1')).text, /Your password was changed/);
      assert.ok(await stillSignedIn(here), 'the session that changed it stays');
      assert.ok(!(await stillSignedIn(elsewhere)), 'the other session ended');
      assert.equal((await tracker.staff.tokenUser(apiToken))?.id, eve.id, 'the API token still works');
      assert.equal((await signIn(test.url, 'eve@example.com', PASSWORD)).status, 401, 'the old password no longer signs in');
      await signedIn(test.url, 'eve@example.com', NEW_PASSWORD);
      const events = await accountEvents(tracker, [PASSWORD, NEW_PASSWORD]);
      assert.deepEqual(events.at(-1), { actor: `user:${String(eve.id)}`, action: 'user.password-changed', data: JSON.stringify({ id: eve.id }) });
    });

    it('refuses a wrong current password, a new one against the rule, a repeat that differs, and a form without CSRF token, changing nothing', async () => {
      const { tracker } = test.service;
      const eveBrowser = await signedIn(test.url, 'eve@example.com', evePassword);
      const before = await accounts(tracker);
      const refusals: [Record<string, string>, string][] = [
        [{ currentPassword: 'not the password at all', newPassword: 'another good passphrase', repeatPassword: 'another good passphrase' }, 'currentPassword: is not your current password'],
        [{ currentPassword: evePassword, newPassword: 'too short', repeatPassword: 'too short' }, 'newPassword: must be at least 12 characters'],
        [{ currentPassword: evePassword, newPassword: 'another good passphrase', repeatPassword: 'another good passphrasf' }, 'repeatPassword: does not match the new password'],
        [{ currentPassword: evePassword, newPassword: evePassword, repeatPassword: evePassword }, 'newPassword: must differ from the current one'],
      ];
      for (const [form, message] of refusals) {
        const answer = await eveBrowser.post('/account', form, '/account');
        assert.equal(answer.status, 400, message);
        assert.ok(answer.text.includes(`<p class="error" role="alert">${message}</p>`), `the page says ${message}`);
        assert.ok(answer.text.includes('action="/account"'), 'with the form to try again');
      }
      const forged = await eveBrowser.send('/account', { form: { currentPassword: evePassword, newPassword: 'chosen by another site', repeatPassword: 'chosen by another site' } });
      assert.equal(forged.status, 403, 'no CSRF token: refused');
      assert.ok(forged.text.includes('Form expired'));
      assert.deepEqual(await accounts(tracker), before, 'nothing changed');
      assert.ok(await stillSignedIn(eveBrowser));
    });

    it('lets an admin, and only an admin, reset another member\'s password, shown once, ending their sessions', async () => {
      const { tracker } = test.service;
      const admin = await signedIn(test.url, 'ada@example.com', PASSWORD);
      const eveBrowser = await signedIn(test.url, 'eve@example.com', evePassword);
      const users = await admin.send('/users');
      assert.ok(users.text.includes(`action="/users/${String(eve.id)}/reset-password"`), 'a reset button for the member');
      assert.ok(!users.text.includes(`action="/users/${String(ada.id)}/reset-password"`), 'none for oneself');

      const before = await accounts(tracker);
      const byMember = await eveBrowser.post(`/users/${String(ada.id)}/reset-password`, {}, '/account');
      assert.equal(byMember.status, 403, 'a non-admin is refused, as on every admin page');
      assert.match(byMember.text, /this page needs the admin role/);
      const ownAccount = await admin.post(`/users/${String(ada.id)}/reset-password`, {}, '/users');
      assert.equal(ownAccount.status, 400);
      assert.match(ownAccount.text, /change your own password on your account page/);
      assert.deepEqual(await accounts(tracker), before, 'nothing changed');

      const reset = await admin.post(`/users/${String(eve.id)}/reset-password`, {}, '/users');
      assert.equal(reset.status, 200);
      const password = /<code id="new-password">([^<]+)<\/code>/.exec(reset.text)?.[1];
      assert.ok(password && password.length >= 12, 'the new password is on the page');
      assert.ok(reset.text.includes('New password for Eve &lt;script&gt;alert(1)&lt;/script&gt; &quot;&gt;&lt;img'), 'the name prints as text');
      assert.ok(!reset.text.includes('<script>') && !reset.text.includes('<img'));
      assert.ok(!(await admin.send('/users')).text.includes(password), 'and shown only once');
      assert.ok(!(await stillSignedIn(eveBrowser)), 'the member\'s session ended');
      assert.ok(await stillSignedIn(admin), 'the admin\'s did not');
      assert.equal((await signIn(test.url, 'eve@example.com', evePassword)).status, 401, 'the old password no longer signs in');
      await signedIn(test.url, 'eve@example.com', password);
      evePassword = password;
      const events = await accountEvents(tracker, [password]);
      assert.deepEqual(events.at(-1), { actor: `user:${String(ada.id)}`, action: 'user.password-reset', data: JSON.stringify({ id: eve.id }) });
    });

    it('resets a locked-out admin\'s password from the command line, and names an unknown account with exit code 2', async () => {
      const { tracker } = test.service;
      const session = await signedIn(test.url, 'ada@example.com', PASSWORD);
      const reset = await run('disclose', 'reset-password', '--email', 'Ada@Example.com', '--store', store);
      assert.equal(reset.code, 0, reset.stderr);
      const password = /^New password for admin ada@example\.com: (\S+)$/m.exec(reset.stdout)?.[1];
      assert.ok(password && password.length >= 12, 'the password is printed once');
      assert.match(reset.stdout, /Their sessions have ended; their API tokens still work/);
      assert.ok(!(await stillSignedIn(session)), 'the admin\'s session ended');
      assert.equal((await signIn(test.url, 'ada@example.com', PASSWORD)).status, 401);
      await signedIn(test.url, 'ada@example.com', password);
      const events = await accountEvents(tracker, [password]);
      assert.deepEqual(events.at(-1), { actor: 'system', action: 'user.password-reset', data: JSON.stringify({ id: ada.id }) });

      const before = await accounts(tracker);
      const unknown = await run('disclose', 'reset-password', '--email', 'nobody@example.com', '--store', store);
      assert.equal(unknown.code, 2);
      assert.match(unknown.stderr, /ERR_USAGE no active account nobody@example\.com/);
      assert.deepEqual(await accounts(tracker), before, 'nothing changed');
    });
  });
}

describe('the password change form is rate-limited like sign-in', () => {
  let test: TestService;

  before(async () => {
    test = await startTestService({ disclose: { organization: 'Example Fitness', limits: { reportsPerHour: 1000, loginsPerMinute: 2 } } });
    await test.service.tracker.staff.createUser({ email: 'ada@example.com', name: 'Ada', role: 'viewer', password: PASSWORD });
  });
  after(async () => {
    await test.close();
  });

  it('refuses guesses of the current password beyond disclose.limits.loginsPerMinute', async () => {
    const browser = await signedIn(test.url, 'ada@example.com', PASSWORD);
    const statuses: number[] = [];
    for (const current of ['first guess at it', 'second guess at it', PASSWORD]) {
      statuses.push((await browser.post('/account', { currentPassword: current, newPassword: NEW_PASSWORD, repeatPassword: NEW_PASSWORD }, '/account')).status);
    }
    assert.deepEqual(statuses, [400, 400, 429], 'even the right password waits');
    assert.equal((await signIn(test.url, 'ada@example.com', PASSWORD)).status, 303, 'the password did not change');
  });
});
