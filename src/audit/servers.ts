/**
 * The servers a description names, and where each is, as far as its URL tells: the caller's own
 * machine, a private network, the internet, or unknown (a relative URL, or a host made of
 * variables). "Private" is a promise about callers; only an internal address keeps outsiders away.
 */
import { isIP } from 'node:net';
import type { ApiModel, Operation, Server } from '../core/model.ts';

/** A server, and the operation that declares it; undefined for the document's own servers. */
export interface ServerSite {
  readonly server: Server;
  readonly operation: Operation | undefined;
}

/**
 * The document's servers, then those that operations (or their path items) declare for
 * themselves, each once.
 *
 * @example
 * ```ts
 * for (const { server, operation } of serverSites(api, api.operations)) console.log(server.url, operation?.id ?? 'API-wide');
 * ```
 */
export function serverSites(api: ApiModel, operations: readonly Operation[]): ServerSite[] {
  const seen = new Set<string>();
  const sites: ServerSite[] = [];
  const add = (server: Server, operation: Operation | undefined): void => {
    const key = `${server.location?.file ?? ''}\u0000${server.location?.pointer ?? ''}\u0000${server.url}`;
    if (seen.has(key)) return;
    seen.add(key);
    sites.push({ server, operation });
  };
  for (const server of api.servers) add(server, undefined);
  for (const operation of operations) for (const server of operation.servers) add(server, operation);
  return sites;
}

export type ServerReach = 'loopback' | 'internal' | 'public' | 'unknown';

/** Suffixes that only resolve inside an organisation (RFC 6762 `.local`, RFC 8375 `.home.arpa`, and the usual private zones). */
const INTERNAL_SUFFIXES = ['.internal', '.local', '.localdomain', '.lan', '.corp', '.intranet', '.private', '.home.arpa', '.svc'];
/** Labels that name an internal zone inside an otherwise public domain (`api.internal.example.com`). */
const INTERNAL_LABELS: ReadonlySet<string> = new Set(['internal', 'intranet', 'corp']);

/**
 * @example
 * ```ts
 * serverReach('https://api.onepeloton.com'); // 'public'
 * serverReach('http://10.0.3.7:8080');        // 'internal'
 * serverReach('http://127.0.0.1:8080');       // 'loopback'
 * serverReach('/api/v2');                     // 'unknown'
 * ```
 */
export function serverReach(url: string): ServerReach {
  const host = hostOf(url);
  if (host === undefined) return 'unknown';
  if (host === 'localhost' || host.endsWith('.localhost')) return 'loopback';
  const ipVersion = isIP(host);
  if (ipVersion === 4) return ipv4Reach(host);
  if (ipVersion === 6) return ipv6Reach(host);
  if (!host.includes('.')) return 'internal';
  if (INTERNAL_SUFFIXES.some((suffix) => host.endsWith(suffix))) return 'internal';
  return host.split('.').some((label) => INTERNAL_LABELS.has(label)) ? 'internal' : 'public';
}

/**
 * Whether the URL is plain HTTP (no TLS).
 *
 * @example
 * ```ts
 * isPlainHttp('http://api.example.com'); // true
 * ```
 */
export function isPlainHttp(url: string): boolean {
  return /^http:\/\//i.test(url.trim());
}

/** The lower-case host of an absolute URL; undefined when relative or when variables make it up. */
function hostOf(url: string): string | undefined {
  const match = /^[a-z][a-z0-9+.-]*:\/\/(?:[^@/?#]*@)?(\[[^\]]*\]|[^:/?#]*)/i.exec(url.trim());
  const host = match?.[1]?.toLowerCase();
  if (host === undefined || host === '' || host.includes('{')) return undefined;
  return host.startsWith('[') ? host.slice(1, -1) : host;
}

function ipv4Reach(address: string): ServerReach {
  const [a = 0, b = 0] = address.split('.').map(Number);
  if (a === 127 || a === 0) return 'loopback';
  const isPrivate = a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 169 && b === 254) || (a === 100 && b >= 64 && b <= 127);
  return isPrivate ? 'internal' : 'public';
}

function ipv6Reach(address: string): ServerReach {
  if (address === '::1' || address === '::') return 'loopback';
  return /^f[cd]|^fe[89ab]/i.test(address) ? 'internal' : 'public';
}
