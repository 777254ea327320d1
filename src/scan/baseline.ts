/**
 * A baseline: the findings a team has seen and accepted, kept in a file next to the code, so that
 * CI fails only on findings that are new since. Findings are matched by fingerprint, which is
 * stable across runs for the same flaw; the other members are there for the people reading it.
 *
 * File shape (JSON):
 * ```json
 * {
 *   "version": 1,
 *   "findings": [
 *     {
 *       "fingerprint": "3f9c…",
 *       "checkId": "excessive-data-exposure",
 *       "operation": "GET /api/user/{id}",
 *       "title": "GET /api/user/{id} returns last_login_ip, which the description does not declare",
 *       "acceptedAt": "2021-02-02",
 *       "reason": "internal admin field, removal tracked in SEC-12"
 *     }
 *   ]
 * }
 * ```
 * `operation` is `METHOD /path`, or `null` for an API-wide finding; `acceptedAt` (ISO 8601 date or
 * date-time) and `reason` are optional.
 *
 * `leakproof audit` writes the same file with `"kind": "audit"` after the version, and a rule id in
 * `checkId`. A file without `kind` is a scan's, as every baseline written before audits had one.
 * Audit and scan fingerprints never match, so each command refuses the other's baseline rather
 * than report every finding as new.
 */
import { Ajv } from 'ajv';
import type { ErrorObject } from 'ajv';
import { ExitCode, LeakproofError } from '../core/errors.ts';
import type { SourceLocation } from '../core/location.ts';
import { describeSchemaError, knownKeys, locateSchemaError, readablePath } from '../core/schema-errors.ts';
import { SourceMap, readSourceText } from '../core/source.ts';
import type { Finding } from './finding.ts';
import { operationLabel, sortFindings } from './report/findings.ts';

export const BASELINE_VERSION = 1;

export const BASELINE_KINDS = ['scan', 'audit'] as const;
/** Which command's findings a baseline accepts. */
export type BaselineKind = (typeof BASELINE_KINDS)[number];

export interface BaselineEntry {
  fingerprint: string;
  checkId: string;
  /** `METHOD /path`, or null for an API-wide finding. */
  operation: string | null;
  title: string;
  /** When the finding was accepted: an ISO 8601 date or date-time. */
  acceptedAt?: string;
  /** Why it is accepted, for the next person to read the file. */
  reason?: string;
}

export interface Baseline {
  version: typeof BASELINE_VERSION;
  /** Absent for a scan's. */
  kind?: BaselineKind;
  findings: BaselineEntry[];
}

/** A scan's or an audit's findings compared with a baseline. */
export interface BaselineComparison {
  /** Findings the baseline does not hold: what CI should fail on. */
  new: Finding[];
  /** Findings the baseline accepts. */
  known: Finding[];
  /** Accepted findings this run did not report: fixed, or not tested this time. */
  fixed: BaselineEntry[];
}

/** A baseline file is not what Leakproof writes: wrong shape, wrong version. */
export class BaselineError extends LeakproofError {
  override readonly code = 'ERR_BASELINE';
  override readonly exitCode = ExitCode.Usage;
}

/** JSON Schema of the file, for validation here and for editors. */
export const baselineSchema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  title: 'Leakproof baseline',
  type: 'object',
  additionalProperties: false,
  required: ['version', 'findings'],
  properties: {
    version: { const: BASELINE_VERSION },
    kind: { enum: [...BASELINE_KINDS] },
    findings: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['fingerprint', 'checkId', 'operation', 'title'],
        properties: {
          fingerprint: { type: 'string', minLength: 1 },
          checkId: { type: 'string', minLength: 1 },
          operation: { type: ['string', 'null'] },
          title: { type: 'string' },
          acceptedAt: { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}([T ].+)?$' },
          reason: { type: 'string' },
        },
      },
    },
  },
} as const;

const validate = new Ajv({ allErrors: false, strict: true, verbose: true }).compile<Baseline>(baselineSchema);

export interface CreateBaselineOptions {
  /** Written to the file when given; a scan's baseline has none. */
  kind?: BaselineKind;
  /** Stamped on entries that are new to the baseline, e.g. today's date. */
  acceptedAt?: string;
  /** Stamped on entries that are new to the baseline. */
  reason?: string;
  /** A baseline being updated: its entries keep their `acceptedAt` and `reason`. */
  previous?: Baseline;
}

/**
 * A baseline that accepts every one of `findings`, in report order, one entry per fingerprint.
 *
 * @example
 * ```ts
 * await writeFile('leakproof-baseline.json', formatBaseline(createBaseline(findings, { acceptedAt: '2021-02-02' })));
 * ```
 */
export function createBaseline(findings: readonly Finding[], options: CreateBaselineOptions = {}): Baseline {
  const previous = new Map(options.previous?.findings.map((entry) => [entry.fingerprint, entry]));
  const entries = new Map<string, BaselineEntry>();
  for (const finding of sortFindings(findings)) {
    if (entries.has(finding.fingerprint)) continue;
    const before = previous.get(finding.fingerprint);
    const acceptedAt = before ? before.acceptedAt : options.acceptedAt;
    const reason = before ? before.reason : options.reason;
    entries.set(finding.fingerprint, {
      fingerprint: finding.fingerprint,
      checkId: finding.checkId,
      operation: operationLabel(finding) ?? null,
      title: finding.title,
      ...(acceptedAt === undefined ? {} : { acceptedAt }),
      ...(reason === undefined ? {} : { reason }),
    });
  }
  return { version: BASELINE_VERSION, ...(options.kind === undefined ? {} : { kind: options.kind }), findings: [...entries.values()] };
}

/** The file's text: two-space JSON with a final newline, so that it diffs well under review. */
export function formatBaseline(baseline: Baseline): string {
  return `${JSON.stringify(baseline, null, 2)}\n`;
}

/**
 * Splits findings into new and known, and lists the accepted ones that did not come back.
 *
 * @example
 * ```ts
 * const { new: fresh } = applyBaseline(findings, await loadBaseline('leakproof-baseline.json'));
 * const exitCode = fresh.some((f) => atOrAbove(f, 'medium')) ? 1 : 0;
 * ```
 */
export function applyBaseline(findings: readonly Finding[], baseline: Baseline): BaselineComparison {
  const accepted = new Set(baseline.findings.map((entry) => entry.fingerprint));
  const reported = new Set(findings.map((finding) => finding.fingerprint));
  return {
    new: findings.filter((finding) => !accepted.has(finding.fingerprint)),
    known: findings.filter((finding) => accepted.has(finding.fingerprint)),
    fixed: baseline.findings.filter((entry) => !reported.has(entry.fingerprint)),
  };
}

/**
 * Reads and checks a baseline file of `kind`'s findings. Throws `FileReadError`, `ParseError` or
 * `BaselineError`, at file:line.
 *
 * @example
 * ```ts
 * const baseline = await loadBaseline('audit-baseline.json', 'audit');
 * ```
 */
export async function loadBaseline(path: string, kind: BaselineKind = 'scan', displayName: string = path): Promise<Baseline> {
  return parseBaseline(await readSourceText(path, displayName), displayName, kind);
}

/** Checks the text of a baseline file of `kind`'s findings; `file` names it in errors. */
export function parseBaseline(text: string, file: string, kind: BaselineKind = 'scan'): Baseline {
  const sources = new SourceMap();
  const root = sources.parse(text, file, 'json');
  const whole: SourceLocation = { file, line: 1, column: 1, pointer: '' };
  checkVersion(root, sources, whole);
  if (validate(root)) return checkKind(root, kind, sources.locate(root, 'kind') ?? whole);
  const [error] = validate.errors ?? [];
  if (!error) throw new BaselineError('invalid baseline', { location: whole });
  throw new BaselineError(describe(error), {
    location: locateSchemaError(root, error, (node, member) => sources.locate(node, member)) ?? whole,
    hint: error.keyword === 'additionalProperties' ? `known keys here: ${knownKeys(error).join(', ')}` : undefined,
  });
}

/** A file from another Leakproof deserves a better word than "must be equal to constant". */
function checkVersion(root: unknown, sources: SourceMap, whole: SourceLocation): void {
  if (root === null || typeof root !== 'object' || Array.isArray(root)) {
    throw new BaselineError(`a baseline must be a JSON object with "version": ${BASELINE_VERSION} and "findings"`, { location: whole });
  }
  const { version } = root as { version?: unknown };
  if (version === undefined || version === BASELINE_VERSION) return;
  const newer = typeof version === 'number' && version > BASELINE_VERSION;
  throw new BaselineError(`version ${JSON.stringify(version)} is not a baseline version this Leakproof reads (${BASELINE_VERSION})`, {
    location: sources.locate(root, 'version') ?? whole,
    hint: newer ? 'this file was written by a newer Leakproof: upgrade, or write the baseline again' : undefined,
  });
}

const NAMES: Record<BaselineKind, string> = { scan: 'a scan baseline', audit: 'an audit baseline' };

/** Another command's baseline would leave every finding new: its fingerprints never match. */
function checkKind(baseline: Baseline, expected: BaselineKind, location: SourceLocation): Baseline {
  const actual = baseline.kind ?? 'scan';
  if (actual === expected) return baseline;
  const write = expected === 'audit' ? "'leakproof audit SPEC --write-baseline FILE' (it writes \"kind\": \"audit\")" : "'leakproof scan --write-baseline FILE'";
  throw new BaselineError(`this is ${NAMES[actual]}, and 'leakproof ${expected}' needs ${NAMES[expected]}`, { location, hint: `write one with ${write}` });
}

/** Baseline entries' dates get their own words; everything else reads like any configuration error. */
function describe(error: ErrorObject): string {
  if (error.keyword === 'pattern') return `${readablePath(error.instancePath)}: must be an ISO 8601 date or date-time, e.g. 2021-02-02`;
  if (error.keyword === 'minLength') return `${readablePath(error.instancePath)}: must not be empty`;
  return describeSchemaError(error);
}

