/**
 * Who is calling, as the gateway's policies see it, and the outcome of finding out. A refusal
 * carries a reason for the gateway's own log only: the client gets a bare 401, so that an attacker
 * learns nothing about which check a forged credential failed.
 */
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';

export interface Principal {
  /** `false` only for the anonymous principal. */
  authenticated: boolean;
  kind: 'anonymous' | 'jwt' | 'apiKey';
  /** The JWT's `sub`, the API key's configured name, or `'anonymous'`. */
  sub: string;
  /** From the configured roles claim (JWT) or the key's configuration; `[]` for anonymous. */
  roles: string[];
  /** The verified JWT payload; `{}` for API keys and anonymous. */
  claims: Record<string, unknown>;
}

export type Authentication =
  | { readonly ok: true; readonly principal: Principal }
  /** `reason` is for logs only and never sent to the client; it never repeats the credential. */
  | { readonly ok: false; readonly status: 401; readonly reason: string };

/**
 * A request's headers: `request.headers`, or better `request.headersDistinct`, in which a repeated
 * `Authorization` header stays visible (node:http keeps only the first one in `request.headers`).
 */
export type RequestHeaders = IncomingHttpHeaders | IncomingMessage['headersDistinct'];

export interface Authenticator {
  /** Never rejects: every bad credential, and every failure to check one, is a 401. */
  authenticate(headers: RequestHeaders): Promise<Authentication>;
  /** Aborts key-set fetches in flight; afterwards every request is refused. */
  close(): void;
}

/**
 * The caller who sent no credentials, when the configuration lets them in. A new object each
 * time, so that nothing one request does to its principal reaches another request.
 *
 * @example
 * const principal = anonymousPrincipal(); // { authenticated: false, kind: 'anonymous', sub: 'anonymous', roles: [], claims: {} }
 */
export function anonymousPrincipal(): Principal {
  return { authenticated: false, kind: 'anonymous', sub: 'anonymous', roles: [], claims: {} };
}

/**
 * A 401 with a reason for the log.
 *
 * @example
 * return refuse('the bearer token has expired');
 */
export function refuse(reason: string): Authentication {
  return { ok: false, status: 401, reason };
}

/**
 * A successful authentication.
 *
 * @example
 * return accept({ authenticated: true, kind: 'apiKey', sub: 'partner-a', roles: ['partner'], claims: {} });
 */
export function accept(principal: Principal): Authentication {
  return { ok: true, principal };
}
