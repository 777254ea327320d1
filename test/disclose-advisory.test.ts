/**
 * Advisories for resolved cases: a CSAF 2.0 security advisory that passes the OASIS schema and the
 * mandatory tests we run, and a Markdown advisory that prints what a reporter wrote as text only.
 * The case is modelled on the 2021 Peloton report: anyone could look up any rider's profile.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ExitCode } from '../src/core/errors.ts';
import type { AdvisoryInput } from '../src/disclose/advisory/index.ts';
import { AdvisoryError, csafAdvisory, markdownAdvisory, validateCsaf } from '../src/disclose/advisory/index.ts';
import type { Case } from '../src/disclose/model.ts';

const DAY = 86_400_000;
const RECEIVED = Date.UTC(2021, 0, 20, 9, 30);
const RELEASED = RECEIVED + 106 * DAY;
const CVSS31 = 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N';
const CVSS40 = 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:N/VA:N/SC:N/SI:N/SA:N';

function pelotonCase(overrides: Partial<Case> = {}): Case {
  return {
    id: 1,
    reference: 'VR-0001',
    title: 'Unauthenticated bulk lookup of riders\' personal data',
    asset: 'api.onepeloton.com',
    description: 'POST /stats/workouts/details and GET /api/user/{id} answer requests that carry no session, for any rider, private profiles included.',
    steps: 'curl -X POST https://api.onepeloton.com/stats/workouts/details -d \'{"workoutIds":[…]}\'',
    impact: 'Age, gender, city, weight and workout history of any of about 3 million riders could be read in bulk.',
    contact: 'jan@example.org',
    probe: null,
    state: 'resolved',
    triage: 'valid',
    duplicateOf: null,
    severity: 'high',
    cvss31: CVSS31,
    cvss40: null,
    score: 7.5,
    ownerId: 2,
    assessment: { operations: ['POST /stats/workouts/details', 'GET /api/user/{id}'], dataClasses: ['age', 'gender', 'location', 'weight'], peopleAffected: 3_000_000, exploited: 'unknown', evidence: null },
    receivedAt: RECEIVED,
    acknowledgedAt: RECEIVED + DAY,
    assessedAt: RECEIVED + 3 * DAY,
    fixSubmittedAt: RECEIVED + 100 * DAY,
    resolvedAt: RECEIVED + 105 * DAY,
    disclosedAt: null,
    reporterUpdatedAt: RECEIVED + 105 * DAY,
    contestedAt: null,
    contestedFrom: null,
    credit: 'Jan Masters',
    version: 9,
    ...overrides,
  };
}

function input(overrides: Partial<AdvisoryInput> = {}, caseOverrides: Partial<Case> = {}): AdvisoryInput {
  return {
    case: pelotonCase(caseOverrides),
    publisher: { name: 'Peloton Interactive', namespace: 'https://www.onepeloton.com', category: 'vendor', contactDetails: 'security@onepeloton.com' },
    revisions: [{ number: 1, at: RELEASED, summary: 'Initial release.' }],
    now: RELEASED,
    ...overrides,
  };
}

/** The advisory as JSON sees it, for reading fields. */
interface Csaf {
  document: Record<string, unknown> & { tracking: Record<string, unknown>; notes: { category: string; text: string }[]; publisher: Record<string, unknown> };
  product_tree: { branches: { name: string; branches: { name: string; branches: { category: string; name: string; product: { product_id: string } }[] }[] }[] };
  vulnerabilities: (Record<string, unknown> & {
    notes: { category: string; title: string; text: string }[];
    product_status: { known_affected: string[]; fixed: string[] };
    remediations: { category: string; details: string; product_ids: string[] }[];
    scores?: { products: string[]; cvss_v3: Record<string, unknown> }[];
    acknowledgments?: { names: string[] }[];
  })[];
}

function csaf(advisoryInput: AdvisoryInput): Csaf {
  return JSON.parse(JSON.stringify(csafAdvisory(advisoryInput))) as Csaf;
}

describe('the CSAF advisory of the Peloton case', () => {
  const doc = csaf(input());
  const [vulnerability] = doc.vulnerabilities;
  assert.ok(vulnerability);

  it('passes the CSAF 2.0 schema and mandatory tests', () => {
    assert.deepEqual(validateCsaf(doc), []);
  });

  it('is a final security advisory tracked by the case reference, released once', () => {
    assert.equal(doc.document.category, 'csaf_security_advisory');
    assert.equal(doc.document.csaf_version, '2.0');
    assert.equal(doc.document.title, 'Unauthenticated bulk lookup of riders\' personal data');
    assert.deepEqual(doc.document.publisher, { category: 'vendor', contact_details: 'security@onepeloton.com', name: 'Peloton Interactive', namespace: 'https://www.onepeloton.com' });
    const { tracking } = doc.document;
    assert.equal(tracking.id, 'VR-0001');
    assert.equal(tracking.status, 'final');
    assert.equal(tracking.version, '1');
    assert.equal(tracking.initial_release_date, '2021-05-06T09:30:00.000Z');
    assert.equal(tracking.current_release_date, '2021-05-06T09:30:00.000Z');
    assert.deepEqual(tracking.revision_history, [{ date: '2021-05-06T09:30:00.000Z', number: '1', summary: 'Initial release.' }]);
    assert.deepEqual(doc.document.distribution, { tlp: { label: 'WHITE' } });
  });

  it('names the affected and the fixed deployments of the asset', () => {
    const [vendor] = doc.product_tree.branches;
    assert.equal(vendor?.name, 'Peloton Interactive');
    const [product] = vendor.branches;
    assert.equal(product?.name, 'api.onepeloton.com');
    assert.deepEqual(product.branches.map((b) => [b.category, b.name]), [
      ['product_version_range', 'deployments before 2021-05-05'],
      ['product_version_range', 'deployments since 2021-05-05'],
    ]);
    const [affected, fixed] = product.branches.map((b) => b.product.product_id);
    assert.deepEqual(vulnerability.product_status, { fixed: [fixed], known_affected: [affected] });
    assert.deepEqual(vulnerability.remediations.map((r) => [r.category, r.product_ids]), [['vendor_fix', [affected]]]);
  });

  it('scores the affected product with the 3.1 vector, in FIRST\'s JSON form', () => {
    assert.deepEqual(vulnerability.scores?.map((s) => s.cvss_v3), [{ baseScore: 7.5, baseSeverity: 'HIGH', vectorString: CVSS31, version: '3.1' }]);
    assert.deepEqual(doc.document.aggregate_severity, { text: 'high' });
  });

  it('carries the description, impact and assessment, never the steps or the reporter\'s contact', () => {
    assert.deepEqual(vulnerability.notes.map((n) => [n.category, n.title]), [['description', 'Description'], ['details', 'Impact'], ['details', 'Assessment']]);
    assert.match(vulnerability.notes[2]?.text ?? '', /Personal data exposed: age, gender, location, weight\.\nPeople whose data was reachable: 3000000\./);
    const text = JSON.stringify(doc);
    assert.doesNotMatch(text, /jan@example\.org/);
    assert.doesNotMatch(text, /workoutIds/);
  });

  it('credits the reporter who consented, and no one otherwise', () => {
    assert.deepEqual(vulnerability.acknowledgments, [{ names: ['Jan Masters'], summary: 'for reporting this vulnerability' }]);
    const anonymous = csaf(input({}, { credit: null }));
    assert.equal(anonymous.vulnerabilities[0]?.acknowledgments, undefined);
    assert.deepEqual(validateCsaf(anonymous), []);
  });

  it('takes the product, ranges, remediation and summary given', () => {
    const custom = csaf(input({ product: { name: 'Peloton API', affected: 'all deployments until 2021-05-05', fixed: 'build 2021.05.05' }, remediation: 'Update the Peloton app to 3.12.', summary: 'Riders\' profiles were readable without a session.' }));
    assert.deepEqual(validateCsaf(custom), []);
    assert.equal(custom.product_tree.branches[0]?.branches[0]?.name, 'Peloton API');
    assert.equal(custom.vulnerabilities[0]?.remediations[0]?.details, 'Update the Peloton app to 3.12.');
    assert.deepEqual(custom.document.notes, [{ category: 'summary', text: 'Riders\' profiles were readable without a session.', title: 'Summary' }]);
  });
});

describe('CSAF advisories of cases scored otherwise', () => {
  it('without CVSS: no scores and no aggregate severity, still valid', () => {
    const doc = csaf(input({}, { cvss31: null, cvss40: null, severity: null, score: null }));
    assert.deepEqual(validateCsaf(doc), []);
    assert.equal(doc.vulnerabilities[0]?.scores, undefined);
    assert.equal(doc.document.aggregate_severity, undefined);
  });

  it('with only 4.0: the vector in a note, since CSAF 2.0 has no field for it', () => {
    const doc = csaf(input({}, { cvss31: null, cvss40: CVSS40, score: 8.7 }));
    assert.deepEqual(validateCsaf(doc), []);
    assert.equal(doc.vulnerabilities[0]?.scores, undefined);
    const note = doc.vulnerabilities[0]?.notes.find((n) => n.title === 'CVSS v4.0');
    assert.equal(note?.category, 'other');
    assert.match(note.text, /^CVSS:4\.0\/AV:N\/AC:L\/AT:N\/PR:N\/UI:N\/VC:H\/VI:N\/VA:N\/SC:N\/SI:N\/SA:N \(score 8\.7, high\)\. CSAF 2\.0 has no field for CVSS v4\.0/);
  });

  it('with both: 3.1 in scores and 4.0 in a note', () => {
    const doc = csaf(input({}, { cvss40: CVSS40, score: 8.7 }));
    assert.deepEqual(validateCsaf(doc), []);
    assert.equal(doc.vulnerabilities[0]?.scores?.[0]?.cvss_v3.vectorString, CVSS31);
    assert.ok(doc.vulnerabilities[0].notes.some((n) => n.title === 'CVSS v4.0'));
  });

  it('with temporal metrics: their score beside the base score', () => {
    const doc = csaf(input({}, { cvss31: `${CVSS31}/E:F/RL:O/RC:C`, score: 7 }));
    assert.deepEqual(validateCsaf(doc), []);
    assert.deepEqual(doc.vulnerabilities[0]?.scores?.[0]?.cvss_v3, { baseScore: 7.5, baseSeverity: 'HIGH', temporalScore: 7, temporalSeverity: 'HIGH', vectorString: `${CVSS31}/E:F/RL:O/RC:C`, version: '3.1' });
  });
});

describe('CSAF advisories of cases with hostile or empty text', () => {
  const hostile = '<script>alert(document.cookie)</script>\u0000\u202e[click](javascript:alert(1))';

  it('stay valid, the text carried as data', () => {
    const doc = csaf(input({}, { credit: hostile, title: hostile, description: hostile, impact: hostile, asset: hostile }));
    assert.deepEqual(validateCsaf(doc), []);
    assert.equal(doc.document.title, hostile);
  });

  it('stay valid when the reporter left title, description and impact empty', () => {
    const doc = csaf(input({}, { credit: '  ', title: '', description: ' ', impact: '', asset: '' }));
    assert.deepEqual(validateCsaf(doc), []);
    assert.equal(doc.document.title, 'VR-0001');
    assert.equal(doc.vulnerabilities[0]?.acknowledgments, undefined);
    assert.deepEqual(doc.vulnerabilities[0]?.notes.map((n) => n.title), ['Assessment']);
    assert.equal(doc.product_tree.branches[0]?.branches[0]?.name, 'the service');
  });
});

describe('an advisory is only made for a resolved case, from a usable publisher', () => {
  it('refuses a case still being fixed', () => {
    assert.throws(() => csafAdvisory(input({}, { state: 'fixing', resolvedAt: null })), (error: unknown) => {
      assert.ok(error instanceof AdvisoryError);
      assert.equal(error.code, 'ERR_ADVISORY');
      assert.equal(error.exitCode, ExitCode.Usage);
      assert.match(error.message, /VR-0001 is fixing: only a resolved or disclosed case has an advisory/);
      return true;
    });
    assert.throws(() => markdownAdvisory(input({}, { state: 'contested' })), AdvisoryError);
  });

  it('accepts a disclosed case', () => {
    assert.deepEqual(validateCsaf(csaf(input({}, { state: 'disclosed', disclosedAt: RECEIVED + 120 * DAY }))), []);
  });

  it('refuses a publisher namespace that is not a URL', () => {
    assert.throws(() => csafAdvisory(input({ publisher: { name: 'Peloton', namespace: 'peloton', category: 'vendor' } })), { code: 'ERR_ADVISORY', message: /namespace "peloton" is not an absolute URL/ });
  });
});

describe('validateCsaf can fail', () => {
  const valid = (): Csaf => csaf(input({}, { cvss40: CVSS40 }));

  it('on a document without document.tracking', () => {
    const broken = valid() as unknown as { document: Record<string, unknown> };
    delete broken.document.tracking;
    assert.deepEqual(validateCsaf(broken), ["document: missing 'tracking'"]);
  });

  it('on values the schema forbids', () => {
    const broken = valid();
    broken.document.category = '';
    broken.document.publisher.category = 'company';
    broken.document.tracking.initial_release_date = 'May 2021';
    const problems = validateCsaf(broken);
    assert.ok(problems.some((p) => p.startsWith('document.publisher.category: must be one of coordinator, discoverer')), problems.join('\n'));
    assert.ok(problems.some((p) => p.startsWith('document.tracking.initial_release_date')), problems.join('\n'));
    assert.ok(problems.some((p) => p.startsWith('document.category')), problems.join('\n'));
  });

  it('on a product id the tree does not define (mandatory test 6.1.1)', () => {
    const broken = valid();
    broken.vulnerabilities[0]?.product_status.fixed.push('CSAFPID-9999');
    assert.deepEqual(validateCsaf(broken), ["vulnerabilities[0]: product id 'CSAFPID-9999' is not defined in the product tree (6.1.1)"]);
  });

  it('on a CVSS score that does not match its vector (6.1.9)', () => {
    const broken = valid();
    const score = broken.vulnerabilities[0]?.scores?.[0]?.cvss_v3;
    assert.ok(score);
    score.baseScore = 9.8;
    score.baseSeverity = 'CRITICAL';
    assert.deepEqual(validateCsaf(broken), [
      'vulnerabilities[0].scores[0].cvss_v3.baseScore is 9.8; the vector scores 7.5 (6.1.9)',
      'vulnerabilities[0].scores[0].cvss_v3.baseSeverity is CRITICAL; the base score is HIGH (6.1.9)',
    ]);
  });

  it('on a security advisory without a product tree or product status (6.1.27.4, 6.1.27.6)', () => {
    const broken = valid() as unknown as { product_tree?: unknown; vulnerabilities: { product_status?: unknown }[] };
    delete broken.product_tree;
    delete broken.vulnerabilities[0]?.product_status;
    assert.deepEqual(validateCsaf(broken), [
      "vulnerabilities[0]: product id 'CSAFPID-0001' is not defined in the product tree (6.1.1)",
      'vulnerabilities[0]: a security advisory\'s vulnerability needs a product_status (6.1.27.6)',
      'a security advisory needs a product_tree (6.1.27.4)',
    ]);
  });

  it('on a version that is not the latest revision (6.1.16)', () => {
    const broken = valid();
    broken.document.tracking.version = '2';
    assert.deepEqual(validateCsaf(broken), ["document.tracking.version '2' is not the latest revision '1' (6.1.16)"]);
  });

  it('on things that are not CSAF at all', () => {
    for (const notCsaf of [null, 'CSAF', [], {}]) assert.notDeepEqual(validateCsaf(notCsaf), []);
  });
});

describe('the Markdown advisory of the Peloton case', () => {
  const text = markdownAdvisory(input({}, { cvss40: CVSS40, score: 8.7 }));

  it('has the reference and title, severity with vectors, affected and fixed', () => {
    assert.match(text, /^# VR-0001: Unauthenticated bulk lookup of riders' personal data\n/);
    assert.match(text, /\n- \*\*Severity:\*\* High \(8\.7\)\n/);
    assert.match(text, /\n- \*\*CVSS 4\.0:\*\* `CVSS:4\.0\/AV:N\/AC:L\/AT:N\/PR:N\/UI:N\/VC:H\/VI:N\/VA:N\/SC:N\/SI:N\/SA:N` \(8\.7, high\)\n/);
    assert.match(text, /\n- \*\*CVSS 3\.1:\*\* `CVSS:3\.1\/AV:N\/AC:L\/PR:N\/UI:N\/S:U\/C:H\/I:N\/A:N` \(7\.5, high\)\n/);
    assert.match(text, /\n- \*\*Product:\*\* api\\\.onepeloton\\\.com\n/);
    assert.match(text, /\n- \*\*Affected:\*\* deployments before 2021-05-05\n- \*\*Fixed:\*\* deployments since 2021-05-05\n/);
  });

  it('has the description, impact and remediation sections', () => {
    assert.match(text, /\n## Description\n\nPOST \/stats\/workouts\/details and GET \/api\/user\/\\\{id\\\} answer requests/);
    assert.match(text, /\n## Impact\n\nAge, gender, city, weight/);
    assert.match(text, /\n## Remediation\n\nPeloton Interactive fixed the flaw in api\\\.onepeloton\\\.com on 2021-05-05\\\. Users need not do anything\\\.\n/);
  });

  it('has the timeline: received, acknowledged, fixed, disclosed (the release, until the case records one)', () => {
    assert.match(text, /\n## Timeline\n\n- Received: 2021-01-20\n- Acknowledged: 2021-01-21\n- Fixed: 2021-05-05\n- Disclosed: 2021-05-06\n/);
    const unacknowledged = markdownAdvisory(input({}, { acknowledgedAt: null, disclosedAt: RECEIVED + 130 * DAY }));
    assert.match(unacknowledged, /- Acknowledged: not recorded\n- Fixed: 2021-05-05\n- Disclosed: 2021-05-30\n/);
  });

  it('credits the reporter only with their consent', () => {
    assert.match(text, /\n## Credit\n\nPeloton Interactive thanks Jan Masters for reporting this vulnerability\.\n\n## Revisions\n/);
    assert.doesNotMatch(markdownAdvisory(input({}, { credit: null })), /Credit|Jan Masters/);
  });

  it('leaves out the steps and the reporter\'s contact', () => {
    assert.doesNotMatch(text, /workoutIds|jan@example\.org/);
  });

  it('says when a case was not scored', () => {
    const unscored = markdownAdvisory(input({}, { cvss31: null, severity: null, score: null }));
    assert.match(unscored, /- \*\*Severity:\*\* not scored\n- \*\*Product:\*\*/);
  });
});

describe('the Markdown advisory prints reporter text as text', () => {
  const attack = (payload: string) => markdownAdvisory(input({}, { credit: payload, title: payload, description: payload, impact: payload, asset: payload }));

  it('HTML becomes entities', () => {
    const text = attack('<script>alert(1)</script><img src=x onerror=alert(1)>');
    assert.doesNotMatch(text, /<script|<img/);
    assert.match(text, /&lt;script&gt;alert\\\(1\\\)&lt;\/script&gt;/);
  });

  it('links, images and autolinks lose their syntax', () => {
    const text = attack('[win](https://evil.example) ![x](https://evil.example/x.png) <https://evil.example> https://evil.example www.evil.example');
    assert.doesNotMatch(text, /\]\(|<https|https:\/\/|www\.evil/);
    assert.match(text, /\\\[win\\\]\\\(https\\:\/\/evil\\\.example\\\)/);
  });

  it('a title cannot end its heading or start a block', () => {
    const text = attack('Fine\n# Pwned\n---\n> quote\n- item\n1. item\n    code\n| a | b |');
    assert.match(text, /^# VR-0001: Fine \\# Pwned --- &gt; quote - item 1\\\. item code \\\| a \\\| b \\\|\n/);
    assert.match(text, /\n## Description\n\nFine\n\\# Pwned\n\\---\n&gt; quote\n\\- item\n1\\\. item\ncode\n\\\| a \\\| b \\\|\n/);
  });

  it('emphasis, code spans and entities print as typed', () => {
    const text = attack('**bold** `code` &amp; _x_ ~~y~~');
    assert.match(text, /\\\*\\\*bold\\\*\\\* \\`code\\` &amp;amp; \\_x\\_ \\~\\~y\\~\\~/);
  });
});
