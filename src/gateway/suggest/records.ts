/**
 * What an operation answers, read from its description: where the records are (for a policy's
 * `records`), and whether they are people, things a person owns, or neither. Object-level rules
 * are drafted only for the first two: an owner is what "whose data is this?" needs.
 */
import type { ApiModel, JsonSchema, Operation } from '../../core/model.ts';
import type { Classifier } from '../../core/personal-data/index.ts';
import { componentNames } from '../../core/personal-data/index.ts';
import { propertiesOf } from '../../core/personal-data/schema-walk.ts';

/** The records of one operation's answer, and whose they are. */
export type Records =
  /** People: the record's `id` is the person's. */
  | { where: string; kind: 'person'; schema: JsonSchema | undefined; numericIds: boolean }
  /** Things a person owns (a workout): `owner` names the field with the person's id. */
  | { where: string; kind: 'owned'; schema: JsonSchema; name: string | undefined; owner: string; numericIds: boolean }
  /** Records about no one person, or about several (`why` says which). */
  | { where: string; kind: 'other'; why: string };

const PERSON_ID = 'person-id';

/** Reads records off the descriptions of one API: classification needs the component names. */
export class RecordReader {
  readonly #api: ApiModel;
  readonly #classifier: Classifier;
  readonly #names: Map<object, string>;

  constructor(api: ApiModel, classifier: Classifier) {
    this.#api = api;
    this.#classifier = classifier;
    this.#names = componentNames(api);
  }

  /**
   * The records `operation` answers with. GraphQL answers, and answers whose schema does not say
   * where the records are, are searched `deep`: every object with an `id` is taken for a person.
   *
   * @example
   * ```ts
   * new RecordReader(api, createClassifier()).recordsOf(getUser); // { where: '$', kind: 'person', ... }
   * ```
   */
  recordsOf(operation: Operation): Records {
    const schema = isGraphql(operation) ? undefined : successSchema(operation);
    const located = schema === undefined ? undefined : locate(schema);
    if (!located) return { where: 'deep', kind: 'person', schema: undefined, numericIds: false };
    const { where, record } = located;
    const name = this.#names.get(record);
    const numericIds = isNumeric(propertySchema(record, 'id'));
    if (this.#classifier.isPersonLike(record, name)) return { where, kind: 'person', schema: record, numericIds };
    const owners = [...new Set(propertiesOf(record).filter((p) => p.name !== 'id' && this.#classifier.classifyField(p.name, p.schema, { personLike: false })?.category === PERSON_ID).map((p) => p.name))];
    const [owner] = owners;
    if (owners.length === 1 && owner !== undefined) return { where, kind: 'owned', schema: record, name, owner, numericIds: isNumeric(propertySchema(record, owner)) };
    return { where, kind: 'other', why: owners.length === 0 ? 'no field of them names a person' : `they name several people (${owners.join(', ')})` };
  }

  /**
   * The operation that lists who follows a person (`GET /.../{id}/followers`), if the API has one.
   *
   * @example
   * ```ts
   * reader.followersOperation()?.path; // '/api/user/{id}/followers'
   * ```
   */
  followersOperation(): Operation | undefined {
    return this.#api.operations.find((o) => o.method === 'GET' && /\/\{[^{}]+\}\/followers\/?$/.test(o.path));
  }

  /**
   * The operation that answers one person by id (`GET /.../{id}`, a person record at `$`), for
   * rules on things a person owns that need the owner's private flag.
   *
   * @example
   * ```ts
   * reader.profileOperation()?.id; // 'getUser'
   * ```
   */
  profileOperation(): Operation | undefined {
    return this.#api.operations.find((o) => {
      if (o.method !== 'GET' || !/\/\{[^{}]+\}$/.test(o.path) || o.parameters.filter((p) => p.in === 'path').length !== 1) return false;
      const records = this.recordsOf(o);
      return records.kind === 'person' && records.where === '$';
    });
  }
}

/** A GraphQL endpoint: a POST whose JSON body has a `query` string. */
function isGraphql(operation: Operation): boolean {
  if (operation.method !== 'POST') return false;
  const body = operation.requestBody?.content.find((c) => c.mediaType.includes('json'))?.schema;
  const query = propertySchema(body, 'query')?.type;
  return query === 'string' || (Array.isArray(query) && query.includes('string'));
}

/** The JSON schema of the first 2xx answer that has one. */
function successSchema(operation: Operation): JsonSchema | undefined {
  for (const response of operation.responses) {
    if (!/^2(\d\d|XX)$/i.test(response.status)) continue;
    const schema = response.content.find((c) => c.mediaType.includes('json'))?.schema;
    if (schema) return schema;
  }
  return undefined;
}

/** `$` for a record, `$[*]` for a list of them, `$.data[*]` for a list in a property. */
function locate(schema: JsonSchema): { where: string; record: JsonSchema } | undefined {
  if (hasId(schema)) return { where: '$', record: schema };
  const items = itemsOf(schema);
  if (items && hasId(items)) return { where: '$[*]', record: items };
  for (const property of propertiesOf(schema)) {
    const listed = itemsOf(property.schema as JsonSchema | undefined);
    if (listed && hasId(listed)) return { where: `$${member(property.name)}[*]`, record: listed };
  }
  return undefined;
}

function hasId(schema: JsonSchema): boolean {
  return propertySchema(schema, 'id') !== undefined;
}

function itemsOf(schema: JsonSchema | undefined): JsonSchema | undefined {
  const items = schema?.items;
  return items !== null && typeof items === 'object' && !Array.isArray(items) ? (items as JsonSchema) : undefined;
}

function propertySchema(schema: JsonSchema | undefined, name: string): JsonSchema | undefined {
  if (schema === undefined) return undefined;
  const found = propertiesOf(schema).find((p) => p.name === name);
  return found === undefined ? undefined : ((found.schema ?? {}) as JsonSchema);
}

function isNumeric(schema: JsonSchema | undefined): boolean {
  const types = Array.isArray(schema?.type) ? (schema.type as unknown[]) : [schema?.type];
  return types.includes('integer') || types.includes('number');
}

/**
 * A member access in JSONPath and CEL alike: `.name`, or `["odd-name"]`.
 *
 * @example
 * ```ts
 * `resource${member('is_private')}`; // 'resource.is_private'
 * `resource${member('is-private')}`; // 'resource["is-private"]'
 * ```
 */
export function member(name: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) ? `.${name}` : `[${JSON.stringify(name)}]`;
}
