/**
 * A reporter's consent to be credited, and an advisory's published revisions, in SQLite and in the
 * real PostgreSQL; then the same through the JSON API and the pages. Only the reporter names
 * themselves; publishing the first revision discloses the case; a published revision is kept as it
 * went out, and a new one needs a change and says what it was.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { LeakproofError } from '../src/core/errors.ts';
import type { Publisher } from '../src/disclose/advisory/index.ts';
import { csafAdvisory, validateCsaf } from '../src/disclose/advisory/index.ts';
import type { User } from '../src/disclose/model.ts';
import { checkReport } from '../src/disclose/report-input.ts';
import type { Staff, Tracker } from '../src/disclose/tracker.ts';
import type { TestService } from './fixtures/disclose.ts';
import { Browser, DAY, dropStores, freshStore, PELOTON_REPORT, startTestService, STORE_KINDS, TestClock, testTracker } from './fixtures/disclose.ts';

const CVSS = 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N';
const PUBLISHER: Publisher = { name: 'Example Fitness', namespace: 'https://example.com', category: 'vendor' };

interface Tracking {
  status: string;
  version: string;
  initial_release_date: string;
  current_release_date: string;
  revision_history: { number: string; date: string; summary: string }[];
}

interface CsafDoc {
  document: { tracking: Tracking; distribution: { tlp: { label: string } } };
  vulnerabilities: { acknowledgments?: { names: string[] }[] }[];
}

function failsWith(code: string, pattern?: RegExp) {
  return (error: LeakproofError) => {
    assert.equal(error.code, code, error.message);
    if (pattern) assert.match(error.message, pattern);
    return true;
  };
}

/** A filed case taken to resolved by an admin's override (the gate has its own tests). */
async function resolvedCase(tracker: Tracker, admin: Staff, credit: string | null): Promise<{ id: number; token: string }> {
  const { case: filed, token } = await tracker.submitReport({ ...PELOTON_REPORT, credit });
  await tracker.triage(filed.id, admin, { triage: 'valid', cvss31: CVSS });
  await tracker.startFix(filed.id, admin);
  await tracker.submitFix(filed.id, admin);
  await tracker.override(filed.id, admin, 'the route now requires a session, checked by hand');
  return { id: filed.id, token };
}

after(dropStores);

for (const kind of STORE_KINDS) {
  describe(`credit and advisory revisions in ${kind}`, () => {
    let tracker: Tracker;
    let clock: TestClock;
    let admin: Staff;
    let triager: Staff;
    let engineer: Staff;

    before(async () => {
      clock = new TestClock();
      tracker = await testTracker(freshStore(kind), { clock });
      admin = await tracker.staff.createUser({ email: 'ada@example.com', name: 'Ada', role: 'admin', password: 'correct horse battery' });
      triager = await tracker.staff.createUser({ email: 'tom@example.com', name: 'Tom', role: 'triager', password: 'correct horse battery' });
      engineer = await tracker.staff.createUser({ email: 'eve@example.com', name: 'Eve', role: 'engineer', password: 'correct horse battery' });
    });
    after(async () => {
      await tracker.close();
    });

    it('the reporter names the credit at intake, changes and withdraws it; every change is in the trail', async () => {
      const { case: filed, token } = await tracker.submitReport({ ...PELOTON_REPORT, credit: 'Jan Masters' });
      assert.equal(filed.credit, 'Jan Masters');
      assert.equal((await tracker.setCredit(token, '  Jan M.  ')).credit, 'Jan M.');
      const unchanged = await tracker.getCase(filed.id);
      assert.equal((await tracker.setCredit(token, 'Jan M.')).version, unchanged.version, 'the same name again changes nothing');
      assert.equal((await tracker.setCredit(token, null)).credit, null);
      assert.equal((await tracker.setCredit(token, 'Jan Masters')).credit, 'Jan Masters');
      const events = await tracker.database.db.selectFrom('events').select(['action', 'actor', 'data']).where('case_id', '=', filed.id).orderBy('seq').execute();
      assert.deepEqual(events.map((e) => [e.action, e.actor, (JSON.parse(e.data) as { credited: boolean }).credited]), [
        ['case.received', 'reporter', true], ['case.credit', 'reporter', true], ['case.credit', 'reporter', false], ['case.credit', 'reporter', true],
      ]);
      assert.equal((await tracker.verifyTrail()).broken, undefined);
    });

    it('refuses a credit that is not one line of text, or longer than 100 characters, and a token that opens no case', async () => {
      const { token } = await tracker.submitReport(PELOTON_REPORT);
      for (const bad of ['Jan\nMasters', 'Jan\u202eMasters', 'x'.repeat(101)]) await assert.rejects(tracker.setCredit(token, bad), failsWith('ERR_DISCLOSE_INPUT', /^credit: /));
      await assert.rejects(tracker.setCredit(`${token}x`, 'Mallory'), failsWith('ERR_DISCLOSE_NOT_FOUND'));
      assert.throws(() => checkReport({ ...PELOTON_REPORT, credit: 'a\r\nBcc: x@example.com' }), failsWith('ERR_DISCLOSE_INPUT', /^credit: must be one line/));
    });

    it('a resolved case has a draft advisory, which says it is one and is not for the public', async () => {
      const { id } = await resolvedCase(tracker, admin, 'Jan Masters');
      const { input, revisions, changed } = await tracker.advisoryDraft(await tracker.getCase(id), PUBLISHER);
      assert.deepEqual([revisions, changed], [[], true]);
      const draft = csafAdvisory(input) as CsafDoc;
      assert.deepEqual(validateCsaf(draft), []);
      assert.deepEqual([draft.document.tracking.status, draft.document.tracking.version, draft.document.distribution.tlp.label], ['draft', '0', 'AMBER']);
    });

    it('publishing the first revision discloses the case, tells the reporter, and keeps the advisory as published', async () => {
      const { case: open } = await tracker.submitReport(PELOTON_REPORT);
      await assert.rejects(tracker.publishAdvisory(open.id, admin, { publisher: PUBLISHER }), failsWith('ERR_DISCLOSE_TRANSITION', /new: publish-advisory is possible from resolved, disclosed only/));
      const { id, token } = await resolvedCase(tracker, admin, 'Jan Masters');
      await assert.rejects(tracker.publishAdvisory(id, engineer, { publisher: PUBLISHER }), failsWith('ERR_DISCLOSE_TRANSITION', /needs the triager role/));

      clock.advance(DAY);
      const first = await tracker.publishAdvisory(id, triager, { publisher: PUBLISHER });
      assert.deepEqual(first, { caseId: id, number: 1, at: clock.now, summary: 'Initial release.', userId: triager.id });
      const disclosed = await tracker.getCase(id);
      assert.deepEqual([disclosed.state, disclosed.disclosedAt], ['disclosed', clock.now]);
      const stored = await tracker.publishedAdvisory(id, 1);
      assert.ok(stored);
      const doc = JSON.parse(stored.csaf) as CsafDoc;
      assert.deepEqual(validateCsaf(doc), []);
      const when = new Date(clock.now).toISOString();
      assert.deepEqual(doc.document.tracking.revision_history, [{ number: '1', date: when, summary: 'Initial release.' }]);
      assert.deepEqual([doc.document.tracking.status, doc.document.tracking.version, doc.document.tracking.initial_release_date, doc.document.distribution.tlp.label], ['final', '1', when, 'WHITE']);
      assert.deepEqual(doc.vulnerabilities[0]?.acknowledgments?.[0]?.names, ['Jan Masters']);
      assert.match(stored.markdown, /- \*\*Version:\*\* 1 \(2026-01-21\)/);
      assert.match(stored.markdown, /- Disclosed: 2026-01-21\n/);
      assert.match(stored.markdown, /## Revisions\n\n- 1 \(2026-01-21\): Initial release\\\.\n$/);
      const told = (await tracker.thread(id, { internal: false })).at(-1);
      assert.equal(told?.body, `${disclosed.reference} is now publicly disclosed, and its advisory is published. It credits you as Jan Masters.`);
      assert.equal((await tracker.caseForToken(token))?.state, 'disclosed');
    });

    it('a new revision needs a change and a summary; the earlier one stays as it went out', async () => {
      const { id, token } = await resolvedCase(tracker, admin, null);
      await tracker.publishAdvisory(id, triager, { publisher: PUBLISHER, summary: 'First public release.' });
      const first = await tracker.publishedAdvisory(id, 1);
      assert.ok(first);
      await assert.rejects(tracker.publishAdvisory(id, triager, { publisher: PUBLISHER, summary: 'Again.' }), failsWith('ERR_DISCLOSE_INPUT', /nothing in VR-\d+'s advisory changed since revision 1/));
      assert.equal((await tracker.advisoryDraft(await tracker.getCase(id), PUBLISHER)).changed, false);

      clock.advance(3 * DAY);
      await tracker.setCredit(token, 'Jan Masters');
      assert.equal((await tracker.advisoryDraft(await tracker.getCase(id), PUBLISHER)).changed, true, 'the credit is part of the advisory');
      await assert.rejects(tracker.publishAdvisory(id, triager, { publisher: PUBLISHER }), failsWith('ERR_DISCLOSE_INPUT', /revision 2 needs a summary of what changed since revision 1/));
      await assert.rejects(tracker.publishAdvisory(id, triager, { publisher: PUBLISHER, summary: 'x'.repeat(1001) }), failsWith('ERR_DISCLOSE_INPUT', /longer than 1000/));
      const second = await tracker.publishAdvisory(id, triager, { publisher: PUBLISHER, summary: 'Credit the reporter, who agreed to it.' });
      assert.equal(second.number, 2);
      assert.equal((await tracker.getCase(id)).state, 'disclosed');
      assert.deepEqual((await tracker.advisoryRevisions(id)).map((r) => [r.number, r.summary]), [[1, 'First public release.'], [2, 'Credit the reporter, who agreed to it.']]);

      const doc = JSON.parse((await tracker.publishedAdvisory(id, 2))?.csaf ?? '{}') as CsafDoc;
      assert.deepEqual(validateCsaf(doc), []);
      const { tracking } = doc.document;
      assert.deepEqual(tracking.revision_history.map((r) => [r.number, r.summary]), [['1', 'First public release.'], ['2', 'Credit the reporter, who agreed to it.']]);
      assert.equal(tracking.version, '2');
      assert.equal(tracking.initial_release_date, tracking.revision_history[0]?.date);
      assert.equal(tracking.current_release_date, new Date(clock.now).toISOString());
      assert.notEqual(tracking.initial_release_date, tracking.current_release_date);
      assert.deepEqual(doc.vulnerabilities[0]?.acknowledgments?.[0]?.names, ['Jan Masters']);
      assert.deepEqual(await tracker.publishedAdvisory(id, 1), first, 'revision 1 is kept as it was published');
      assert.equal(await tracker.publishedAdvisory(id, 3), undefined);
      assert.match((await tracker.thread(id, { internal: false })).at(-1)?.body ?? '', /has a new revision \(2\): Credit the reporter/);
      assert.equal((await tracker.verifyTrail()).broken, undefined);
    });
  });
}

describe('credit and advisories through the JSON API and the pages', () => {
  let test: TestService;
  let staffToken: string;
  let ada: User;

  before(async () => {
    test = await startTestService();
    ada = await test.service.tracker.staff.createUser({ email: 'ada@example.com', name: 'Ada', role: 'admin', password: 'correct horse battery' });
    staffToken = await test.service.tracker.staff.createApiToken(ada, 'advisories');
  });
  after(async () => {
    await test.close();
  });

  const api = async (path: string, init: { method?: string; token: string; json?: unknown }) => {
    const response = await fetch(`${test.url}/api/v1${path}`, {
      method: init.method ?? (init.json === undefined ? 'GET' : 'POST'),
      headers: { authorization: `Bearer ${init.token}`, ...(init.json === undefined ? {} : { 'content-type': 'application/json' }) },
      body: init.json === undefined ? undefined : JSON.stringify(init.json),
    });
    return { status: response.status, type: response.headers.get('content-type') ?? '', text: await response.text() };
  };

  it('a reporter sets their credit by API; staff publish revisions and read each as it went out', async () => {
    const filed = await fetch(`${test.url}/api/v1/reports`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ...PELOTON_REPORT, credit: 'J. M.' }) });
    assert.equal(filed.status, 201);
    const { reference, trackingToken } = await filed.json() as { reference: string; trackingToken: string };
    const credited = await api(`/reports/${reference}/credit`, { token: trackingToken, json: { credit: 'Jan Masters' } });
    assert.equal(credited.status, 200, credited.text);
    assert.equal((JSON.parse(credited.text) as { credit: string }).credit, 'Jan Masters');
    assert.equal((await api(`/reports/${reference}/credit`, { token: trackingToken, json: { credit: 'two\nlines' } })).status, 400);
    assert.equal((await api(`/reports/${reference}/credit`, { token: staffToken, json: { credit: 'Ada' } })).status, 401, 'staff cannot name the reporter');

    const id = Number(reference.slice(3));
    const { tracker } = test.service;
    await tracker.triage(id, ada, { triage: 'valid', cvss31: CVSS });
    await tracker.startFix(id, ada);
    await tracker.submitFix(id, ada);
    await tracker.override(id, ada, 'the route now requires a session, checked by hand');
    const draft = await api(`/cases/${reference}/advisory`, { token: staffToken });
    assert.equal((JSON.parse(draft.text) as CsafDoc).document.tracking.status, 'draft');

    const published = await api(`/cases/${reference}/actions`, { token: staffToken, json: { action: 'publish-advisory' } });
    assert.equal(published.status, 200, published.text);
    assert.equal((JSON.parse(published.text) as { state: string; credit: string }).state, 'disclosed');
    await tracker.assess(id, ada, { operations: ['POST /stats/workouts/details'], dataClasses: ['age', 'location'], peopleAffected: 3_000_000, exploited: 'no', evidence: null });
    const revised = await api(`/cases/${reference}/actions`, { token: staffToken, json: { action: 'publish-advisory', summary: 'Add the assessment.' } });
    assert.equal(revised.status, 200, revised.text);

    const latest = await api(`/cases/${reference}/advisory`, { token: staffToken });
    assert.equal(latest.text, (await tracker.publishedAdvisory(id, 2))?.csaf, 'the latest revision, byte for byte as published');
    const first = await api(`/cases/${reference}/advisory?revision=1&format=markdown`, { token: staffToken });
    assert.match(first.type, /^text\/markdown/);
    assert.equal(first.text, (await tracker.publishedAdvisory(id, 1))?.markdown);
    assert.equal((await api(`/cases/${reference}/advisory?revision=3`, { token: staffToken })).status, 404);
    const detail = JSON.parse((await api(`/cases/${reference}`, { token: staffToken })).text) as { case: { credit: string }; advisoryRevisions: { number: number; summary: string }[] };
    assert.equal(detail.case.credit, 'Jan Masters');
    assert.deepEqual(detail.advisoryRevisions.map((r) => [r.number, r.summary]), [[1, 'Initial release.'], [2, 'Add the assessment.']]);
    assert.equal((await api(`/cases/${reference}/advisory`, { token: trackingToken })).status, 401, 'a reporter does not read the staff side');
  });

  it('the pages: the reporter credits themselves on the form and the tracking page; staff publish from the case page', async () => {
    const reporter = new Browser(test.url);
    const filed = await reporter.post('/report', { title: 'Search lists every member', asset: 'GET /api/search', description: 'd', steps: 's', impact: 'i', credit: 'Rider Researcher' });
    assert.equal(filed.status, 201, filed.text);
    const link = /id="tracking-link" href="([^"]+)"/.exec(filed.text)?.[1];
    assert.ok(link);
    const trackPath = new URL(link).pathname;
    assert.match((await reporter.get(trackPath)).text, /<input id="credit" name="credit" maxlength="100" value="Rider Researcher">/);
    const bad = await reporter.post(`${trackPath}/credit`, { credit: 'a'.repeat(101) }, trackPath);
    assert.equal(bad.status, 400);
    assert.match(bad.text, /credit: is longer than 100 characters/);
    assert.equal((await reporter.post(`${trackPath}/credit`, { credit: '' }, trackPath)).status, 303);
    assert.match((await reporter.get(trackPath)).text, /You are not credited\./);
    assert.equal((await reporter.post(`${trackPath}/credit`, { credit: 'R. Researcher' }, trackPath)).status, 303);

    const { tracker } = test.service;
    const c = (await tracker.listCases({ limit: 1 }))[0];
    assert.ok(c);
    assert.equal(c.credit, 'R. Researcher');
    await tracker.triage(c.id, ada, { triage: 'valid', cvss31: CVSS });
    await tracker.startFix(c.id, ada);
    await tracker.submitFix(c.id, ada);
    await tracker.override(c.id, ada, 'the search now lists only the caller, checked by hand');
    const staff = new Browser(test.url);
    assert.equal((await staff.post('/login', { email: 'ada@example.com', password: 'correct horse battery' }, '/login')).status, 303);
    const before = (await staff.get(`/cases/${c.id}`)).text;
    assert.match(before, /Not published\. Draft: <a href="\/cases\/\d+\/advisory\.json">CSAF 2\.0<\/a>/);
    assert.match(before, /credit: R\. Researcher/);
    assert.equal((await staff.post(`/cases/${c.id}/publish-advisory`, { version: String((await tracker.getCase(c.id)).version) }, `/cases/${c.id}`)).status, 303);
    const after = (await staff.get(`/cases/${c.id}`)).text;
    assert.match(after, /Published, revision 1/);
    assert.match(after, /<td>1<\/td><td>[^<]+<\/td><td>Ada<\/td><td>Initial release\.<\/td>/);
    const again = await staff.post(`/cases/${c.id}/publish-advisory`, { summary: 'Nothing new.' }, `/cases/${c.id}`);
    assert.equal(again.status, 400);
    assert.match(again.text, /nothing in VR-\d+&#39;s advisory changed since revision 1|nothing in VR-\d+&#x27;s advisory changed since revision 1/);
    const download = await staff.get(`/cases/${c.id}/advisory.json?revision=1`);
    assert.match(download.headers.get('content-disposition') ?? '', /filename="VR-\d+-1\.json"/);
    assert.equal(download.text, (await tracker.publishedAdvisory(c.id, 1))?.csaf);
    assert.equal((await staff.get(`/cases/${c.id}/advisory.md?revision=abc`)).status, 400);
    assert.match((await reporter.get(trackPath)).text, /publicly disclosed, and its advisory is published\. It credits you as R\. Researcher\./);
  });
});
