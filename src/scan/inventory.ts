/**
 * Routes the description leaves out: the forgotten `/api/v1/...` twin of a documented route is
 * how the 2021-style "private" API keeps answering after the documented one is fixed. Variants are
 * derived from documented subject routes, never guessed at random, so the scan stays small.
 */
import type { Operation } from '../core/model.ts';

const VERSIONS = ['v1', 'v2', 'v0', 'v3'];

/**
 * Twins of a documented path that the description does not itself name: other versions in place
 * of its version segment, or, when it has none, a version at the root and after the first segment.
 */
export function undocumentedVariants(operation: Operation, documented: ReadonlySet<string>): string[] {
  const segments = operation.path.split('/').filter((s) => s !== '');
  const versioned = segments.findIndex((segment) => /^v\d+$/.test(segment));
  const variants = new Set<string>();
  for (const version of VERSIONS) {
    if (versioned !== -1) {
      if (segments[versioned] !== version) variants.add(`/${segments.map((s, i) => (i === versioned ? version : s)).join('/')}`);
      continue;
    }
    variants.add(`/${[version, ...segments].join('/')}`);
    if (segments.length > 1) variants.add(`/${[segments[0], version, ...segments.slice(1)].join('/')}`);
  }
  return [...variants].filter((path) => !documented.has(`${operation.method} ${path}`));
}
