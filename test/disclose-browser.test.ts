/**
 * The tracker as people use it, in headless Chromium with JavaScript off: a reporter files the
 * headline Peloton report through the public form and follows it with the private link, a triager
 * acknowledges, scores and assigns it, the verification gate refuses the February half fix and
 * accepts the real one, and the reporter contests the resolution. One case walks the whole story,
 * so each behaviour picks the case up where the one before left it. Everything happens through
 * the pages; the tracker is read directly only to check what they did.
 */
import assert from 'node:assert/strict';
import { createServer, request as forward } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import type { ReferenceApi } from '../src/reference-api/index.ts';
import { startReferenceApi } from '../src/reference-api/index.ts';
import type { Probe } from '../src/scan/probe.ts';
import type { TestService } from './fixtures/disclose.ts';
import { headlineProbe, PELOTON_REPORT, startTestService } from './fixtures/disclose.ts';
import { launchChromium } from './fixtures/report/browser.ts';

const PASSWORD = 'correct horse battery staple';
const TRIAGER = { email: 'tom@example.com', name: 'Tom', role: 'triager' } as const;
const ENGINEER = { email: 'eve@example.com', name: 'Eve', role: 'engineer' } as const;
const PELOTON_CVSS = 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N';
const INTERNAL_NOTE = 'Internal: the bulk route skips the session middleware entirely.';
const HALF_FIX_NOTE = 'Internal: bulk details now require a login.';
const REAL_FIX_NOTE = 'Internal: object-level rules now apply to bulk details.';

/**
 * The deployment the gate retests: a forwarder whose upstream is switched between the reference
 * API's `authonly` half fix and its `fixed` build, as a deploy would switch what answers there.
 */
interface Deployment {
  url: string;
  /** What answers at `url`; nothing until a fix is deployed. */
  upstream: string | undefined;
  close(): Promise<void>;
}

async function startDeployment(): Promise<Deployment> {
  const server: Server = createServer((incoming, outgoing) => {
    if (forwarder.upstream === undefined) {
      outgoing.writeHead(503).end();
      return;
    }
    const target = new URL(incoming.url ?? '/', forwarder.upstream);
    const proxied = forward(target, { method: incoming.method, headers: { ...incoming.headers, host: target.host } }, (answer) => {
      outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(outgoing);
    });
    proxied.on('error', () => outgoing.destroy());
    incoming.pipe(proxied);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const forwarder: Deployment = {
    url: `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`,
    upstream: undefined,
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => {
        resolve();
      });
    }),
  };
  return forwarder;
}

let probe: Probe;
let halfFix: ReferenceApi;
let realFix: ReferenceApi;
let deployment: Deployment;
let tracker: TestService;
let browser: Browser;
const contexts: BrowserContext[] = [];

/** What the story has established so far, for the behaviours that follow. */
const story: { trackingLink?: string; caseId?: number } = {};

before(async () => {
  deployment = await startDeployment();
  const withStaff = async (started: TestService) => {
    await Promise.all([TRIAGER, ENGINEER].map((user) => started.service.tracker.staff.createUser({ ...user, password: PASSWORD })));
    return started;
  };
  [probe, halfFix, realFix, tracker, browser] = await Promise.all([
    headlineProbe(),
    startReferenceApi({ mode: 'authonly' }),
    startReferenceApi({ mode: 'fixed' }),
    startTestService({ disclose: { verification: { target: deployment.url, rateLimit: 1_000_000 } } }).then(withStaff),
    launchChromium(),
  ]);
});

after(async () => {
  await Promise.all(contexts.map((context) => context.close()));
  await browser.close();
  await tracker.close();
  await deployment.close();
  await Promise.all([halfFix.close(), realFix.close()]);
});

/** Each person has their own browser context (cookies), without JavaScript: the pages need none. */
const people = new Map<string, Page>();

async function person(name: string): Promise<Page> {
  const known = people.get(name);
  if (known) return known;
  const context = await browser.newContext({ javaScriptEnabled: false });
  contexts.push(context);
  const page = await context.newPage();
  people.set(name, page);
  return page;
}

/** A staff member's browser, signed in at /login the first time (scrypt makes each sign-in slow on purpose). */
async function signedIn(user: { email: string }): Promise<Page> {
  const known = people.get(user.email);
  if (known) return known;
  const page = await person(user.email);
  await page.goto(`${tracker.url}/login`);
  await page.getByLabel('Email').fill(user.email);
  await page.getByLabel('Password').fill(PASSWORD);
  await submit(page, 'Sign in');
  assert.equal(page.url(), `${tracker.url}/cases`);
  return page;
}

/** The case page, reached the way staff reach it: from the list of open cases. */
async function openCase(page: Page): Promise<void> {
  const c = await filedCase();
  await page.goto(`${tracker.url}/cases`);
  await page.getByRole('link', { name: c.reference, exact: true }).click();
  await page.waitForURL(`${tracker.url}/cases/${String(c.id)}`);
}

/** Sends a form with its button and waits for the page it leads to (often the same address again). */
async function submit(page: Page, button: string, scope: Page | Locator = page): Promise<void> {
  await Promise.all([page.waitForEvent('load'), scope.getByRole('button', { name: button, exact: true }).click()]);
}

/** Sends one of the case page's action forms. */
async function act(page: Page, action: string, button: string): Promise<void> {
  await submit(page, button, page.locator(`form[action$="/${action}"]`));
}

async function filedCase() {
  assert.ok(story.caseId !== undefined, 'the reporter filed the case in the first behaviour');
  return tracker.service.tracker.getCase(story.caseId);
}

/** The reporter's browser, back on their case through the tracking link. */
async function trackingPage(): Promise<Page> {
  assert.ok(story.trackingLink !== undefined, 'the reporter kept the tracking link in the first behaviour');
  const page = await person('reporter');
  await page.goto(story.trackingLink);
  return page;
}

const badge = (page: Page) => page.locator('main p .badge').first();
const verificationRows = (page: Page) => page.locator('h2:text("Verification") + table tbody tr');

describe('a reporter files a report and follows it with the private tracking link', () => {
  it('submits the form with a probe, follows the link, reads the team and replies', async () => {
    const page = await person('reporter');
    await page.goto(`${tracker.url}/`);
    await page.getByRole('link', { name: 'Report a vulnerability' }).first().click();
    await page.getByLabel('Title').fill(PELOTON_REPORT.title);
    await page.getByLabel('Affected asset or endpoint').fill(PELOTON_REPORT.asset);
    await page.getByLabel('Description').fill(PELOTON_REPORT.description);
    await page.getByLabel('Steps to reproduce').fill(PELOTON_REPORT.steps);
    await page.getByLabel('Impact').fill(PELOTON_REPORT.impact);
    await page.getByLabel('Your email (optional)').fill(PELOTON_REPORT.contact ?? '');
    await page.getByLabel('Reproduction as a Leakproof probe (optional)').fill(JSON.stringify(probe, null, 2));
    await submit(page, 'Send report');

    const heading = await page.getByRole('heading', { level: 1 }).innerText();
    const reference = /^Thank you: (VR-\d+) received$/.exec(heading)?.[1];
    assert.ok(reference, heading);
    const link = page.locator('#tracking-link');
    const href = await link.getAttribute('href');
    assert.match(href ?? '', new RegExp(`^${tracker.url}/track/[A-Za-z0-9_-]{20,}$`));
    story.trackingLink = href ?? undefined;
    const [filed] = await tracker.service.tracker.listCases({ limit: 1 });
    assert.ok(filed);
    assert.equal(filed.reference, reference);
    assert.equal(filed.probe?.operation, probe.operation, 'the pasted probe is kept on the case');
    story.caseId = filed.id;

    await link.click();
    await page.waitForURL(href ?? '');
    assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), `${reference}: ${PELOTON_REPORT.title}`);
    assert.equal(await badge(page).innerText(), 'new');
    assert.match(await page.locator('main').innerText(), /Workout details of any rider/);

    const staff = await signedIn(ENGINEER);
    await openCase(staff);
    await staff.locator('form[action$="/message"]').getByLabel('Text').fill('Thanks: we can reproduce this and are looking into it.');
    await act(staff, 'message', 'Send');
    await staff.locator('form[action$="/message"]').getByLabel('Text').fill(INTERNAL_NOTE);
    await staff.getByLabel('Internal note (the reporter does not see it)').check();
    await act(staff, 'message', 'Send');

    await page.reload();
    const updates = page.locator('.message');
    assert.deepEqual(await updates.locator('.prose').allInnerTexts(), ['Thanks: we can reproduce this and are looking into it.']);
    assert.match(await updates.locator('.meta').innerText(), /^Example Fitness security team · /);
    await page.getByLabel('Reply').fill('Happy to help: private profiles leak too.');
    await submit(page, 'Send reply');
    assert.equal(page.url(), href);
    assert.deepEqual(await updates.locator('.meta').allInnerTexts().then((metas) => metas.map((m) => m.split(' · ')[0])), ['Example Fitness security team', 'You']);
    assert.equal(await updates.last().locator('.prose').innerText(), 'Happy to help: private profiles leak too.');

    await staff.reload();
    assert.match(await staff.locator('.message').last().innerText(), /reporter · [\s\S]*Happy to help: private profiles leak too\./);
  });
});

describe('a triager acknowledges, scores and assigns a case', () => {
  it('signs in, opens the case from the list, acknowledges it, triages it valid with CVSS 3.1 and assigns it', async () => {
    const page = await signedIn(TRIAGER);
    await openCase(page);
    await act(page, 'acknowledge', 'Acknowledge');
    assert.equal(await badge(page).innerText(), 'acknowledged');

    await page.getByLabel('Decision').selectOption('valid');
    await page.getByLabel('CVSS 3.1 vector').fill(PELOTON_CVSS);
    await act(page, 'triage', 'Record triage');
    assert.equal(await badge(page).innerText(), 'triaged');
    const headline = await page.locator('main > p').first().innerText();
    assert.match(headline, /\bhigh\b/);
    assert.match(headline, new RegExp(`7\\.5 ${PELOTON_CVSS.replaceAll('/', '\\/')}`));

    await page.getByLabel('Owner').selectOption({ label: 'Eve (engineer)' });
    await act(page, 'assign', 'Assign');
    assert.match(await page.locator('main > p').first().innerText(), /owner: Eve\b/);

    const c = await filedCase();
    const engineer = (await tracker.service.tracker.staff.users()).find((u) => u.email === ENGINEER.email);
    assert.deepEqual([c.state, c.triage, c.severity, c.score, c.ownerId], ['triaged', 'valid', 'high', 7.5, engineer?.id]);
    assert.ok(c.acknowledgedAt !== null);
  });
});

describe('the verification gate refuses a partial fix and accepts the real one', () => {
  it('sends the half fix back to fixing and resolves the real fix, with the evidence on the case page', async () => {
    const page = await signedIn(ENGINEER);
    await openCase(page);
    await act(page, 'start-fix', 'Start fixing');
    assert.equal(await badge(page).innerText(), 'fixing');

    deployment.upstream = halfFix.url;
    await page.getByLabel('What changed (internal)').fill(HALF_FIX_NOTE);
    await act(page, 'submit-fix', 'Submit for verification');
    assert.equal(await badge(page).innerText(), 'fix-submitted');
    await act(page, 'verify', 'Run the retest');
    assert.equal(await badge(page).innerText(), 'fixing', 'a failed retest sends the case back to fixing');
    const refused = verificationRows(page);
    assert.equal(await refused.count(), 1);
    assert.equal(await refused.locator('td').nth(1).innerText(), 'fail');
    assert.match(await refused.locator('td').nth(2).innerText(), /still leaks another way \(bola/, 'the page says why the half fix failed');
    assert.equal(await refused.locator('td').nth(3).innerText(), deployment.url);

    deployment.upstream = realFix.url;
    await page.getByLabel('What changed (internal)').fill(REAL_FIX_NOTE);
    await act(page, 'submit-fix', 'Submit for verification');
    await act(page, 'verify', 'Run the retest');
    assert.equal(await badge(page).innerText(), 'resolved');
    const rows = verificationRows(page);
    assert.deepEqual(await rows.locator('td:nth-child(2)').allInnerTexts(), ['fail', 'pass']);
    const accepted = rows.last();
    assert.ok((await accepted.locator('td').nth(2).innerText()).length > 0, 'the retest says why it passed');
    assert.equal(await accepted.locator('td').nth(3).innerText(), deployment.url);
    const asked = await accepted.locator('td').nth(4).innerText();
    assert.match(asked, /^anonymous: 401 ×\d+$/m, 'the evidence shows an anonymous caller refused');
    assert.match(asked, /^frank \(user\): /m, 'and the unrelated members asked');
    assert.ok(await page.getByRole('link', { name: 'CSAF 2.0' }).isVisible(), 'a resolved case offers its advisory');

    const c = await filedCase();
    assert.equal(c.state, 'resolved');
    const verifications = await tracker.service.tracker.verifications(c.id);
    assert.deepEqual(verifications.map((v) => (v.evidence as { verdict: string }).verdict), ['fail', 'pass'], 'the whole retest is kept as evidence');
  });
});

describe('the reporter contests a resolution within the window', () => {
  it('contests from the tracking page; staff see the case contested and the reporter sees it reopened', async () => {
    const page = await trackingPage();
    assert.equal(await badge(page).innerText(), 'resolved');
    assert.match(await page.locator('.message').last().innerText(), /is fixed: a retest of your reproduction no longer reaches the data/);
    await page.getByLabel('Contest this outcome').fill('Still leaking: the GraphQL route returns the same workout details.');
    await submit(page, 'Contest');
    assert.equal(page.url(), story.trackingLink);
    assert.equal(await badge(page).innerText(), 'contested');
    assert.equal(await page.getByRole('button', { name: 'Contest', exact: true }).count(), 0, 'a contested case cannot be contested again');
    assert.equal(await page.locator('.message .prose').nth(-2).innerText(), 'Still leaking: the GraphQL route returns the same workout details.');
    assert.match(await page.locator('.message').last().innerText(), /is reopened: the team has been told/);

    const staff = await signedIn(ENGINEER);
    const c = await filedCase();
    await staff.goto(`${tracker.url}/cases`);
    assert.match(await staff.getByRole('row').filter({ hasText: c.reference }).innerText(), /contested/, 'the open-cases list shows it again');
    await openCase(staff);
    assert.equal(await badge(staff).innerText(), 'contested');
    const clocks = await staff.locator('h2:text("Clocks") + table td:first-child').allInnerTexts();
    assert.ok(clocks.includes('contest'), `the reopened case has its own deadline: ${clocks.join(', ')}`);
    await act(staff, 'start-fix', 'Start fixing');
    assert.equal(await badge(staff).innerText(), 'fixing');

    await page.reload();
    assert.equal(await badge(page).innerText(), 'fixing');
    assert.match(await page.locator('.message').last().innerText(), /You contested VR-\d+: we reopened it and are fixing it again\./);
  });
});

describe('what a browser user must never see or do', () => {
  it("keeps internal notes off the reporter's page", async () => {
    const page = await trackingPage();
    const text = await page.locator('main').innerText();
    const staffThread = await tracker.service.tracker.thread((await filedCase()).id, { internal: true });
    const internal = staffThread.filter((m) => m.internal).map((m) => m.body);
    assert.deepEqual(internal, [INTERNAL_NOTE, HALF_FIX_NOTE, REAL_FIX_NOTE], 'the story left internal notes on the case');
    for (const note of internal) assert.ok(!text.includes(note), `the reporter must not read: ${note}`);
    assert.ok(!(await page.content()).includes('Internal:'), 'not even hidden in the markup');
  });

  it('refuses a reporter form sent after its CSRF cookie is gone, without acting', async () => {
    const page = await trackingPage();
    const before = (await tracker.service.tracker.thread((await filedCase()).id, { internal: false })).length;
    await page.context().clearCookies();
    await page.getByLabel('Reply').fill('This reply has lost its CSRF cookie.');
    const [answer] = await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST'), submit(page, 'Send reply')]);
    assert.equal(answer.status(), 403);
    assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'Form expired');
    const after = await tracker.service.tracker.thread((await filedCase()).id, { internal: false });
    assert.equal(after.length, before, 'the reply was not stored');
  });

  it('refuses a staff form sent after its CSRF cookie is gone, even with a session, without acting', async () => {
    const page = await signedIn(ENGINEER);
    await openCase(page);
    const version = (await filedCase()).version;
    await page.context().clearCookies({ name: '_csrf' });
    await page.getByLabel('What changed (internal)').fill('This fix has lost its CSRF cookie.');
    const [answer] = await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST'), act(page, 'submit-fix', 'Submit for verification')]);
    assert.equal(answer.status(), 403);
    assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'Form expired');
    const c = await filedCase();
    assert.deepEqual([c.state, c.version], ['fixing', version], 'the case did not change');
  });
});

describe('a tracker served over plain http', () => {
  it('does not ask the browser to upgrade its forms and stylesheet to https, where nothing answers', async () => {
    const page = await person('reporter');
    const answer = await page.goto(`${tracker.url}/report`);
    const policy = (await answer?.headerValue('content-security-policy')) ?? '';
    assert.match(policy, /form-action 'self'/);
    assert.doesNotMatch(policy, /upgrade-insecure-requests/);
  });
});
