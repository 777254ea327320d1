/**
 * A probe: one finding, written down so that it can be tried again later, against another
 * deployment, by `leakproof retest` or the disclosure tracker's verification gate. It names the
 * check and the described operation to probe, and carries the decisive request as it was sent
 * (secrets redacted) for people to read. It holds no credentials: whoever retests brings their own
 * identities, so a probe can be attached to a report and shared.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { ExitCode, LeakproofError } from '../core/errors.ts';
import type { SourceLocation } from '../core/location.ts';
import { describeSchemaError, knownKeys, locateSchemaError } from '../core/schema-errors.ts';
import { SourceMap, readSourceText } from '../core/source.ts';
import type { Finding, ScanSummary, Severity } from './finding.ts';
import { SEVERITIES } from './finding.ts';

export const PROBE_FORMAT = 'leakproof-probe/1';

export interface Probe {
  format: typeof PROBE_FORMAT;
  /** The check whose finding this reproduces. */
  check: string;
  /** The described operation a retest probes (for a route the description leaves out, the one it mirrors). */
  operation: string;
  finding: {
    fingerprint: string;
    title: string;
    severity: Severity;
    /** `METHOD /path` of the finding itself. */
    route: string;
    fields: string[];
    subjects: string[];
  };
  /** The decisive request, as sent (secrets redacted): what a person replays by hand. */
  request: { method: string; url: string; headers: Record<string, string>; body: string | null } | null;
  curl: string;
  /** Where and when it was found. */
  found: { target: string | null; spec: string | null; at: string; by: string };
}

/** A probe file that is not one: wrong shape or format. */
export class ProbeError extends LeakproofError {
  override readonly code = 'ERR_PROBE';
  override readonly exitCode = ExitCode.Usage;
}

const strings = { type: 'array', items: { type: 'string' } } as const;

/** JSON Schema of a probe file. */
export const probeSchema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  title: 'Leakproof probe',
  type: 'object',
  additionalProperties: false,
  required: ['format', 'check', 'operation', 'finding', 'request', 'curl', 'found'],
  properties: {
    format: { const: PROBE_FORMAT },
    check: { type: 'string', minLength: 1 },
    operation: { type: 'string', minLength: 1 },
    finding: {
      type: 'object',
      additionalProperties: false,
      required: ['fingerprint', 'title', 'severity', 'route', 'fields', 'subjects'],
      properties: {
        fingerprint: { type: 'string', minLength: 1 },
        title: { type: 'string' },
        severity: { enum: [...SEVERITIES] },
        route: { type: 'string' },
        fields: strings,
        subjects: strings,
      },
    },
    request: {
      type: ['object', 'null'],
      additionalProperties: false,
      required: ['method', 'url', 'headers', 'body'],
      properties: {
        method: { type: 'string' },
        url: { type: 'string' },
        headers: { type: 'object', additionalProperties: { type: 'string' } },
        body: { type: ['string', 'null'] },
      },
    },
    curl: { type: 'string' },
    found: {
      type: 'object',
      additionalProperties: false,
      required: ['target', 'spec', 'at', 'by'],
      properties: { target: { type: ['string', 'null'] }, spec: { type: ['string', 'null'] }, at: { type: 'string' }, by: { type: 'string' } },
    },
  },
} as const;

const validate = new Ajv({ allErrors: false, strict: true, verbose: true }).compile<Probe>(probeSchema);

/** The probe of one finding of a scan. */
export function probeOf(finding: Finding, summary: ScanSummary): Probe {
  const [decisive] = finding.evidence.exchanges;
  return {
    format: PROBE_FORMAT,
    check: finding.checkId,
    operation: finding.retestOperation ?? finding.operation?.id ?? '',
    finding: {
      fingerprint: finding.fingerprint,
      title: finding.title,
      severity: finding.severity,
      route: finding.operation ? `${finding.operation.method.toUpperCase()} ${finding.operation.path}` : '',
      fields: [...finding.evidence.fields],
      subjects: [...finding.evidence.subjects],
    },
    request: decisive ? { method: decisive.request.method, url: decisive.request.url, headers: { ...decisive.request.headers }, body: decisive.request.body ?? null } : null,
    curl: finding.evidence.curl,
    found: { target: summary.target ?? null, spec: summary.spec ?? null, at: summary.startedAt, by: `${summary.tool.name} ${summary.tool.version}` },
  };
}

export function formatProbe(probe: Probe): string {
  return `${JSON.stringify(probe, null, 2)}\n`;
}

/** The file name of a finding's probe: its check and fingerprint, stable across runs. */
export function probeFileName(finding: Finding): string {
  return `${finding.checkId}-${finding.fingerprint}.json`;
}

/**
 * Writes one probe file per finding (those that name an operation) into `directory`, creating it.
 * Resolves to the paths written, in the findings' order.
 */
export async function writeProbes(directory: string, findings: readonly Finding[], summary: ScanSummary): Promise<string[]> {
  await mkdir(directory, { recursive: true });
  const written: string[] = [];
  for (const finding of findings) {
    if (finding.retestOperation === undefined) continue;
    const path = join(directory, probeFileName(finding));
    await writeFile(path, formatProbe(probeOf(finding, summary)));
    written.push(path);
  }
  return written;
}

/** Reads and checks a probe file. Throws `FileReadError`, `ParseError` or `ProbeError`, at file:line. */
export async function loadProbe(path: string, displayName: string = path): Promise<Probe> {
  return parseProbe(await readSourceText(path, displayName), displayName);
}

/** Checks the text of a probe file; `file` names it in errors. */
export function parseProbe(text: string, file: string): Probe {
  const sources = new SourceMap();
  const root = sources.parse(text, file, 'json');
  const whole: SourceLocation = { file, line: 1, column: 1, pointer: '' };
  const format = root !== null && typeof root === 'object' && !Array.isArray(root) ? (root as { format?: unknown }).format : undefined;
  if (format !== PROBE_FORMAT) {
    throw new ProbeError(`not a probe this Leakproof reads: "format" must be "${PROBE_FORMAT}"`, {
      location: (root !== null && typeof root === 'object' ? sources.locate(root, 'format') : undefined) ?? whole,
      hint: 'probes are written by `leakproof scan --probes DIR`, one file per finding',
    });
  }
  if (validate(root)) return root;
  const [error] = validate.errors ?? [];
  if (!error) throw new ProbeError('invalid probe', { location: whole });
  throw new ProbeError(describeSchemaError(error), {
    location: locateSchemaError(root, error, (node, member) => sources.locate(node, member)) ?? whole,
    hint: error.keyword === 'additionalProperties' ? `known keys here: ${knownKeys(error).join(', ')}` : undefined,
  });
}
