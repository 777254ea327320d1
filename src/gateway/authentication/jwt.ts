/**
 * Bearer JWTs: jose's `jwtVerify` against the issuer's keys, with the algorithm allow-list (which
 * jose checks before it looks for a key, so `none` and HS256-with-the-public-key never get one),
 * the issuer, the audience, clock tolerance, and `exp` and `sub` required.
 */
import { jwtVerify } from 'jose';
import type { JWTVerifyGetKey, JWTVerifyOptions } from 'jose';
import type { JwtConfig } from './config.ts';
import { DEFAULT_CLOCK_TOLERANCE_SECONDS } from './config.ts';
import type { Authentication } from './principal.ts';
import { accept, refuse } from './principal.ts';
import { reasonForRefusal } from './refusal.ts';
import { rolesFrom } from './roles.ts';

/**
 * Verifies tokens with the keys `resolveKey` finds. The returned function never rejects.
 *
 * @example
 * const verify = createJwtVerifier({ issuer: 'https://id.example.com', algorithms: ['ES256'], rolesClaim: 'roles' }, keys.resolve);
 * const authentication = await verify(token); // { ok: true, principal: { kind: 'jwt', sub: 'u-alice', roles: ['rider'], … } }
 */
export function createJwtVerifier(config: JwtConfig, resolveKey: JWTVerifyGetKey): (token: string) => Promise<Authentication> {
  const options: JWTVerifyOptions = {
    algorithms: [...config.algorithms],
    issuer: config.issuer,
    clockTolerance: config.clockToleranceSeconds ?? DEFAULT_CLOCK_TOLERANCE_SECONDS,
    requiredClaims: ['exp', 'sub'],
    ...(config.audience === undefined ? {} : { audience: config.audience }),
  };
  return async (token) => {
    try {
      const { payload } = await jwtVerify(token, resolveKey, options);
      // jose checks that "sub" is there, not what it is; policies compare it with ids.
      if (typeof payload.sub !== 'string' || payload.sub === '') return refuse('the token\'s "sub" claim is not a non-empty string');
      return accept({ authenticated: true, kind: 'jwt', sub: payload.sub, roles: rolesFrom(payload, config.rolesClaim), claims: payload });
    } catch (error) {
      return refuse(reasonForRefusal(error));
    }
  };
}
