/** The shape of a `leakproof` subcommand, and parsing its arguments into clear usage errors. */
import { parseArgs } from 'node:util';
import type { ParseArgsConfig } from 'node:util';
import { UsageError } from '../core/errors.ts';
import type { Io } from './io.ts';

export interface Command {
  name: string;
  /** The whole `--help` text. */
  help: string;
  /** Runs the command; resolves to the exit code. Throws `LeakproofError`s for the user to read. */
  run(argv: string[], io: Io): Promise<number>;
}

/**
 * A command as the command list names it. Its module is imported only when the command runs (or
 * shows its help), so that `leakproof --help` loads none of them and each command loads only
 * what it uses: a scan does not pay for the tracker's web stack.
 */
export interface CommandEntry {
  name: string;
  /** One line for the command list. */
  summary: string;
  load(): Promise<Command>;
}

type Options = NonNullable<ParseArgsConfig['options']>;

/** `parseArgs`, strict, with its errors turned into usage errors that point at `--help`. */
export function parseCommandArgs<T extends Options>(command: string, argv: string[], options: T, allowPositionals = false) {
  try {
    return parseArgs({ args: argv, options: { ...options, help: { type: 'boolean', short: 'h' } }, allowPositionals, strict: true });
  } catch (error) {
    const message = error instanceof Error ? error.message.replace(/\. To specify a positional argument.*$/s, '') : String(error);
    throw new UsageError(message, { hint: `see 'leakproof ${command} --help'` });
  }
}

/** Reads a `--port` value: a whole number from 0 to 65535. */
export function parsePort(value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65535) throw new UsageError(`--port must be a whole number from 0 to 65535, not '${value}'`);
  return port;
}
