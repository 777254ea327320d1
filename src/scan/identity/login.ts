/**
 * An identity that logs in with a configured request, the way the app does: it takes the token
 * from the response (a JSON path, a header or a cookie), sends it with every request, and logs in
 * again shortly before the token expires (a JWT's `exp`, or the configured lifetime) or after a
 * 401 with it.
 *
 * @example
 * ```ts
 * const alice = createLoginIdentity({
 *   kind: 'login', name: 'alice',
 *   request: { path: '/auth/login', json: { username: 'alice', password: process.env.ALICE_PASSWORD } },
 *   token: { from: 'json', path: '$.token' },
 * });
 * ```
 */
import { JSONPath } from 'jsonpath-plus';
import { ConfigError } from '../../core/errors.ts';
import type { CredentialResponse, ScanClient } from '../http/client.ts';
import type { OutgoingRequest, SendRequest } from '../http/request.ts';
import type { LoginIdentityConfig, TokenPlacement, TokenSource } from './config.ts';
import { credentialFailure, isSuccess } from './failure.ts';
import type { Identity, Role } from './identity.ts';
import { place } from './placement.ts';
import type { Grant } from './session.ts';
import { jwtExpiry, Session } from './session.ts';

/** Body fields whose values are secrets whatever the configuration says. */
const SECRET_FIELD = /pass|secret|token|key|pin|otp|code|credential/i;
const SECRET_HEADER = /authorization|cookie|key|token|secret/i;

function loginRequest(config: LoginIdentityConfig): SendRequest {
  const { request } = config;
  const fields = { method: request.method ?? 'POST', json: request.json, form: request.form, headers: request.headers };
  if (request.url !== undefined && request.path === undefined) return { ...fields, url: request.url };
  if (request.path !== undefined && request.url === undefined) return { ...fields, path: request.path };
  throw new ConfigError(`identity '${config.name}': the login request needs either a path or a url`);
}

/** The string values under secret-looking (or named) keys, anywhere in the body. */
function bodySecrets(value: unknown, named: ReadonlySet<string>, underSecret = false): string[] {
  if (typeof value === 'string') return underSecret ? [value] : [];
  if (Array.isArray(value)) return value.flatMap((item: unknown) => bodySecrets(item, named, underSecret));
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, item]) => bodySecrets(item, named, underSecret || SECRET_FIELD.test(key) || named.has(key)));
}

function configuredSecrets(config: LoginIdentityConfig): string[] {
  const named = new Set(config.secretFields ?? []);
  const { json, form, headers = {} } = config.request;
  const fromHeaders = Object.entries(headers)
    .filter(([name]) => SECRET_HEADER.test(name))
    .flatMap(([, value]) => [value, value.replace(/^\S+ +/, '')]);
  return [...bodySecrets(json, named), ...bodySecrets(form, named), ...fromHeaders];
}

function cookieValue(setCookies: readonly string[], name: string): string | undefined {
  for (const line of setCookies) {
    const pair = line.split(';', 1)[0] ?? '';
    const equals = pair.indexOf('=');
    if (equals !== -1 && pair.slice(0, equals).trim() === name) return pair.slice(equals + 1).trim();
  }
  return undefined;
}

function extractToken(source: TokenSource, response: CredentialResponse): string | undefined {
  switch (source.from) {
    case 'json': {
      if (response.json === undefined) return undefined;
      // eval: false — the path comes from a configuration file, and is a path, not a script.
      const found: unknown = JSONPath({ path: source.path, json: response.json as object, wrap: true, eval: false });
      const first: unknown = Array.isArray(found) ? found[0] : undefined;
      return typeof first === 'string' && first !== '' ? first : typeof first === 'number' ? String(first) : undefined;
    }
    case 'header': {
      const value = response.headers[source.header.toLowerCase()];
      return value?.replace(/^Bearer +/i, '') || undefined;
    }
    case 'cookie':
      return cookieValue(response.setCookies, source.cookie) || undefined;
  }
}

function describeSource(source: TokenSource): string {
  if (source.from === 'json') return `no token at ${source.path} in the response`;
  if (source.from === 'header') return `no ${source.header} header in the response`;
  return `no ${source.cookie} cookie set by the response`;
}

class LoginIdentity implements Identity {
  readonly name: string;
  readonly role: Role | undefined;
  readonly owns: Readonly<Record<string, readonly string[]>> | undefined;
  readonly #config: LoginIdentityConfig;
  readonly #request: SendRequest;
  readonly #placement: TokenPlacement;
  readonly #session: Session;
  /** Configured secrets and every token obtained so far. */
  readonly #secrets: Set<string>;

  constructor(config: LoginIdentityConfig) {
    this.name = config.name;
    this.role = config.role;
    this.owns = config.owns;
    this.#config = config;
    this.#request = loginRequest(config);
    this.#placement = config.use ?? (config.token.from === 'cookie' ? { as: 'cookie', cookie: config.token.cookie } : { as: 'bearer' });
    this.#session = new Session((client) => this.#login(client), config.refreshBefore);
    this.#secrets = new Set(configuredSecrets(config));
  }

  authenticate(client: ScanClient): Promise<void> {
    return this.#session.ensure(client);
  }

  apply(request: OutgoingRequest): OutgoingRequest {
    const token = this.#session.grant?.token;
    return token === undefined ? request : place(request, this.#placement, token);
  }

  secrets(): readonly string[] {
    return [...this.#secrets];
  }

  onUnauthorized(client: ScanClient, refused?: OutgoingRequest): Promise<boolean> {
    return this.#session.renewAfterRefusal(client, refused);
  }

  async #login(client: ScanClient): Promise<Grant> {
    let token: string | undefined;
    const exchange = await client.sendCredentialRequest(this, this.#request, (response) => {
      if (!isSuccess(response.status)) return;
      token = extractToken(this.#config.token, response);
      // Known before the exchange is recorded, so that the recorded response has it redacted.
      if (token !== undefined) this.#secrets.add(token);
    });
    if (token === undefined) {
      const answered = exchange.response !== undefined && isSuccess(exchange.response.status);
      throw credentialFailure(this.name, 'login', exchange, answered ? describeSource(this.#config.token) : undefined, answered ? `check token in the configuration of identity '${this.name}'` : `check the credentials configured for identity '${this.name}'`);
    }
    const now = client.clock.now();
    const { expiresIn } = this.#config;
    return { token, obtainedAt: now, expiresAt: jwtExpiry(token) ?? (expiresIn === undefined ? undefined : now + expiresIn * 1000) };
  }
}

export function createLoginIdentity(config: LoginIdentityConfig): Identity {
  return new LoginIdentity(config);
}
