/**
 * Published advisories for everyone: pages for people, and a CSAF 2.0 provider's directory-based
 * distribution for machines (provider metadata, a folder per year, index.txt, changes.csv,
 * checksums, directory listings, security.txt's CSAF field), in SQLite and in the real PostgreSQL.
 * Only published revisions are served, byte for byte as they went out; a draft is not found, exactly
 * as a case that does not exist.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import type { DistributedAdvisory, Publisher } from '../src/disclose/advisory/index.ts';
import { changesCsv, checksumFile, csafFileName, distributionPath, indexTxt, providerMetadata, validateCsaf } from '../src/disclose/advisory/index.ts';
import type { Staff, Tracker } from '../src/disclose/tracker.ts';
import { publisherOf } from '../src/disclose/web/staff-routes.ts';
import type { TestService } from './fixtures/disclose.ts';
import { Browser, DAY, dropStores, freshStore, PELOTON_REPORT, startTestService, STORE_KINDS, TestClock } from './fixtures/disclose.ts';

const CVSS = 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N';
const HOSTILE_TITLE = 'Profiles leak <img src=x onerror=alert(1)> & "more"';

interface CsafDoc {
  document: {
    publisher: object;
    tracking: { id: string; status: string; version: string; initial_release_date: string; current_release_date: string };
    distribution: { tlp: { label: string } };
  };
}

interface ProviderMetadata {
  canonical_url: string;
  distributions: { directory_url: string }[];
  last_updated: string;
  list_on_CSAF_aggregators: boolean;
  mirror_on_CSAF_aggregators: boolean;
  metadata_version: string;
  publisher: object;
  role: string;
}

describe('CSAF 2.0 distribution, as the specification names and lists files', () => {
  const a: DistributedAdvisory = { trackingId: 'VR-0007', initialReleaseDate: '2025-12-30T10:00:00.000Z', currentReleaseDate: '2026-02-01T08:00:00.000Z' };
  const b: DistributedAdvisory = { trackingId: 'VR-0012', initialReleaseDate: '2026-01-15T10:00:00.000Z', currentReleaseDate: '2026-01-15T10:00:00.000Z' };

  it('a file name is the tracking id in lower case, each run of other characters one underscore (section 5.1)', () => {
    assert.equal(csafFileName('Example Company - 2019-YH3234'), 'example_company_-_2019-yh3234.json');
    assert.equal(csafFileName('VR-0007'), 'vr-0007.json');
    assert.equal(csafFileName('a+b/../c'), 'a+b_c.json');
  });

  it('a document lives in the folder of its initial release year, whatever its latest revision (requirement 11)', () => {
    assert.equal(distributionPath(a), '2025/vr-0007.json');
    assert.equal(distributionPath(b), '2026/vr-0012.json');
  });

  it('index.txt lists every path; changes.csv quotes path and current release date, the latest change first (12, 13)', () => {
    assert.equal(indexTxt([b, a]), '2025/vr-0007.json\n2026/vr-0012.json\n');
    assert.equal(changesCsv([b, a]), '"2025/vr-0007.json","2026-02-01T08:00:00.000Z"\n"2026/vr-0012.json","2026-01-15T10:00:00.000Z"\n');
    assert.equal(indexTxt([]), '');
    assert.equal(changesCsv([]), '');
  });

  it('a checksum file is the hash in hex, two spaces and the file name, which sha256sum -c and sha512sum -c accept (18)', async () => {
    const text = '{"document":{}}\n';
    assert.equal(checksumFile(text, 'vr-0007.json', 'sha256'), `${createHash('sha256').update(text).digest('hex')}  vr-0007.json\n`);
    const dir = await mkdtemp(join(tmpdir(), 'leakproof-csaf-sum-'));
    await writeFile(join(dir, 'vr-0007.json'), text);
    await writeFile(join(dir, 'vr-0007.json.sha256'), checksumFile(text, 'vr-0007.json', 'sha256'));
    await writeFile(join(dir, 'vr-0007.json.sha512'), checksumFile(text, 'vr-0007.json', 'sha512'));
    const run = promisify(execFile);
    assert.match((await run('sha256sum', ['-c', 'vr-0007.json.sha256'], { cwd: dir })).stdout, /vr-0007\.json: OK/);
    assert.match((await run('sha512sum', ['-c', 'vr-0007.json.sha512'], { cwd: dir })).stdout, /vr-0007\.json: OK/);
    await writeFile(join(dir, 'vr-0007.json'), `${text} `);
    await assert.rejects(run('sha256sum', ['-c', 'vr-0007.json.sha256'], { cwd: dir }), 'a changed document fails its checksum');
  });

  it('the provider metadata has every member the provider metadata schema requires, for a csaf_provider', () => {
    const publisher = { name: 'Example Fitness', namespace: 'https://example.com', category: 'vendor' as const };
    assert.deepEqual(providerMetadata({ publicUrl: 'https://security.example.com', publisher, lastUpdated: '2026-02-01T08:00:00.000Z', listOnAggregators: true, mirrorOnAggregators: false }), {
      canonical_url: 'https://security.example.com/.well-known/csaf/provider-metadata.json',
      distributions: [{ directory_url: 'https://security.example.com/.well-known/csaf/white/' }],
      last_updated: '2026-02-01T08:00:00.000Z',
      list_on_CSAF_aggregators: true,
      metadata_version: '2.0',
      mirror_on_CSAF_aggregators: false,
      publisher: { category: 'vendor', name: 'Example Fitness', namespace: 'https://example.com' },
      role: 'csaf_provider',
    });
  });
});

after(dropStores);

/** A filed case taken to resolved by an admin's override (the gate has its own tests). */
async function resolvedCase(tracker: Tracker, admin: Staff, title: string, credit: string | null): Promise<number> {
  const { case: filed } = await tracker.submitReport({ ...PELOTON_REPORT, title, credit });
  await tracker.triage(filed.id, admin, { triage: 'valid', cvss31: CVSS });
  await tracker.startFix(filed.id, admin);
  await tracker.submitFix(filed.id, admin);
  await tracker.override(filed.id, admin, 'the route now requires a session, checked by hand');
  return filed.id;
}

for (const kind of STORE_KINDS) {
  describe(`published advisories for everyone, in ${kind}`, () => {
    let test: TestService;
    let clock: TestClock;
    let tracker: Tracker;
    let admin: Staff;
    let browser: Browser;
    let publisher: Publisher;

    before(async () => {
      clock = new TestClock(Date.UTC(2025, 11, 30, 9, 0));
      test = await startTestService({ store: freshStore(kind), clock, disclose: { csaf: { mirrorOnAggregators: false } } });
      tracker = test.service.tracker;
      admin = await tracker.staff.createUser({ email: 'ada@example.com', name: 'Ada', role: 'admin', password: 'correct horse battery' });
      browser = new Browser(test.url);
      // As the case page's publish button does.
      publisher = publisherOf(test.service);
    });
    after(async () => {
      await test.close();
    });

    const metadata = async () => JSON.parse((await browser.get('/.well-known/csaf/provider-metadata.json')).text) as ProviderMetadata;

    it('before anything is published: an empty list, empty index files, and valid provider metadata named in security.txt', async () => {
      const list = await browser.get('/advisories');
      assert.equal(list.status, 200);
      assert.match(list.text, /No advisory has been published yet/);
      const meta = await metadata();
      assert.equal(meta.canonical_url, `${test.url}/.well-known/csaf/provider-metadata.json`);
      assert.deepEqual(meta.distributions, [{ directory_url: `${test.url}/.well-known/csaf/white/` }]);
      assert.equal(meta.role, 'csaf_provider');
      assert.equal(meta.metadata_version, '2.0');
      assert.equal(meta.list_on_CSAF_aggregators, true);
      assert.equal(meta.mirror_on_CSAF_aggregators, false, 'from the csaf section of the configuration');
      assert.equal(meta.last_updated, new Date(clock.now).toISOString(), 'nothing published: the metadata dates from the start');
      assert.equal((await browser.get('/.well-known/csaf/white/index.txt')).text, '');
      assert.equal((await browser.get('/.well-known/csaf/white/changes.csv')).text, '');
      const securityTxt = (await browser.get('/.well-known/security.txt')).text;
      assert.match(securityTxt, new RegExp(`^CSAF: ${test.url}/\\.well-known/csaf/provider-metadata\\.json$`, 'm'));
    });

    it('a draft, or a case with nothing published, is not found, as a case that does not exist', async () => {
      const draft = await resolvedCase(tracker, admin, 'Draft only', null);
      const reference = `VR-${String(draft).padStart(4, '0')}`;
      const missing = await browser.get('/advisories/VR-9999');
      assert.equal(missing.status, 404);
      for (const path of [`/advisories/${reference}`, `/advisories/${reference}.json`, `/advisories/${reference}.md`, `/.well-known/csaf/white/2025/${reference.toLowerCase()}.json`, `/.well-known/csaf/white/2025/${reference.toLowerCase()}.json.sha256`]) {
        const answer = await browser.get(path);
        assert.equal(answer.status, 404, path);
        assert.ok(!answer.text.includes('Draft only'), `${path} says nothing of the case`);
      }
      assert.equal((await tracker.publishedAdvisories()).length, 0);
      assert.doesNotMatch((await browser.get('/advisories')).text, /Draft only/);
    });

    it('published advisories: listed newest revision first, each page escaped, each form byte for byte as it went out', async () => {
      const first = await resolvedCase(tracker, admin, HOSTILE_TITLE, 'Jan Masters');
      await tracker.publishAdvisory(first, admin, { publisher });
      clock.advance(20 * DAY);
      const second = await resolvedCase(tracker, admin, 'Search lists every member', null);
      await tracker.publishAdvisory(second, admin, { publisher });
      clock.advance(5 * DAY);
      await tracker.assess(first, admin, { operations: ['POST /stats/workouts/details'], dataClasses: ['age', 'location'], peopleAffected: 3_000_000, exploited: 'no', evidence: null });
      await tracker.publishAdvisory(first, admin, { publisher, summary: 'Add the assessment.' });

      const published = await tracker.publishedAdvisories();
      assert.deepEqual(published.map((p) => [p.caseId, p.revision]), [[first, 2], [second, 1]], 'the most recently revised first');
      assert.deepEqual(published.map((p) => [p.initialAt, p.currentAt]), [[Date.UTC(2025, 11, 30, 9, 0), Date.UTC(2025, 11, 30, 9, 0) + 25 * DAY], [Date.UTC(2025, 11, 30, 9, 0) + 20 * DAY, Date.UTC(2025, 11, 30, 9, 0) + 20 * DAY]]);

      const [one, two] = [first, second].map((id) => `VR-${String(id).padStart(4, '0')}`) as [string, string];
      const list = await browser.get('/advisories');
      assert.equal(list.status, 200);
      assert.match(list.headers.get('cache-control') ?? '', /^public/);
      assert.ok(list.text.indexOf(one) < list.text.indexOf(two), 'revised most recently, listed first');
      assert.ok(!list.text.includes('<img src=x'), 'the reporter\'s title is text, never markup');
      assert.ok(list.text.includes('Profiles leak &lt;img src=x onerror=alert(1)&gt; &amp; &quot;more&quot;'));

      const page = await browser.get(`/advisories/${one}`);
      assert.equal(page.status, 200);
      assert.ok(!page.text.includes('<img src=x'));
      assert.match(page.text, /Example Fitness thanks Jan Masters for reporting this vulnerability/);
      assert.match(page.text, /People whose data was reachable: 3000000/, 'the assessment, as revision 2 published it');
      assert.match(page.text, /Add the assessment\./);
      assert.doesNotMatch(page.text, /researcher@example\.org/, 'the reporter\'s contact is never published');

      const json = await browser.get(`/advisories/${one}.json`);
      assert.match(json.headers.get('content-type') ?? '', /^application\/json/);
      assert.equal(json.text, (await tracker.publishedAdvisory(first, 2))?.csaf);
      assert.equal((await browser.get(`/advisories/${one}.json?revision=1`)).text, (await tracker.publishedAdvisory(first, 1))?.csaf);
      const markdown = await browser.get(`/advisories/${one}.md?revision=1`);
      assert.match(markdown.headers.get('content-type') ?? '', /^text\/markdown/);
      assert.equal(markdown.text, (await tracker.publishedAdvisory(first, 1))?.markdown);
      assert.equal((await browser.get(`/advisories/${one}.json?revision=3`)).status, 404);
      assert.equal((await browser.get(`/advisories/${one}.json?revision=one`)).status, 400);
      assert.equal((await browser.get(`/advisories/${one.toLowerCase()}.json`)).text, json.text, 'the reference in any case');
    });

    it('the CSAF directory: every indexed document fetched without a redirect is valid, TLP:WHITE, final, and matches its checksums', async () => {
      const meta = await metadata();
      assert.equal(meta.last_updated, new Date(clock.now).toISOString(), 'the latest revision');
      const directory = meta.distributions[0]?.directory_url ?? '';
      const index = (await browser.get('/.well-known/csaf/white/index.txt')).text.trim().split('\n');
      assert.equal(index.length, 2);
      const dir = await mkdtemp(join(tmpdir(), 'leakproof-csaf-feed-'));
      for (const path of index) {
        const response = await fetch(`${directory}${path}`, { redirect: 'manual' });
        assert.equal(response.status, 200, path);
        const text = await response.text();
        const doc = JSON.parse(text) as CsafDoc;
        assert.deepEqual(validateCsaf(doc), [], `${path} is valid CSAF 2.0`);
        assert.equal(doc.document.distribution.tlp.label, 'WHITE');
        assert.equal(doc.document.tracking.status, 'final');
        assert.equal(path, `${doc.document.tracking.initial_release_date.slice(0, 4)}/${csafFileName(doc.document.tracking.id)}`);
        assert.deepEqual(doc.document.publisher, meta.publisher, 'the provider publishes what it distributes');
        const [year = '', file = ''] = path.split('/');
        await mkdir(join(dir, year), { recursive: true });
        await writeFile(join(dir, path), text);
        for (const algorithm of ['sha256', 'sha512'] as const) {
          const sum = await browser.get(`/.well-known/csaf/white/${path}.${algorithm}`);
          assert.equal(sum.status, 200);
          assert.equal(sum.text, `${createHash(algorithm).update(text).digest('hex')}  ${file}\n`);
          await writeFile(join(dir, `${path}.${algorithm}`), sum.text);
          const { stdout } = await promisify(execFile)(`${algorithm}sum`, ['-c', `${file}.${algorithm}`], { cwd: join(dir, year) });
          assert.match(stdout, /: OK$/m);
        }
      }
      const changes = (await browser.get('/.well-known/csaf/white/changes.csv')).text.trim().split('\n');
      assert.deepEqual(changes.map((line) => /^"([^"]+)","[^"]+"$/.exec(line)?.[1]), ['2025/vr-0002.json', '2026/vr-0003.json'], 'the latest change first');
      assert.match(changes[0] ?? '', new RegExp(`"${new Date(clock.now).toISOString()}"$`));
    });

    it('directory listings link the index files, the years and each year\'s documents with their checksums', async () => {
      const top = await browser.get('/.well-known/csaf/white/');
      assert.equal(top.status, 200);
      for (const entry of ['index.txt', 'changes.csv', '2025/', '2026/']) assert.ok(top.text.includes(`href="/.well-known/csaf/white/${entry}"`), entry);
      const year = await browser.get('/.well-known/csaf/white/2025/');
      assert.equal(year.status, 200);
      for (const entry of ['vr-0002.json', 'vr-0002.json.sha256', 'vr-0002.json.sha512']) assert.ok(year.text.includes(`href="/.well-known/csaf/white/2025/${entry}"`), entry);
      assert.doesNotMatch(year.text, /vr-0001/, 'the draft is not listed');
      assert.equal((await browser.get('/.well-known/csaf/white/2025')).status, 200, 'without the slash too, and no redirect');
      for (const path of ['/.well-known/csaf/white/1999/', '/.well-known/csaf/white/..%2f..%2fetc/', '/.well-known/csaf/white/2025/vr-0001.json', '/.well-known/csaf/white/2025/..%2fvr-0002.json', '/.well-known/csaf/white/2026/vr-0002.json']) {
        assert.equal((await browser.get(path)).status, 404, path);
      }
    });
  });
}
