/**
 * Identities with fixed credentials: a bearer token, an API key, a session cookie. Nothing to
 * obtain and nothing to renew: a 401 is the server's answer, not a reason to try again.
 */
import type { OutgoingRequest } from '../http/request.ts';
import { withCookie } from '../http/request.ts';
import type { ApiKeyIdentityConfig, BearerIdentityConfig, CookieIdentityConfig, TokenPlacement } from './config.ts';
import type { Identity } from './identity.ts';
import { place } from './placement.ts';

type StaticConfig = BearerIdentityConfig | ApiKeyIdentityConfig | CookieIdentityConfig;

function fixed(config: StaticConfig, apply: (request: OutgoingRequest) => OutgoingRequest, secrets: readonly string[]): Identity {
  return {
    name: config.name,
    role: config.role,
    owns: config.owns,
    authenticate: () => Promise.resolve(),
    apply,
    secrets: () => secrets,
    onUnauthorized: () => Promise.resolve(false),
  };
}

function placed(config: StaticConfig, placement: TokenPlacement, secret: string): Identity {
  return fixed(config, (request) => place(request, placement, secret), [secret]);
}

/** @example createBearerIdentity({ kind: 'bearer', name: 'ci', token: process.env.CI_TOKEN ?? '' }) */
export function createBearerIdentity(config: BearerIdentityConfig): Identity {
  return placed(config, { as: 'bearer' }, config.token);
}

/** @example createApiKeyIdentity({ kind: 'apiKey', name: 'partner', in: 'header', parameter: 'X-API-Key', value: key }) */
export function createApiKeyIdentity(config: ApiKeyIdentityConfig): Identity {
  const placement: TokenPlacement = config.in === 'header' ? { as: 'header', header: config.parameter } : { as: 'query', parameter: config.parameter };
  return placed(config, placement, config.value);
}

/** @example createCookieIdentity({ kind: 'cookie', name: 'bob', cookie: 'sid', value: sid }) */
export function createCookieIdentity(config: CookieIdentityConfig): Identity {
  if (config.header === undefined) return placed(config, { as: 'cookie', cookie: config.cookie }, config.value);
  const { header } = config;
  // Each value of a raw Cookie header is a secret of its own, wherever it turns up alone.
  const values = header.split(/;\s*/).map((pair) => pair.slice(pair.indexOf('=') + 1));
  return fixed(config, (request) => withCookie(request, header), [header, ...values]);
}
