/**
 * The `gateway.authentication` section: how callers prove who they are.
 *
 * @example
 * ```yaml
 * authentication:
 *   jwt:
 *     issuer: https://id.example.com        # its OIDC discovery document names the JWKS
 *     audience: my-api
 *     algorithms: [ES256, RS256]
 *     rolesClaim: roles
 *   apiKeys:
 *     keys: [{ name: partner-a, hash: "sha256:9f86d0…", roles: [partner] }]
 *   anonymous: true
 * ```
 */

/**
 * Asymmetric JWS algorithms only. Keys come from a JWKS, which publishes public keys: an HMAC
 * (HS*) "key" taken from it would let anyone who can read it sign tokens, and `none` signs nothing.
 */
export const JWT_ALGORITHMS = ['ES256', 'ES384', 'ES512', 'RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'EdDSA', 'Ed25519'] as const;
export type JwtAlgorithm = (typeof JWT_ALGORITHMS)[number];

export interface JwtConfig {
  /** Where the signing keys are; without it, OIDC discovery from `issuer` finds them. */
  jwksUrl?: string | undefined;
  /** The `iss` every token must carry. */
  issuer: string;
  /** The `aud` every token must carry, when set. */
  audience?: string | undefined;
  algorithms: readonly JwtAlgorithm[];
  /** Leeway for `exp` and `nbf` against clocks that disagree. Default 30. */
  clockToleranceSeconds?: number | undefined;
  /** The claim holding the caller's roles: a list, or a string of space-separated roles. */
  rolesClaim?: string | undefined;
}

export interface ApiKeyConfig {
  /** Becomes the principal's `sub`; two keys may share a name while one replaces the other. */
  name: string;
  /** `sha256:<64 hex>`, from `hashApiKey`: the key itself is never stored. */
  hash: string;
  roles?: readonly string[] | undefined;
}

export interface ApiKeysConfig {
  /** Lower case. Default `x-api-key`. */
  header?: string | undefined;
  keys: readonly ApiKeyConfig[];
}

export interface AuthenticationConfig {
  jwt?: JwtConfig | undefined;
  apiKeys?: ApiKeysConfig | undefined;
  /** Whether a request without credentials gets the anonymous principal. Default true. */
  anonymous?: boolean | undefined;
}

export const DEFAULT_CLOCK_TOLERANCE_SECONDS = 30;
export const DEFAULT_API_KEY_HEADER = 'x-api-key';
