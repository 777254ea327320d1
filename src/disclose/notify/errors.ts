/** What goes wrong when the tracker tells people about deadlines. */
import { ExitCode, LeakproofError } from '../../core/errors.ts';

/**
 * A mail could not be handed to the SMTP server (refused, unreachable, timed out). The notices it
 * carried stay pending, so that the next sweep tries again.
 */
export class NotifyError extends LeakproofError {
  override readonly code = 'ERR_DISCLOSE_NOTIFY';
  override readonly exitCode = ExitCode.Runtime;
}
