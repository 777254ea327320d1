/**
 * Bearer JWTs: jose's `jwtVerify` against the issuer's keys, with the algorithm allow-list (which
 * jose checks before it looks for a key, so `none` and HS256-with-the-public-key never get one),
 * the issuer, the audience, clock tolerance, and `exp` and `sub` required. A token that passed is
 * remembered until its `exp` (verified-tokens.ts), for as long as the keys that verified it are
 * the issuer's current ones.
 */
import { jwtVerify } from 'jose';
import type { JWTVerifyGetKey, JWTVerifyOptions } from 'jose';
import type { JwtConfig } from './config.ts';
import { DEFAULT_CLOCK_TOLERANCE_SECONDS } from './config.ts';
import type { Authentication } from './principal.ts';
import { accept, refuse } from './principal.ts';
import { reasonForRefusal } from './refusal.ts';
import { rolesFrom } from './roles.ts';
import { createVerifiedTokens } from './verified-tokens.ts';

/** The issuer's keys as the verifier needs them (key-set.ts). */
export interface VerificationKeys {
  readonly resolve: JWTVerifyGetKey;
  /** Changes whenever the keys do: a token is trusted without a check only under the keys that checked it. */
  readonly generation: number;
  /** False once the keys are due to be fetched again; until the next check fetches them, nothing is taken on trust. */
  readonly fresh: boolean;
}

export interface JwtVerifierOptions {
  /** Verified tokens remembered at most. Default 10 000; 0 verifies every request's token. */
  verifiedTokens?: number | undefined;
  /** Milliseconds since the epoch; for tests. */
  now?: (() => number) | undefined;
}

export const DEFAULT_VERIFIED_TOKENS = 10_000;

/**
 * Verifies tokens with the keys `keys` finds. The returned function never rejects.
 *
 * @example
 * const verify = createJwtVerifier({ issuer: 'https://id.example.com', algorithms: ['ES256'], rolesClaim: 'roles' }, keys);
 * const authentication = await verify(token); // { ok: true, principal: { kind: 'jwt', sub: 'u-alice', roles: ['rider'], … } }
 */
export function createJwtVerifier(config: JwtConfig, keys: VerificationKeys, options: JwtVerifierOptions = {}): (token: string) => Authentication | Promise<Authentication> {
  const toleranceSeconds = config.clockToleranceSeconds ?? DEFAULT_CLOCK_TOLERANCE_SECONDS;
  const verifyOptions: JWTVerifyOptions = {
    algorithms: [...config.algorithms],
    issuer: config.issuer,
    clockTolerance: toleranceSeconds,
    requiredClaims: ['exp', 'sub'],
    ...(config.audience === undefined ? {} : { audience: config.audience }),
  };
  const now = options.now ?? Date.now;
  // jose reads its own clock unless told otherwise; a test's clock must reach it too.
  const optionsAt = options.now === undefined ? (): JWTVerifyOptions => verifyOptions : (): JWTVerifyOptions => ({ ...verifyOptions, currentDate: new Date(now()) });
  const tokens = createVerifiedTokens({ capacity: options.verifiedTokens ?? DEFAULT_VERIFIED_TOKENS, toleranceSeconds });
  let trustedGeneration = keys.generation;
  const verify = async (token: string): Promise<Authentication> => {
    const generation = keys.generation;
    try {
      const { payload } = await jwtVerify(token, keys.resolve, optionsAt());
      // jose checks that "sub" is there, not what it is; policies compare it with ids.
      if (typeof payload.sub !== 'string' || payload.sub === '') return refuse('the token\'s "sub" claim is not a non-empty string');
      const principal = { authenticated: true, kind: 'jwt' as const, sub: payload.sub, roles: rolesFrom(payload, config.rolesClaim), claims: payload };
      // Keys that changed while this token was checked may no longer hold the one that signed it.
      if (keys.generation === generation) tokens.remember(token, { principal, notBefore: payload.nbf, expires: payload.exp ?? 0 });
      return accept({ ...principal });
    } catch (error) {
      return refuse(reasonForRefusal(error));
    }
  };
  return (token) => {
    if (keys.generation !== trustedGeneration) {
      tokens.clear();
      trustedGeneration = keys.generation;
    }
    const known = keys.fresh ? tokens.recall(token, Math.floor(now() / 1000)) : undefined;
    return known === undefined ? verify(token) : accept(known);
  };
}
