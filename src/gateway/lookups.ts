/**
 * Related data a policy needs and the answer does not carry, such as who follows a private
 * profile: a GET to the upstream, its answer narrowed by a JSONPath, cached for a while. In CEL a
 * lookup is a function of one key: `principal.sub in followers(resource.id)`.
 *
 * A lookup asks either as the caller (their credentials, so it can never see more than they
 * could) or as nobody. A lookup that fails throws, and the condition that needed it is false.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { createHash } from 'node:crypto';
import { JSONPath } from 'jsonpath-plus';
import type { Lookup } from './expression.ts';
import type { Upstream } from './upstream.ts';

export interface LookupConfig {
  /** Path on the upstream with one `{...}` placeholder for the key, e.g. `/api/user/{id}/followers`. */
  path: string;
  /** JSONPath into the answer, e.g. `$.data[*].id`; a list of matches. */
  select: string;
  cacheSeconds: number;
  as: 'caller' | 'anonymous';
}

/** The credentials of the request being decided, for lookups made as the caller. */
export const callerCredentials = new AsyncLocalStorage<{ authorization: string | undefined }>();

const MAX_ENTRIES = 10_000;

/**
 * @example
 * ```ts
 * const lookups = createLookups({ followers: { path: '/api/user/{id}/followers', select: '$.data[*].id', cacheSeconds: 30, as: 'caller' } }, upstream);
 * const cel = createExpressionCompiler(lookups);
 * ```
 */
export function createLookups(configs: Readonly<Record<string, LookupConfig>>, upstream: Upstream, now: () => number = Date.now): Record<string, Lookup> {
  const lookups: Record<string, Lookup> = {};
  for (const [name, config] of Object.entries(configs)) {
    const cache = new Map<string, { expires: number; value: unknown }>();
    lookups[name] = async (key) => {
      const authorization = config.as === 'caller' ? callerCredentials.getStore()?.authorization : undefined;
      const cacheKey = `${key}\u0000${authorization === undefined ? '' : createHash('sha256').update(authorization).digest('base64')}`;
      const hit = cache.get(cacheKey);
      if (hit && hit.expires > now()) return hit.value;
      const path = config.path.replace(/\{[^{}]+\}/, encodeURIComponent(key));
      const answer = await upstream.get(path, authorization === undefined ? {} : { authorization });
      if (answer.status < 200 || answer.status > 299) throw new Error(`lookup ${name} got HTTP ${answer.status} from ${path}`);
      const value: unknown = JSONPath({ path: config.select, json: answer.json as object, wrap: true });
      if (cache.size >= MAX_ENTRIES) cache.delete(cache.keys().next().value ?? '');
      cache.set(cacheKey, { expires: now() + config.cacheSeconds * 1000, value });
      return value;
    };
  }
  return lookups;
}
