/**
 * What the scan client refuses to do. These are thrown, never recorded as exchanges: each one is a
 * request the scan's configuration forbids, so nothing was sent.
 */
import { ExitCode, LeakproofError } from '../../core/errors.ts';

/** The request's host and port are not in the scan's scope. Widen `scope` to allow it. */
export class ScopeError extends LeakproofError {
  override readonly code = 'ERR_SCOPE';
  override readonly exitCode = ExitCode.Usage;
}

/**
 * A method that may change state (anything but GET, HEAD and OPTIONS) in a read-only scan.
 * Allow it with `allowWrites`, or for one operation with `allowOperations`.
 */
export class SafetyError extends LeakproofError {
  override readonly code = 'ERR_UNSAFE_METHOD';
  override readonly exitCode = ExitCode.Usage;
}

/**
 * The scan has sent as many requests as its budget allows. A runtime limit, not a mistake: the
 * results so far stand, and a larger `budget` lets the scan go further.
 */
export class BudgetError extends LeakproofError {
  override readonly code = 'ERR_BUDGET';
  override readonly exitCode = ExitCode.Runtime;
}
