/**
 * Secrets never leave the client: every exchange is redacted before anyone sees it. Redacted are
 * credential headers (keeping the scheme, `Bearer [REDACTED]`, and cookie names, `sid=[REDACTED]`,
 * which checks and readers need), credential-like query parameters and URL passwords, and every
 * known secret value (identities' tokens, passwords, keys) wherever it appears, in the request or
 * the response. A credential found in the request (a header, a cookie, a query token) counts as
 * a known secret for the whole exchange, so that a server echoing it back does not leak it.
 */
import type { Exchange, ExchangeRequest, ExchangeResponse } from '../exchange.ts';

export const REDACTED = '[REDACTED]';

/** Headers whose whole value is a credential. */
const SECRET_HEADERS = ['x-api-key', 'api-key', 'apikey', 'x-auth-token', 'x-access-token', 'x-csrf-token', 'x-xsrf-token'];
/** Headers of the form `scheme credentials`. */
const AUTHORIZATION_HEADERS = new Set(['authorization', 'proxy-authorization']);

/** Query parameter names that carry credentials (compared lower-case, `-` read as `_`). */
const SECRET_PARAMETER =
  /^(access_?token|id_?token|refresh_?token|token|auth(_?token)?|api_?key|apikey|key|secret|client_?secret|password|passwd|pwd|session(_?id)?|sid|jwt|sig|signature|code)$/;

/** Shorter values would be redacted inside unrelated words. */
const MIN_SECRET_LENGTH = 4;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function redactCookiePairs(value: string, separator: RegExp): string {
  return value
    .split(separator)
    .map((pair) => {
      const equals = pair.indexOf('=');
      return equals === -1 ? REDACTED : `${pair.slice(0, equals + 1)}${REDACTED}`;
    })
    .join('; ');
}

/** `sid=abc; Path=/; HttpOnly` → `sid=[REDACTED]; Path=/; HttpOnly`: the flags are evidence. */
function redactSetCookie(value: string): string {
  const [pair = '', ...attributes] = value.split(';');
  const equals = pair.indexOf('=');
  const redacted = equals === -1 ? REDACTED : `${pair.slice(0, equals + 1).trim()}${REDACTED}`;
  return [redacted, ...attributes.map((attribute) => attribute.trim())].join('; ');
}

/** A malformed escape is judged as written. */
function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text;
  }
}

function isSecretParameter(name: string): boolean {
  return SECRET_PARAMETER.test(safeDecode(name).toLowerCase().replace(/-/g, '_'));
}

/** Response headers holding a URL, whose query may carry a token (a redirect after login). */
const URL_HEADERS = new Set(['location', 'content-location', 'refresh']);

function redactQueryIn(value: string): string {
  const start = value.indexOf('?');
  if (start === -1) return value;
  const end = value.indexOf('#', start);
  const search = end === -1 ? value.slice(start) : value.slice(start, end);
  return `${value.slice(0, start)}${redactQuery(search)}${end === -1 ? '' : value.slice(end)}`;
}

/** Works on the query text, so that the marker stays `[REDACTED]` rather than `%5BREDACTED%5D`. */
function redactQuery(search: string): string {
  if (search.length <= 1) return search;
  const pairs = search
    .slice(1)
    .split('&')
    .map((pair) => {
      const equals = pair.indexOf('=');
      if (equals === -1) return pair;
      return isSecretParameter(pair.slice(0, equals)) ? `${pair.slice(0, equals + 1)}${REDACTED}` : pair;
    });
  return `?${pairs.join('&')}`;
}

/** Whether a URL may carry a credential: in its query, or as a password before an `@`. */
function mayCarryCredentials(href: string): boolean {
  return href.includes('?') || href.includes('@');
}

export function redactUrl(href: string): string {
  if (!mayCarryCredentials(href)) return href;
  const url = new URL(href);
  const search = redactQuery(url.search);
  if (url.password !== '') url.password = 'REDACTED';
  url.search = '';
  const hash = url.hash;
  url.hash = '';
  return `${url.href.replace(':REDACTED@', `:${REDACTED}@`)}${search}${hash}`;
}

function authorizationCredentials(value: string): string {
  return /^[A-Za-z][A-Za-z0-9_-]* +(.+)$/.exec(value)?.[1] ?? value;
}

function cookieValues(value: string): string[] {
  return value.split(/;\s*/).map((pair) => pair.slice(pair.indexOf('=') + 1));
}

function secretQueryValues(url: URL): string[] {
  return [...url.searchParams].filter(([name]) => isSecretParameter(name)).map(([, value]) => value);
}

export interface RedactorOptions {
  /** More header names whose values are credentials (an API's own key header). */
  secretHeaders?: readonly string[] | undefined;
}

function sameStrings(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((value, index) => value === b[index]);
}

export class Redactor {
  readonly #secretHeaders: ReadonlySet<string>;
  /** The last secrets and their pattern: from one exchange to the next they hardly ever change. */
  #last: { secrets: readonly string[]; pattern: RegExp | undefined } = { secrets: [], pattern: undefined };

  constructor(options: RedactorOptions = {}) {
    this.#secretHeaders = new Set([...SECRET_HEADERS, ...(options.secretHeaders ?? []).map((name) => name.toLowerCase())]);
  }

  /** The exchange with every secret replaced by `[REDACTED]`: those given, and those its request carried. */
  exchange(exchange: Exchange, secrets: readonly string[]): Exchange {
    // A request nearly always carries its identity's own, known secret: leaving it out keeps the
    // set, and so its pattern, the same from one exchange to the next.
    const carried = this.#carried(exchange.request).filter((value) => value.length >= MIN_SECRET_LENGTH && !secrets.includes(value));
    const pattern = this.#pattern(carried.length === 0 ? secrets : [...secrets, ...carried]);
    return {
      ...exchange,
      request: this.#request(exchange.request, pattern),
      response: exchange.response === undefined ? undefined : this.#response(exchange.response, pattern),
    };
  }

  #pattern(secrets: readonly string[]): RegExp | undefined {
    if (sameStrings(secrets, this.#last.secrets)) return this.#last.pattern;
    const pattern = secretPattern(secrets);
    this.#last = { secrets: [...secrets], pattern };
    return pattern;
  }

  /** The credentials a request carries, found by where they stand rather than by value. */
  #carried(request: ExchangeRequest): string[] {
    const found: string[] = [];
    if (mayCarryCredentials(request.url)) {
      const url = new URL(request.url);
      found.push(...secretQueryValues(url), safeDecode(url.password));
    }
    for (const name in request.headers) {
      const value = request.headers[name] ?? '';
      if (AUTHORIZATION_HEADERS.has(name)) found.push(authorizationCredentials(value));
      else if (name === 'cookie') found.push(...cookieValues(value));
      else if (this.#secretHeaders.has(name)) found.push(value);
    }
    return found;
  }

  #request(request: ExchangeRequest, pattern: RegExp | undefined): ExchangeRequest {
    const headers: Record<string, string> = {};
    for (const name in request.headers) headers[name] = this.#requestHeader(name, request.headers[name] ?? '', pattern);
    return {
      method: request.method,
      url: redactValues(redactUrl(request.url), pattern),
      headers,
      body: request.body === undefined ? undefined : redactValues(request.body, pattern),
    };
  }

  /** `response.headers['set-cookie']` holds one cookie per line (as received); they come out joined with ", ". */
  #response(response: ExchangeResponse, pattern: RegExp | undefined): ExchangeResponse {
    const headers: Record<string, string> = {};
    for (const name in response.headers) {
      const value = response.headers[name] ?? '';
      if (name === 'set-cookie') headers[name] = value.split(/\n/).map(redactSetCookie).join(', ');
      else headers[name] = this.#responseHeader(name, URL_HEADERS.has(name) ? redactQueryIn(value) : value, pattern);
    }
    const text = redactValues(response.text, pattern);
    if (pattern === undefined || text === response.text) return { ...response, headers };
    return { ...response, headers, text, json: redactJson(response.json, pattern) };
  }

  #requestHeader(name: string, value: string, pattern: RegExp | undefined): string {
    if (AUTHORIZATION_HEADERS.has(name)) {
      const scheme = /^([A-Za-z][A-Za-z0-9_-]*) +\S/.exec(value)?.[1];
      return scheme === undefined ? REDACTED : `${scheme} ${REDACTED}`;
    }
    if (name === 'cookie') return redactCookiePairs(value, /;\s*/);
    return this.#responseHeader(name, value, pattern);
  }

  #responseHeader(name: string, value: string, pattern: RegExp | undefined): string {
    return this.#secretHeaders.has(name) ? REDACTED : redactValues(value, pattern);
  }
}

/** Replaces every occurrence of every secret the pattern stands for. */
function redactValues(text: string, pattern: RegExp | undefined): string {
  return pattern === undefined ? text : text.replace(pattern, REDACTED);
}

/**
 * Patterns by set of secrets: the set changes only when an identity renews its credentials, while
 * every header and body of every exchange is redacted with it. Cleared past a few sets, so that
 * renewals over a long scan cannot grow it.
 */
const patterns = new Map<string, RegExp | undefined>();
const MAX_CACHED_PATTERNS = 64;

function secretPattern(secrets: readonly string[]): RegExp | undefined {
  const key = secrets.join('\u0000');
  if (patterns.has(key)) return patterns.get(key);
  if (patterns.size >= MAX_CACHED_PATTERNS) patterns.clear();
  const pattern = compileSecretPattern(secrets);
  patterns.set(key, pattern);
  return pattern;
}

function compileSecretPattern(secrets: readonly string[]): RegExp | undefined {
  const forms = new Set<string>();
  for (const secret of secrets) {
    if (secret.length < MIN_SECRET_LENGTH) continue;
    forms.add(secret);
    forms.add(encodeURIComponent(secret));
    forms.add(new URLSearchParams({ v: secret }).toString().slice(2));
    forms.add(JSON.stringify(secret).slice(1, -1));
  }
  if (forms.size === 0) return undefined;
  // Longest first, so that a secret containing another is replaced whole.
  return new RegExp([...forms].sort((a, b) => b.length - a.length).map(escapeRegExp).join('|'), 'g');
}

function redactJson(value: unknown, pattern: RegExp): unknown {
  if (typeof value === 'string') return value.replace(pattern, REDACTED);
  if (Array.isArray(value)) return value.map((item: unknown) => redactJson(item, pattern));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key.replace(pattern, REDACTED), redactJson(item, pattern)]));
  }
  return value;
}
