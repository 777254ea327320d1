/** What goes wrong when an identity obtains its credentials. */
import { ExitCode, LeakproofError } from '../../core/errors.ts';

/**
 * An identity could not log in or obtain a token: the server refused the credentials, did not
 * answer, or answered without a token where the configuration says one is. A runtime failure
 * (exit code 3), not a usage error: the configuration was well-formed, and the same credentials
 * may work against another deployment or tomorrow. The message names the identity, the request
 * and the status, with an excerpt of the response; secrets are redacted from it.
 */
export class IdentityError extends LeakproofError {
  override readonly code = 'ERR_IDENTITY';
  override readonly exitCode = ExitCode.Runtime;
}
