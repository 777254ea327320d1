/**
 * Deny by default: only the operations the API description names are routed, and a path must be
 * plain to be matched at all. Dot segments, encoded slashes and backslashes, NUL and malformed
 * escapes are refused before matching, so the gateway and the upstream can never disagree about
 * which operation a request is.
 */
import type { Operation } from '../core/model.ts';

export interface Route {
  operation: Operation;
  /** Path parameters, decoded. */
  params: Record<string, string>;
}

export type RouteResult = { ok: true; route: Route } | { ok: false; status: 400 | 404 | 405; reason: string };

interface CompiledRoute {
  operation: Operation;
  /** Literal segments, or `{name}` parameters. */
  segments: ({ literal: string } | { param: string })[];
  /** Literal segments first, so `/user/search/{q}` wins over `/user/{id}/{tab}`. */
  literals: number;
}

export interface Router {
  match(method: string, rawPath: string): RouteResult;
}

/**
 * @example
 * ```ts
 * const router = createRouter(api.operations);
 * const result = router.match('GET', '/api/user/42');   // { ok: true, route: { operation: getUser, params: { id: '42' } } }
 * ```
 */
export function createRouter(operations: readonly Operation[]): Router {
  const routes = operations.map(compile).sort((a, b) => b.literals - a.literals);
  return {
    match(method, rawPath) {
      const segments = splitPath(rawPath);
      if (typeof segments === 'string') return { ok: false, status: 400, reason: segments };
      let pathMatched = false;
      for (const route of routes) {
        const params = matchSegments(route, segments);
        if (!params) continue;
        pathMatched = true;
        if (route.operation.method === method) return { ok: true, route: { operation: route.operation, params } };
      }
      return pathMatched ? { ok: false, status: 405, reason: `${method} is not described for ${rawPath}` } : { ok: false, status: 404, reason: `no described operation at ${rawPath}` };
    },
  };
}

function compile(operation: Operation): CompiledRoute {
  const segments = operation.path.split('/').slice(1).map((segment) => {
    const param = /^\{([^{}]+)\}$/.exec(segment)?.[1];
    return param === undefined ? { literal: segment } : { param };
  });
  return { operation, segments, literals: segments.filter((s) => 'literal' in s).length };
}

function matchSegments(route: CompiledRoute, segments: readonly string[]): Record<string, string> | undefined {
  if (route.segments.length !== segments.length) return undefined;
  const params: Record<string, string> = {};
  for (const [index, expected] of route.segments.entries()) {
    const actual = segments[index] ?? '';
    if ('literal' in expected) {
      if (expected.literal !== actual) return undefined;
    } else {
      if (actual === '') return undefined;
      params[expected.param] = actual;
    }
  }
  return params;
}

/** Decoded segments of a request path, or why the path is refused. */
export function splitPath(rawPath: string): string[] | string {
  if (!rawPath.startsWith('/')) return 'the path must start with /';
  if (rawPath.includes('\\') || rawPath.includes('\u0000')) return 'backslashes and NUL are not allowed in paths';
  const segments: string[] = [];
  for (const raw of rawPath.slice(1).split('/')) {
    // Most segments have no escape at all: nothing to check or decode, on every request.
    let segment = raw;
    if (raw.includes('%')) {
      if (/%2f|%5c|%00/i.test(raw)) return 'encoded slashes, backslashes and NUL are not allowed in paths';
      try {
        segment = decodeURIComponent(raw);
      } catch {
        return 'the path has a malformed escape';
      }
    }
    if (segment === '.' || segment === '..') return 'dot segments are not allowed in paths';
    segments.push(segment);
  }
  return segments;
}
