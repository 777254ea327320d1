/**
 * JSON Schema (draft-07) of the `gateway.authentication` section, strict for ajv, for the gateway
 * section's validation and editors' completion.
 *
 * @example
 * ```ts
 * const validate = new Ajv({ allErrors: true, strict: true }).compile(authenticationSchema);
 * if (!validate(section.authentication)) console.log(validate.errors);
 * ```
 */
import { DEFAULT_API_KEY_HEADER, DEFAULT_CLOCK_TOLERANCE_SECONDS, JWT_ALGORITHMS } from './config.ts';

const TEXT = { type: 'string', minLength: 1 } as const;
const HTTP_URL = { type: 'string', pattern: '^https?://[^\\s/?#]+' } as const;
const ROLES = { type: 'array', items: TEXT, uniqueItems: true } as const;

const jwtSchema = {
  type: 'object',
  description: 'Bearer JWTs, verified against the keys of a JWKS (given, or found by OIDC discovery from the issuer).',
  additionalProperties: false,
  required: ['issuer', 'algorithms'],
  properties: {
    jwksUrl: { ...HTTP_URL, description: 'URL of the JSON Web Key Set. Without it, GET {issuer}/.well-known/openid-configuration names it.' },
    issuer: { ...TEXT, description: 'The "iss" every token must carry.' },
    audience: { ...TEXT, description: 'The "aud" every token must carry, when set.' },
    algorithms: {
      type: 'array',
      minItems: 1,
      uniqueItems: true,
      items: { enum: JWT_ALGORITHMS },
      description: `Accepted signature algorithms: ${JWT_ALGORITHMS.join(', ')}. Never none, never HS* (a JWKS publishes public keys).`,
    },
    clockToleranceSeconds: { type: 'integer', minimum: 0, maximum: 300, description: `Leeway for exp and nbf, in seconds. Default ${DEFAULT_CLOCK_TOLERANCE_SECONDS}.` },
    rolesClaim: { ...TEXT, description: 'The claim holding the roles: a list of strings, or one string of space-separated roles.' },
  },
  // OIDC discovery appends a path to the issuer, so without a JWKS URL the issuer must be one.
  if: { not: { properties: { jwksUrl: HTTP_URL }, required: ['jwksUrl'] } },
  then: { type: 'object', properties: { issuer: { ...HTTP_URL, description: 'The issuer URL that OIDC discovery starts from.' } } },
} as const;

const apiKeysSchema = {
  type: 'object',
  description: 'Static API keys, stored as SHA-256 hashes only.',
  additionalProperties: false,
  required: ['keys'],
  properties: {
    header: {
      type: 'string',
      pattern: '^[a-z0-9][a-z0-9-]*$',
      not: { enum: ['authorization', 'cookie', 'host'] },
      description: `The header carrying the key, in lower case. Default ${DEFAULT_API_KEY_HEADER}.`,
    },
    keys: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'hash'],
        properties: {
          name: { ...TEXT, description: 'Who holds the key; the principal\'s sub.' },
          hash: { type: 'string', pattern: '^sha256:[0-9a-f]{64}$', description: 'sha256:<hex> of the key (leakproof\'s hashApiKey); never the key itself.' },
          roles: ROLES,
        },
      },
    },
  },
} as const;

export const authenticationSchema = {
  type: 'object',
  description: 'Who is calling: bearer JWTs, API keys, or nobody.',
  additionalProperties: false,
  properties: {
    jwt: jwtSchema,
    apiKeys: apiKeysSchema,
    anonymous: { type: 'boolean', description: 'Whether a request without credentials gets the anonymous principal (the policies decide what it may do). Default true.' },
  },
} as const;
