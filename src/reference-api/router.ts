/**
 * Finds the route for a method and path. A path that matches some route but not the method is a
 * 405 with the methods it does accept, not a 404: clients and scanners tell the two apart.
 */
import { badRequest } from './api-error.ts';
import type { Method, Route } from './route.ts';

export type RouteLookup =
  | { readonly kind: 'found'; readonly route: Route; readonly params: Readonly<Record<string, string>> }
  | { readonly kind: 'wrong-method'; readonly allowed: readonly Method[] }
  | { readonly kind: 'not-found' };

interface CompiledRoute {
  readonly route: Route;
  /** A literal segment, or the name of a parameter. */
  readonly segments: readonly { readonly literal?: string; readonly param?: string }[];
}

function compile(route: Route): CompiledRoute {
  const segments = route.path
    .split('/')
    .slice(1)
    .map((segment) => {
      const param = /^\{(\w+)\}$/.exec(segment)?.[1];
      return param === undefined ? { literal: segment } : { param };
    });
  return { route, segments };
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw badRequest(`The path segment "${segment}" is not valid percent-encoding.`);
  }
}

function matchPath(compiled: CompiledRoute, parts: readonly string[]): Record<string, string> | undefined {
  if (compiled.segments.length !== parts.length) return undefined;
  const params: Record<string, string> = {};
  for (const [index, segment] of compiled.segments.entries()) {
    const part = parts[index] ?? '';
    if (segment.param !== undefined) {
      if (part === '') return undefined;
      params[segment.param] = decodeSegment(part);
    } else if (segment.literal !== part) {
      return undefined;
    }
  }
  return params;
}

export class Router {
  readonly #routes: readonly CompiledRoute[];

  /** Earlier routes win, so literal paths (`/api/user/search/{query}`) go before templates. */
  constructor(routes: readonly Route[]) {
    this.#routes = routes.map(compile);
  }

  lookup(method: string, pathname: string): RouteLookup {
    const parts = pathname.split('/').slice(1);
    const allowed = new Set<Method>();
    for (const compiled of this.#routes) {
      const params = matchPath(compiled, parts);
      if (params === undefined) continue;
      if (compiled.route.method === method) return { kind: 'found', route: compiled.route, params };
      allowed.add(compiled.route.method);
    }
    return allowed.size > 0 ? { kind: 'wrong-method', allowed: [...allowed] } : { kind: 'not-found' };
  }
}
