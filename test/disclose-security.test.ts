/**
 * The tracker's security, tested over HTTP against the running service: one reporter's link never
 * reveals another case, stored XSS, CSRF and SQL injection through every field fail (in SQLite and
 * in PostgreSQL), body and upload limits hold, intake and sign-in are rate-limited, errors never
 * show a stack trace, and the service's own API passes `leakproof scan` with zero findings.
 */
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { stringify } from 'yaml';
import { loadConfig } from '../src/core/config.ts';
import type { Role, User } from '../src/disclose/model.ts';
import type { Tracker } from '../src/disclose/tracker.ts';
import { CHECKS } from '../src/scan/checks/index.ts';
import { executeScan, prepareScan, scanConfig } from '../src/scan/index.ts';
import type { Probe } from '../src/scan/probe.ts';
import type { Answer, TestService } from './fixtures/disclose.ts';
import { Browser as FixtureBrowser, DAY, dropStores, freshStore, headlineProbe, STORE_KINDS, startTestService, TestClock } from './fixtures/disclose.ts';

const PASSWORD = 'correct horse battery staple';
const CVSS = 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N';

/** Every answer any test received: none may be a 500 or show a stack trace. */
const answers: { what: string; answer: Answer }[] = [];

/** The fixture's browser, recording every answer in `answers`. */
class Browser extends FixtureBrowser {
  constructor(base: string) {
    super(base, (what, answer) => { answers.push({ what, answer }); });
  }
}

async function signIn(base: string, email: string): Promise<Browser> {
  const browser = new Browser(base);
  const answer = await browser.post('/login', { email, password: PASSWORD }, '/login');
  assert.equal(answer.status, 303, `${email} signs in`);
  assert.ok(browser.cookies.has('lp_session'));
  return browser;
}

const REPORT = { title: 'Profiles readable by id', asset: 'GET /api/user/{id}', description: 'Any member reads any profile.', steps: '1. GET /api/user/2', impact: 'Ages and weights of every member.' };

interface Filed {
  reference: string;
  trackingToken: string;
  id: number;
}

async function fileByApi(base: string, report: Record<string, unknown> = REPORT): Promise<Filed> {
  const answer = await new Browser(base).send('/api/v1/reports', { json: report });
  assert.equal(answer.status, 201, answer.text);
  const receipt = JSON.parse(answer.text) as { reference: string; trackingToken: string };
  return { ...receipt, id: Number(receipt.reference.slice(3)) };
}

async function fileByForm(base: string, report: Record<string, string> = REPORT): Promise<Filed & { page: string }> {
  const answer = await new Browser(base).post('/report', report);
  assert.equal(answer.status, 201, answer.text);
  const link = /id="tracking-link" href="[^"]*\/track\/([A-Za-z0-9_-]+)"/.exec(answer.text)?.[1];
  const reference = /(VR-\d+) received/.exec(answer.text)?.[1];
  assert.ok(link && reference);
  return { reference, trackingToken: link, id: Number(reference.slice(3)), page: answer.text };
}

async function staffUser(tracker: Tracker, email: string, role: Role, name = email.slice(0, email.indexOf('@'))): Promise<User> {
  return tracker.staff.createUser({ email, name, role, password: PASSWORD });
}

async function count(tracker: Tracker, table: 'cases' | 'messages' | 'users' | 'sessions' | 'api_tokens' | 'events' | 'verifications'): Promise<number> {
  const row = await tracker.database.db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

/** What the store holds, to show that a refused request changed nothing. */
async function snapshot(tracker: Tracker): Promise<unknown> {
  const cases = await tracker.database.db.selectFrom('cases').select(['id', 'state', 'version', 'owner_id', 'title']).orderBy('id').execute();
  const users = await tracker.database.db.selectFrom('users').select(['id', 'name', 'disabled']).orderBy('id').execute();
  return { cases, users, messages: await count(tracker, 'messages'), sessions: await count(tracker, 'sessions'), events: await count(tracker, 'events') };
}

after(async () => {
  await dropStores();
});

describe('one reporter\'s tracking link never reveals another case', () => {
  let test: TestService;
  let alice: Filed;
  let bob: Filed;
  let apiToken: string;
  let session: string;

  before(async () => {
    test = await startTestService();
    alice = await fileByApi(test.url, { ...REPORT, title: 'Alice finds the profile leak' });
    bob = await fileByForm(test.url, { ...REPORT, title: 'Bob finds the search leak' });
    const ada = await staffUser(test.service.tracker, 'ada@example.com', 'admin');
    apiToken = await test.service.tracker.staff.createApiToken(ada, 'ci');
    session = (await signIn(test.url, 'ada@example.com')).cookies.get('lp_session') ?? '';
  });
  after(async () => {
    await test.close();
  });

  it('shows a tracking page only its own case, and nothing for any other token', async () => {
    const browser = new Browser(test.url);
    const own = await browser.get(`/track/${alice.trackingToken}`);
    assert.equal(own.status, 200);
    assert.ok(own.text.includes('Alice finds the profile leak'));
    assert.ok(!own.text.includes('Bob finds'), 'nothing of the other case');
    const madeUp = await browser.get(`/track/${'A'.repeat(43)}`);
    assert.equal(madeUp.status, 404);
    for (const token of [apiToken, session, alice.trackingToken.slice(0, -1), `${alice.trackingToken}x`, alice.trackingToken.toLowerCase()]) {
      const answer = await browser.get(`/track/${encodeURIComponent(token)}`);
      assert.equal(answer.status, 404, 'a staff token, a session or a near miss is no tracking link');
      assert.equal(answer.text, madeUp.text, 'the same answer as a made-up token');
      assert.ok(!answer.text.includes('Alice') && !answer.text.includes('Bob'));
    }
  });

  it('refuses replies and contests through any link but the case\'s own, storing nothing', async () => {
    const browser = new Browser(test.url);
    const before = await snapshot(test.service.tracker);
    for (const token of ['A'.repeat(43), apiToken, session]) {
      for (const [action, field] of [['reply', 'message'], ['contest', 'reason']] as const) {
        const answer = await browser.post(`/track/${token}/${action}`, { [field]: 'let me in' });
        assert.equal(answer.status, 404, `${action} with a token that opens no case`);
      }
    }
    assert.deepEqual(await snapshot(test.service.tracker), before);
  });

  it('answers another case\'s reference with a tracking token as it answers a case that does not exist', async () => {
    const browser = new Browser(test.url);
    const asAlice = { authorization: `Bearer ${alice.trackingToken}` };
    const own = await browser.send(`/api/v1/reports/${alice.reference}`, { headers: asAlice });
    assert.equal(own.status, 200);
    assert.equal((JSON.parse(own.text) as { title: string }).title, 'Alice finds the profile leak');
    const other = await browser.send(`/api/v1/reports/${bob.reference}`, { headers: asAlice });
    const missing = await browser.send('/api/v1/reports/VR-999999', { headers: asAlice });
    assert.equal(other.status, 404);
    assert.equal(other.text, missing.text, 'another case looks exactly like no case');
    assert.ok(!other.text.includes('Bob'));
    for (const [path, body] of [[`/api/v1/reports/${bob.reference}/messages`, { message: 'hello' }], [`/api/v1/reports/${bob.reference}/contest`, { reason: 'not fixed' }]] as const) {
      assert.equal((await browser.send(path, { json: body, headers: asAlice })).status, 404);
    }
    assert.equal((await test.service.tracker.thread(bob.id, { internal: true })).length, 0, 'nothing reached the other case');
  });

  it('answers a made-up or foreign token the same whether the case exists or not', async () => {
    const browser = new Browser(test.url);
    for (const token of ['A'.repeat(43), apiToken, session]) {
      const headers = { authorization: `Bearer ${token}` };
      const existing = await browser.send(`/api/v1/reports/${alice.reference}`, { headers });
      const missing = await browser.send('/api/v1/reports/VR-999999', { headers });
      assert.equal(existing.status, 401);
      assert.equal(existing.text, missing.text);
    }
    assert.equal((await browser.send(`/api/v1/reports/${alice.reference}`)).status, 401, 'no token at all');
  });

  it('keeps staff credentials and tracking tokens apart', async () => {
    const browser = new Browser(test.url);
    assert.equal((await browser.send('/api/v1/cases', { headers: { authorization: `Bearer ${alice.trackingToken}` } })).status, 401, 'a tracking token is no API token');
    assert.equal((await browser.send('/api/v1/cases', { headers: { authorization: `Bearer ${session}` } })).status, 401, 'a session is no API token');
    assert.equal((await browser.send('/api/v1/cases', { headers: { authorization: `Bearer ${apiToken}` } })).status, 200);
    for (const token of [alice.trackingToken, apiToken]) {
      const forged = new Browser(test.url);
      forged.cookies.set('lp_session', token);
      const answer = await forged.get(`/cases/${alice.id}`);
      assert.equal(answer.status, 303, 'a tracking or API token is no session');
      assert.equal(answer.headers.get('location'), '/login');
    }
  });
});

/** Payloads that must print as text wherever they are shown. */
const PAYLOADS = [
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(2)>',
  "'><svg onload=alert(3)>",
  '</textarea><script>alert(5)</script>',
  '" autofocus onfocus="alert(6)',
  "' onmouseover='alert(7)",
  'javascript:alert(4)',
];

function xss(field: string): string {
  return `xss-${field} ${PAYLOADS.join(' ')}`;
}

/** The page shows no markup, attribute or link that a payload made. */
function assertInert(page: string, where: string): void {
  for (const payload of PAYLOADS.filter((p) => /[<>"']/.test(p))) assert.ok(!page.includes(payload), `${where}: ${payload} appears unescaped`);
  for (const tag of page.match(/<[a-z][^>]*>/gi) ?? []) {
    assert.ok(!/^<(?:script|img|svg|iframe|object|embed)\b/i.test(tag), `${where}: a ${tag} element`);
    // The attributes' names, once their (escaped, so quote-free) values are taken out.
    const names = tag.replace(/"[^"]*"|'[^']*'/g, '""');
    assert.ok(!/\son[a-z]+\s*=/i.test(names), `${where}: an event handler in ${tag}`);
    assert.ok(!/\sautofocus\b/i.test(names), `${where}: autofocus in ${tag}`);
    assert.ok(!/(?:href|src|action|formaction)\s*=\s*["']?\s*javascript:/i.test(tag), `${where}: a javascript: URL in ${tag}`);
  }
  for (const text of ['</textarea><script', '"><img', "'><svg", '" autofocus', "' onmouseover"]) assert.ok(!page.includes(text), `${where}: ${text}`);
}

/** The Content-Security-Policy forbids inline script: no 'unsafe-inline', nonce or hash lets any in. */
function assertNoInlineScript(answer: Answer, where: string): void {
  const header = answer.headers.get('content-security-policy');
  assert.ok(header, `${where} has a Content-Security-Policy`);
  const directives = new Map(header.split(';').map((d) => d.trim().split(/\s+/)).filter((d) => d[0]).map(([name = '', ...values]) => [name.toLowerCase(), values]));
  for (const name of ['script-src-elem', 'script-src', 'script-src-attr']) {
    const values = directives.get(name) ?? directives.get('script-src') ?? directives.get('default-src');
    assert.ok(values, `${where}: ${name} or default-src is set`);
    for (const value of values) assert.ok(!/^'(?:unsafe-inline|unsafe-eval|unsafe-hashes|nonce-|sha\d{3}-)|^\*$|^data:|^https?:$/.test(value), `${where}: ${name} allows ${value}`);
  }
  assert.deepEqual(directives.get('script-src-attr') ?? directives.get('default-src'), ["'none'"], `${where}: no inline event handlers`);
}

describe('stored XSS through every field prints as text', () => {
  let test: TestService;
  let clock: TestClock;
  let filed: Filed & { page: string };
  let byApi: Filed;
  let admin: Browser;
  let probe: Probe;
  const pages = new Map<string, Answer>();

  before(async () => {
    clock = new TestClock();
    probe = await headlineProbe();
    test = await startTestService({ clock });
    const { tracker } = test.service;
    await staffUser(tracker, 'ada@example.com', 'admin', 'Ada');
    admin = await signIn(test.url, 'ada@example.com');
    // A staff member named with every payload, who signs in and works the case.
    assert.equal((await admin.post('/users', { name: `x ${PAYLOADS.slice(0, 3).join('')}`.slice(0, 100), email: 'mallory@example.com', role: 'admin', password: PASSWORD }, '/users')).status, 303);
    let mallory = await signIn(test.url, 'mallory@example.com');

    const evil: Probe = { ...probe, check: xss('probe.check'), operation: xss('probe.operation'), curl: xss('probe.curl'), finding: { ...probe.finding, route: xss('probe.route'), title: xss('probe.title') } };
    const fields = Object.fromEntries(['title', 'asset', 'description', 'steps', 'impact'].map((f) => [f, f === 'title' ? xss(f).slice(0, 200) : xss(f)]));
    filed = await fileByForm(test.url, { ...fields, contact: "a'autofocus'onfocus='alert`7`'@example.org", probe: JSON.stringify(evil) });
    byApi = await fileByApi(test.url, { ...Object.fromEntries(['title', 'asset', 'description', 'steps', 'impact'].map((f) => [f, xss(`api.${f}`).slice(0, 200)])), contact: null, probe: evil });

    const reporter = new Browser(test.url);
    assert.equal((await reporter.post(`/track/${filed.trackingToken}/reply`, { message: xss('reply') }, `/track/${filed.trackingToken}`)).status, 303);
    const act = async (by: Browser, action: string, form: Record<string, string>, expected = 303) => {
      const answer = await by.post(`/cases/${filed.id}/${action}`, form, `/cases/${filed.id}`);
      assert.equal(answer.status, expected, `${action}: ${answer.text.slice(0, 500)}`);
      if (expected !== 303) pages.set(`case page after a refused ${action}`, answer);
    };
    await act(mallory, 'acknowledge', { note: xss('acknowledge note') });
    await act(mallory, 'triage', { triage: 'valid', cvss31: xss('cvss31'), note: 'x' }, 400);
    await act(mallory, 'triage', { triage: 'valid', cvss31: CVSS, cvss40: xss('cvss40'), note: 'x' }, 400);
    await act(mallory, 'triage', { triage: 'duplicate', duplicateOf: xss('dup'), note: 'x' }, 400);
    await act(mallory, 'triage', { triage: 'valid', cvss31: CVSS, note: xss('triage note') });
    await act(mallory, 'assign', { owner: xss('owner') }, 400);
    await act(mallory, 'assess', { operations: `${xss('operation one')}\n${xss('operation two')}`, dataClasses: `${xss('class')},age`, peopleAffected: '12', exploited: 'unknown', evidence: xss('evidence') });
    await act(mallory, 'assess', { peopleAffected: xss('people'), exploited: 'unknown' }, 400);
    await act(mallory, 'message', { message: xss('message to the reporter') });
    await act(mallory, 'message', { message: xss('internal note'), internal: '1' });
    await act(mallory, 'start-fix', {});
    await act(mallory, 'submit-fix', { note: xss('fix note') });
    await act(mallory, 'override', { reason: xss('override reason') });
    // Past every clock, so that the metrics page lists the other case by its title.
    clock.advance(120 * DAY);
    admin = await signIn(test.url, 'ada@example.com');
    mallory = await signIn(test.url, 'mallory@example.com');

    for (const path of [`/cases/${filed.id}`, `/cases/${byApi.id}`, '/cases', '/cases?all=1', '/metrics', '/users', '/account']) {
      pages.set(`staff ${path}`, await mallory.get(path));
      pages.set(`admin ${path}`, await admin.get(path));
    }
    pages.set('reporter page', await reporter.get(`/track/${filed.trackingToken}`));
    pages.set('reporter page (API report)', await reporter.get(`/track/${byApi.trackingToken}`));
    pages.set('receipt', { status: 201, headers: new Headers({ 'content-security-policy': "default-src 'none'" }), text: filed.page });
    pages.set('report form refused', await reporter.post('/report', { ...Object.fromEntries(['title', 'asset', 'description', 'steps', 'impact', 'probe'].map((f) => [f, xss(`refused ${f}`)])), contact: xss('contact') }));
    pages.set('reply refused', await reporter.post(`/track/${filed.trackingToken}/reply`, { message: ' ' }, `/track/${filed.trackingToken}`));
  });
  after(async () => {
    await test.close();
  });

  it('stored every payload as it was sent', async () => {
    const c = await test.service.tracker.getCase(filed.id);
    assert.equal(c.title, xss('title').slice(0, 200));
    assert.equal(c.probe?.curl, xss('probe.curl'));
    assert.deepEqual(c.assessment.operations, [xss('operation one'), xss('operation two')]);
    assert.equal(c.state, 'resolved', 'the case went all the way, through every form');
    assert.equal((await test.service.tracker.staff.user(2))?.name, `x ${PAYLOADS.slice(0, 3).join('')}`.slice(0, 100));
  });

  it('escapes every field on every page that shows it', () => {
    const caseText = pages.get(`staff /cases/${filed.id}`)?.text ?? '';
    for (const field of ['title', 'asset', 'description', 'steps', 'impact', 'reply', 'acknowledge note', 'triage note', 'operation one', 'class', 'evidence', 'message to the reporter', 'internal note', 'fix note', 'override reason', 'probe.check', 'probe.operation', 'probe.curl', 'probe.route']) {
      assert.ok(caseText.includes(`xss-${field} &lt;script&gt;`), `the case page shows ${field}, escaped`);
    }
    assert.ok(pages.get('reporter page')?.text.includes('xss-message to the reporter &lt;script&gt;'));
    assert.ok(!pages.get('reporter page')?.text.includes('xss-internal note'), 'the reporter never sees internal notes');
    assert.ok(pages.get('staff /metrics')?.text.includes('xss-api.title &lt;script&gt;'), 'metrics lists the overdue case');
    assert.ok(pages.get('admin /users')?.text.includes('x &lt;script&gt;'), 'the users page shows the name');
    for (const label of ['case page after a refused triage', 'case page after a refused assign', 'case page after a refused assess']) assert.ok(pages.has(label));
    assert.ok(pages.get('case page after a refused triage')?.text.includes('class="error"'));
    for (const [where, answer] of pages) assertInert(answer.text, where);
  });

  it('escapes the advisories too', async () => {
    const markdown = await admin.get(`/cases/${filed.id}/advisory.md`);
    assert.equal(markdown.status, 200);
    assert.ok(markdown.text.includes('xss-title'));
    for (const raw of ['<script', '<img', '<svg', '</textarea', '](javascript:', 'javascript:alert']) assert.ok(!markdown.text.includes(raw), `the Markdown advisory has ${raw}`);
    const csaf = await admin.get(`/cases/${filed.id}/advisory.json`);
    assert.equal(csaf.status, 200);
    assert.match(csaf.headers.get('content-type') ?? '', /^application\/json/);
    assert.match(csaf.headers.get('content-disposition') ?? '', /^attachment/);
  });

  it('sends every HTML page with a policy that forbids inline script', async () => {
    const anonymous = new Browser(test.url);
    for (const path of ['/', '/policy', '/report', '/login', '/nowhere', `/track/${filed.trackingToken}`, `/track/${'A'.repeat(43)}`]) pages.set(path, await anonymous.get(path));
    for (const path of ['/cases/999999', '/cases/not-a-case', '/cases/1/advisory.exe']) pages.set(`error page ${path}`, await admin.get(path));
    for (const [where, answer] of pages) {
      if (where === 'receipt') continue;
      assert.match(answer.headers.get('content-type') ?? '', /^text\/html/, where);
      assertNoInlineScript(answer, where);
      assert.equal(answer.headers.get('x-content-type-options'), 'nosniff', where);
    }
    for (const [where, answer] of pages) assert.ok(!/<script/i.test(answer.text), `${where} has no script at all`);
  });
});

describe('CSRF: every form refuses a missing, wrong or foreign token, and the API ignores cookies', () => {
  let test: TestService;
  let admin: Browser;
  let stranger: Browser;
  let filed: Filed;
  let resolved: Filed;
  let viewerId: number;

  before(async () => {
    test = await startTestService();
    const { tracker } = test.service;
    const ada = await staffUser(tracker, 'ada@example.com', 'admin');
    viewerId = (await staffUser(tracker, 'vic@example.com', 'viewer')).id;
    admin = await signIn(test.url, 'ada@example.com');
    stranger = await signIn(test.url, 'vic@example.com');
    filed = await fileByApi(test.url);
    resolved = await fileByApi(test.url);
    await tracker.acknowledge(resolved.id, ada);
    await tracker.triage(resolved.id, ada, { triage: 'not-applicable' });
  });
  after(async () => {
    await test.close();
  });

  /** Sends the form three ways without a valid token; each is refused with 403 and changes nothing. */
  async function refusedEveryWay(browser: Browser, path: string, form: Record<string, string>): Promise<void> {
    const foreign = await stranger.csrf('/report');
    const own = await browser.csrf('/report');
    const wrong = `${own.slice(0, -4)}AAAA`;
    for (const [how, token] of [['no token', undefined], ['a wrong token', wrong], ['a token from another session', foreign]] as const) {
      const before = await snapshot(test.service.tracker);
      const answer = await browser.send(path, { form: token === undefined ? form : { ...form, _csrf: token } });
      assert.equal(answer.status, 403, `${path} with ${how}`);
      assert.ok(answer.text.includes('Form expired'), 'the page says what happened');
      assert.deepEqual(await snapshot(test.service.tracker), before, `${path} with ${how} changed nothing`);
    }
  }

  it('refuses the public forms: report, reply, contest', async () => {
    const reporter = new Browser(test.url);
    await refusedEveryWay(reporter, '/report', REPORT);
    await refusedEveryWay(reporter, `/track/${filed.trackingToken}/reply`, { message: 'hello' });
    await refusedEveryWay(reporter, `/track/${resolved.trackingToken}/contest`, { reason: 'it applies' });
    const fresh = new Browser(test.url);
    const before = await snapshot(test.service.tracker);
    assert.equal((await fresh.send('/report', { form: { ...REPORT, _csrf: await stranger.csrf() } })).status, 403, 'no CSRF cookie at all');
    assert.deepEqual(await snapshot(test.service.tracker), before);
  });

  it('refuses sign-in and sign-out', async () => {
    await refusedEveryWay(new Browser(test.url), '/login', { email: 'ada@example.com', password: PASSWORD });
    await refusedEveryWay(admin, '/logout', {});
    assert.equal((await admin.get('/cases')).status, 200, 'still signed in');
  });

  it('refuses every case action', async () => {
    const form = { version: '1', note: 'x', triage: 'valid', cvss31: CVSS, owner: '1', operations: 'x', exploited: 'no', probe: '{}', reason: 'a reason long enough to override', message: 'hello' };
    for (const action of ['acknowledge', 'triage', 'assign', 'assess', 'attach-probe', 'start-fix', 'submit-fix', 'verify', 'override', 'disclose', 'message', 'contest']) {
      await refusedEveryWay(admin, `/cases/${filed.id}/${action}`, form);
    }
  });

  it('refuses user administration', async () => {
    await refusedEveryWay(admin, '/users', { name: 'Eve', email: 'eve@example.com', role: 'admin', password: PASSWORD });
    await refusedEveryWay(admin, `/users/${viewerId}/disable`, {});
    assert.equal((await stranger.get('/cases')).status, 200, 'the viewer is still enabled');
  });

  it('accepts the same forms with the right token', async () => {
    const reporter = new Browser(test.url);
    assert.equal((await reporter.post(`/track/${filed.trackingToken}/reply`, { message: 'hello' })).status, 303);
    assert.equal((await admin.post(`/cases/${filed.id}/acknowledge`, { note: 'thanks' })).status, 303);
  });

  it('has the JSON API ignore cookies: a session without a bearer token is refused', async () => {
    const before = await snapshot(test.service.tracker);
    assert.equal((await admin.send('/api/v1/cases')).status, 401);
    assert.equal((await admin.send(`/api/v1/cases/${filed.id}`)).status, 401);
    assert.equal((await admin.send('/api/v1/metrics')).status, 401);
    assert.equal((await admin.send(`/api/v1/cases/${filed.id}/actions`, { json: { action: 'message', message: 'hi' } })).status, 401);
    const reporter = new Browser(test.url);
    reporter.cookies.set('lp_session', filed.trackingToken);
    assert.equal((await reporter.send(`/api/v1/reports/${filed.reference}`)).status, 401);
    assert.deepEqual(await snapshot(test.service.tracker), before);
  });

  it('takes only JSON on the API, so that a form on another site cannot post to it', async () => {
    const before = await snapshot(test.service.tracker);
    for (const type of ['application/x-www-form-urlencoded', 'text/plain', 'multipart/form-data; boundary=x']) {
      const body = type.startsWith('multipart') ? '--x\r\nContent-Disposition: form-data; name="title"\r\n\r\nt\r\n--x--\r\n' : new URLSearchParams(REPORT).toString();
      const answer = await new Browser(test.url).send('/api/v1/reports', { body, headers: { 'content-type': type } });
      assert.ok([400, 415].includes(answer.status), `${type}: ${String(answer.status)}`);
    }
    assert.deepEqual(await snapshot(test.service.tracker), before);
  });
});

const INJECTIONS = ["' OR 1=1 --", '1; DROP TABLE cases', "VR-1' UNION SELECT tracking_hash, 1, 1 FROM cases --", '"; DELETE FROM users; --', "1' AND sleep(1) --"];

for (const kind of STORE_KINDS) {
  describe(`SQL injection through every field and parameter fails in ${kind}`, () => {
    let test: TestService;
    let admin: Browser;
    let apiToken: string;
    let cases: Filed[];

    before(async () => {
      test = await startTestService({ store: freshStore(kind) });
      const ada = await staffUser(test.service.tracker, 'ada@example.com', 'admin');
      apiToken = await test.service.tracker.staff.createApiToken(ada, 'ci');
      admin = await signIn(test.url, 'ada@example.com');
      cases = [await fileByApi(test.url), await fileByApi(test.url)];
    });
    after(async () => {
      await test.close();
    });

    it('stores injections in report fields, messages and actions literally', async () => {
      const { tracker } = test.service;
      for (const injection of INJECTIONS) {
        const fields = { title: injection, asset: injection, description: injection, steps: injection, impact: injection };
        const viaApi = await fileByApi(test.url, { ...fields, contact: `x${injection.replace(/[\s"(),;:<>@[\]\\]/g, '')}@example.org` });
        const viaForm = await fileByForm(test.url, fields);
        for (const filed of [viaApi, viaForm]) {
          const c = await tracker.getCase(filed.id);
          assert.deepEqual([c.title, c.asset, c.description, c.steps, c.impact], Object.values(fields));
          const own = await new Browser(test.url).send(`/api/v1/reports/${filed.reference}`, { headers: { authorization: `Bearer ${filed.trackingToken}` } });
          assert.equal((JSON.parse(own.text) as { title: string }).title, injection);
        }
        cases.push(viaApi, viaForm);
        assert.equal((await new Browser(test.url).post(`/track/${viaForm.trackingToken}/reply`, { message: injection })).status, 303);
        assert.equal((await new Browser(test.url).send(`/api/v1/reports/${viaApi.reference}/messages`, { json: { message: injection }, headers: { authorization: `Bearer ${viaApi.trackingToken}` } })).status, 201);
        assert.equal((await admin.post(`/cases/${viaForm.id}/message`, { message: injection, internal: '1' })).status, 303);
        assert.equal((await admin.post(`/cases/${viaForm.id}/assess`, { operations: injection, dataClasses: injection, evidence: injection, exploited: 'unknown' })).status, 303);
        for (const field of ['triage', 'cvss31', 'cvss40', 'duplicateOf', 'owner', 'peopleAffected', 'exploited']) {
          const answer = await admin.post(`/cases/${viaApi.id}/${field === 'owner' ? 'assign' : field === 'peopleAffected' || field === 'exploited' ? 'assess' : 'triage'}`, { triage: 'valid', [field]: injection });
          assert.equal(answer.status, 400, `${field} = ${injection}`);
        }
        const api = await new Browser(test.url).send(`/api/v1/cases/${viaApi.id}/actions`, { json: { action: 'message', message: injection }, headers: { authorization: `Bearer ${apiToken}` } });
        assert.equal(api.status, 200);
        const thread = await tracker.thread(viaForm.id, { internal: true });
        assert.deepEqual(thread.filter((m) => m.author !== 'system').map((m) => m.body), [injection, injection]);
        assert.deepEqual((await tracker.getCase(viaForm.id)).assessment.operations, [injection]);
      }
    });

    it('returns no extra rows and no error for injections in paths, queries, tokens and sign-in', async () => {
      const browser = new Browser(test.url);
      const staff = { authorization: `Bearer ${apiToken}` };
      const listed = async (query: string) => {
        const answer = await browser.send(`/api/v1/cases${query}`, { headers: staff });
        return answer.status === 200 ? (JSON.parse(answer.text) as unknown[]).length : answer.status;
      };
      const all = await listed('?limit=1000');
      assert.equal(all, cases.length);
      for (const injection of INJECTIONS) {
        const q = encodeURIComponent(injection);
        assert.equal((await browser.get(`/track/${q}`)).status, 404);
        assert.equal((await browser.post(`/track/${q}/reply`, { message: 'x' })).status, 404);
        assert.ok([400, 401, 404].includes((await browser.send(`/api/v1/reports/${q}`, { headers: { authorization: `Bearer ${cases[0]?.trackingToken ?? ''}` } })).status));
        assert.equal((await browser.send(`/api/v1/reports/${cases[0]?.reference ?? ''}`, { headers: { authorization: `Bearer ${injection}` } })).status, 401);
        for (const query of [`?state=${q}`, `?limit=${q}`, `?offset=${q}`, `?open=${q}`, `?${q}=1`]) assert.equal(await listed(query), 400, query);
        for (const path of [`/cases/${q}`, `/cases/${q}/advisory`]) assert.equal((await browser.send(`/api/v1${path}`, { headers: staff })).status, 400, path);
        assert.equal((await admin.get(`/cases/${q}`)).status, 400);
        assert.equal((await admin.get(`/cases?all=${q}`)).status, 200);
        assert.ok([400, 404].includes((await admin.get(`/cases/${q}/advisory.md`)).status));
        assert.equal((await admin.post(`/cases/${q}/acknowledge`, {}, '/cases')).status, 400);
        assert.ok([400, 404].includes((await admin.post(`/users/${q}/disable`, {}, '/users')).status));
      }
      // Each attempt costs a password hash: one injection in each field is enough to show they are bound, not spliced.
      const [or = '', , union = ''] = INJECTIONS;
      for (const [email, password] of [[or, union], [`ada@example.com${or}`, or]] as const) {
        assert.equal((await new Browser(test.url).post('/login', { email, password }, '/login')).status, 401, 'no sign-in by injection');
      }
      assert.equal(await listed('?limit=1000'), all, 'no rows appeared or vanished');
    });

    it('leaves every table intact', async () => {
      const { tracker } = test.service;
      assert.equal(await count(tracker, 'cases'), cases.length);
      assert.equal(await count(tracker, 'users'), 1);
      assert.ok((await count(tracker, 'messages')) > 0);
      assert.ok((await count(tracker, 'events')) > cases.length);
      assert.equal((await tracker.staff.users())[0]?.disabled, false);
    });
  });
}

describe('limits: body size, probe size, intake and sign-in rates', () => {
  let test: TestService;
  let limited: TestService;

  before(async () => {
    test = await startTestService({ disclose: { organization: 'Example Fitness', limits: { bodyBytes: 100_000, reportsPerHour: 1000, loginsPerMinute: 1000 } } });
    limited = await startTestService({ disclose: { organization: 'Example Fitness', limits: { reportsPerHour: 3, loginsPerMinute: 3 } } });
    await staffUser(limited.service.tracker, 'ada@example.com', 'admin');
  });
  after(async () => {
    await test.close();
    await limited.close();
  });

  it('refuses a body over disclose.limits.bodyBytes with 413, storing nothing', async () => {
    const big = 'x'.repeat(100_001);
    const api = await new Browser(test.url).send('/api/v1/reports', { json: { ...REPORT, description: big } });
    assert.equal(api.status, 413);
    assert.deepEqual(JSON.parse(api.text), { code: 'ERR_TOO_LARGE', message: 'The request is larger than this service accepts.' });
    const form = await new Browser(test.url).post('/report', { ...REPORT, description: big });
    assert.equal(form.status, 413);
    assert.match(form.headers.get('content-type') ?? '', /^text\/html/);
    assert.ok(form.text.includes('Too large'));
    const reply = await new Browser(test.url).post(`/track/${'A'.repeat(43)}/reply`, { message: big });
    assert.equal(reply.status, 413);
    assert.equal(await count(test.service.tracker, 'cases'), 0);
  });

  it('refuses a probe over its limit with 400, storing nothing', async () => {
    const probe = JSON.stringify({ format: 'leakproof-probe/1', padding: 'x'.repeat(64_001) });
    const form = await new Browser(test.url).post('/report', { ...REPORT, probe });
    assert.equal(form.status, 400);
    assert.ok(form.text.includes('probe: is longer than 64000 characters'));
    const api = await new Browser(test.url).send('/api/v1/reports', { json: { ...REPORT, probe: JSON.parse(probe) as object } });
    assert.equal(api.status, 400);
    assert.match(api.text, /probe: is longer than 64000 characters/);
    assert.equal(await count(test.service.tracker, 'cases'), 0);
  });

  it('takes the probe as an uploaded file, within the same limit', async () => {
    const probe = await headlineProbe();
    const browser = new Browser(test.url);
    const upload = async (file: string, fields: Record<string, string> = {}) => {
      const form = new FormData();
      for (const [name, value] of Object.entries({ ...REPORT, ...fields, _csrf: await browser.csrf() })) form.append(name, value);
      form.append('probeFile', new Blob([file], { type: 'application/json' }), 'probe.json');
      return browser.send('/report', { multipart: form });
    };
    const before = await count(test.service.tracker, 'cases');
    const accepted = await upload(JSON.stringify(probe));
    assert.equal(accepted.status, 201, accepted.text);
    const [filed] = await test.service.tracker.listCases({ limit: 1 });
    assert.deepEqual(filed?.probe, probe, 'the uploaded probe is stored as it was sent');
    const large = await upload(JSON.stringify({ ...probe, padding: 'x'.repeat(64_001) }));
    assert.equal(large.status, 413);
    assert.ok(large.text.includes('Too large'));
    const twice = await upload(JSON.stringify(probe), { probe: JSON.stringify(probe) });
    assert.equal(twice.status, 400);
    assert.ok(twice.text.includes('paste the probe or upload its file, not both'));
    assert.equal(await count(test.service.tracker, 'cases'), before + 1, 'only the good upload was filed');
  });

  it('limits intake per address, from the form and from the API', async () => {
    const form: number[] = [];
    for (let i = 0; i < 4; i += 1) form.push((await new Browser(limited.url).post('/report', REPORT)).status);
    assert.deepEqual(form, [201, 201, 201, 429]);
    const page = await new Browser(limited.url).post('/report', REPORT);
    assert.equal(page.status, 429);
    assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
    assert.ok(page.text.includes('Too many requests'));
    const api: number[] = [];
    for (let i = 0; i < 4; i += 1) api.push((await new Browser(limited.url).send('/api/v1/reports', { json: REPORT })).status);
    assert.deepEqual(api, [201, 201, 201, 429]);
    const answer = await new Browser(limited.url).send('/api/v1/reports', { json: REPORT });
    assert.equal((JSON.parse(answer.text) as { code: string }).code, 'ERR_RATE_LIMITED');
    assert.equal(await count(limited.service.tracker, 'cases'), 6);
  });

  it('limits sign-in attempts', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 4; i += 1) statuses.push((await new Browser(limited.url).post('/login', { email: 'ada@example.com', password: 'wrong password, again' }, '/login')).status);
    assert.deepEqual(statuses, [401, 401, 401, 429]);
    const right = await new Browser(limited.url).post('/login', { email: 'ada@example.com', password: PASSWORD }, '/login');
    assert.equal(right.status, 429, 'even the right password waits');
    assert.equal(await count(limited.service.tracker, 'sessions'), 0);
  });

  it('shows no stack trace or file path on any error', async () => {
    const browser = new Browser(test.url);
    await browser.send('/api/v1/reports', { body: '{"title": ', headers: { 'content-type': 'application/json' } });
    await browser.send('/api/v1/reports', { body: 'x', headers: { 'content-type': 'application/xml' } });
    await browser.send('/report', { body: 'title=%E0%A4%A', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    await browser.send('/api/v1/cases/%', { headers: { authorization: 'Bearer x' } });
    await browser.send('/track/%');
    await browser.send('/cases/1/advisory.exe');
    await browser.send(`/track/${'x'.repeat(300)}`);
    await browser.send('/report', { form: { title: ['a', 'b'].join('&title=') } });
    const errors = answers.filter(({ answer }) => answer.status >= 400);
    assert.ok(errors.length > 50, 'the suite saw many errors');
    for (const { what, answer } of answers) {
      assert.ok(answer.status < 500, `${what} answered ${String(answer.status)}: ${answer.text.slice(0, 300)}`);
      if (answer.status < 400) continue;
      for (const sign of [/\bat .+:\d+:\d+/, /\/work\/|\/home\/|\/tmp\/|node_modules|\.ts:\d/, /\b(?:TypeError|ReferenceError|SqliteError|error: relation)\b/, /"stack"/]) {
        assert.ok(!sign.test(answer.text), `${what} (${String(answer.status)}) shows ${String(sign)}: ${answer.text.slice(0, 300)}`);
      }
    }
  });
});

describe('the service\'s own API passes leakproof scan with zero findings', () => {
  let test: TestService;

  before(async () => {
    test = await startTestService();
  });
  after(async () => {
    await test.close();
  });

  it('scans as two reporters and a staff member and finds nothing, having decided on every read', async (t) => {
    const { tracker } = test.service;
    const alice = await fileByApi(test.url, { ...REPORT, contact: 'alice@example.org' });
    const bob = await fileByApi(test.url, { ...REPORT, title: 'Search lists every member', contact: 'bob@example.org' });
    const ada = await staffUser(tracker, 'ada@example.com', 'admin');
    const staffToken = await tracker.staff.createApiToken(ada, 'scan');
    // Alice's case resolved, so that its advisory is there to be read (by staff only).
    await tracker.acknowledge(alice.id, ada);
    await tracker.triage(alice.id, ada, { triage: 'valid', cvss31: CVSS });
    await tracker.startFix(alice.id, ada);
    await tracker.submitFix(alice.id, ada);
    await tracker.override(alice.id, ada, 'fixed by hand, verified by the reporter');
    const dir = await mkdtemp(join(tmpdir(), 'leakproof-disclose-scan-'));
    await writeFile(join(dir, 'openapi.json'), await (await fetch(`${test.url}/api/v1/openapi.json`)).text());
    await writeFile(join(dir, 'leakproof.yaml'), stringify({
      scan: {
        target: `${test.url}/api/v1`,
        spec: 'openapi.json',
        identities: [
          { name: 'alice', kind: 'bearer', token: alice.trackingToken },
          { name: 'bob', kind: 'bearer', token: bob.trackingToken },
          { name: 'ada', kind: 'bearer', role: 'admin', token: staffToken },
        ],
        // Each reporter is known by their case; the staff member by their user number.
        subjects: { alice: { id: alice.reference }, bob: { id: bob.reference }, ada: { id: String(ada.id) } },
        safety: { rateLimit: 100_000 },
      },
    }));
    const config = await loadConfig(join(dir, 'leakproof.yaml'));
    const settings = scanConfig(config, {});
    const prepared = await prepareScan(settings, config.personalData);
    const scan = await executeScan(prepared, settings);

    t.diagnostic(`${String(scan.summary.requests)} requests over ${String(scan.summary.operations)} operations, ${String(scan.findings.length)} findings`);
    assert.deepEqual(scan.findings.map((f) => `${f.checkId}: ${f.title}`), []);
    assert.equal(scan.summary.operations, 5, 'the five reads of the API');
    assert.ok(scan.summary.requests >= 30, `${String(scan.summary.requests)} requests`);
    const sent = new Set(scan.observations.map((o) => o.operation.id));
    const reads = ['getReport', 'listCases', 'getCase', 'getAdvisory', 'getMetrics'];
    for (const id of reads) assert.ok(sent.has(id), `${id} was probed`);
    const decided = (checkId: string, operationId: string) => {
      const check = CHECKS.find((c) => c.id === checkId);
      const operation = prepared.api.operations.find((o) => o.id === operationId);
      assert.ok(check && operation);
      assert.equal(check.undecided(scan.context, operation), undefined, `${checkId} decided on ${operationId}`);
    };
    for (const id of reads) decided('missing-authentication', id);
    for (const id of ['listCases', 'getCase', 'getAdvisory', 'getMetrics']) decided('function-level-authorization', id);
    for (const id of ['getReport', 'listCases', 'getCase', 'getMetrics']) decided('excessive-data-exposure', id);
    const statuses = (id: string, caller: string) => scan.observations.filter((o) => o.operation.id === id && o.caller === caller).map((o) => o.exchange.response?.status);
    assert.deepEqual(statuses('getReport', 'alice'), [200], 'the owner reads her case');
    assert.deepEqual(statuses('getReport', 'bob'), [404], 'another reporter does not');
    assert.deepEqual(statuses('getReport', 'ada'), [401], 'nor does a staff token');
    assert.ok(statuses('getCase', 'alice').every((s) => s === 401), 'a tracking token opens no staff operation');
  });
});
