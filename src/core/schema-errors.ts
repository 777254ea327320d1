/**
 * JSON Schema (ajv) errors on a parsed file, for people: where in the file (file:line of the key
 * or value), which key path (`findings[3].reason`), and what was expected, in words.
 */
import type { ErrorObject } from 'ajv';
import type { SourceLocation } from './location.ts';
import { unescapePointerToken } from './location.ts';

export type Locate = (node: object, member?: string | number) => SourceLocation | undefined;

/** `/findings/3/reason` → `findings[3].reason`. */
export function readablePath(instancePath: string): string {
  return instancePath
    .split('/')
    .slice(1)
    .map(unescapePointerToken)
    .map((token, i) => (/^\d+$/.test(token) ? `[${token}]` : i === 0 ? token : `.${token}`))
    .join('');
}

/** One message for the errors at one place; the alternatives of an anyOf or oneOf joined with "or". */
export function describeSchemaError(error: ErrorObject, samePlace: readonly ErrorObject[] = [error]): string {
  const where = readablePath(error.instancePath);
  const prefix = where === '' ? '' : `${where}: `;
  if (error.keyword === 'additionalProperties') return `${prefix}unknown key '${String(error.params.additionalProperty)}'`;
  if (error.keyword === 'required') return `${prefix}missing '${String(error.params.missingProperty)}'`;
  if (samePlace.some((e) => e.keyword === 'anyOf' || e.keyword === 'oneOf')) {
    return `${prefix}must be ${samePlace.filter((e) => e.keyword !== 'anyOf' && e.keyword !== 'oneOf').map(expectation).join(' or ')}`;
  }
  const typed = error.keyword === 'type' || error.keyword === 'const' || error.keyword === 'enum';
  return `${prefix}${typed ? `must be ${expectation(error)}` : error.message ?? 'is invalid'}`;
}

function expectation(error: ErrorObject): string {
  if (error.keyword === 'type') return String(error.params.type).split(',').map(article).join(' or ');
  if (error.keyword === 'const') return JSON.stringify(error.params.allowedValue);
  if (error.keyword === 'enum') return `one of ${(error.params.allowedValues as unknown[]).map(String).join(', ')}`;
  return error.message ?? 'valid';
}

function article(type: string): string {
  return type === 'null' ? 'null' : /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}

/** The keys the schema allows where an unknown one was found (needs ajv's `verbose` option). */
export function knownKeys(error: ErrorObject): string[] {
  const properties = (error.parentSchema as { properties?: Record<string, unknown> } | undefined)?.properties;
  return Object.keys(properties ?? {});
}

/** The key an error is about (the unknown key itself, for an unknown key), else its node. */
export function locateSchemaError(root: unknown, error: ErrorObject, locate: Locate): SourceLocation | undefined {
  const tokens = error.instancePath.split('/').slice(1).map(unescapePointerToken);
  let parent: unknown = undefined;
  let node: unknown = root;
  for (const token of tokens) {
    parent = node;
    node = node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[token] : undefined;
  }
  if (error.keyword === 'additionalProperties' && node !== null && typeof node === 'object') {
    return locate(node, String(error.params.additionalProperty));
  }
  const last = tokens.at(-1);
  if (parent !== null && typeof parent === 'object' && last !== undefined) return locate(parent, last);
  return node !== null && typeof node === 'object' ? locate(node) : undefined;
}
