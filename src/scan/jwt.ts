/**
 * JSON Web Tokens the scan's identities hold: forged variants a careful server rejects, and an
 * offline guess of HS256 secrets from a short list (no request is sent to guess).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** Secrets found in tutorials, defaults and leaked configurations. */
export const WEAK_SECRETS: readonly string[] = [
  'secret', 'secretkey', 'secret-key', 'secret_key', 'mysecret', 'my-secret', 'supersecret', 'super-secret', 'jwt', 'jwtsecret',
  'jwt-secret', 'jwt_secret', 'your-256-bit-secret', 'your_jwt_secret', 'changeme', 'change-me', 'changeit', 'password', 'passw0rd',
  'admin', 'default', 'key', 'private', 'token', 'test', 'testing', 'dev', 'development', 'qwerty', '123456', '12345678',
  'letmein', 'shhhhh', 'keyboard cat', 'hs256', 'HS256', 's3cr3t', 'Secret', 'SECRET', 'example',
];

export interface DecodedJwt {
  token: string;
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
  /** `header.payload`, what the signature signs. */
  signingInput: string;
  signature: string;
}

/** The token as a JWT (JWS compact form with JSON header and payload), or undefined. */
export function decodeJwt(token: string): DecodedJwt | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  const [header, payload, signature] = parts as [string, string, string];
  try {
    const decoded = { header: JSON.parse(Buffer.from(header, 'base64url').toString('utf8')) as unknown, payload: JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as unknown };
    if (!isRecord(decoded.header) || !isRecord(decoded.payload) || typeof decoded.header.alg !== 'string') return undefined;
    return { token, header: decoded.header, payload: decoded.payload, signingInput: `${header}.${payload}`, signature };
  } catch {
    return undefined;
  }
}

export type Forgery = 'alg-none' | 'stripped-signature' | 'expired';

/** Variants a server must refuse: unsigned (`alg: none`), signature removed, and (given the secret) expired. */
export function forgeries(jwt: DecodedJwt, secret?: string): { kind: Forgery; token: string }[] {
  const encode = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
  const forged: { kind: Forgery; token: string }[] = [
    { kind: 'alg-none', token: `${encode({ ...jwt.header, alg: 'none' })}.${jwt.signingInput.split('.')[1] ?? ''}.` },
    { kind: 'stripped-signature', token: `${jwt.signingInput}.` },
  ];
  if (secret !== undefined && jwt.header.alg === 'HS256') {
    const now = Math.floor(Date.now() / 1000);
    const input = `${encode(jwt.header)}.${encode({ ...jwt.payload, iat: now - 7200, exp: now - 3600 })}`;
    forged.push({ kind: 'expired', token: `${input}.${hmac(secret, input)}` });
  }
  return forged;
}

/** The HS256 secret of `jwt` if it is one of `candidates`. */
export function guessSecret(jwt: DecodedJwt, candidates: readonly string[] = WEAK_SECRETS): string | undefined {
  if (jwt.header.alg !== 'HS256') return undefined;
  const expected = Buffer.from(jwt.signature, 'base64url');
  return candidates.find((candidate) => {
    const actual = Buffer.from(hmac(candidate, jwt.signingInput), 'base64url');
    return actual.length === expected.length && timingSafeEqual(actual, expected);
  });
}

function hmac(secret: string, input: string): string {
  return createHmac('sha256', secret).update(input).digest('base64url');
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
