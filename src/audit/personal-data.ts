/**
 * The personal data each operation returns, asked of the shared classifier one schema node at a
 * time. An audit asks this of every operation of descriptions where every resource embeds every
 * other (Stripe, Kubernetes): a walk per response, as `personalDataReturned` does, classifies the
 * same node thousands of times there, so each node's own properties are classified once, for each
 * of the two contexts it can be met in (inside a person's record, or not), and reused by every
 * operation that reaches it. The contexts follow the classifier's own walk: a node is about a
 * person when it is named or shaped like one, or is a personal property of a person's record.
 */
import type { SourceLocation } from '../core/location.ts';
import type { ApiModel, JsonSchema, Operation } from '../core/model.ts';
import type { Classification, Classifier, Sensitivity } from '../core/personal-data/index.ts';
import { componentNames } from '../core/personal-data/index.ts';
import type { Severity } from '../scan/finding.ts';
import type { Edge } from './schema-graph.ts';
import { childrenOf, isSchema, isSuccessStatus, isUnresolved, locateProperty } from './schema-graph.ts';

/** A personal field an operation returns. */
export interface ReturnedField extends Classification {
  /** `data[].age`. */
  readonly path: string;
  /** `age`. */
  readonly name: string;
  /** The line of the property's name in the schema that declares it. */
  readonly location: SourceLocation | undefined;
}

interface OwnField {
  readonly name: string;
  readonly classification: Classification;
  readonly parent: JsonSchema;
}

/**
 * @example
 * ```ts
 * const index = new PersonalDataIndex(api, createClassifier());
 * for (const field of index.returned(operation)) console.log(field.path, field.category, field.location?.line);
 * ```
 */
export class PersonalDataIndex {
  readonly #api: ApiModel;
  readonly #classifier: Classifier;
  readonly #names: ReadonlyMap<object, string>;
  readonly #own = [new WeakMap<JsonSchema, OwnField[]>(), new WeakMap<JsonSchema, OwnField[]>()];
  readonly #personLike = new WeakMap<JsonSchema, boolean>();
  readonly #returned = new Map<Operation, ReturnedField[]>();

  constructor(api: ApiModel, classifier: Classifier) {
    this.#api = api;
    this.#classifier = classifier;
    this.#names = componentNames(api);
  }

  /** Personal fields of the operation's successful responses, each once, under its shortest path. */
  returned(operation: Operation): ReturnedField[] {
    let fields = this.#returned.get(operation);
    if (!fields) {
      const roots = operation.responses.filter((r) => isSuccessStatus(r.status)).flatMap((r) => r.content.flatMap((c) => (c.schema ? [c.schema] : [])));
      fields = this.#fieldsOf(roots);
      this.#returned.set(operation, fields);
    }
    return fields;
  }

  /** Personal fields of values of these schemas. */
  #fieldsOf(roots: readonly JsonSchema[]): ReturnedField[] {
    const fields = new Map<string, ReturnedField>();
    const visited = [new Set<JsonSchema>(), new Set<JsonSchema>()];
    const queue: { schema: JsonSchema; path: string; person: boolean }[] = [];
    const enter = (schema: JsonSchema, path: string, person: boolean): void => {
      const seen = visited[person ? 1 : 0] as Set<JsonSchema>;
      if (seen.has(schema) || isUnresolved(schema)) return;
      seen.add(schema);
      queue.push({ schema, path, person });
    };
    for (const root of roots) enter(root, '', this.isPersonLike(root));
    for (let next = 0; next < queue.length; next++) {
      const { schema, path, person } = queue[next] as (typeof queue)[number];
      for (const own of this.#ownFields(schema, person)) {
        const fieldPath = path === '' ? own.name : `${path}.${own.name}`;
        const key = `${fieldPath}\u0000${own.classification.category}`;
        if (!fields.has(key)) fields.set(key, { ...own.classification, path: fieldPath, name: own.name, location: locateProperty(this.#api, own.parent, own.name) });
      }
      for (const [child, edge] of childrenOf(schema)) enter(child, path + pathStep(edge, path), this.#childIsPerson(schema, person, child, edge));
    }
    return [...fields.values()];
  }

  /** The name a schema has under `components.schemas` (or `definitions`), if any. */
  nameOf(schema: JsonSchema): string | undefined {
    return this.#names.get(schema);
  }

  /** Whether a schema describes a person, by its component name, title or properties. */
  isPersonLike(schema: JsonSchema, fallbackName?: string): boolean {
    const name = this.#names.get(schema) ?? (typeof schema.title === 'string' ? schema.title : undefined);
    // An inline schema is judged by the property that holds it, which differs from holder to holder.
    if (name === undefined && fallbackName !== undefined) return this.#classifier.isPersonLike(schema, fallbackName);
    let answer = this.#personLike.get(schema);
    if (answer === undefined) {
      answer = this.#classifier.isPersonLike(schema, name);
      this.#personLike.set(schema, answer);
    }
    return answer;
  }

  #childIsPerson(parent: JsonSchema, person: boolean, child: JsonSchema, edge: Edge): boolean {
    if (edge.via !== 'property') return person || this.isPersonLike(child);
    const personal = person && this.#ownFields(parent, true).some((own) => own.name === edge.name);
    return personal || this.isPersonLike(child, edge.name);
  }

  #ownFields(schema: JsonSchema, person: boolean): OwnField[] {
    const cache = this.#own[person ? 1 : 0] as WeakMap<JsonSchema, OwnField[]>;
    let own = cache.get(schema);
    if (!own) {
      own = [];
      const properties = isSchema(schema.properties) ? schema.properties : {};
      for (const [name, child] of Object.entries(properties)) {
        const classification = this.#classifier.classifyField(name, isSchema(child) ? child : undefined, { personLike: person });
        if (classification) own.push({ name, classification, parent: schema });
      }
      cache.set(schema, own);
    }
    return own;
  }
}

function pathStep(edge: Edge, path: string): string {
  switch (edge.via) {
    case 'property': return path === '' ? edge.name : `.${edge.name}`;
    case 'items': return '[]';
    case 'additionalProperties': return path === '' ? '*' : '.*';
    default: return '';
  }
}

/**
 * What names a person rather than describes them (their id, username, picture): the public card
 * any member sees of anyone by design. The rest is what a stranger must not get.
 */
const CARD_CATEGORIES: ReadonlySet<string> = new Set(['person-id', 'username', 'photo']);

/**
 * The fields beyond the public card.
 *
 * @example
 * ```ts
 * beyondCard(index.returned(getUser)).map((f) => f.name); // ['age', 'gender', 'weight', …]
 * ```
 */
export function beyondCard(fields: readonly ReturnedField[]): ReturnedField[] {
  return fields.filter((field) => !CARD_CATEGORIES.has(field.category));
}

/** `age`, `[].age`, `data[].age`: a field of the answer's record, or of each record of a list answer. */
const OWN_FIELD = /^(?:[^.[\]]*\[\]\.)?[^.[\]]+$/;

/**
 * Whether a field belongs to the record(s) an operation answers with, rather than to someone the
 * record mentions (`author.email`).
 *
 * @example
 * ```ts
 * isOwnField({ path: 'data[].age' }); // true
 * isOwnField({ path: 'author.email' }); // false
 * ```
 */
export function isOwnField(field: Pick<ReturnedField, 'path'>): boolean {
  return OWN_FIELD.test(field.path);
}

const SEVERE: ReadonlySet<Sensitivity> = new Set(['special', 'financial', 'credential']);
const SERIOUS: ReadonlySet<Sensitivity> = new Set(['demographic', 'contact', 'location', 'identifier']);

/**
 * How much harm a leak of these fields does: critical for health, money and secrets, high for
 * who someone is and where they live, medium for what they do and their choices.
 *
 * @example
 * ```ts
 * harmOf([{ sensitivity: 'demographic', … }]); // 'high'
 * ```
 */
export function harmOf(fields: readonly Pick<ReturnedField, 'sensitivity'>[]): Severity {
  if (fields.some((f) => SEVERE.has(f.sensitivity))) return 'critical';
  return fields.some((f) => SERIOUS.has(f.sensitivity)) ? 'high' : 'medium';
}

/**
 * The most harmful first, in the order found otherwise.
 *
 * @example
 * ```ts
 * byHarm(fields).map((f) => f.name); // ['calories', 'avg_heart_rate', 'total_output']
 * ```
 */
export function byHarm(fields: readonly ReturnedField[]): ReturnedField[] {
  const rank = (f: ReturnedField): number => (SEVERE.has(f.sensitivity) ? 0 : SERIOUS.has(f.sensitivity) ? 1 : 2);
  return [...fields].sort((a, b) => rank(a) - rank(b));
}

/**
 * Each name once, the most harmful first: what a title has room for.
 *
 * @example
 * ```ts
 * fieldNames(fields); // ['age', 'gender', 'location']
 * ```
 */
export function fieldNames(fields: readonly ReturnedField[]): string[] {
  return [...new Set(byHarm(fields).map((f) => f.name))];
}
