/** `leakproof scan`: test a running API with several identities and report what leaks. */
import { writeFile } from 'node:fs/promises';
import { loadConfig } from '../../core/config.ts';
import { ExitCode, UsageError } from '../../core/errors.ts';
import { applyBaseline, createBaseline, formatBaseline, loadBaseline } from '../../scan/baseline.ts';
import { executeScan, prepareScan, scanConfig } from '../../scan/index.ts';
import type { PlannedOperation } from '../../scan/plan.ts';
import { writeProbes } from '../../scan/probe.ts';
import { failingFindings, isReportFormat, REPORT_FORMATS, writeReport } from '../../scan/report/index.ts';
import type { Command } from '../command.ts';
import { parseCommandArgs } from '../command.ts';
import { progressLine } from '../progress.ts';
import type { Io } from '../io.ts';

const HELP = `Usage: leakproof scan [--config FILE] [--target URL] [--spec FILE] [options]

Tests a running API the way the 2021 Peloton researcher did, automatically: as anonymous and as
each configured identity, it asks for every person's data by id, by search and in bulk, and
compares what comes back with what the owner gets. Production-safe by default: only GET, HEAD and
OPTIONS (plus operations listed in scan.safety.allow), rate-limited, budgeted, and never outside
the target's host. Identities, visibility rules and safety settings live in the scan section of
leakproof.yaml (see the README).

Options:
  --config FILE          Configuration (default: leakproof.yaml here, if there is one)
  --target URL           Base URL of the API (overrides scan.target)
  --spec FILE            Its OpenAPI or Swagger description (overrides scan.spec)
  --format FORMAT        ${REPORT_FORMATS.join(', ')} (default: console)
  --output FILE          Write the report to FILE instead of stdout
  --fail-on SEVERITY     Exit 1 on findings at or above it: info, low, medium, high, critical (default: medium)
  --rate-limit N         Requests per second (overrides scan.safety.rateLimit; default 10)
  --baseline FILE        Accepted findings: only new ones fail the run
  --write-baseline FILE  Write the findings of this run as a baseline (with --baseline, entries
                         still found keep their acceptedAt and reason)
  --probes DIR           Write one probe file per finding into DIR, for 'leakproof retest'
  --dry-run              Print what would be sent, and send nothing

Exit codes: 0 no findings at or above --fail-on, 1 findings, 2 bad usage, configuration or
description, 3 the target or a login failed.`;

export const scanCommand: Command = {
  name: 'scan',
  help: HELP,
  async run(argv, io) {
    const { values } = parseCommandArgs('scan', argv, {
      config: { type: 'string' },
      target: { type: 'string' },
      spec: { type: 'string' },
      format: { type: 'string', default: 'console' },
      output: { type: 'string' },
      'fail-on': { type: 'string' },
      'rate-limit': { type: 'string' },
      baseline: { type: 'string' },
      'write-baseline': { type: 'string' },
      probes: { type: 'string' },
      'dry-run': { type: 'boolean' },
    });
    const format = values.format;
    if (!isReportFormat(format)) throw new UsageError(`--format must be one of ${REPORT_FORMATS.join(', ')}, not '${format}'`);
    const config = await loadConfig(values.config);
    const settings = scanConfig(config, { target: values.target, spec: values.spec, failOn: values['fail-on'], baseline: values.baseline, rateLimit: values['rate-limit'] });
    const prepared = await prepareScan(settings, config.personalData);
    if (values['dry-run']) {
      printPlan(prepared.plan, prepared.identities.map((i) => i.name), settings.target, io);
      return ExitCode.Ok;
    }
    const baseline = settings.baseline === undefined ? undefined : await loadBaseline(settings.baseline);
    const result = await executeScan(prepared, settings, (progress) => { io.status(progressLine(progress)); });
    io.status(undefined);
    const { summary } = result;
    const { findings } = result;
    const comparison = baseline === undefined ? undefined : { ...applyBaseline(findings, baseline), file: settings.baseline };
    const failing = failingFindings(findings, summary, comparison);
    const report = writeReport(format, findings, summary, { colors: io.colors, baseline: comparison });
    if (values.output === undefined) io.out(report.replace(/\n$/, ''));
    else {
      await writeFile(values.output, report);
      io.err(`Report written to ${values.output} (${findings.length} findings).`);
    }
    if (values['write-baseline'] !== undefined) await writeFile(values['write-baseline'], formatBaseline(createBaseline(findings, { previous: baseline })));
    if (values.probes !== undefined) {
      const written = await writeProbes(values.probes, findings, summary);
      io.err(`${written.length} probe files written to ${values.probes}; try one again with 'leakproof retest FILE --target URL'.`);
    }
    for (const { operation, reason } of result.skipped) if (io.interactive) io.err(io.colors.dim(`  not sent: ${operation.method} ${operation.path}: ${reason}`));
    return failing.length > 0 ? ExitCode.Findings : ExitCode.Ok;
  },
};

function printPlan(plan: readonly PlannedOperation[], identities: readonly string[], target: string, io: Io): void {
  io.out(`Plan for ${target} as anonymous${identities.length > 0 ? `, ${identities.join(', ')}` : ''} (nothing is sent in a dry run):`);
  for (const { operation, roles, sendable, skipped } of plan) {
    const what = roles.length === 0 ? 'call' : roles.map((r) => r.kind).join(', ');
    io.out(`  ${operation.method.padEnd(7)} ${operation.path.padEnd(40)} ${sendable ? what : `skipped: ${skipped ?? ''}`}`);
  }
}
