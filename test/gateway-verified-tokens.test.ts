/**
 * The gateway remembers the bearer tokens it verified, so that a caller's every request does not
 * pay for a signature check: but never for longer than checking again would accept the token.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { SignJWT, generateKeyPair } from 'jose';
import type { CryptoKey, JWTVerifyGetKey } from 'jose';
import type { JwtConfig } from '../src/gateway/authentication/config.ts';
import type { VerificationKeys } from '../src/gateway/authentication/jwt.ts';
import { createJwtVerifier } from '../src/gateway/authentication/jwt.ts';
import type { Authentication } from '../src/gateway/authentication/principal.ts';

const ISSUER = 'https://id.example';
const CONFIG: JwtConfig = { issuer: ISSUER, algorithms: ['ES256'], rolesClaim: 'roles', clockToleranceSeconds: 0 };

/** Keys that count how often a signature was checked, and can be changed or go stale. */
class CountingKeys implements VerificationKeys {
  checks = 0;
  generation = 0;
  fresh = true;
  readonly #key: () => CryptoKey;

  constructor(key: () => CryptoKey) {
    this.#key = key;
  }

  readonly resolve: JWTVerifyGetKey = () => {
    this.checks += 1;
    return this.#key();
  };
}

function accepted(authentication: Authentication): void {
  assert.ok(authentication.ok, authentication.ok ? '' : authentication.reason);
}

describe('a verified token is remembered until its exp, under the keys that verified it', () => {
  let privateKey: CryptoKey;
  let publicKey: CryptoKey;
  let clock = Date.parse('2026-11-25T06:00:00Z');
  const seconds = (): number => Math.floor(clock / 1000);
  const token = (claims: { sub?: string; exp?: number; nbf?: number } = {}): Promise<string> => new SignJWT({ roles: ['rider'], ...claims })
    .setProtectedHeader({ alg: 'ES256' }).setIssuer(ISSUER).setSubject(claims.sub ?? 'u-alice').setExpirationTime(claims.exp ?? seconds() + 600).sign(privateKey);
  const verifier = (keys: VerificationKeys, verifiedTokens?: number): ReturnType<typeof createJwtVerifier> => createJwtVerifier(CONFIG, keys, { now: () => clock, verifiedTokens });

  before(async () => {
    ({ privateKey, publicKey } = await generateKeyPair('ES256'));
  });

  it('the signature of a token is checked once, however many requests carry it', async () => {
    const keys = new CountingKeys(() => publicKey);
    const verify = verifier(keys);
    const jwt = await token();
    for (let i = 0; i < 5; i += 1) accepted(await verify(jwt));
    assert.equal(keys.checks, 1);
  });

  it('each request gets a principal of its own, whose roles and claims cannot be changed', async () => {
    const verify = verifier(new CountingKeys(() => publicKey));
    const jwt = await token();
    const first = await verify(jwt);
    const second = await verify(jwt);
    assert.ok(first.ok && second.ok);
    assert.notEqual(first.principal, second.principal);
    first.principal.sub = 'u-mallory';
    assert.equal(second.principal.sub, 'u-alice');
    assert.throws(() => { second.principal.roles.push('admin'); }, TypeError);
    assert.throws(() => { second.principal.claims.sub = 'u-mallory'; }, TypeError);
  });

  it('a remembered token is refused once it has expired, as a checked one would be', async () => {
    const keys = new CountingKeys(() => publicKey);
    const verify = verifier(keys);
    const jwt = await token({ exp: seconds() + 60 });
    accepted(await verify(jwt));
    clock += 60_000;
    const late = await verify(jwt);
    assert.ok(!late.ok);
    assert.match(late.reason, /expired/);
    clock -= 60_000;
  });

  it('a token is not taken on trust before its nbf', async () => {
    const verify = verifier(new CountingKeys(() => publicKey));
    const jwt = await token({ nbf: seconds() - 1 });
    accepted(await verify(jwt));
    clock -= 10_000;
    const early = await verify(jwt);
    assert.ok(!early.ok);
    assert.match(early.reason, /not valid yet/);
    clock += 10_000;
  });

  it('when the keys change, every token is checked again: a withdrawn key stops verifying at once', async () => {
    let current = publicKey;
    const keys = new CountingKeys(() => current);
    const verify = verifier(keys);
    const jwt = await token();
    accepted(await verify(jwt));
    current = (await generateKeyPair('ES256')).publicKey;
    keys.generation += 1;
    const refused = await verify(jwt);
    assert.ok(!refused.ok);
    assert.match(refused.reason, /signature does not verify/);
    assert.equal(keys.checks, 2);
  });

  it('keys due to be fetched again are not relied on: the token is checked, which fetches them', async () => {
    const keys = new CountingKeys(() => publicKey);
    const verify = verifier(keys);
    const jwt = await token();
    accepted(await verify(jwt));
    keys.fresh = false;
    accepted(await verify(jwt));
    assert.equal(keys.checks, 2);
  });

  it('refused tokens are never remembered', async () => {
    const keys = new CountingKeys(() => publicKey);
    const verify = verifier(keys);
    const forged = `${(await token()).slice(0, -4)}AAAA`;
    for (let i = 0; i < 3; i += 1) assert.ok(!(await verify(forged)).ok);
    assert.equal(keys.checks, 3);
  });

  it('at most the configured number of tokens is remembered, the oldest forgotten first', async () => {
    const keys = new CountingKeys(() => publicKey);
    const verify = verifier(keys, 2);
    const [first = '', second = '', third = ''] = await Promise.all(['u-a', 'u-b', 'u-c'].map((sub) => token({ sub })));
    for (const jwt of [first, second, third]) accepted(await verify(jwt));
    assert.equal(keys.checks, 3);
    accepted(await verify(third));
    assert.equal(keys.checks, 3, 'the newest is remembered');
    accepted(await verify(first));
    assert.equal(keys.checks, 4, 'the oldest was forgotten');
  });

  it('with verifiedTokens: 0, every request is checked', async () => {
    const keys = new CountingKeys(() => publicKey);
    const verify = verifier(keys, 0);
    const jwt = await token();
    for (let i = 0; i < 3; i += 1) accepted(await verify(jwt));
    assert.equal(keys.checks, 3);
  });
});
