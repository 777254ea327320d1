/** The access log's errors, with stable codes for scripts and for the gateway's metrics. */
import { ExitCode, LeakproofError } from '../../core/errors.ts';

/** The store named does not exist: a wrong path or an empty database, not an empty answer. */
export class AccessLogNotFoundError extends LeakproofError {
  override readonly code = 'ERR_ACCESS_LOG_NOT_FOUND';
  override readonly exitCode = ExitCode.Usage;
}

/** The store exists but is not a Leakproof access log, or was written by a newer Leakproof. */
export class AccessLogFormatError extends LeakproofError {
  override readonly code = 'ERR_ACCESS_LOG_FORMAT';
  override readonly exitCode = ExitCode.Usage;
}

/** The store could not be reached, read or written; writes are kept and tried again. */
export class AccessLogStoreError extends LeakproofError {
  override readonly code = 'ERR_ACCESS_LOG_STORE';
  override readonly exitCode = ExitCode.Runtime;
}

/** Records were lost: the queue was full while the store failed, a record was malformed, or the log was closed. */
export class AccessLogDroppedError extends LeakproofError {
  override readonly code = 'ERR_ACCESS_LOG_DROPPED';
  override readonly exitCode = ExitCode.Runtime;
  /** How many records this error is about. */
  readonly count: number;

  constructor(message: string, count: number) {
    super(message);
    this.count = count;
  }
}

/** The message of anything thrown, for errors that wrap a driver's. */
export function messageOf(error: unknown): string {
  // A connection to `localhost` tries every address, and fails with an AggregateError of empty message.
  if (error instanceof AggregateError && error.message === '') return [...new Set(error.errors.map(messageOf))].join('; ');
  return error instanceof Error ? error.message : String(error);
}
