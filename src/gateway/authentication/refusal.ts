/**
 * Why a token was refused, in words for the gateway's log. jose's errors carry stable codes; the
 * reasons name the rule the token broke, never the token's own values (which an attacker chose).
 */
import { errors } from 'jose';
import { KeySetUnavailable } from './key-set.ts';

/** What a failed check of each claim means. */
const CLAIM_CHECKS: Readonly<Record<string, string>> = {
  exp: 'the token has expired',
  nbf: 'the token is not valid yet (nbf)',
  iss: 'the token comes from another issuer',
  aud: 'the token is meant for another audience',
};

function claimReason(error: errors.JWTClaimValidationFailed): string {
  if (error.reason === 'missing') return `the token has no "${error.claim}" claim`;
  if (error.reason === 'check_failed') return CLAIM_CHECKS[error.claim] ?? `the token's "${error.claim}" claim was refused`;
  return `the token's "${error.claim}" claim is malformed`;
}

const REASONS: Readonly<Record<string, string>> = {
  [errors.JWTExpired.code]: 'the token has expired',
  [errors.JOSEAlgNotAllowed.code]: 'the token\'s algorithm is not in the allow-list',
  [errors.JWSSignatureVerificationFailed.code]: 'the token\'s signature does not verify',
  [errors.JWKSNoMatchingKey.code]: 'no key of the JWKS matches the token\'s kid and alg',
  [errors.JWKSMultipleMatchingKeys.code]: 'several keys of the JWKS match a token without a kid',
  [errors.JOSENotSupported.code]: 'the token\'s algorithm is not supported for JWKS keys',
  [errors.JWSInvalid.code]: 'the token is not a well-formed JWS',
  [errors.JWTInvalid.code]: 'the token is not a well-formed JWT',
};

/**
 * The log reason for whatever `jwtVerify` (or the key set) threw.
 *
 * @example
 * reasonForRefusal(new errors.JWTExpired('"exp" claim timestamp check failed', {})); // 'the token has expired'
 */
export function reasonForRefusal(error: unknown): string {
  if (error instanceof KeySetUnavailable) return error.message;
  if (error instanceof errors.JWTClaimValidationFailed) return claimReason(error);
  if (error instanceof errors.JOSEError) return REASONS[error.code] ?? `the token was refused (${error.code})`;
  return `the token could not be verified (${error instanceof Error ? error.name : 'unknown error'})`;
}
