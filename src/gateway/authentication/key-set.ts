/**
 * The issuer's signing keys: jose's remote JWKS (cached; fetched again for an unknown `kid`, at
 * most once per cooldown, so a flood of made-up kids cannot turn into a flood of fetches), loaded
 * once at start so that a wrong URL stops the gateway instead of refusing every caller.
 */
import { createRemoteJWKSet, customFetch, errors, jwksCache } from 'jose';
import type { JSONWebKeySet, JWTVerifyGetKey } from 'jose';
import { AuthenticationSetupError } from './errors.ts';
import type { FetchLimits } from './fetch.ts';
import { describeFetchFailure, fetchOk } from './fetch.ts';

/** The keys could not be fetched, so the token could not be checked: the request is refused. */
export class KeySetUnavailable extends Error {}

export interface KeySetOptions extends FetchLimits {
  /** How soon after a fetch an unknown `kid` may cause another, in milliseconds. */
  readonly cooldownMs: number;
}

export interface KeySet {
  /** For `jwtVerify`: the key for a token's `alg` and `kid`; rejects with `KeySetUnavailable` when the JWKS cannot be fetched. */
  readonly resolve: JWTVerifyGetKey;
  /** Fetches the keys now; rejects with `AuthenticationSetupError` naming the URL. */
  load(): Promise<void>;
  /** Counts the key sets taken into use: it changes the moment new keys replace the old ones. */
  readonly generation: number;
  /** False once the keys are older than jose's cache age and the next token would fetch them again. */
  readonly fresh: boolean;
}

/**
 * Where jose stores each key set it fetched, at the moment it starts using it: writing `jwks`
 * here is the one signal that the keys changed. It starts empty (and stale), so jose ignores it.
 */
class KeyGenerations {
  uat = 0;
  generation = 0;
  #jwks: JSONWebKeySet = { keys: [] };

  get jwks(): JSONWebKeySet {
    return this.#jwks;
  }

  set jwks(value: JSONWebKeySet) {
    this.#jwks = value;
    this.generation += 1;
  }
}

/** Errors about the token's choice of key, as opposed to failures to get the keys at all. */
const KEY_SELECTION_ERRORS: ReadonlySet<string> = new Set([
  errors.JWKSNoMatchingKey.code,
  errors.JWKSMultipleMatchingKeys.code,
  errors.JOSENotSupported.code,
]);

/**
 * A remote JWKS, not fetched until `load()` or the first token.
 *
 * @example
 * const keys = createKeySet(new URL('https://id.example.com/jwks.json'), { timeoutMs: 5000, cooldownMs: 30_000, signal });
 * await keys.load();
 * await jwtVerify(token, keys.resolve, { algorithms: ['ES256'] });
 */
export function createKeySet(url: URL, options: KeySetOptions): KeySet {
  const generations = new KeyGenerations();
  const remote = createRemoteJWKSet(url, {
    timeoutDuration: options.timeoutMs,
    cooldownDuration: options.cooldownMs,
    [jwksCache]: generations,
    [customFetch]: (resource, init) => fetchOk(resource, { headers: init.headers, signal: AbortSignal.any([init.signal, options.signal]) }),
  });
  return {
    get generation() {
      return generations.generation;
    },
    get fresh() {
      return remote.fresh;
    },
    async resolve(header, token) {
      try {
        return await remote(header, token);
      } catch (error) {
        if (error instanceof errors.JOSEError && KEY_SELECTION_ERRORS.has(error.code)) throw error;
        const problem = describeFetchFailure(error, options.timeoutMs);
        throw new KeySetUnavailable(`the JWKS at ${url.href} is unavailable (${problem}): failing closed`, { cause: error });
      }
    },
    async load() {
      try {
        await remote.reload();
      } catch (error) {
        throw new AuthenticationSetupError(`could not load the JSON Web Key Set at ${url.href}: ${describeFetchFailure(error, options.timeoutMs)}`, {
          hint: 'check gateway.authentication.jwt.jwksUrl (or the issuer\'s discovery document), and that the identity provider is up',
          cause: error,
        });
      }
      if (remote.jwks()?.keys.length === 0) throw new AuthenticationSetupError(`the JSON Web Key Set at ${url.href} has no keys`, { hint: 'no token could ever be verified with it' });
    },
  };
}
