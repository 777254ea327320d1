/**
 * Session tokens: HS256 JWTs whose subject is the person's id. The secret is drawn afresh for each
 * instance, so a token from one instance (or one signed by anyone else) is refused by another.
 */
import { randomBytes } from 'node:crypto';
import { SignJWT, jwtVerify } from 'jose';

const ISSUER = 'leakproof-reference-api';
const LIFETIME_SECONDS = 60 * 60;

export interface TokenIssuer {
  issue(personId: string): Promise<string>;
  /** The person id the token was issued to, or `undefined` when it is invalid or expired. */
  verify(token: string): Promise<string | undefined>;
}

/** `now` returns milliseconds since the epoch; tests move it to expire tokens. */
export function createTokenIssuer(now: () => number): TokenIssuer {
  const secret = new Uint8Array(randomBytes(32));
  return {
    async issue(personId) {
      const issuedAt = Math.floor(now() / 1000);
      return new SignJWT({})
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .setIssuer(ISSUER)
        .setSubject(personId)
        .setIssuedAt(issuedAt)
        .setExpirationTime(issuedAt + LIFETIME_SECONDS)
        .sign(secret);
    },
    async verify(token) {
      try {
        const { payload } = await jwtVerify(token, secret, {
          algorithms: ['HS256'],
          issuer: ISSUER,
          currentDate: new Date(now()),
          requiredClaims: ['sub', 'exp'],
        });
        return payload.sub;
      } catch {
        return undefined;
      }
    },
  };
}
