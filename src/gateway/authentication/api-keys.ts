/**
 * Static API keys, kept as SHA-256 hashes so that a leaked configuration leaks no key. A plain
 * hash (not a slow password hash) is enough because keys are long random strings, not passwords:
 * there is nothing to guess.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { ConfigError } from '../../core/errors.ts';
import type { ApiKeyConfig, ApiKeysConfig } from './config.ts';
import type { Authentication } from './principal.ts';
import { accept, refuse } from './principal.ts';

const PREFIX = 'sha256:';
const HASH = /^sha256:[0-9a-f]{64}$/;

function digestOf(key: string): Buffer {
  return createHash('sha256').update(key, 'utf8').digest();
}

/**
 * The hash of an API key as the configuration stores it.
 *
 * @example
 * hashApiKey('test'); // 'sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08'
 */
export function hashApiKey(key: string): string {
  return `${PREFIX}${digestOf(key).toString('hex')}`;
}

/**
 * Checks presented keys against the configured hashes. Every configured hash is compared, in
 * constant time, whichever matches: the time taken tells nothing about which key came close.
 * Throws `ConfigError` for a hash that is not `sha256:<64 hex>`, and when two entries hold the
 * same key, since the caller's name would then depend on their order.
 *
 * @example
 * const verify = createApiKeyVerifier({ keys: [{ name: 'partner-a', hash: hashApiKey(key), roles: ['partner'] }] });
 * verify(key); // { ok: true, principal: { kind: 'apiKey', sub: 'partner-a', roles: ['partner'], … } }
 */
export function createApiKeyVerifier(config: ApiKeysConfig): (key: string) => Authentication {
  const entries = config.keys.map((entry) => ({ entry, digest: Buffer.from(entry.hash.slice(PREFIX.length), 'hex') }));
  const owners = new Map<string, string>();
  for (const { entry } of entries) {
    if (!HASH.test(entry.hash)) throw new ConfigError(`gateway.authentication.apiKeys: the hash of "${entry.name}" is not sha256:<64 hex digits>`, { hint: 'store hashApiKey(key), never the key itself' });
    const owner = owners.get(entry.hash);
    if (owner !== undefined) throw new ConfigError(`gateway.authentication.apiKeys: the keys of "${owner}" and "${entry.name}" are the same key`);
    owners.set(entry.hash, entry.name);
  }
  return (key) => {
    const digest = digestOf(key);
    let match: ApiKeyConfig | undefined;
    for (const { entry, digest: expected } of entries) {
      if (timingSafeEqual(expected, digest) && match === undefined) match = entry;
    }
    if (match === undefined) return refuse('the API key is unknown');
    return accept({ authenticated: true, kind: 'apiKey', sub: match.name, roles: [...(match.roles ?? [])], claims: {} });
  };
}
