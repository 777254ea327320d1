/**
 * An identity that holds an OAuth 2.0 access token from the client-credentials (RFC 6749 §4.4)
 * or password (§4.3) grant. Token requests are form-encoded (§3.2) and the client authenticates
 * with HTTP Basic by default (§2.3.1) or in the body. The token is renewed before `expires_in`
 * runs out, or after a 401: with the refresh token when the server gave one (§6), else by a new
 * grant.
 *
 * @example
 * ```ts
 * const service = createOAuth2Identity({
 *   kind: 'oauth2', name: 'service', grant: 'client_credentials',
 *   tokenUrl: 'https://id.example.com/oauth/token', clientId: 'scanner', clientSecret: secret,
 * });
 * ```
 */
import type { Exchange } from '../exchange.ts';
import type { CredentialResponse, ScanClient } from '../http/client.ts';
import type { OutgoingRequest, SendRequest } from '../http/request.ts';
import type { OAuth2IdentityConfig } from './config.ts';
import { credentialFailure, isSuccess } from './failure.ts';
import type { Identity, Role } from './identity.ts';
import { place } from './placement.ts';
import type { Grant } from './session.ts';
import { jwtExpiry, Session } from './session.ts';

interface TokenResponse {
  access_token?: unknown;
  expires_in?: unknown;
  refresh_token?: unknown;
  error?: unknown;
  error_description?: unknown;
}

/** RFC 6749 §2.3.1: each part is form-encoded before the pair is base64-encoded. */
function basicCredentials(clientId: string, clientSecret: string): string {
  const encode = (value: string) => new URLSearchParams({ v: value }).toString().slice(2);
  return Buffer.from(`${encode(clientId)}:${encode(clientSecret)}`).toString('base64');
}

function tokenError(json: unknown): string | undefined {
  const { error, error_description: description } = (json ?? {}) as TokenResponse;
  if (typeof error !== 'string') return undefined;
  return typeof description === 'string' ? `${error}: ${description}` : error;
}

class OAuth2Identity implements Identity {
  readonly name: string;
  readonly role: Role | undefined;
  readonly owns: Readonly<Record<string, readonly string[]>> | undefined;
  readonly #config: OAuth2IdentityConfig;
  readonly #session: Session;
  readonly #secrets: Set<string>;

  constructor(config: OAuth2IdentityConfig) {
    this.name = config.name;
    this.role = config.role;
    this.owns = config.owns;
    this.#config = config;
    this.#session = new Session((client, previous) => this.#obtain(client, previous), config.refreshBefore);
    const { clientId, clientSecret } = config;
    this.#secrets = new Set([
      ...(clientSecret === undefined ? [] : [clientSecret, basicCredentials(clientId, clientSecret)]),
      ...(config.grant === 'password' ? [config.password] : []),
    ]);
  }

  authenticate(client: ScanClient): Promise<void> {
    return this.#session.ensure(client);
  }

  apply(request: OutgoingRequest): OutgoingRequest {
    const token = this.#session.grant?.token;
    return token === undefined ? request : place(request, { as: 'bearer' }, token);
  }

  secrets(): readonly string[] {
    return [...this.#secrets];
  }

  onUnauthorized(client: ScanClient, refused?: OutgoingRequest): Promise<boolean> {
    return this.#session.renewAfterRefusal(client, refused);
  }

  async #obtain(client: ScanClient, previous: Grant | undefined): Promise<Grant> {
    const refreshToken = previous?.refreshToken;
    if (refreshToken !== undefined) {
      // A refused refresh token (expired, revoked) is no failure yet: the grant itself may work.
      const { grant } = await this.#tokenRequest(client, { grant_type: 'refresh_token', refresh_token: refreshToken });
      // RFC 6749 §6: without a new refresh token, the old one stays valid.
      if (grant !== undefined) return { ...grant, refreshToken: grant.refreshToken ?? refreshToken };
    }
    const config = this.#config;
    const parameters: Record<string, string> =
      config.grant === 'password' ? { grant_type: 'password', username: config.username, password: config.password } : { grant_type: 'client_credentials' };
    if (config.scope !== undefined) parameters.scope = config.scope;
    const { grant, exchange } = await this.#tokenRequest(client, { ...config.params, ...parameters });
    if (grant !== undefined) return grant;
    const problem = exchange.response !== undefined && isSuccess(exchange.response.status) ? 'no access_token in the response' : tokenError(exchange.response?.json);
    const credentials = config.grant === 'password' ? 'clientId, clientSecret, username and password' : 'clientId and clientSecret';
    throw credentialFailure(this.name, 'token request', exchange, problem, `check ${credentials}, and tokenUrl, of identity '${this.name}'`);
  }

  async #tokenRequest(client: ScanClient, parameters: Record<string, string>): Promise<{ grant: Grant | undefined; exchange: Exchange }> {
    const { tokenUrl, clientId, clientSecret, clientAuth = 'client_secret_basic' } = this.#config;
    const form = { ...parameters };
    const headers: Record<string, string> = { accept: 'application/json' };
    if (clientSecret !== undefined && clientAuth === 'client_secret_basic') headers.authorization = `Basic ${basicCredentials(clientId, clientSecret)}`;
    else {
      form.client_id = clientId;
      if (clientSecret !== undefined) form.client_secret = clientSecret;
    }
    const target = /^https?:\/\//i.test(tokenUrl) ? { url: tokenUrl } : { path: tokenUrl };
    const request: SendRequest = { method: 'POST', ...target, form, headers };
    let grant: Grant | undefined;
    const exchange = await client.sendCredentialRequest(this, request, (response) => {
      grant = this.#grantFrom(response, client.clock.now());
    });
    return { grant, exchange };
  }

  #grantFrom(response: CredentialResponse, now: number): Grant | undefined {
    if (!isSuccess(response.status)) return undefined;
    const { access_token: token, expires_in: expiresIn, refresh_token: refreshToken } = (response.json ?? {}) as TokenResponse;
    if (typeof token !== 'string' || token === '') return undefined;
    // Known before the exchange is recorded, so that the recorded response has them redacted.
    this.#secrets.add(token);
    if (typeof refreshToken === 'string') this.#secrets.add(refreshToken);
    const lifetime = typeof expiresIn === 'number' ? expiresIn : typeof expiresIn === 'string' ? Number(expiresIn) : Number.NaN;
    return {
      token,
      obtainedAt: now,
      expiresAt: Number.isFinite(lifetime) && lifetime > 0 ? now + lifetime * 1000 : jwtExpiry(token),
      refreshToken: typeof refreshToken === 'string' ? refreshToken : undefined,
    };
  }
}

export function createOAuth2Identity(config: OAuth2IdentityConfig): Identity {
  return new OAuth2Identity(config);
}
