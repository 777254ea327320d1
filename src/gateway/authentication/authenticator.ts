/**
 * Who is calling: the request's one credential, checked by its kind, or the anonymous principal
 * when there is none and the configuration allows it. Credentials that are present but wrong are
 * refused, never downgraded to anonymous.
 */
import { ConfigError } from '../../core/errors.ts';
import { createApiKeyVerifier } from './api-keys.ts';
import type { AuthenticationConfig, JwtConfig } from './config.ts';
import { DEFAULT_API_KEY_HEADER } from './config.ts';
import type { Credentials } from './credentials.ts';
import { readCredentials } from './credentials.ts';
import { discoverJwksUrl } from './discovery.ts';
import type { KeySetOptions } from './key-set.ts';
import { createKeySet } from './key-set.ts';
import { createJwtVerifier } from './jwt.ts';
import type { Authentication, Authenticator } from './principal.ts';
import { accept, anonymousPrincipal, refuse } from './principal.ts';

export interface AuthenticatorOptions {
  /** Deadline of each discovery and JWKS fetch, in milliseconds. Default 5000. */
  fetchTimeoutMs?: number | undefined;
  /** How soon after a JWKS fetch a token with an unknown `kid` may cause another, in milliseconds. Default 30 000. */
  jwksCooldownMs?: number | undefined;
  /** Verified tokens remembered until their `exp`, at most. Default 10 000; 0 checks every request's signature. */
  verifiedTokens?: number | undefined;
  /** The clock tokens are checked against, in milliseconds since the epoch; for tests. */
  now?: (() => number) | undefined;
}

const DEFAULT_FETCH_TIMEOUT_MS = 5_000;
const DEFAULT_JWKS_COOLDOWN_MS = 30_000;

type Verify = (credential: string) => Authentication | Promise<Authentication>;

async function jwtVerifier(config: JwtConfig, options: KeySetOptions, verifier: AuthenticatorOptions): Promise<Verify> {
  if (config.jwksUrl !== undefined && !URL.canParse(config.jwksUrl)) throw new ConfigError(`gateway.authentication.jwt.jwksUrl is not a URL: ${config.jwksUrl}`);
  const url = config.jwksUrl === undefined ? await discoverJwksUrl(config.issuer, options) : new URL(config.jwksUrl);
  const keys = createKeySet(url, options);
  await keys.load();
  return createJwtVerifier(config, keys, { verifiedTokens: verifier.verifiedTokens, now: verifier.now });
}

interface Verifiers {
  readonly bearer: Verify | undefined;
  readonly apiKey: Verify | undefined;
  readonly anonymous: boolean;
}

function decide(credentials: Credentials, verifiers: Verifiers): Authentication | Promise<Authentication> {
  switch (credentials.kind) {
    case 'invalid':
      return refuse(credentials.reason);
    case 'none':
      return verifiers.anonymous ? accept(anonymousPrincipal()) : refuse('no credentials were sent, and anonymous access is off');
    case 'bearer':
      return verifiers.bearer === undefined ? refuse('a bearer token was sent, but no jwt is configured') : verifiers.bearer(credentials.token);
    case 'apiKey':
      return verifiers.apiKey === undefined ? refuse('an API key was sent, but no apiKeys are configured') : verifiers.apiKey(credentials.key);
  }
}

/**
 * Builds the authenticator for a validated `gateway.authentication` section. With `jwt`, it runs
 * OIDC discovery (when there is no `jwksUrl`) and fetches the JWKS before it resolves: a failure
 * rejects with `AuthenticationSetupError` (ERR_GATEWAY_AUTH) naming the URL and the problem.
 *
 * @example
 * const authenticator = await createAuthenticator({
 *   jwt: { issuer: 'https://id.example.com', audience: 'my-api', algorithms: ['ES256'], rolesClaim: 'roles' },
 *   apiKeys: { keys: [{ name: 'partner-a', hash: hashApiKey(process.env.PARTNER_A_KEY ?? ''), roles: ['partner'] }] },
 * });
 * const authentication = await authenticator.authenticate(request.headersDistinct);
 * if (!authentication.ok) log.info({ reason: authentication.reason }); // and answer a bare 401
 */
export async function createAuthenticator(config: AuthenticationConfig, options: AuthenticatorOptions = {}): Promise<Authenticator> {
  const closing = new AbortController();
  const keySetOptions: KeySetOptions = {
    timeoutMs: options.fetchTimeoutMs ?? DEFAULT_FETCH_TIMEOUT_MS,
    cooldownMs: options.jwksCooldownMs ?? DEFAULT_JWKS_COOLDOWN_MS,
    signal: closing.signal,
  };
  const apiKeyHeader = config.apiKeys === undefined ? undefined : (config.apiKeys.header ?? DEFAULT_API_KEY_HEADER).toLowerCase();
  const verifiers: Verifiers = {
    apiKey: config.apiKeys === undefined ? undefined : createApiKeyVerifier(config.apiKeys),
    bearer: config.jwt === undefined ? undefined : await jwtVerifier(config.jwt, keySetOptions, options),
    anonymous: config.anonymous ?? true,
  };
  return {
    async authenticate(headers) {
      if (closing.signal.aborted) return refuse('the authenticator is closed');
      try {
        return await decide(readCredentials(headers, apiKeyHeader), verifiers);
      } catch (error) {
        // Unreachable by design; if a bug throws anyway, the caller is refused, not let through.
        return refuse(`authentication failed unexpectedly (${error instanceof Error ? error.name : 'unknown error'})`);
      }
    },
    close() {
      closing.abort();
    },
  };
}
