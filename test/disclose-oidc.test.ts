/**
 * Staff sign-in through OpenID Connect, in headless Chromium against a real provider
 * (oidc-provider, with its development login pages) on 127.0.0.1. The provider says who someone
 * is; only an existing, active account with a verified email gets in, with its own role.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import Provider from 'oidc-provider';
import type { Browser, Page } from 'playwright-core';
import { chromium } from 'playwright-core';
import type { TestService } from './fixtures/disclose.ts';
import { startTestService } from './fixtures/disclose.ts';

/** Logins the provider knows; `unverified@…` has an email the provider has not verified. */
const UNVERIFIED = 'unverified@example.com';

let browser: Browser;
let idp: Server;
let tracker: TestService;

before(async () => {
  idp = createServer();
  await new Promise<void>((resolve) => { idp.listen(0, '127.0.0.1', resolve); });
  const issuer = `http://127.0.0.1:${String((idp.address() as AddressInfo).port)}`;
  tracker = await startTestService({ disclose: { oidc: { issuer, clientId: 'tracker', clientSecret: 'a-client-secret-for-tests', label: 'Example SSO' } } });
  const provider = new Provider(issuer, {
    clients: [{ client_id: 'tracker', client_secret: 'a-client-secret-for-tests', redirect_uris: [`${tracker.url}/login/oidc/callback`], grant_types: ['authorization_code'], response_types: ['code'] }],
    claims: { email: ['email', 'email_verified'] },
    findAccount: (_ctx, id) => ({ accountId: id, claims: () => ({ sub: id, email: id, email_verified: id !== UNVERIFIED }) }),
  });
  const handle = provider.callback();
  idp.on('request', (request, response) => { void handle(request, response); });
  await tracker.service.tracker.staff.createUser({ email: 'ada@example.com', name: 'Ada', role: 'triager', password: 'correct horse battery' });
  // A member whose account was disabled: the tracker never lets its last admin be, so not an admin.
  const disabled = await tracker.service.tracker.staff.createUser({ email: 'old@example.com', name: 'Old', role: 'triager', password: 'correct horse battery' });
  await tracker.service.tracker.staff.disable(disabled.id, disabled.id);
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox'] });
});

after(async () => {
  await browser.close();
  await tracker.close();
  await new Promise<void>((resolve) => { idp.close(() => { resolve(); }); });
});

/** Through the provider's development login and consent pages, as `login`. */
async function signInAs(page: Page, login: string): Promise<void> {
  await page.goto(`${tracker.url}/login`);
  await page.click('#oidc');
  await page.fill('input[name=login]', login);
  await page.fill('input[name=password]', 'anything');
  await page.click('button[type=submit]');
  const consent = page.locator('button[type=submit]');
  if (await consent.count() > 0 && !page.url().startsWith(tracker.url)) await consent.click();
  await page.waitForURL((url) => url.href.startsWith(tracker.url));
}

describe('staff sign-in through OpenID Connect', () => {
  it('signs in an existing account with the role it has here', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await signInAs(page, 'ada@example.com');
    assert.equal(new URL(page.url()).pathname, '/cases');
    assert.match(await page.textContent('header') ?? '', /Sign out Ada/);
    assert.equal(await page.locator('a[href="/users"]').count(), 0, 'a triager, not an admin: no user management');
    const session = (await context.cookies()).find((c) => c.name === 'lp_session');
    assert.ok(session, 'a session cookie');
    assert.equal(session.httpOnly, true);
    assert.equal(session.sameSite, 'Strict');
    await context.close();
  });

  it('refuses an identity without an active account here, and creates none', async () => {
    for (const login of ['stranger@example.com', 'old@example.com']) {
      const context = await browser.newContext();
      const page = await context.newPage();
      await signInAs(page, login);
      assert.match(await page.textContent('.error') ?? '', new RegExp(`no active account for ${login}`));
      assert.equal((await context.cookies()).some((c) => c.name === 'lp_session'), false);
      await context.close();
    }
    assert.equal((await tracker.service.tracker.staff.users()).length, 2);
  });

  it('refuses an email the provider has not verified', async () => {
    await tracker.service.tracker.staff.createUser({ email: UNVERIFIED, name: 'Unverified', role: 'viewer', password: 'correct horse battery' });
    const context = await browser.newContext();
    const page = await context.newPage();
    await signInAs(page, UNVERIFIED);
    assert.match(await page.textContent('body') ?? '', /did not give a verified email address/);
    assert.equal((await context.cookies()).some((c) => c.name === 'lp_session'), false);
    await context.close();
  });

  it('refuses a callback that did not start here', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const response = await page.goto(`${tracker.url}/login/oidc/callback?code=forged&state=forged`);
    assert.equal(response?.status(), 400);
    assert.match(await page.textContent('.error') ?? '', /did not start here/);
    await context.close();
  });
});
