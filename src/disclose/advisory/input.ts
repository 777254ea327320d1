/**
 * What an advisory is made from, shared by the CSAF and Markdown forms so that both say the same
 * thing: the case, who publishes, what product it concerns and who is credited. The reporter's
 * contact and reproduction steps are never part of it: an advisory is public.
 */
import { ExitCode, LeakproofError } from '../../core/errors.ts';
import type { Case, CaseState } from '../model.ts';

/** CSAF's publisher categories; a service's owner is `vendor`. */
export type PublisherCategory = 'coordinator' | 'discoverer' | 'other' | 'translator' | 'user' | 'vendor';

export interface Publisher {
  name: string;
  /** A URL the publisher controls, naming it globally (`https://example.com`). */
  namespace: string;
  category: PublisherCategory;
  /** How to reach the publisher's security team (`security@example.com`). */
  contactDetails?: string;
}

/** What the advisory says is affected and fixed, as free text (a hosted API's "versions" are deployments). */
export interface AdvisoryProduct {
  /** Defaults to the case's asset. */
  name?: string;
  /** Defaults to "deployments before <the fix>". */
  affected?: string;
  /** Defaults to "deployments since <the fix>". */
  fixed?: string;
}

/** A revision as the advisory's history lists it. */
export interface RevisionEntry {
  number: number;
  /** When it was published, epoch milliseconds. */
  at: number;
  summary: string;
}

/**
 * What the advisory is made from. The reporter is credited only by the name they chose
 * (`case.credit`), never by anything staff enter.
 */
export interface AdvisoryInput {
  case: Case;
  publisher: Publisher;
  product?: AdvisoryProduct;
  /**
   * The published revisions, oldest first, the one being made last. None: the advisory is a
   * draft, and says so (CSAF status `draft`, version 0).
   */
  revisions: readonly RevisionEntry[];
  /** When the document is made (epoch milliseconds): a draft's date. */
  now: number;
  /** What users must do; defaults to saying the service was fixed and nothing is needed of them. */
  remediation?: string;
  /** A one-paragraph summary; defaults to one made from the title, product and severity. */
  summary?: string;
}

/** An advisory that cannot be made from what it was given. */
export class AdvisoryError extends LeakproofError {
  override readonly code = 'ERR_ADVISORY';
  override readonly exitCode = ExitCode.Usage;
}

/** The states whose flaw is fixed and verified: only those cases have an advisory. */
const PUBLISHABLE: readonly CaseState[] = ['resolved', 'disclosed'];

/** The advisory's facts, defaults filled in, in the words both forms print. */
export interface AdvisoryFacts {
  title: string;
  product: string;
  affected: string;
  fixed: string;
  remediation: string;
  summary: string;
  credit: string | null;
  /** When the fix was verified: the case's resolution. */
  fixedAt: number;
}

/** Checks the input and fills in its defaults. */
export function advisoryFacts(input: AdvisoryInput): AdvisoryFacts {
  const c = input.case;
  if (!PUBLISHABLE.includes(c.state) || c.resolvedAt === null) {
    throw new AdvisoryError(`${c.reference} is ${c.state}: only a resolved or disclosed case has an advisory`, { hint: 'publish it once the verification gate has passed' });
  }
  if (!URL.canParse(input.publisher.namespace)) {
    throw new AdvisoryError(`the publisher's namespace ${JSON.stringify(input.publisher.namespace.slice(0, 80))} is not an absolute URL`, { hint: 'use a URL the publisher controls, such as https://example.com' });
  }
  const fixedOn = isoDate(c.resolvedAt);
  const product = nonEmpty(input.product?.name) ?? nonEmpty(c.asset) ?? 'the service';
  const title = nonEmpty(c.title) ?? c.reference;
  const severity = c.severity === null ? '' : ` (${c.severity} severity)`;
  return {
    title,
    product,
    affected: nonEmpty(input.product?.affected) ?? `deployments before ${fixedOn}`,
    fixed: nonEmpty(input.product?.fixed) ?? `deployments since ${fixedOn}`,
    remediation: nonEmpty(input.remediation) ?? `${input.publisher.name} fixed the flaw in ${product} on ${fixedOn}. Users need not do anything.`,
    summary: nonEmpty(input.summary) ?? `${title}: a vulnerability${severity} in ${product}, fixed on ${fixedOn}.`,
    credit: nonEmpty(c.credit ?? undefined) ?? null,
    fixedAt: c.resolvedAt,
  };
}

/** Where the advisory stands: a draft (version 0), or final at its latest revision. */
export interface AdvisoryTracking {
  status: 'draft' | 'final';
  version: number;
  /** The first release's date, or the draft's. */
  initialAt: number;
  /** The latest revision's date, or the draft's. */
  currentAt: number;
  history: readonly RevisionEntry[];
}

export function advisoryTracking(input: AdvisoryInput): AdvisoryTracking {
  const [first] = input.revisions;
  const latest = input.revisions.at(-1);
  if (first === undefined || latest === undefined) {
    return { status: 'draft', version: 0, initialAt: input.now, currentAt: input.now, history: [{ number: 0, at: input.now, summary: 'Draft, not published.' }] };
  }
  input.revisions.forEach((revision, index) => {
    if (revision.number !== index + 1) throw new AdvisoryError(`revision ${revision.number} of ${input.case.reference}'s advisory is out of order: revisions are numbered 1, 2, 3...`);
  });
  return { status: 'final', version: latest.number, initialAt: first.at, currentAt: latest.at, history: input.revisions };
}

/** Text with something in it, trimmed; undefined for nothing or blanks, which CSAF forbids. */
export function nonEmpty(text: string | undefined): string | undefined {
  const trimmed = text?.trim();
  return trimmed === undefined || trimmed === '' ? undefined : trimmed;
}

/** `2021-05-05`: the day, in UTC, of an epoch-millisecond time. */
export function isoDate(at: number): string {
  return new Date(at).toISOString().slice(0, 10);
}
