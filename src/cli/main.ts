/** Entry point of the `leakproof` command: dispatch, and the one place errors become exit codes. */
import { ExitCode, LeakproofError, UsageError } from '../core/errors.ts';
import type { CommandEntry } from './command.ts';
import type { Io } from './io.ts';
import { processIo } from './io.ts';
import { VERSION } from '../core/version.ts';

export const COMMANDS: readonly CommandEntry[] = [
  { name: 'demo', summary: 'Replay the 2021 Peloton leak against the embedded reference API', load: async () => (await import('./commands/demo.ts')).demoCommand },
  { name: 'scan', summary: 'Test a running API with several identities for leaks (BOLA, missing auth, ...)', load: async () => (await import('./commands/scan.ts')).scanCommand },
  { name: 'retest', summary: 'Try a finding again from its probe file: pass, fail or inconclusive', load: async () => (await import('./commands/retest.ts')).retestCommand },
  { name: 'audit', summary: 'Review an API description for design flaws that leak (no running API needed)', load: async () => (await import('./commands/audit.ts')).auditCommand },
  { name: 'gateway', summary: 'Enforce authentication, object-level rules and views in front of an API', load: async () => (await import('./commands/gateway.ts')).gatewayCommand },
  { name: 'logs', summary: "Ask the gateway's access log whose personal data went to whom", load: async () => (await import('./commands/logs.ts')).logsCommand },
  { name: 'suggest', summary: "Draft the gateway policy that answers a scan's findings", load: async () => (await import('./commands/suggest.ts')).suggestCommand },
  { name: 'disclose', summary: 'Run the vulnerability-disclosure tracker: intake, clocks, verification gate', load: async () => (await import('./commands/disclose.ts')).discloseCommand },
  { name: 'inspect', summary: 'Show what Leakproof understands of an API description', load: async () => (await import('./commands/inspect.ts')).inspectCommand },
  { name: 'reference-api', summary: 'Run the embedded Peloton-like reference API (leaky, authonly or fixed)', load: async () => (await import('./commands/reference-api.ts')).referenceApiCommand },
];

export { VERSION } from '../core/version.ts';

function usage(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    'Usage: leakproof <command> [options]',
    '',
    'Keep private APIs from leaking personal data.',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Options:',
    '  -h, --help     Show help (also: leakproof <command> --help)',
    '  -v, --version  Show the version',
    '',
    'Exit codes: 0 ok, 1 findings, 2 bad usage, configuration or API description, 3 runtime failure, 4 retest inconclusive, 70 internal error.',
  ].join('\n');
}

export async function main(argv: string[], io: Io = processIo()): Promise<number> {
  const [name, ...rest] = argv;
  try {
    if (name === undefined || name === '-h' || name === '--help' || name === 'help') {
      io.out(usage());
      return name === undefined ? ExitCode.Usage : ExitCode.Ok;
    }
    if (name === '-v' || name === '--version') {
      io.out(VERSION);
      return ExitCode.Ok;
    }
    const entry = COMMANDS.find((c) => c.name === name);
    if (!entry) throw new UsageError(`unknown command '${name}'`, { hint: `commands: ${COMMANDS.map((c) => c.name).join(', ')}` });
    const command = await entry.load();
    if (rest.includes('--help') || rest.includes('-h')) {
      io.out(command.help);
      return ExitCode.Ok;
    }
    return await command.run(rest, io);
  } catch (error) {
    return report(error, io);
  }
}

function report(error: unknown, io: Io): number {
  if (error instanceof LeakproofError) {
    io.err(`leakproof: ${error.format()}`);
    return error.exitCode;
  }
  const message = error instanceof Error ? error.message : String(error);
  io.err(`leakproof: internal error: ${message}`);
  if (process.env.LEAKPROOF_DEBUG && error instanceof Error && error.stack) io.err(error.stack);
  else io.err('This is a bug in Leakproof; run again with LEAKPROOF_DEBUG=1 to see where, and report it.');
  return ExitCode.Internal;
}
