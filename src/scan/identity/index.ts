/**
 * Identities: who the scanner is (anonymous, user A, user B, admin) and how it gets and keeps its
 * credentials.
 *
 * @example
 * ```ts
 * import { createIdentities } from './identity/index.ts';
 * const [alice] = createIdentities([{ kind: 'login', name: 'alice',
 *   request: { path: '/auth/login', json: { username: 'alice', password: 'alice-pedals-2021' } },
 *   token: { from: 'json', path: '$.token' } }]);
 * const exchange = await client.send({ method: 'GET', path: '/api/me', identity: alice });
 * ```
 */
export { ANONYMOUS_NAME, anonymous } from './anonymous.ts';
export type {
  AnonymousIdentityConfig, ApiKeyIdentityConfig, BearerIdentityConfig, CookieIdentityConfig, IdentityConfig, IdentityKind,
  LoginIdentityConfig, LoginRequestConfig, OAuth2ClientCredentialsConfig, OAuth2IdentityConfig, OAuth2PasswordConfig,
  TokenPlacement, TokenSource,
} from './config.ts';
export { IDENTITY_KINDS, IDENTITY_NAME_PATTERN } from './config.ts';
export { createIdentities, createIdentity } from './create.ts';
export { IdentityError } from './errors.ts';
export type { Identity, Role } from './identity.ts';
export { identitiesSchema, identitySchema } from './schema.ts';
