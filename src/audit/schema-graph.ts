/**
 * Walking the schemas of a description as a graph: `$ref`s are resolved to shared nodes and may
 * loop, so every walk keeps a visited set and reaches each node once, by its shortest path. Rules
 * that judge a schema (an open object, an array without `maxItems`) judge each node once, however
 * many operations share it, and name the first operation, in document order, that reaches it.
 */
import type { SourceLocation } from '../core/location.ts';
import type { ApiModel, JsonSchema, Operation } from '../core/model.ts';

/** How a node was reached from its parent. */
export type Edge =
  | { readonly via: 'property'; readonly name: string; readonly parent: JsonSchema }
  | { readonly via: 'items' | 'additionalProperties' | 'anyOf' | 'oneOf' | 'allOf' };

/** Where a walk starts: a request body, a parameter, or a successful response of an operation. */
export interface SchemaRoot {
  readonly schema: JsonSchema;
  readonly operation: Operation;
  /** How the root is named in messages: `request body`, `200 response`, `query parameter 'q'`. */
  readonly label: string;
}

/** A node as a walk first reached it. */
export interface Reached {
  readonly schema: JsonSchema;
  readonly operation: Operation;
  /** `200 response → data[] → owner`, for messages. */
  readonly path: string;
  /** The edge it was first reached by; undefined for a root. */
  readonly edge: Edge | undefined;
  /** Reached only as an `allOf` branch: a part of another object, not an object of its own. */
  readonly partOnly: boolean;
}

const COMPOSITIONS = ['allOf', 'anyOf', 'oneOf'] as const;

/**
 * Whether a value is a schema object (not `true`, not a list).
 *
 * @example
 * ```ts
 * if (isSchema(schema.items)) walk(schema.items);
 * ```
 */
export function isSchema(value: unknown): value is JsonSchema {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * A `$ref` the loader could not follow: nothing can be said of what it points at.
 *
 * @example
 * ```ts
 * isUnresolved({ $ref: '#/components/schemas/Missing' }); // true
 * ```
 */
export function isUnresolved(schema: JsonSchema): boolean {
  return typeof schema.$ref === 'string';
}

/**
 * The nodes directly under `schema`, with the edge that leads to each.
 *
 * @example
 * ```ts
 * for (const [child, edge] of childrenOf(schema)) if (edge.via === 'property') console.log(edge.name);
 * ```
 */
export function childrenOf(schema: JsonSchema): [JsonSchema, Edge][] {
  const children: [JsonSchema, Edge][] = [];
  if (isSchema(schema.properties)) {
    for (const [name, child] of Object.entries(schema.properties)) if (isSchema(child)) children.push([child, { via: 'property', name, parent: schema }]);
  }
  const items = Array.isArray(schema.items) ? (schema.items as unknown[]) : [schema.items];
  const prefixItems = Array.isArray(schema.prefixItems) ? (schema.prefixItems as unknown[]) : [];
  for (const item of [...items, ...prefixItems]) if (isSchema(item)) children.push([item, { via: 'items' }]);
  if (isSchema(schema.additionalProperties)) children.push([schema.additionalProperties, { via: 'additionalProperties' }]);
  for (const keyword of COMPOSITIONS) {
    const branches = schema[keyword];
    if (Array.isArray(branches)) for (const branch of branches) if (isSchema(branch)) children.push([branch, { via: keyword }]);
  }
  return children;
}

/**
 * The properties of an object schema, with those its `allOf`/`anyOf`/`oneOf` branches declare:
 * what a client may send in a body, whichever branch it matches.
 *
 * @example
 * ```ts
 * propertiesOf({ allOf: [{ properties: { role: {} } }] }); // [{ name: 'role', schema: {}, parent: … }]
 * ```
 */
export function propertiesOf(schema: JsonSchema): { name: string; schema: JsonSchema; parent: JsonSchema }[] {
  const found: { name: string; schema: JsonSchema; parent: JsonSchema }[] = [];
  const seen = new Set<JsonSchema>();
  const collect = (node: JsonSchema): void => {
    if (seen.has(node)) return;
    seen.add(node);
    for (const [child, edge] of childrenOf(node)) {
      if (edge.via === 'property') found.push({ name: edge.name, schema: child, parent: node });
      else if (edge.via === 'allOf' || edge.via === 'anyOf' || edge.via === 'oneOf') collect(child);
    }
  };
  collect(schema);
  return found;
}

/**
 * Every node reachable from `roots`, breadth first, roots in the order given: each node once, with
 * the first operation and the shortest path that reach it.
 *
 * @example
 * ```ts
 * for (const node of reach(responseRoots(api.operations))) if (node.schema.type === 'array') console.log(node.path);
 * ```
 */
export function reach(roots: readonly SchemaRoot[]): Reached[] {
  const reached = new Map<JsonSchema, Reached>();
  const queue: Reached[] = [];
  const enter = (node: Reached): void => {
    const known = reached.get(node.schema);
    if (known) {
      // Reached again as an object of its own: it is no longer only a part of another.
      if (known.partOnly && !node.partOnly) reached.set(node.schema, { ...known, partOnly: false });
      return;
    }
    reached.set(node.schema, node);
    queue.push(node);
  };
  for (const root of roots) enter({ schema: root.schema, operation: root.operation, path: root.label, edge: undefined, partOnly: false });
  for (let next = 0; next < queue.length; next++) {
    const { schema, operation, path } = queue[next] as Reached;
    if (isUnresolved(schema)) continue;
    for (const [child, edge] of childrenOf(schema)) {
      enter({ schema: child, operation, path: `${path}${step(edge)}`, edge, partOnly: edge.via === 'allOf' });
    }
  }
  return [...reached.values()];
}

function step(edge: Edge): string {
  switch (edge.via) {
    case 'property': return ` → ${edge.name}`;
    case 'items': return '[]';
    case 'additionalProperties': return '.*';
    default: return '';
  }
}

/**
 * The line of a property's name in the schema that declares it; for a schema the loader built
 * (Swagger 2.0 form fields), the line of what it was built from.
 *
 * @example
 * ```ts
 * locateProperty(api, profileSchema, 'age'); // { line: 531, … }
 * ```
 */
export function locateProperty(api: ApiModel, parent: JsonSchema, name: string): SourceLocation | undefined {
  const properties = parent.properties;
  if (!isSchema(properties)) return undefined;
  const child = properties[name];
  return api.locate(properties, name) ?? (isSchema(child) ? api.locate(child) : undefined);
}

/**
 * Whether a status is a success.
 *
 * @example
 * ```ts
 * isSuccessStatus('2XX'); // true
 * isSuccessStatus('default'); // false
 * ```
 */
export function isSuccessStatus(status: string): boolean {
  return /^2(\d\d|XX)$/i.test(status);
}

/**
 * The schemas of the successful responses of `operations`, in document order.
 *
 * @example
 * ```ts
 * const roots = responseRoots(api.operations); // [{ schema, operation, label: '200 response' }, …]
 * ```
 */
export function responseRoots(operations: readonly Operation[]): SchemaRoot[] {
  const roots: SchemaRoot[] = [];
  for (const operation of operations) {
    for (const response of operation.responses) {
      if (!isSuccessStatus(response.status)) continue;
      for (const { schema } of response.content) if (schema) roots.push({ schema, operation, label: `${response.status} response` });
    }
  }
  return roots;
}

/**
 * What clients send to `operations`: parameter schemas and request bodies, in document order.
 *
 * @example
 * ```ts
 * const roots = requestRoots(api.operations); // [{ schema, operation, label: "query parameter 'q'" }, …]
 * ```
 */
export function requestRoots(operations: readonly Operation[]): SchemaRoot[] {
  const roots: SchemaRoot[] = [];
  for (const operation of operations) {
    for (const parameter of operation.parameters) roots.push({ schema: parameter.schema, operation, label: `${parameter.in} parameter '${parameter.name}'` });
    for (const { schema } of operation.requestBody?.content ?? []) if (schema) roots.push({ schema, operation, label: 'request body' });
  }
  return roots;
}

/**
 * The JSON types a schema allows; empty when it does not say.
 *
 * @example
 * ```ts
 * typesOf({ type: ['string', 'null'] }); // ['string', 'null']
 * ```
 */
export function typesOf(schema: JsonSchema): string[] {
  if (typeof schema.type === 'string') return [schema.type];
  return Array.isArray(schema.type) ? schema.type.filter((t): t is string => typeof t === 'string') : [];
}
