import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { bufferIo } from '../src/cli/io.ts';
import { main } from '../src/cli/main.ts';
import { assessResponse, VICTIM } from '../src/demo/incident.ts';
import { validateCsaf } from '../src/disclose/advisory/index.ts';
import { SEED } from '../src/reference-api/index.ts';

const frank = SEED.people.find((p) => p.username === 'frank');
const heidi = SEED.people.find((p) => p.username === 'heidi');

describe('what a response gave away is decided from the seeded truth', () => {
  it('counts the victim\'s fields only where the value is hers', () => {
    const outcome = assessResponse(200, { data: { user: { id: VICTIM.id, age: VICTIM.age, gender: VICTIM.gender, weight: 1 } } });
    assert.deepEqual(outcome, { status: 200, victimFields: ['age', 'gender'], victimListed: true, othersExposed: 0 });
  });

  it('tells a public card from no record at all', () => {
    assert.equal(assessResponse(200, [{ id: VICTIM.id, username: VICTIM.username }]).victimListed, true);
    assert.equal(assessResponse(200, []).victimListed, false);
  });

  it('counts other people by their owner-only fields, and by location only when their profile is private', () => {
    assert.ok(frank && heidi && !frank.is_profile_private && heidi.is_profile_private);
    assert.equal(assessResponse(200, [{ id: frank.id, location: frank.location }]).othersExposed, 0, 'members may see a public profile\'s location');
    assert.equal(assessResponse(200, [{ id: frank.id, age: frank.age }]).othersExposed, 1);
    assert.equal(assessResponse(200, [{ id: heidi.id, location: heidi.location }]).othersExposed, 1);
  });
});

describe('leakproof demo replays the incident over HTTP in the three modes, then scans them', async () => {
  const reports = await mkdtemp(join(tmpdir(), 'leakproof-demo-test-'));
  const io = bufferIo();
  const code = await main(['demo', '--report-dir', reports], io);
  const text = io.stdout.join('\n');

  it('exits 0 and prints nothing to stderr when not at a terminal', () => {
    assert.equal(code, 0);
    assert.deepEqual(io.stderr, []);
  });

  it('shows January\'s leak to anyone, the February leak to any member, and the fix', () => {
    const rows = text.split('\n');
    const section = (name: string): string[] => rows.slice(rows.findIndex((l) => l.startsWith(name)) + 1).slice(0, 3);
    for (const route of ['Profile', 'Search', 'GraphQL user(id:)']) {
      const [anonymous, member, owner] = section(route);
      assert.match(anonymous ?? '', /^ {2}anonymous +LEAKS [78] fields +refused \(401\) +refused \(401\)$/, route);
      assert.match(member ?? '', /^ {2}a member who just signed up +LEAKS [78] fields +LEAKS [78] fields +public card only$/, route);
      assert.match(owner ?? '', /^ {2}erin herself +her own data \([78]\) +her own data \([78]\) +her own data \(7\)$/, route);
    }
    const [anonymous, member] = section('Bulk details');
    assert.match(anonymous ?? '', /^ {2}anonymous +LEAKS 3 fields, \+10 others +refused \(401\) +refused \(401\)$/);
    assert.match(member ?? '', /^ {2}a member who just signed up +LEAKS 3 fields, \+10 others +LEAKS 3 fields, \+10 others +not shown$/);
  });

  it('says what leaked in words, with the values the API really served', () => {
    assert.match(text, /January 2021: without logging in, anyone could read erin's location El Paso, TX, age 33,/);
    assert.match(text, /One bulk details request gave anyone the location, age, gender of 10 more riders at once\./);
    assert.match(text, /2 February: anonymous callers were refused, but anyone can sign up, and any member still read her\n {2}data on 4 of 4 routes\./);
    assert.match(text, /Planted flaws, the ground truth the scan is scored against: 18 in leaky, 17 in authonly, 0 in fixed/);
  });

  it('scans each mode: findings in the leaky ones, none in fixed, and the February findings listed', () => {
    assert.match(text, /^ {2}leaky {5}\d+ findings: \d+ critical, \d+ high/m);
    assert.match(text, /^ {2}authonly {2}\d+ findings: \d+ high/m);
    assert.doesNotMatch(text, /^ {2}authonly .*critical/m, 'after the February fix nothing answers anonymous callers');
    assert.match(text, /^ {2}fixed {5}no findings {2}\(\d+ requests/m);
    assert.match(text, /^ {2}high +bola +GET \/api\/user\/\{id\} serves other members' age, gender/m);
  });

  it('files January\'s headline finding in the tracker, whose gate refuses the February fix and resolves the real one', async () => {
    assert.match(text, /^was filed with its probe as VR-0001 in a disclosure tracker, scored high \(CVSS 7\.5\) and assigned\.$/m);
    assert.ok(text.replace(/\s+/g, ' ').includes('The case went new → acknowledged → triaged → fixing → fix-submitted → verifying → fixing → fix-submitted → verifying → resolved → disclosed.'));
    assert.match(text, /^Audit trail: \d+ events, hash chain verified\. Published advisory: /m);
    const advisory = JSON.parse(await readFile(join(reports, 'VR-0001.csaf.json'), 'utf8')) as { document: { tracking: { id: string; status: string; version: string } } };
    assert.deepEqual(validateCsaf(advisory), []);
    assert.deepEqual([advisory.document.tracking.id, advisory.document.tracking.status, advisory.document.tracking.version], ['VR-0001', 'final', '1']);
    assert.match(text, /^ {2}authonly +FAIL +missing-authentication no longer reproduces, but the same data still leaks\n {25}another way \(bola/m);
    assert.match(text, /^ {2}fixed +PASS +6 checks find nothing on POST \/stats\/workouts\/details/m);
    const probe = join(reports, 'probes');
    const [file] = await readdir(probe);
    assert.match(file ?? '', /^missing-authentication-[0-9a-f]{24}\.json$/);
    assert.ok(text.includes(join(probe, file ?? '')), 'the demo names the probe file');
  });

  it('drafts a gateway policy from January\'s findings, and through it the February API leaks nothing', async () => {
    assert.match(text, /^January's \d+ findings became a gateway policy for \d+ operations\. In front of the February API:$/m);
    assert.match(text, /^ {2}the same scan, through the gateway +no findings {2}\(\d+ requests\)$/m);
    assert.match(text, /^ {2}erin reads her own profile +all 15 fields$/m);
    assert.match(text, /^ {2}a stranger reads erin's profile +4 fields: the public card$/m);
    assert.match(text, /^ {2}erin +\d+ answers +age, birthday, email, gender/m, 'the owner received her whole record');
    assert.match(text, /^ {2}frank +\d+ answers +image_url, is_profile_private, username$/m, 'a stranger received the card, and the log says so');
    assert.match(text, new RegExp(`Access log: leakproof logs who-read ${VICTIM.id} --store ${join(reports, 'access.db')}`));
    const policy = join(reports, 'gateway.yaml');
    assert.ok(text.includes(`Policy: ${policy}`));
    assert.equal((await main(['gateway', 'check', '--config', policy], bufferIo())), 0, 'the policy it wrote is valid');
  });

  it('writes an HTML report per mode where it says', async () => {
    for (const mode of ['leaky', 'authonly', 'fixed']) {
      const file = join(reports, `leakproof-scan-${mode}.html`);
      assert.ok(text.includes(file), `the demo names ${file}`);
      assert.match(await readFile(file, 'utf8'), /^<!doctype html>/i);
    }
  });

  it('prints the measured outcomes as JSON with --json, and in fixed mode no stranger gets personal data', async () => {
    const json = bufferIo();
    assert.equal(await main(['demo', '--json', '--report-dir', reports], json), 0);
    const report = JSON.parse(json.stdout.join('\n')) as {
      victim: string;
      rows: { route: string; caller: string; outcomes: Record<string, { victimFields: string[]; othersExposed: number }> }[];
      scans: { mode: string; findings: unknown[] }[];
      verification: { retests: { mode: string; verdict: string }[] };
      gateway: { scan: { findings: number } };
    };
    assert.equal(report.gateway.scan.findings, 0);
    assert.deepEqual(report.verification.retests.map((r) => [r.mode, r.verdict]), [['authonly', 'fail'], ['fixed', 'pass']]);
    assert.deepEqual(report.scans.map((scan) => [scan.mode, scan.findings.length > 0]), [['leaky', true], ['authonly', true], ['fixed', false]]);
    assert.equal(report.victim, 'erin');
    assert.equal(report.rows.length, 12);
    for (const row of report.rows.filter((r) => r.caller !== 'owner')) {
      assert.deepEqual(row.outcomes.fixed?.victimFields, [], `${row.route} as ${row.caller}`);
      assert.equal(row.outcomes.fixed.othersExposed, 0, `${row.route} as ${row.caller}`);
      assert.ok((row.outcomes.leaky?.victimFields.length ?? 0) > 0, `${row.route} leaks in leaky mode`);
    }
  });
});
