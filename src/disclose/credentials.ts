/**
 * Secrets the tracker hands out or accepts: staff passwords (scrypt, from `node:crypto`, with a
 * salt and cost stored next to each hash), and bearer tokens (sessions, API tokens, reporters'
 * tracking links), of which only a SHA-256 hash is ever stored.
 */
import { createHash, randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';

const scryptAsync = promisify(scrypt) as (password: string, salt: Buffer, keylen: number, options: { N: number; r: number; p: number; maxmem: number }) => Promise<Buffer>;

/** OWASP's recommended scrypt cost for interactive logins (N=2^17, r=8, p=1). */
const COST = { N: 2 ** 17, r: 8, p: 1 };
const KEY_BYTES = 32;

/** At least this long: a passphrase, not a PIN. */
export const MIN_PASSWORD_LENGTH = 12;
/** Beyond this, hashing becomes a denial of service, and no one types it. */
export const MAX_PASSWORD_LENGTH = 1024;

/** `scrypt$N$r$p$salt$hash`, base64url. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scryptAsync(password, salt, KEY_BYTES, { ...COST, maxmem: 256 * COST.N * COST.r });
  return ['scrypt', COST.N, COST.r, COST.p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

/** Constant-time comparison against a stored hash; false for anything malformed. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, key] = stored.split('$');
  if (scheme !== 'scrypt' || !n || !r || !p || salt === undefined || key === undefined || password.length > MAX_PASSWORD_LENGTH) return false;
  const expected = Buffer.from(key, 'base64url');
  const cost = { N: Number(n), r: Number(r), p: Number(p) };
  const actual = await scryptAsync(password, Buffer.from(salt, 'base64url'), expected.length, { ...cost, maxmem: 256 * cost.N * cost.r });
  return timingSafeEqual(actual, expected);
}

/** A fresh bearer token: 256 random bits. */
export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

/** A password handed out once (the first admin's, a reset one): 144 random bits, 24 characters. */
export function newPassword(): string {
  return newToken().slice(0, 24);
}

/** What is stored of a token. */
export function tokenHash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** A password hash to compare against when no account matches, so that timing does not tell. */
export const DECOY_HASH = 'scrypt$131072$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
