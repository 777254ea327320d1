/**
 * Reading a findings report, the file `leakproof scan --format json` writes. The gateway reads it
 * as a file format, not as the scan's types: it checks the members it uses and lets the others
 * be, so that a report from a newer scan (more members, more checks) still reads.
 */
import { Ajv } from 'ajv';
import { ExitCode, LeakproofError } from '../../core/errors.ts';
import type { SourceLocation } from '../../core/location.ts';
import { describeSchemaError, locateSchemaError } from '../../core/schema-errors.ts';
import { readSourceText, SourceMap } from '../../core/source.ts';

/** One finding, as much of it as a policy draft needs. */
export interface ReportedFinding {
  checkId: string;
  title: string;
  /** The operation it was found on: a described one, or a route the description lacks. */
  operation: { id: string; method: string; path: string } | null;
  evidence: { fields: string[] };
  /** The described operation that reproduces it (for an undocumented route, the one it mirrors). */
  retestOperation: string | null;
}

export interface FindingsReport {
  summary: { target: string | null; spec: string | null; startedAt: string };
  findings: ReportedFinding[];
}

/** A file that is not a findings report: wrong shape, or written by another tool. */
export class FindingsReportError extends LeakproofError {
  override readonly code = 'ERR_FINDINGS';
  override readonly exitCode = ExitCode.Usage;
}

const strings = { type: 'array', items: { type: 'string' } } as const;
const text = { type: 'string' } as const;
const optionalText = { type: ['string', 'null'] } as const;

/** JSON Schema of what a draft reads of a report; anything else in the file is left alone. */
const reportSchema = {
  type: 'object',
  required: ['tool', 'summary', 'findings'],
  properties: {
    tool: { type: 'object', required: ['name'], properties: { name: { const: 'leakproof' } } },
    summary: { type: 'object', required: ['target', 'spec', 'startedAt'], properties: { target: optionalText, spec: optionalText, startedAt: text } },
    findings: {
      type: 'array',
      items: {
        type: 'object',
        required: ['checkId', 'title', 'operation', 'evidence', 'retestOperation'],
        properties: {
          checkId: { type: 'string', minLength: 1 },
          title: text,
          operation: {
            type: ['object', 'null'],
            required: ['id', 'method', 'path'],
            properties: { id: text, method: text, path: text },
          },
          evidence: { type: 'object', required: ['fields'], properties: { fields: strings } },
          retestOperation: optionalText,
        },
      },
    },
  },
} as const;

const validate = new Ajv({ allErrors: false, strict: true, strictRequired: false, verbose: true }).compile<FindingsReport>(reportSchema);

const HINT = 'write one with `leakproof scan --format json --output findings.json`';

/**
 * Reads and checks a findings report. Throws `FileReadError`, `ParseError` or
 * `FindingsReportError`, at file:line.
 *
 * @example
 * ```ts
 * const report = await loadFindingsReport('findings.json');
 * for (const finding of report.findings) console.log(finding.checkId, finding.operation?.id);
 * ```
 */
export async function loadFindingsReport(path: string): Promise<FindingsReport> {
  return parseFindingsReport(await readSourceText(path), path);
}

/**
 * Checks the text of a findings report; `file` names it in errors.
 *
 * @example
 * ```ts
 * const report = parseFindingsReport(await readFile('findings.json', 'utf8'), 'findings.json');
 * ```
 */
export function parseFindingsReport(source: string, file: string): FindingsReport {
  const sources = new SourceMap();
  const root = sources.parse(source, file, 'json');
  if (validate(root)) return root;
  const whole: SourceLocation = { file, line: 1, column: 1, pointer: '' };
  const [error] = validate.errors ?? [];
  const problem = error ? describeSchemaError(error) : 'invalid report';
  throw new FindingsReportError(`not a findings report: ${problem}`, {
    location: (error ? locateSchemaError(root, error, (node, member) => sources.locate(node, member)) : undefined) ?? whole,
    hint: HINT,
  });
}
