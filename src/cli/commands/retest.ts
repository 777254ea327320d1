/** `leakproof retest PROBE`: is the flaw a probe reproduces still there? pass, fail or inconclusive. */
import { writeFile } from 'node:fs/promises';
import { loadConfig } from '../../core/config.ts';
import { UsageError } from '../../core/errors.ts';
import { scanConfig } from '../../scan/index.ts';
import { loadProbe } from '../../scan/probe.ts';
import type { RetestResult } from '../../scan/retest.ts';
import { retest, VERDICT_EXIT_CODES } from '../../scan/retest.ts';
import type { Command } from '../command.ts';
import { parseCommandArgs } from '../command.ts';
import { progressLine } from '../progress.ts';
import type { Colors } from '../io.ts';

const HELP = `Usage: leakproof retest PROBE [--target URL] [--config FILE] [--spec FILE] [options]

Tries a finding again: PROBE is a file written by 'leakproof scan --probes DIR'. The scan runs
again on the probe's operation only, as anonymous and as every identity in the configuration
(owners, unrelated members, administrators), with the checks that judge that flaw, and answers:

  PASS          not exploitable, and the retest saw enough to say so (exit 0)
  FAIL          still exploitable, by the same road or another one to the same data (exit 1)
  INCONCLUSIVE  could not tell: logins failed, the owner no longer gets their own record,
                timeouts, 5xx or 429 answers, too few identities (exit 4). Never a pass.

The probe holds no credentials: identities, visibility and safety come from the configuration,
as for 'leakproof scan'.

Options:
  --target URL       Base URL of the deployment to retest (overrides scan.target)
  --config FILE      Configuration (default: leakproof.yaml here, if there is one)
  --spec FILE        Its OpenAPI or Swagger description (overrides scan.spec)
  --rate-limit N     Requests per second (overrides scan.safety.rateLimit; default 10)
  --format FORMAT    console or json (default: console)
  --output FILE      Write the result to FILE instead of stdout

Exit codes: 0 pass, 1 fail, 2 bad usage, probe, configuration or description, 4 inconclusive.`;

const FORMATS = ['console', 'json'] as const;

export const retestCommand: Command = {
  name: 'retest',
  help: HELP,
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs('retest', argv, {
      config: { type: 'string' },
      target: { type: 'string' },
      spec: { type: 'string' },
      'rate-limit': { type: 'string' },
      format: { type: 'string', default: 'console' },
      output: { type: 'string' },
    }, true);
    const [file, ...extra] = positionals;
    if (file === undefined || extra.length > 0) throw new UsageError('retest takes exactly one probe file', { hint: "see 'leakproof retest --help'" });
    const format = values.format;
    if (!(FORMATS as readonly string[]).includes(format)) throw new UsageError(`--format must be one of ${FORMATS.join(', ')}, not '${format}'`);
    const probe = await loadProbe(file);
    const config = await loadConfig(values.config);
    const settings = scanConfig(config, { target: values.target, spec: values.spec, rateLimit: values['rate-limit'] });
    const result = await retest(probe, settings, config.personalData, (progress) => { io.status(progressLine(progress)); });
    io.status(undefined);
    const text = format === 'json' ? `${JSON.stringify(result, null, 2)}\n` : formatRetest(result, io.colors);
    if (values.output === undefined) io.out(text.replace(/\n$/, ''));
    else {
      await writeFile(values.output, text);
      io.err(`${result.verdict.toUpperCase()}: result written to ${values.output}.`);
    }
    return VERDICT_EXIT_CODES[result.verdict];
  },
};

/** The result for a person: the verdict first, then why, then who was asked. */
export function formatRetest(result: RetestResult, colors: Colors): string {
  const paint = { pass: colors.green, fail: colors.red, inconclusive: colors.yellow }[result.verdict];
  const lines = [
    `${colors.bold(paint(result.verdict.toUpperCase()))}  ${result.probe.check} on ${result.probe.finding.route} (${result.probe.finding.fingerprint})`,
    `  ${result.reason}`,
    `  target ${result.target}, ${result.requests} requests, checks: ${result.checks.join(', ')}`,
  ];
  if (result.callers.length > 0) {
    lines.push(`  asked as: ${result.callers.map((c) => `${c.name} (${Object.entries(c.answers).map(([status, n]) => `${status}×${n}`).join(' ')})`).join(', ')}`);
  }
  for (const finding of result.findings) lines.push(`  ${colors.red('still found')}: ${finding.title}`, `    ${colors.dim(finding.evidence.curl)}`);
  if (result.notes.length > 0) lines.push(colors.dim(`  not decided here: ${result.notes.map((note) => note.slice(0, note.indexOf(' '))).join(', ')} (--format json says why)`));
  return `${lines.join('\n')}\n`;
}
