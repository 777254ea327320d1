/**
 * Identities as configured: plain data, as read from `leakproof.yaml` (after `${ENV}`
 * substitution), one shape per kind. `identitiesSchema` (in `schema.ts`) validates the same shapes.
 *
 * @example
 * ```yaml
 * identities:
 *   - name: alice
 *     kind: login
 *     owns: { user: [a1b2c3] }
 *     request: { path: /auth/login, json: { username: alice, password: '${ALICE_PASSWORD}' } }
 *     token: { from: json, path: $.token }
 *   - name: partner
 *     kind: apiKey
 *     in: header
 *     parameter: X-API-Key
 *     value: '${PARTNER_KEY}'
 * ```
 */
import type { Role } from './identity.ts';

interface IdentityConfigBase {
  /** Unique in the scan; letters, digits, `_`, `.` and `-`. */
  name: string;
  role?: Role | undefined;
  /** Object ids the identity owns, by kind: `{ user: ['a1b2'] }`. */
  owns?: Readonly<Record<string, readonly string[]>> | undefined;
}

/** No credentials at all. */
export interface AnonymousIdentityConfig extends IdentityConfigBase {
  kind: 'anonymous';
}

/** A static token sent as `Authorization: Bearer <token>`. */
export interface BearerIdentityConfig extends IdentityConfigBase {
  kind: 'bearer';
  token: string;
}

/** A static API key in a header or a query parameter. */
export interface ApiKeyIdentityConfig extends IdentityConfigBase {
  kind: 'apiKey';
  in: 'header' | 'query';
  /** The header or query parameter name, e.g. `X-API-Key` or `api_key`. */
  parameter: string;
  value: string;
}

/** A static session cookie: a name and value, or a whole `Cookie` header. */
export type CookieIdentityConfig = IdentityConfigBase & { kind: 'cookie' } & (
    | { cookie: string; value: string; header?: undefined }
    | { header: string; cookie?: undefined; value?: undefined }
  );

/** Where a login response carries the token. */
export type TokenSource =
  /** A JSON path into the response body, e.g. `$.token` or `$.data.access_token`. */
  | { from: 'json'; path: string }
  | { from: 'header'; header: string }
  | { from: 'cookie'; cookie: string };

/** How requests carry a token. */
export type TokenPlacement =
  | { as: 'bearer' }
  /** `header: <scheme> <token>`, or the bare token without a scheme. */
  | { as: 'header'; header: string; scheme?: string | undefined }
  | { as: 'cookie'; cookie: string }
  | { as: 'query'; parameter: string };

export interface LoginRequestConfig {
  /** Default POST. */
  method?: 'POST' | 'PUT' | 'GET' | undefined;
  /** Joined to the target's base URL; or give `url`. */
  path?: string | undefined;
  url?: string | undefined;
  json?: unknown;
  form?: Readonly<Record<string, string>> | undefined;
  headers?: Readonly<Record<string, string>> | undefined;
}

/** Logs in with a configured request and uses the token it answers with. */
export interface LoginIdentityConfig extends IdentityConfigBase {
  kind: 'login';
  request: LoginRequestConfig;
  token: TokenSource;
  /** Default: bearer, or the same cookie when the token comes from a cookie. */
  use?: TokenPlacement | undefined;
  /** Token lifetime in seconds, when the token is not a JWT with `exp`. */
  expiresIn?: number | undefined;
  /** Log in again this many seconds before the token expires. Default 30. */
  refreshBefore?: number | undefined;
  /**
   * Fields of the login body whose values are secrets, besides those named like one (password,
   * secret, token, key, pin, otp, code).
   */
  secretFields?: readonly string[] | undefined;
}

interface OAuth2ConfigBase extends IdentityConfigBase {
  kind: 'oauth2';
  /** The token endpoint: a URL, or a path joined to the target's base URL. */
  tokenUrl: string;
  clientId: string;
  clientSecret?: string | undefined;
  /** How the client authenticates to the token endpoint (RFC 6749 §2.3.1). Default `client_secret_basic`. */
  clientAuth?: 'client_secret_basic' | 'client_secret_post' | undefined;
  /** Space-separated scopes. */
  scope?: string | undefined;
  /** More form parameters for the token request, e.g. `audience`. */
  params?: Readonly<Record<string, string>> | undefined;
  /** Renew this many seconds before the token expires. Default 30. */
  refreshBefore?: number | undefined;
}

/** OAuth 2.0 client-credentials grant (RFC 6749 §4.4). */
export interface OAuth2ClientCredentialsConfig extends OAuth2ConfigBase {
  grant: 'client_credentials';
}

/** OAuth 2.0 resource-owner password grant (RFC 6749 §4.3). */
export interface OAuth2PasswordConfig extends OAuth2ConfigBase {
  grant: 'password';
  username: string;
  password: string;
}

export type OAuth2IdentityConfig = OAuth2ClientCredentialsConfig | OAuth2PasswordConfig;

export type IdentityConfig =
  | AnonymousIdentityConfig
  | BearerIdentityConfig
  | ApiKeyIdentityConfig
  | CookieIdentityConfig
  | LoginIdentityConfig
  | OAuth2IdentityConfig;

export type IdentityKind = IdentityConfig['kind'];

export const IDENTITY_KINDS = ['anonymous', 'bearer', 'apiKey', 'cookie', 'login', 'oauth2'] as const satisfies readonly IdentityKind[];

/** Identity names: safe in file names, report ids and shell variable names. */
export const IDENTITY_NAME_PATTERN = '^[A-Za-z][A-Za-z0-9_.-]{0,63}$';
