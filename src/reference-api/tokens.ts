/**
 * Session tokens: ES256 JWTs whose subject is the person's id, signed with a key pair generated
 * for each instance. A token from another instance (or signed by anyone else) is refused, and the
 * public key is published as a JWKS, the way an identity provider lets a gateway verify its tokens.
 */
import { SignJWT, calculateJwkThumbprint, exportJWK, generateKeyPair, jwtVerify } from 'jose';
import type { JSONWebKeySet } from 'jose';

const TOKEN_ISSUER = 'leakproof-reference-api';
const TOKEN_ALGORITHM = 'ES256';
const LIFETIME_SECONDS = 60 * 60;

export interface TokenIssuer {
  issue(personId: string): Promise<string>;
  /** The person id the token was issued to, or `undefined` when it is invalid or expired. */
  verify(token: string): Promise<string | undefined>;
  /** The public key that verifies this instance's tokens, as served at `/.well-known/jwks.json`. */
  readonly keySet: JSONWebKeySet;
}

/**
 * A token issuer with a fresh key pair. `now` returns milliseconds since the epoch; tests move it
 * to expire tokens.
 *
 * @example
 * const tokens = await createTokenIssuer(Date.now);
 * const token = await tokens.issue('u-alice');
 * await tokens.verify(token); // 'u-alice'
 */
export async function createTokenIssuer(now: () => number): Promise<TokenIssuer> {
  const { privateKey, publicKey } = await generateKeyPair(TOKEN_ALGORITHM);
  const publicJwk = await exportJWK(publicKey);
  // The RFC 7638 thumbprint names the key by its content: two instances never share a kid.
  const kid = await calculateJwkThumbprint(publicJwk);
  const keySet: JSONWebKeySet = { keys: [{ ...publicJwk, kid, alg: TOKEN_ALGORITHM, use: 'sig' }] };
  return {
    keySet,
    async issue(personId) {
      const issuedAt = Math.floor(now() / 1000);
      return new SignJWT({})
        .setProtectedHeader({ alg: TOKEN_ALGORITHM, typ: 'JWT', kid })
        .setIssuer(TOKEN_ISSUER)
        .setSubject(personId)
        .setIssuedAt(issuedAt)
        .setExpirationTime(issuedAt + LIFETIME_SECONDS)
        .sign(privateKey);
    },
    async verify(token) {
      try {
        const { payload } = await jwtVerify(token, publicKey, {
          algorithms: [TOKEN_ALGORITHM],
          issuer: TOKEN_ISSUER,
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
