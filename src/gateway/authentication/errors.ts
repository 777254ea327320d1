/** Errors from setting authentication up, before the gateway serves a request. */
import { ExitCode, LeakproofError } from '../../core/errors.ts';

/**
 * OIDC discovery or the first JWKS fetch failed, so no token could be verified: the gateway must
 * not start. The message names the URL and what went wrong.
 *
 * @example
 * try {
 *   await createAuthenticator(config);
 * } catch (error) {
 *   if (error instanceof AuthenticationSetupError) console.error(error.format()); // ERR_GATEWAY_AUTH ...
 * }
 */
export class AuthenticationSetupError extends LeakproofError {
  override readonly code = 'ERR_GATEWAY_AUTH';
  override readonly exitCode = ExitCode.Runtime;
}
