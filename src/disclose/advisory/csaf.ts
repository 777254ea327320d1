/**
 * A resolved case as a CSAF 2.0 security advisory (profile `csaf_security_advisory`), the
 * machine-readable form vendors and CERTs publish and aggregate. One vulnerability, one product
 * with two ranges: the deployments that were affected and those that carry the fix.
 */
import { ExitCode, LeakproofError } from '../../core/errors.ts';
import { VERSION } from '../../core/version.ts';
import type { ScoredVector } from '../severity.ts';
import { scoreVector, severityOf } from '../severity.ts';
import { validateCsaf } from './csaf-validate.ts';
import type { AdvisoryFacts, AdvisoryInput } from './input.ts';
import { advisoryFacts, advisoryTracking, nonEmpty } from './input.ts';

/** Our own CSAF output failed validation: a bug in Leakproof, never in the case. */
export class CsafInvalidError extends LeakproofError {
  override readonly code = 'ERR_CSAF_INVALID';
  override readonly exitCode = ExitCode.Internal;
}

const AFFECTED = 'CSAFPID-0001';
const FIXED = 'CSAFPID-0002';

/**
 * The case as a CSAF 2.0 document, validated before it is returned.
 *
 * With no revisions it is a draft (status `draft`, version 0, TLP:AMBER); with revisions it is
 * final at the latest, and lists them all in its revision history.
 *
 * CSAF 2.0 knows CVSS 2.0 and 3.x only: a 3.1 vector goes into `scores` (`cvss_v3`), a 4.0 vector
 * into a note of the vulnerability, since CSAF 2.0 has no field for it.
 *
 * @example
 * ```ts
 * const doc = csafAdvisory({ case: resolved, publisher: { name: 'Example', namespace: 'https://example.com', category: 'vendor' }, revisions: [{ number: 1, at: Date.now(), summary: 'Initial release.' }], now: Date.now() });
 * writeFileSync(`${resolved.reference}.json`, JSON.stringify(doc, null, 2));
 * ```
 * @throws {AdvisoryError} when the case is not resolved, or the publisher's namespace is not a URL.
 * @throws {CsafInvalidError} when the document it made is not valid CSAF (a bug).
 */
export function csafAdvisory(input: AdvisoryInput): object {
  const facts = advisoryFacts(input);
  const tracking = advisoryTracking(input);
  const c = input.case;
  const doc = sortedKeys({
    document: {
      category: 'csaf_security_advisory',
      csaf_version: '2.0',
      lang: 'en',
      title: facts.title,
      publisher: {
        category: input.publisher.category,
        name: input.publisher.name,
        namespace: input.publisher.namespace,
        ...(nonEmpty(input.publisher.contactDetails) === undefined ? {} : { contact_details: input.publisher.contactDetails }),
      },
      tracking: {
        id: c.reference,
        status: tracking.status,
        version: String(tracking.version),
        initial_release_date: iso(tracking.initialAt),
        current_release_date: iso(tracking.currentAt),
        revision_history: tracking.history.map((r) => ({ number: String(r.number), date: iso(r.at), summary: r.summary })),
        generator: { engine: { name: 'Leakproof', version: VERSION }, date: iso(tracking.currentAt) },
      },
      // A published advisory is for everyone (CSAF 2.0 names that TLP:WHITE); a draft stays with the team.
      distribution: { tlp: { label: tracking.status === 'final' ? 'WHITE' : 'AMBER' } },
      notes: [{ category: 'summary', title: 'Summary', text: facts.summary }],
      ...(c.severity === null ? {} : { aggregate_severity: { text: c.severity } }),
    },
    product_tree: productTree(input.publisher.name, facts),
    vulnerabilities: [vulnerability(input, facts)],
  }) as object;
  const problems = validateCsaf(doc);
  if (problems.length > 0) {
    throw new CsafInvalidError(`the CSAF advisory for ${c.reference} is invalid:\n  ${problems.join('\n  ')}`);
  }
  return doc;
}

/** Keys in alphabetical order at every level, as CSAF recommends (test 6.2.13), so that exports diff cleanly. */
function sortedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedKeys);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => [k, sortedKeys(v)]));
}

function productTree(vendor: string, facts: AdvisoryFacts): object {
  const range = (name: string, id: string) => ({
    category: 'product_version_range',
    name,
    product: { product_id: id, name: `${facts.product} ${name}` },
  });
  return {
    branches: [{
      category: 'vendor',
      name: vendor,
      branches: [{ category: 'product_name', name: facts.product, branches: [range(facts.affected, AFFECTED), range(facts.fixed, FIXED)] }],
    }],
  };
}

function vulnerability(input: AdvisoryInput, facts: AdvisoryFacts): object {
  const c = input.case;
  const v31 = c.cvss31 === null ? null : scoreVector(c.cvss31);
  const v40 = c.cvss40 === null ? null : scoreVector(c.cvss40);
  const notes = [
    note('description', 'Description', c.description),
    note('details', 'Impact', c.impact),
    note('details', 'Assessment', assessmentText(input)),
    v40 && note('other', 'CVSS v4.0', `${v40.vector} (score ${v40.score.toFixed(1)}, ${v40.severity}). CSAF 2.0 has no field for CVSS v4.0, so the vector is given here.`),
  ].filter((n) => n !== null);
  return {
    title: facts.title,
    ids: [{ system_name: input.publisher.name, text: c.reference }],
    // The schema requires at least one note; a case with no description still has its summary.
    notes: notes.length > 0 ? notes : [note('summary', 'Summary', facts.summary)],
    product_status: { known_affected: [AFFECTED], fixed: [FIXED] },
    remediations: [{ category: 'vendor_fix', details: facts.remediation, date: iso(facts.fixedAt), product_ids: [AFFECTED] }],
    ...(v31 === null ? {} : { scores: [{ products: [AFFECTED], cvss_v3: cvssV3(v31) }] }),
    ...(facts.credit === null ? {} : { acknowledgments: [{ names: [facts.credit], summary: 'for reporting this vulnerability' }] }),
  };
}

function note(category: string, title: string, text: string | null): object | null {
  const body = nonEmpty(text ?? undefined);
  return body === undefined ? null : { category, title, text: body };
}

/** The triager's assessment, in the words of an advisory; null when nothing was assessed. */
function assessmentText(input: AdvisoryInput): string | null {
  const a = input.case.assessment;
  const lines = [
    a.operations.length > 0 ? `Affected operations: ${a.operations.join(', ')}.` : null,
    a.dataClasses.length > 0 ? `Personal data exposed: ${a.dataClasses.join(', ')}.` : null,
    a.peopleAffected === null ? null : `People whose data was reachable: ${a.peopleAffected}.`,
    a.exploited === 'unknown' ? null : `Exploited before the fix: ${a.exploited}.`,
  ].filter((line) => line !== null);
  return lines.length > 0 ? lines.join('\n') : null;
}

/** The FIRST CVSS 3.1 JSON form CSAF's `cvss_v3` takes. */
function cvssV3(v: ScoredVector): object {
  const severity = (score: number) => severityOf(score).toUpperCase();
  return {
    version: '3.1',
    vectorString: v.vector,
    baseScore: v.baseScore,
    baseSeverity: severity(v.baseScore),
    ...(v.temporalScore === undefined ? {} : { temporalScore: v.temporalScore, temporalSeverity: severity(v.temporalScore) }),
    ...(v.environmentalScore === undefined ? {} : { environmentalScore: v.environmentalScore, environmentalSeverity: severity(v.environmentalScore) }),
  };
}

function iso(at: number): string {
  return new Date(at).toISOString();
}
