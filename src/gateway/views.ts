/**
 * What leaves the gateway of one answer: only the fields of the caller's view, and of those only
 * the ones the API description declares. Both are allow-lists built once at start; a field the
 * upstream adds tomorrow is stripped until someone declares it (deny by default).
 */
import type { JsonSchema } from '../core/model.ts';

/** A named allow-list of a record's top-level fields, or `*` for every declared field. */
export type View = ReadonlySet<string> | '*';

/** The declared shape of a value: which properties an object may carry, and what an array holds. */
export interface Shape {
  /** Declared properties, each with its own shape; undefined when the schema leaves objects open. */
  properties: Map<string, Shape> | undefined;
  items: Shape | undefined;
}

const OPEN: Shape = { properties: undefined, items: undefined };

/**
 * The shape a JSON Schema declares (allOf/anyOf/oneOf branches merged). An object schema that
 * declares no properties, or allows additional ones, stays open: there is nothing to hold it to.
 */
export function shapeOf(schema: JsonSchema | undefined, depth = 0): Shape {
  if (schema === undefined || depth > 24) return OPEN;
  const branches = [schema, ...(['allOf', 'anyOf', 'oneOf'] as const).flatMap((k) => (Array.isArray(schema[k]) ? (schema[k] as JsonSchema[]) : []))];
  let properties: Map<string, Shape> | undefined = new Map();
  let declares = false;
  let items: Shape | undefined;
  for (const branch of branches) {
    const own = branch.properties as Record<string, JsonSchema> | undefined;
    const additional = branch.additionalProperties;
    if (own && typeof own === 'object') {
      declares = true;
      for (const [name, child] of Object.entries(own)) properties?.set(name, merge(properties.get(name), shapeOf(child, depth + 1)));
    }
    if (additional === true || (typeof additional === 'object' && additional !== null)) properties = undefined;
    if (branch.items && typeof branch.items === 'object' && !Array.isArray(branch.items)) items = merge(items, shapeOf(branch.items as JsonSchema, depth + 1));
  }
  return { properties: declares ? properties : undefined, items };
}

const shapes = new WeakMap<JsonSchema, Shape>();

/** {@link shapeOf}, worked out once per schema: answers are filtered per request, and schemas never change. */
export function declaredShape(schema: JsonSchema | undefined): Shape {
  if (schema === undefined) return OPEN;
  let shape = shapes.get(schema);
  if (!shape) {
    shape = shapeOf(schema);
    shapes.set(schema, shape);
  }
  return shape;
}

function merge(a: Shape | undefined, b: Shape): Shape {
  if (!a) return b;
  const properties = a.properties && b.properties ? new Map([...a.properties, ...b.properties]) : undefined;
  return { properties, items: a.items && b.items ? merge(a.items, b.items) : (a.items ?? b.items) };
}

/**
 * A copy of `value` holding only what `shape` declares. It runs on every answer, over every
 * object in it: keys are read without the `[name, value]` pairs `Object.entries` would allocate,
 * and values the shape leaves open are kept as they are, without a walk.
 */
export function stripUndeclared(value: unknown, shape: Shape): unknown {
  const { properties, items } = shape;
  if (value === null || typeof value !== 'object' || (properties === undefined && items === undefined)) return value;
  if (Array.isArray(value)) return items ? value.map((item: unknown) => stripUndeclared(item, items)) : value;
  if (!properties) return value;
  const record = value as Record<string, unknown>;
  const kept: Record<string, unknown> = {};
  for (const name of Object.keys(record)) {
    const declared = properties.get(name);
    if (declared) kept[name] = stripUndeclared(record[name], declared);
  }
  return kept;
}

/** `record` with only the fields `view` allows. */
export function project(record: Record<string, unknown>, view: View): Record<string, unknown> {
  if (view === '*') return record;
  const kept: Record<string, unknown> = {};
  for (const name of Object.keys(record)) if (view.has(name)) kept[name] = record[name];
  return kept;
}
