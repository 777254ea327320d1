/** Entry point of the `leakproof` command: dispatch, and the one place errors become exit codes. */
import { ExitCode, LeakproofError, UsageError } from '../core/errors.ts';
import type { Command } from './command.ts';
import { auditCommand } from './commands/audit.ts';
import { demoCommand } from './commands/demo.ts';
import { discloseCommand } from './commands/disclose.ts';
import { gatewayCommand } from './commands/gateway.ts';
import { inspectCommand } from './commands/inspect.ts';
import { logsCommand } from './commands/logs.ts';
import { referenceApiCommand } from './commands/reference-api.ts';
import { retestCommand } from './commands/retest.ts';
import { scanCommand } from './commands/scan.ts';
import { suggestCommand } from './commands/suggest.ts';
import type { Io } from './io.ts';
import { processIo } from './io.ts';
import { VERSION } from '../core/version.ts';

export const COMMANDS: readonly Command[] = [demoCommand, scanCommand, retestCommand, auditCommand, gatewayCommand, logsCommand, suggestCommand, discloseCommand, inspectCommand, referenceApiCommand];

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
    const command = COMMANDS.find((c) => c.name === name);
    if (!command) throw new UsageError(`unknown command '${name}'`, { hint: `commands: ${COMMANDS.map((c) => c.name).join(', ')}` });
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
