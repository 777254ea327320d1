/**
 * Errors a user can act on. Every error has a stable `code` to branch on, the exit code the CLI
 * returns for it, and, when it comes from a file, the place in that file.
 */
import type { SourceLocation } from './location.ts';
import { formatLocation } from './location.ts';

/** Exit codes of the `leakproof` command, documented in the README. */
export const ExitCode = {
  /** Ran to the end; nothing at or above the failure threshold. */
  Ok: 0,
  /** Ran to the end and found something at or above the failure threshold. */
  Findings: 1,
  /** Bad command line, configuration or API description: nothing was run. */
  Usage: 2,
  /** The environment failed us: a port in use, a target that does not answer. */
  Runtime: 3,
  /** A retest could not tell whether the flaw is still there (never a pass). */
  Inconclusive: 4,
  /** A bug in Leakproof itself. */
  Internal: 70,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export interface LeakproofErrorOptions {
  location?: SourceLocation | undefined;
  hint?: string | undefined;
  cause?: unknown;
}

export class LeakproofError extends Error {
  readonly code: string = 'ERR_LEAKPROOF';
  readonly exitCode: ExitCode = ExitCode.Runtime;
  readonly location: SourceLocation | undefined;
  readonly hint: string | undefined;

  constructor(message: string, options: LeakproofErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.location = options.location;
    this.hint = options.hint;
  }

  /** `file:line:column: CODE message` and the hint, the way compilers print errors. */
  format(): string {
    const where = this.location ? `${formatLocation(this.location)}: ` : '';
    const hint = this.hint ? `\n  hint: ${this.hint}` : '';
    return `${where}${this.code} ${this.message}${hint}`;
  }
}

/** The command line was wrong. */
export class UsageError extends LeakproofError {
  override readonly code = 'ERR_USAGE';
  override readonly exitCode = ExitCode.Usage;
}

/** A file could not be read at all. */
export class FileReadError extends LeakproofError {
  override readonly code = 'ERR_FILE_READ';
  override readonly exitCode = ExitCode.Usage;
}

/** A JSON or YAML file is not well-formed. */
export class ParseError extends LeakproofError {
  override readonly code = 'ERR_PARSE';
  override readonly exitCode = ExitCode.Usage;
}

/** An API description is well-formed but not a description Leakproof can use. */
export class SpecError extends LeakproofError {
  override readonly code = 'ERR_SPEC_INVALID';
  override readonly exitCode = ExitCode.Usage;
}

/** A `$ref` points at nothing, or at a file that cannot be read. */
export class RefError extends LeakproofError {
  override readonly code = 'ERR_SPEC_REF';
  override readonly exitCode = ExitCode.Usage;
}

/** A configuration file does not match its schema. */
export class ConfigError extends LeakproofError {
  override readonly code = 'ERR_CONFIG';
  override readonly exitCode = ExitCode.Usage;
}
