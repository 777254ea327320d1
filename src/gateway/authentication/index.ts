/**
 * The gateway's authentication: who is calling, from a bearer JWT (verified against a JWKS, found
 * directly or by OIDC discovery), a static API key (stored hashed), or nobody. Every bad
 * credential is a 401 with a reason for the log only.
 *
 * @example
 * import { createAuthenticator } from './authentication/index.ts';
 * const authenticator = await createAuthenticator(config.gateway.authentication);
 * const authentication = await authenticator.authenticate(request.headersDistinct);
 * if (!authentication.ok) return reply(401);
 * const { principal } = authentication; // for the policies: principal.sub, principal.roles, principal.claims
 */
export type { Authentication, Authenticator, Principal, RequestHeaders } from './principal.ts';
export { anonymousPrincipal } from './principal.ts';
export type { ApiKeyConfig, ApiKeysConfig, AuthenticationConfig, JwtAlgorithm, JwtConfig } from './config.ts';
export { JWT_ALGORITHMS } from './config.ts';
export type { AuthenticatorOptions } from './authenticator.ts';
export { createAuthenticator } from './authenticator.ts';
export { authenticationSchema } from './schema.ts';
export { hashApiKey } from './api-keys.ts';
export { AuthenticationSetupError } from './errors.ts';
