/**
 * Walking a JSON Schema for its personal fields. Real schemas are graphs, not trees: `$ref`s are
 * resolved to shared objects and may loop (a User's followers are Users), so the walk reports a
 * shared schema under every path that reaches it but never enters a schema it is already inside.
 */
import type { Classification, FieldContext } from './classify.ts';

/**
 * A personal field found in a schema.
 *
 * @example
 * ```ts
 * // { path: 'riders[].age', name: 'age', category: 'age', sensitivity: 'demographic', reason: 'name', schema, parent }
 * const line = api.locate(field.schema ?? field.parent)?.line;
 * ```
 */
export interface PersonalField extends Classification {
  /** Where the field sits in a value of the schema: `location`, `riders[].age`, `user.email`, `tags.*.owner_id`. */
  readonly path: string;
  /** The property name. */
  readonly name: string;
  /** The property's schema (`SourceMap.locate(schema)` gives its line), or undefined for a boolean schema. */
  readonly schema: object | undefined;
  /** The schema whose `properties` declares it: `locate(parent.properties, name)` gives the line of the name. */
  readonly parent: object;
}

export interface SchemaWalkOptions {
  /** Name of the schema (e.g. its key under `components.schemas`), telling whether it describes a person. */
  name?: string | undefined;
  /** Names of the schemas met on the way (`$ref`-resolved components), when the caller knows them. */
  nameOf?: ((schema: object) => string | undefined) | undefined;
}

/** What the walk needs from a classifier. */
export interface FieldJudge {
  classifyField(name: string, schema: object | undefined, context: FieldContext): Classification | undefined;
  isPersonLike(schema: object, name?: string): boolean;
}

export interface Property {
  readonly name: string;
  readonly schema: object | undefined;
  readonly parent: object;
}

type Schema = Record<string, unknown>;

/** Past this many nested properties a path is taken for a runaway graph rather than data. */
const MAX_DEPTH = 24;
/**
 * How many times one walk enters a schema it has already been through (by another path). Enough
 * for every path of an ordinary schema; a graph like Stripe's, where every resource embeds every
 * other, has more paths than any report could list, and then later paths go unreported.
 */
const MAX_REVISITS = 2_000;
const COMPOSITIONS = ['allOf', 'anyOf', 'oneOf'] as const;

/** The properties of a schema, including those its `allOf`/`anyOf`/`oneOf` branches declare. */
export function propertiesOf(schema: object): Property[] {
  const found: Property[] = [];
  const seen = new Set<object>();
  const collect = (node: Schema): void => {
    if (seen.has(node)) return;
    seen.add(node);
    found.push(...ownProperties(node));
    for (const branch of branchesOf(node)) collect(branch);
  };
  if (isSchema(schema)) collect(schema);
  return found;
}

/** One way into a schema: where, whether about a person, and through which schemas. */
interface Visit {
  readonly schema: Schema;
  readonly path: string;
  readonly personLike: boolean;
  readonly depth: number;
  readonly from: Visit | undefined;
}

/**
 * Every personal field of `root`, shortest paths first. Each personal property is reported at
 * least once, under the shortest path that reaches it, and under its other paths unless the graph
 * has more than {@link MAX_REVISITS} of them; a schema is never entered from inside itself.
 */
export function walkSchema(root: object, judge: FieldJudge, options: SchemaWalkOptions = {}): PersonalField[] {
  if (!isSchema(root)) return [];
  const fields: PersonalField[] = [];
  const reported = new Set<string>();
  const entered = new Map<object, Set<boolean>>();
  const nameOf = (schema: object): string | undefined => options.nameOf?.(schema) ?? titleOf(schema);
  const queue: Visit[] = [{ schema: root, path: '', personLike: judge.isPersonLike(root, options.name ?? nameOf(root)), depth: 0, from: undefined }];
  let revisits = 0;

  const enqueue = (from: Visit, schema: Schema, path: string, personLike: boolean, depth: number): void => {
    if (depth > MAX_DEPTH || isAncestor(from, schema)) return;
    queue.push({ schema, path, personLike, depth, from });
  };

  for (let next = 0; next < queue.length; next++) {
    const visit = queue[next] as Visit;
    const modes = entered.get(visit.schema) ?? new Set<boolean>();
    if (modes.has(visit.personLike) && ++revisits > MAX_REVISITS) continue;
    modes.add(visit.personLike);
    entered.set(visit.schema, modes);
    for (const property of ownProperties(visit.schema)) {
      const classification = judge.classifyField(property.name, property.schema, { personLike: visit.personLike });
      const path = visit.path === '' ? property.name : `${visit.path}.${property.name}`;
      const key = `${path}\u0000${classification?.category ?? ''}`;
      if (classification && !reported.has(key)) {
        reported.add(key);
        fields.push({ ...classification, path, name: property.name, schema: property.schema, parent: property.parent });
      }
      if (!isSchema(property.schema)) continue;
      // An address or a location of a person is about that person, whatever its schema is called.
      const aboutPerson = (visit.personLike && classification !== undefined) || judge.isPersonLike(property.schema, nameOf(property.schema) ?? property.name);
      enqueue(visit, property.schema, path, aboutPerson, visit.depth + 1);
    }
    for (const [contained, suffix] of containedSchemas(visit.schema)) {
      const path = visit.path === '' && suffix === '.*' ? '*' : visit.path + suffix;
      enqueue(visit, contained, path, visit.personLike || judge.isPersonLike(contained, nameOf(contained)), visit.depth + 1);
    }
    for (const branch of branchesOf(visit.schema)) {
      enqueue(visit, branch, visit.path, visit.personLike || judge.isPersonLike(branch, nameOf(branch)), visit.depth);
    }
  }
  return fields;
}

function isAncestor(visit: Visit | undefined, schema: Schema): boolean {
  for (let step = visit; step !== undefined; step = step.from) if (step.schema === schema) return true;
  return false;
}

function ownProperties(schema: Schema): Property[] {
  const properties = schema.properties;
  if (!isSchema(properties)) return [];
  return Object.entries(properties).map(([name, property]) => ({ name, schema: isSchema(property) ? property : undefined, parent: schema }));
}

/** Array items (`[]`) and map values (`.*`). */
function containedSchemas(schema: Schema): [Schema, string][] {
  const contained: [Schema, string][] = [];
  const items = Array.isArray(schema.items) ? (schema.items as unknown[]) : [schema.items];
  for (const item of [...items, ...(Array.isArray(schema.prefixItems) ? (schema.prefixItems as unknown[]) : [])]) {
    if (isSchema(item)) contained.push([item, '[]']);
  }
  if (isSchema(schema.additionalProperties)) contained.push([schema.additionalProperties, '.*']);
  return contained;
}

function branchesOf(schema: Schema): Schema[] {
  return COMPOSITIONS.flatMap((keyword) => {
    const branches = schema[keyword];
    return Array.isArray(branches) ? branches.filter(isSchema) : [];
  });
}

function titleOf(schema: object): string | undefined {
  const title = (schema as Schema).title;
  return typeof title === 'string' ? title : undefined;
}

function isSchema(value: unknown): value is Schema {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
