/**
 * What the OpenAPI 3 and Swagger 2 readers share: typed access to an untrusted document that
 * records, with file and line, everything it had to skip instead of failing on it.
 */
import type { SourceLocation } from './location.ts';
import type { Diagnostic, JsonSchema, Parameter, ParameterLocation, SecurityRequirement, Server } from './model.ts';
import type { RefResolver } from './refs.ts';
import type { SourceMap } from './source.ts';

export type JsonObject = Record<string, unknown>;

export function isObject(value: unknown): value is JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

export function optionalString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

export function extensionsOf(node: JsonObject): Record<string, unknown> {
  const extensions: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) if (key.startsWith('x-')) extensions[key] = value;
  return extensions;
}

const PARAMETER_LOCATIONS: ReadonlySet<string> = new Set(['path', 'query', 'header', 'cookie']);

export class DescriptionReader {
  readonly sources: SourceMap;
  readonly refs: RefResolver;
  readonly diagnostics: Diagnostic[];

  constructor(sources: SourceMap, refs: RefResolver, diagnostics: Diagnostic[]) {
    this.sources = sources;
    this.refs = refs;
    this.diagnostics = diagnostics;
  }

  locate(node: object, member?: string | number): SourceLocation | undefined {
    return this.sources.locate(node, member);
  }

  warn(code: string, message: string, node: object, member?: string | number): void {
    this.diagnostics.push({ code, severity: 'warning', message, location: this.locate(node, member) });
  }

  /** `parent[member]` with `$ref`s followed, if it is an object; a warning if it is something else. */
  object(parent: JsonObject, member: string, what: string): JsonObject | undefined {
    if (!(member in parent)) return undefined;
    const value = this.refs.resolve(parent[member]);
    if (isObject(value)) return value;
    if (Array.isArray(value) && value.length === 0) {
      // Some generators (Kong's, from Lua, where {} and [] are one type) write empty objects as [].
      this.warn('empty-list-as-object', `${what} is an empty list; it was read as an empty object`, parent, member);
      const empty: JsonObject = {};
      this.sources.alias(empty, value);
      return empty;
    }
    this.warn('invalid-type', `${what} must be an object; it was skipped`, parent, member);
    return undefined;
  }

  list(parent: JsonObject, member: string, what: string): unknown[] {
    if (!(member in parent)) return [];
    const value = parent[member];
    if (Array.isArray(value)) return value;
    this.warn('invalid-type', `${what} must be a list; it was skipped`, parent, member);
    return [];
  }

  strings(parent: JsonObject, member: string): string[] {
    const value = parent[member];
    return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
  }

  /** Named schemas (`components.schemas`, `definitions`), `$ref`s resolved. */
  namedSchemas(owner: JsonObject, member: string): Map<string, JsonSchema> {
    const schemas = new Map<string, JsonSchema>();
    const map = this.object(owner, member, member);
    for (const name of Object.keys(map ?? {})) {
      const schema = map ? this.refs.schema(map[name]) : undefined;
      if (schema) schemas.set(name, schema);
    }
    return schemas;
  }

  /** A security requirement list, or undefined when the member is absent. */
  security(parent: JsonObject): SecurityRequirement[] | undefined {
    if (!('security' in parent)) return undefined;
    const requirements: SecurityRequirement[] = [];
    for (const [index, entry] of this.list(parent, 'security', 'security').entries()) {
      if (!isObject(entry)) {
        this.warn('invalid-type', 'a security requirement must be an object; it was skipped', parent.security as object, index);
        continue;
      }
      const requirement: Record<string, readonly string[]> = {};
      for (const [scheme, scopes] of Object.entries(entry)) {
        requirement[scheme] = Array.isArray(scopes) ? scopes.filter((s): s is string => typeof s === 'string') : [];
      }
      requirements.push(requirement);
    }
    return requirements;
  }

  servers(parent: JsonObject, member = 'servers'): Server[] {
    const servers: Server[] = [];
    for (const entry of this.list(parent, member, 'servers')) {
      if (!isObject(entry) || typeof entry.url !== 'string') continue;
      servers.push({ url: entry.url, description: optionalString(entry.description), location: this.locate(entry) });
    }
    return servers;
  }

  /**
   * A parameter with the fields every description version shares; the schema comes from the
   * caller because OpenAPI 3 and Swagger 2 keep it in different places.
   */
  parameter(node: JsonObject, schema: JsonSchema): Parameter | undefined {
    if (typeof node.name !== 'string' || node.name === '') {
      this.warn('parameter-name', 'parameter has no name; it was skipped', node);
      return undefined;
    }
    if (typeof node.in !== 'string' || !PARAMETER_LOCATIONS.has(node.in)) {
      this.warn('parameter-in', `parameter '${node.name}' has no valid 'in' (path, query, header or cookie); it was skipped`, node, 'in');
      return undefined;
    }
    return {
      name: node.name,
      in: node.in as ParameterLocation,
      required: node.in === 'path' || node.required === true,
      deprecated: node.deprecated === true,
      schema,
      description: optionalString(node.description),
      location: this.locate(node),
    };
  }
}

/** Path-level parameters first, replaced by operation-level ones with the same name and place. */
export function mergeParameters(pathLevel: Parameter[], operationLevel: Parameter[]): Parameter[] {
  const key = (p: Parameter): string => `${p.in}\u0000${p.name}`;
  const overridden = new Set(operationLevel.map(key));
  return [...pathLevel.filter((p) => !overridden.has(key(p))), ...operationLevel];
}
