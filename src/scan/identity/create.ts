/** Identities from their configuration: one factory per kind, one place that picks. */
import { ConfigError } from '../../core/errors.ts';
import { ANONYMOUS_NAME, anonymous } from './anonymous.ts';
import type { IdentityConfig } from './config.ts';
import { IDENTITY_NAME_PATTERN } from './config.ts';
import type { Identity } from './identity.ts';
import { createLoginIdentity } from './login.ts';
import { createOAuth2Identity } from './oauth2.ts';
import { createApiKeyIdentity, createBearerIdentity, createCookieIdentity } from './static.ts';

const NAME = new RegExp(IDENTITY_NAME_PATTERN);

/**
 * @example
 * ```ts
 * const bob = createIdentity({ kind: 'bearer', name: 'bob', token: process.env.BOB_TOKEN ?? '' });
 * ```
 */
export function createIdentity(config: IdentityConfig): Identity {
  if (!NAME.test(config.name)) {
    throw new ConfigError(`identity name '${config.name}' is not allowed`, { hint: 'start with a letter; use letters, digits, _, . and - (64 at most)' });
  }
  if (config.name === ANONYMOUS_NAME && config.kind !== 'anonymous') {
    throw new ConfigError(`the name '${ANONYMOUS_NAME}' is taken by the identity without credentials`, { hint: 'give this identity another name' });
  }
  switch (config.kind) {
    case 'anonymous':
      return config.name === ANONYMOUS_NAME ? anonymous : { ...anonymous, name: config.name, role: config.role, owns: config.owns };
    case 'bearer':
      return createBearerIdentity(config);
    case 'apiKey':
      return createApiKeyIdentity(config);
    case 'cookie':
      return createCookieIdentity(config);
    case 'login':
      return createLoginIdentity(config);
    case 'oauth2':
      return createOAuth2Identity(config);
  }
}

/**
 * The configured identities, in order. Names must be unique. Anonymous is not added: a request
 * without an identity is anonymous, so every scan has it.
 */
export function createIdentities(configs: readonly IdentityConfig[]): Identity[] {
  const seen = new Set<string>();
  return configs.map((config) => {
    if (seen.has(config.name)) throw new ConfigError(`two identities are named '${config.name}'`, { hint: 'identity names must be unique' });
    seen.add(config.name);
    return createIdentity(config);
  });
}
