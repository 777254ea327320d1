/**
 * Requests as the scan describes them (`SendRequest`: a path under the target, a query, a body)
 * and as they go on the wire (`OutgoingRequest`: a full URL, final headers, the body as text).
 * Identities add their credentials to an `OutgoingRequest`, never in place.
 */
import type { HttpMethod } from '../../core/model.ts';
import type { Identity } from '../identity/identity.ts';

export type QueryValue = string | number | boolean;

interface SendRequestFields {
  method: HttpMethod;
  /** Appended to the URL's query; arrays repeat the name (`?id=1&id=2`). */
  query?: Readonly<Record<string, QueryValue | readonly QueryValue[] | undefined>> | undefined;
  /** Extra headers; names are case-insensitive. */
  headers?: Readonly<Record<string, string>> | undefined;
  /** Sent as JSON (`content-type: application/json` unless given). */
  json?: unknown;
  /** Sent form-encoded (`application/x-www-form-urlencoded`). */
  form?: Readonly<Record<string, string>> | undefined;
  /** Sent as is. */
  body?: string | undefined;
  /** Who sends it; anonymous when undefined. */
  identity?: Identity | undefined;
  /** The operation in the API model; `allowOperations` names these. */
  operationId?: string | undefined;
}

/**
 * What the scan asks the client to send: either `path` (joined to the target's base URL, query
 * string allowed) or a full `url`.
 */
export type SendRequest = SendRequestFields & ({ path: string; url?: undefined } | { url: string; path?: undefined });

/** A request as it goes on the wire. Header names are lower-case. */
export interface OutgoingRequest {
  readonly method: HttpMethod;
  readonly url: URL;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string | undefined;
}

function lowerCaseKeys(headers: Readonly<Record<string, string>>): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) result[name.toLowerCase()] = value;
  return result;
}

/** The target's URL taken apart once per scan, rather than for every request. */
export interface RequestTarget {
  /** `http://user:password@host:port`: everything before the path. */
  readonly authority: string;
  /** The target's path without a trailing '/': every request's path goes under it. */
  readonly basePath: string;
}

export function requestTarget(target: URL): RequestTarget {
  const credentials = target.username === '' && target.password === '' ? '' : `${target.username}${target.password === '' ? '' : `:${target.password}`}@`;
  return { authority: `${target.protocol}//${credentials}${target.host}`, basePath: target.pathname.replace(/\/$/, '') };
}

/** `path` is joined to the target's path, and can never change its host: `//elsewhere` stays a path. */
export function resolveUrl(target: RequestTarget, request: SendRequest): URL {
  // Checked at run time too: callers build requests from plans, not only from literals.
  const given = request as { url?: string; path?: string };
  if (given.url !== undefined && given.path !== undefined) throw new TypeError('give a request either a path or a url, not both');
  if (given.url !== undefined) return new URL(given.url);
  if (given.path === undefined) throw new TypeError('give a request a path or a url');
  const fragmentStart = given.path.indexOf('#');
  const withoutFragment = fragmentStart === -1 ? given.path : given.path.slice(0, fragmentStart);
  const queryStart = withoutFragment.indexOf('?');
  const path = queryStart === -1 ? withoutFragment : withoutFragment.slice(0, queryStart);
  const pathname = `${target.basePath}${path.startsWith('/') ? '' : '/'}${path}`;
  const search = queryStart === -1 ? '' : withoutFragment.slice(queryStart);
  // One parse of the whole URL costs a third of setting its parts one by one. The host is written
  // before a path that starts with '/', so the path can never be read as a host.
  const text = `${target.authority}${pathname}${search}`;
  const url = new URL(text);
  // A whole URL loses trailing spaces and control characters; a path set on its own keeps them, encoded.
  if (text.charCodeAt(text.length - 1) <= 0x20) {
    url.pathname = pathname;
    url.search = search;
  }
  if (request.query === undefined) return url;
  for (const [name, value] of Object.entries(request.query)) {
    if (value === undefined) continue;
    for (const item of Array.isArray(value) ? (value as readonly QueryValue[]) : [value as QueryValue]) url.searchParams.append(name, String(item));
  }
  return url;
}

function encodeBody(request: SendRequest, headers: Record<string, string>): string | undefined {
  const given = Number(request.json !== undefined) + Number(request.form !== undefined) + Number(request.body !== undefined);
  if (given > 1) throw new TypeError('give a request at most one of json, form and body');
  if (request.json !== undefined) {
    headers['content-type'] ??= 'application/json';
    return JSON.stringify(request.json);
  }
  if (request.form !== undefined) {
    headers['content-type'] ??= 'application/x-www-form-urlencoded';
    return new URLSearchParams(request.form).toString();
  }
  return request.body;
}

export function toOutgoing(target: RequestTarget, request: SendRequest, defaultHeaders: Readonly<Record<string, string>>): OutgoingRequest {
  const headers = request.headers === undefined ? { ...defaultHeaders } : { ...defaultHeaders, ...lowerCaseKeys(request.headers) };
  const body = encodeBody(request, headers);
  return { method: request.method, url: resolveUrl(target, request), headers, body };
}

/** A copy with one header set (replacing any of the same name). */
export function withHeader(request: OutgoingRequest, name: string, value: string): OutgoingRequest {
  return { ...request, headers: { ...request.headers, [name.toLowerCase()]: value } };
}

/** A copy with one query parameter set (replacing any of the same name). */
export function withQuery(request: OutgoingRequest, name: string, value: string): OutgoingRequest {
  const url = new URL(request.url.href);
  url.searchParams.set(name, value);
  return { ...request, url };
}

/** A copy with cookies added to the `cookie` header the request already has, if any. */
export function withCookie(request: OutgoingRequest, cookie: string): OutgoingRequest {
  const existing = request.headers.cookie;
  return withHeader(request, 'cookie', existing === undefined || existing === '' ? cookie : `${existing}; ${cookie}`);
}
