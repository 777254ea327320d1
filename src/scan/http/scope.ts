/**
 * Which hosts the scan may touch. Checked on every request before a socket is opened, so that a
 * redirect, a link in a response or a typo in a configured URL can never send traffic elsewhere.
 * Host names are compared as written: no DNS look-up, so `localhost` and `127.0.0.1` differ.
 */
import { ScopeError } from './errors.ts';

interface ScopeEntry {
  /** Lower-case host name, IPv6 addresses in brackets; `*.example.com` matches subdomains only. */
  host: string;
  /** Undefined: any port. */
  port: string | undefined;
}

const DEFAULT_PORTS: Readonly<Record<string, string>> = { 'http:': '80', 'https:': '443' };

function portOf(url: URL): string {
  return url.port === '' ? (DEFAULT_PORTS[url.protocol] ?? '') : url.port;
}

function parseEntry(entry: string): ScopeEntry {
  const trimmed = entry.trim().toLowerCase();
  // URL parsing normalises IPv6 and IDN hosts the same way request URLs are normalised.
  const wildcard = trimmed.startsWith('*.');
  let parsed: URL;
  try {
    parsed = new URL(`http://${wildcard ? trimmed.slice(2) : trimmed}`);
  } catch {
    throw new ScopeError(`scope entry '${entry}' is not a host or host:port`, { hint: 'write entries as api.example.com or api.example.com:8443' });
  }
  if (parsed.pathname !== '/' || parsed.search !== '' || parsed.username !== '') {
    throw new ScopeError(`scope entry '${entry}' is not a host or host:port`, { hint: 'write entries as api.example.com or api.example.com:8443' });
  }
  const explicitPort = /:\d+$/.test(trimmed);
  return { host: wildcard ? `*.${parsed.hostname}` : parsed.hostname, port: explicitPort ? (parsed.port === '' ? '80' : parsed.port) : undefined };
}

function hostMatches(pattern: string, host: string): boolean {
  return pattern.startsWith('*.') ? host.endsWith(pattern.slice(1)) : pattern === host;
}

export class Scope {
  readonly #entries: readonly ScopeEntry[];

  /** With no entries, the scope is the target's own host and port. */
  constructor(target: URL, entries: readonly string[] | undefined) {
    this.#entries = entries === undefined || entries.length === 0 ? [{ host: target.hostname, port: portOf(target) }] : entries.map(parseEntry);
  }

  allows(url: URL): boolean {
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return false;
    const port = portOf(url);
    return this.#entries.some((entry) => hostMatches(entry.host, url.hostname) && (entry.port === undefined || entry.port === port));
  }

  /** Throws a `ScopeError` naming the host and the scope when `url` is outside it. */
  check(url: URL): void {
    if (this.allows(url)) return;
    throw new ScopeError(`${url.protocol}//${url.host} is outside the scan's scope (${this.toString()}): nothing was sent`, {
      hint: `add '${url.host}' to scope if this host belongs to the target`,
    });
  }

  toString(): string {
    return this.#entries.map((entry) => (entry.port === undefined ? entry.host : `${entry.host}:${entry.port}`)).join(', ');
  }
}
