/** `leakproof audit SPEC`: review an API description for the design flaws that lead to leaks. */
import { writeFile } from 'node:fs/promises';
import { auditApi, auditConfig } from '../../audit/index.ts';
import { loadConfig } from '../../core/config.ts';
import { ExitCode, UsageError } from '../../core/errors.ts';
import { loadApi } from '../../core/load.ts';
import { createClassifier } from '../../core/personal-data/index.ts';
import { applyBaseline, createBaseline, formatBaseline, loadBaseline } from '../../scan/baseline.ts';
import { SEVERITIES } from '../../scan/index.ts';
import { failingFindings, isReportFormat, REPORT_FORMATS, writeReport } from '../../scan/report/index.ts';
import type { Command } from '../command.ts';
import { parseCommandArgs } from '../command.ts';
import { formatDiagnostic } from './inspect.ts';

const HELP = `Usage: leakproof audit SPEC [--config FILE] [--format FORMAT] [--output FILE] [options]

Reviews an API description (OpenAPI 3.0, 3.1 or Swagger 2.0), with no running API, for the design
flaws that lead to leaks: operations anyone may call, personal data of whoever a member names,
enumerable ids, unlimited searches and lists, open schemas, credentials in URLs, plain-HTTP and
internal servers, server-owned fields clients may write. Each finding points at the line of what
it names. x-leakproof-audience (private, partner, public) on the document or an operation weighs
severities; x-leakproof-ignore with x-leakproof-ignore-reason silences a rule where it is written.
Rules can be switched off or re-weighted in the audit section of leakproof.yaml (see the README).
A baseline accepts the findings of an existing API, so that CI fails only on new ones.

Options:
  --config FILE          Configuration (default: leakproof.yaml here, if there is one)
  --format FORMAT        ${REPORT_FORMATS.join(', ')} (default: console)
  --output FILE          Write the report to FILE instead of stdout
  --fail-on SEVERITY     Exit 1 on findings at or above it: ${SEVERITIES.join(', ')} (default: medium)
  --baseline FILE        Accepted findings: only new ones fail the run (overrides audit.baseline)
  --write-baseline FILE  Write the findings of this run as a baseline (with --baseline, entries
                         still found keep their acceptedAt and reason)

Exit codes: 0 no findings at or above --fail-on, 1 findings, 2 bad usage, configuration or
description.`;

export const auditCommand: Command = {
  name: 'audit',
  help: HELP,
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs('audit', argv, {
      config: { type: 'string' },
      format: { type: 'string', default: 'console' },
      output: { type: 'string' },
      'fail-on': { type: 'string' },
      baseline: { type: 'string' },
      'write-baseline': { type: 'string' },
    }, true);
    const [spec, ...extra] = positionals;
    if (spec === undefined || extra.length > 0) throw new UsageError('audit takes exactly one API description file', { hint: "see 'leakproof audit --help'" });
    const format = values.format;
    if (!isReportFormat(format)) throw new UsageError(`--format must be one of ${REPORT_FORMATS.join(', ')}, not '${format}'`);
    const config = await loadConfig(values.config);
    const settings = auditConfig(config, { failOn: values['fail-on'], baseline: values.baseline });
    const baseline = settings.baseline === undefined ? undefined : await loadBaseline(settings.baseline, 'audit');
    const api = await loadApi(spec);
    for (const diagnostic of api.diagnostics) io.err(formatDiagnostic(diagnostic));
    const { findings, summary, diagnostics } = await auditApi(api, { settings, classifier: createClassifier(config.personalData) });
    for (const diagnostic of diagnostics) io.err(formatDiagnostic(diagnostic));
    const comparison = baseline === undefined ? undefined : { ...applyBaseline(findings, baseline), file: settings.baseline };
    const report = writeReport(format, findings, summary, { colors: io.colors, baseline: comparison });
    if (values.output === undefined) io.out(report.replace(/\n$/, ''));
    else {
      await writeFile(values.output, report);
      io.err(`Report written to ${values.output} (${findings.length} findings).`);
    }
    if (values['write-baseline'] !== undefined) {
      await writeFile(values['write-baseline'], formatBaseline(createBaseline(findings, { kind: 'audit', previous: baseline })));
    }
    return failingFindings(findings, summary, comparison).length > 0 ? ExitCode.Findings : ExitCode.Ok;
  },
};
