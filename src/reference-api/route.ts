/** The shape every route of the reference API has, and what a route is handed per request. */
import type { Community } from './community.ts';
import type { ModeRules } from './modes.ts';
import type { Person } from './seed.ts';
import type { TokenIssuer } from './tokens.ts';
import { unauthorized } from './api-error.ts';

export type Method = 'GET' | 'POST' | 'PATCH';

/**
 * - `anyone`: signing up, logging in and reading the description need no token in any mode.
 * - `incident`: the endpoints of the 2021 report: open to anonymous callers in `leaky` only.
 * - `member`: a token in every mode (`/api/me` has no meaning without one).
 */
export type Access = 'anyone' | 'incident' | 'member';

/** What one running instance owns: its data, its rules, its token signing key, its description. */
export interface Service {
  readonly community: Community;
  readonly rules: ModeRules;
  readonly tokens: TokenIssuer;
  readonly description: string;
}

export interface Call {
  readonly service: Service;
  readonly params: Readonly<Record<string, string>>;
  /** The parsed JSON body for routes that take one, `undefined` otherwise. */
  readonly body: unknown;
  /** The person the bearer token names; `undefined` for an anonymous caller. */
  readonly viewer: Person | undefined;
}

export interface Reply {
  readonly status?: number;
  /** Sent as JSON unless `contentType` is given, in which case it is the text to send. */
  readonly body: unknown;
  readonly contentType?: string;
}

export interface Route {
  readonly method: Method;
  /** OpenAPI path template, e.g. `/api/user/{id}`. */
  readonly path: string;
  /** `undefined` for a route the OpenAPI document does not describe. */
  readonly operationId: string | undefined;
  readonly access: Access;
  readonly takesBody: boolean;
  handle(call: Call): Reply | Promise<Reply>;
}

/** The caller of a route that cannot answer an anonymous one. */
export function callerOf(call: Call): Person {
  if (call.viewer === undefined) throw unauthorized();
  return call.viewer;
}
