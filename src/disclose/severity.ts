/**
 * A case's severity from its CVSS vectors. The vector grammar is checked here, strictly, because
 * the scoring library is lenient: it takes a vector without its prefix, a CVSS:3.0 vector as 3.1,
 * a repeated metric (the last wins) and a missing base metric (scoring it 0). A triager who made
 * any of those mistakes would store a score that means nothing, so each is refused with what to fix.
 * The scores themselves come from `ae-cvss-calculator`, which implements FIRST's equations.
 */
import cvss from 'ae-cvss-calculator';
import type { CvssVector, VectorComponent, VectorComponentValue } from 'ae-cvss-calculator/dist/types/src/CvssVector.d.ts';
import { ExitCode, LeakproofError } from '../core/errors.ts';
import type { Severity } from './model.ts';

export type CvssVersion = '3.1' | '4.0';

/** A validated vector and what it scores. */
export interface ScoredVector {
  version: CvssVersion;
  /** The vector as stored: base metrics, then the other groups' defined metrics, in the specification's order. */
  vector: string;
  /**
   * The score the severity comes from: the base score refined by whatever the vector adds (3.1:
   * temporal, environmental; 4.0: threat, environmental, its CVSS-BT/-BE/-BTE).
   */
  score: number;
  severity: Severity;
  /** The base metrics' score alone. */
  baseScore: number;
  /** CVSS 3.1 only, when the vector gives temporal or environmental metrics: those groups' scores. */
  temporalScore?: number;
  environmentalScore?: number;
}

/** A CVSS vector that cannot be scored; the message says what is wrong with it. */
export class CvssError extends LeakproofError {
  override readonly code = 'ERR_CVSS';
  override readonly exitCode = ExitCode.Usage;
}

/** Longer than any vector that lists every metric of its version, explicitly, with long values. */
const MAX_VECTOR_LENGTH = 256;
/** How much of a bad input a message repeats: enough to recognise it, too little to carry a payload. */
const ECHO_LENGTH = 24;

interface Grammar {
  create: (vector?: string) => CvssVector<never>;
  /** Every metric in the specification's vector order, with its group (`base`, `temporal`...) and the values it accepts. */
  metrics: Map<string, { group: string; values: string[] }>;
}

type Groups = Map<{ name: string }, VectorComponent<VectorComponentValue>[]>;

function grammar(create: (vector?: string) => CvssVector<never>, order: (v: CvssVector<never>) => Groups): Grammar {
  const metrics = new Map<string, { group: string; values: string[] }>();
  for (const [group, components] of order(create())) {
    for (const component of components) {
      // `X` (Not Defined) is how a vector leaves an optional metric out; a base metric must be defined.
      const values = component.values.map((v) => v.shortName).filter((v) => !(group.name === 'base' && v === 'X'));
      metrics.set(component.shortName, { group: group.name, values });
    }
  }
  return { create, metrics };
}

// The constructors are typed per score result; only the shared surface is used here.
const GRAMMARS: Record<CvssVersion, Grammar> = {
  '3.1': grammar((v) => new cvss.Cvss3P1(v) as unknown as CvssVector<never>, (v) => v.getRegisteredComponents()),
  // 4.0 registers its groups in another order than its vector string lists them.
  '4.0': grammar((v) => new cvss.Cvss4P0(v) as unknown as CvssVector<never>, (v) => (v as unknown as InstanceType<typeof cvss.Cvss4P0>).getVectorStringOrderProperties()),
};

/**
 * Validates a CVSS 3.1 or 4.0 vector and scores it.
 *
 * Metrics may come in any order and `X` (Not Defined) values may be written out; the returned
 * vector is normalised (specification order, `X` dropped), so equal assessments compare equal.
 *
 * @example
 * ```ts
 * scoreVector('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N');
 * // → { version: '3.1', vector: 'CVSS:3.1/AV:N/…/A:N', score: 7.5, severity: 'high', baseScore: 7.5 }
 * ```
 * @throws {CvssError} when the vector is not a complete, well-formed 3.1 or 4.0 vector.
 */
export function scoreVector(input: string): ScoredVector {
  const text = input.trim();
  if (text.length > MAX_VECTOR_LENGTH) {
    throw new CvssError(`the CVSS vector ${echo(text)} is ${text.length} characters long; no vector is longer than ${MAX_VECTOR_LENGTH}`);
  }
  const { version, metrics } = parse(text);
  const g = GRAMMARS[version];
  const defined = [...g.metrics.keys()].filter((name) => metrics.has(name) && metrics.get(name) !== 'X');
  const vector = [`CVSS:${version}`, ...defined.map((name) => `${name}:${metrics.get(name) ?? ''}`)].join('/');
  const scores = g.create(vector).calculateScores() as { overall: number; base?: number; baseMetricsOnly?: number; temporal?: number; environmental?: number };
  const baseScore = (version === '4.0' ? scores.baseMetricsOnly : scores.base) ?? scores.overall;
  const result: ScoredVector = { version, vector, score: scores.overall, severity: severityOf(scores.overall), baseScore };
  if (version === '3.1') {
    const groups = new Set(defined.map((name) => g.metrics.get(name)?.group));
    if (groups.has('temporal') && scores.temporal !== undefined) result.temporalScore = scores.temporal;
    if (groups.has('environmental') && scores.environmental !== undefined) result.environmentalScore = scores.environmental;
  }
  return result;
}

function parse(text: string): { version: CvssVersion; metrics: Map<string, string> } {
  const prefix = /^CVSS:([^/]*)\//.exec(text);
  if (!prefix) {
    const hint = /^[A-Z]{1,3}:[A-Za-z]+\//.test(text) ? ' (it has no version prefix)' : '';
    throw new CvssError(`the CVSS vector ${echo(text)} does not start with CVSS:3.1/ or CVSS:4.0/${hint}`);
  }
  const version = prefix[1] ?? '';
  if (version === '3.0') {
    throw new CvssError('CVSS 3.0 vectors are not accepted: rescore it as CVSS:3.1 (same metrics, corrected formulas) and check the score');
  }
  if (version !== '3.1' && version !== '4.0') {
    throw new CvssError(`CVSS version ${echo(version)} is not supported: give a CVSS:3.1 or CVSS:4.0 vector`);
  }
  const g = GRAMMARS[version];
  const metrics = new Map<string, string>();
  for (const part of text.slice(prefix[0].length).split('/')) {
    const [name, value, ...rest] = part.split(':');
    if (name === undefined || value === undefined || name === '' || value === '' || rest.length > 0) {
      throw new CvssError(`the CVSS ${version} vector has ${part === '' ? "an empty metric (a doubled or trailing '/')" : `${echo(part)}, which is not METRIC:VALUE`}`);
    }
    const metric = g.metrics.get(name);
    if (!metric) {
      const known = g.metrics.has(name.toUpperCase()) ? ` (metric names are upper case: ${name.toUpperCase()})` : `; CVSS ${version} has ${[...g.metrics.keys()].join(', ')}`;
      throw new CvssError(`unknown metric ${echo(name)} in a CVSS ${version} vector${known}`);
    }
    if (metrics.has(name)) throw new CvssError(`the CVSS ${version} vector gives metric ${name} twice`);
    if (!metric.values.includes(value)) {
      const notDefined = metric.group === 'base' && value === 'X' ? ' (a base metric cannot be left Not Defined)' : '';
      throw new CvssError(`metric ${name} has value ${echo(value)}${notDefined}; CVSS ${version} allows ${metric.values.join(', ')}`);
    }
    metrics.set(name, value);
  }
  const missing = [...g.metrics].filter(([name, m]) => m.group === 'base' && !metrics.has(name)).map(([name]) => name);
  if (missing.length > 0) {
    const all = [...g.metrics].filter(([, m]) => m.group === 'base').map(([name]) => name);
    throw new CvssError(`the CVSS ${version} vector is missing the mandatory base metric${missing.length > 1 ? 's' : ''} ${missing.join(', ')} (it needs all of ${all.join(', ')})`);
  }
  return { version, metrics };
}

/**
 * A bounded, quoted prefix of untrusted text for a message. `<`, `>` and `&` are escaped so that a
 * message shown on a page or in a log viewer cannot carry markup, even where it is not escaped.
 */
function echo(text: string): string {
  const cut = text.length > ECHO_LENGTH ? `${text.slice(0, ECHO_LENGTH)}…` : text;
  return JSON.stringify(cut).replace(/[<>&]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * The qualitative rating of a score, by the ranges CVSS 3.1 and 4.0 share.
 *
 * @example
 * ```ts
 * severityOf(7.5); // → 'high'
 * ```
 */
export function severityOf(score: number): Severity {
  if (score === 0) return 'none';
  if (score < 4) return 'low';
  if (score < 7) return 'medium';
  if (score < 9) return 'high';
  return 'critical';
}

/** A case's CVSS fields, as the tracker stores them. */
export interface CaseSeverity {
  cvss31: string | null;
  cvss40: string | null;
  severity: Severity | null;
  score: number | null;
}

/**
 * The severity and score a case takes from its vectors (either may be null), with the vectors
 * normalised for storage. Each vector must be of its own version.
 *
 * When both are given, the 4.0 vector decides: it is the current standard, it separates the
 * vulnerable system from the systems affected after it (for a data leak, the API from the people
 * whose data it serves) where 3.1's Scope folds them together, and its threat metric lets a score
 * drop for an unexploited flaw. The 3.1 vector is still kept, for the tools and advisory formats
 * (CSAF 2.0) that know no 4.0.
 *
 * @example
 * ```ts
 * caseSeverity({ cvss31: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N', cvss40: null });
 * // → { cvss31: 'CVSS:3.1/…', cvss40: null, severity: 'high', score: 7.5 }
 * ```
 * @throws {CvssError} when a vector is invalid or of the other version.
 */
export function caseSeverity(vectors: { cvss31: string | null; cvss40: string | null }): CaseSeverity {
  const v31 = vectors.cvss31 === null ? null : scoreVersion(vectors.cvss31, '3.1');
  const v40 = vectors.cvss40 === null ? null : scoreVersion(vectors.cvss40, '4.0');
  const decides = v40 ?? v31;
  return { cvss31: v31?.vector ?? null, cvss40: v40?.vector ?? null, severity: decides?.severity ?? null, score: decides?.score ?? null };
}

function scoreVersion(vector: string, version: CvssVersion): ScoredVector {
  const scoredVector = scoreVector(vector);
  if (scoredVector.version !== version) {
    throw new CvssError(`a CVSS ${scoredVector.version} vector was given where a CVSS ${version} vector belongs`);
  }
  return scoredVector;
}
