/**
 * Which fields hold personal data, and of what kind: from a field's name, its JSON Schema, a
 * schema extension, the configuration, or an observed value. Rules are compiled once per
 * classifier; the gateway asks per response field, so a question costs map lookups, not regexes
 * built on the spot.
 */
import { AMBIGUOUS_PERSON_NOUNS, NON_PERSON_NOUNS, PERSON_NOUNS, SCHEMA_NAME_WRAPPERS } from './catalogue.ts';
import type { CategoryDefinition, JsonType, Sensitivity } from './catalogue.ts';
import { checkPersonalDataConfig } from './config.ts';
import type { ConfigCheckOptions, PersonalDataConfig } from './config.ts';
import { CompiledRules, PERSONAL_DATA_EXTENSION, typeFamily } from './rules.ts';
import { propertiesOf, walkSchema } from './schema-walk.ts';
import type { PersonalField, SchemaWalkOptions } from './schema-walk.ts';
import { nameWords } from './words.ts';

/** What decided a classification: the field's name, its schema format, an `x-personal-data` extension, the configuration's `fields`, or an observed value. */
export type ClassificationReason = 'name' | 'format' | 'extension' | 'config' | 'value';

/**
 * What a field holds.
 *
 * @example
 * ```ts
 * const verdict: Classification = { category: 'age', sensitivity: 'demographic', reason: 'name' };
 * ```
 */
export interface Classification {
  /** Category id, e.g. `email`. */
  readonly category: string;
  readonly sensitivity: Sensitivity;
  readonly reason: ClassificationReason;
}

export interface FieldContext {
  /** Name of the schema that holds the field; person-like names (`User`) make `id`, `name`, `image` personal. */
  parentSchemaName?: string | undefined;
  /** Whether the schema that holds the field describes a person; wins over `parentSchemaName`. */
  personLike?: boolean | undefined;
}

export interface Classifier {
  /** The categories in force, built-in and configured, less disabled ones. */
  readonly categories: readonly CategoryDefinition[];
  /**
   * The category of a field from its name and, when given, its schema: an `x-personal-data`
   * extension first, then the configuration's `fields`, the name, and the `format`. Throws
   * `SpecError` when the extension names no category.
   *
   * @example
   * ```ts
   * classifier.classifyField('riderAge'); // { category: 'age', sensitivity: 'demographic', reason: 'name' }
   * classifier.classifyField('id', { type: 'string' }, { parentSchemaName: 'User' }); // person-id
   * classifier.classifyField('usage'); // undefined
   * ```
   */
  classifyField(name: string, schema?: object, context?: FieldContext): Classification | undefined;
  /**
   * The category of a field seen in a response: the configuration's `fields`, then its name, then
   * its value (email, phone, card and national-id patterns; IP addresses only on a person). A
   * date is never a birthday by its value alone: `created_at` holds dates too.
   *
   * @example
   * ```ts
   * classifier.classifyValue('contact', 'ann@example.com'); // { category: 'email', ..., reason: 'value' }
   * ```
   */
  classifyValue(name: string, value: unknown, context?: FieldContext): Classification | undefined;
  /**
   * Every personal field of a schema, through properties, items, map values and
   * `allOf`/`anyOf`/`oneOf`, shortest paths first. A schema shared by several properties is
   * reported under each path that reaches it (past a few thousand such paths, only under the
   * shortest), and never entered from inside itself, so recursive schemas terminate.
   *
   * @example
   * ```ts
   * for (const field of classifier.classifySchema(api.schemas.get('User') ?? {}, { name: 'User' })) {
   *   console.log(field.path, field.category, api.locate(field.schema ?? field.parent)?.line);
   * }
   * ```
   */
  classifySchema(schema: object, options?: SchemaWalkOptions): PersonalField[];
  /**
   * Whether a schema describes a person: named like one (`User`, `RiderProfile`, `CustomerDto`), or
   * not named like a group or thing (`Organization`, `Product`) and with at least two properties
   * that identify or describe someone (username, email, age...).
   *
   * @example
   * ```ts
   * classifier.isPersonLike({ properties: { username: {}, age: {} } }); // true
   * ```
   */
  isPersonLike(schema: object, name?: string): boolean;
}

/** Observed strings longer than this are text, not an email or a card number. */
const MAX_VALUE_LENGTH = 320;
/** Observed arrays are judged by their first items. */
const MAX_VALUE_SAMPLES = 16;
/** Sensitivities that make a schema person-like when two of its properties have them. */
const DESCRIBES_PERSON: ReadonlySet<Sensitivity> = new Set(['identifier', 'online-identifier', 'contact', 'demographic', 'behavioural', 'preference']);
/** Ids point at people; two of them make a record about people (an order), not a person. */
const PERSON_ID = 'person-id';
const PERSON_NOUN_SET: ReadonlySet<string> = new Set(PERSON_NOUNS);
const AMBIGUOUS_NOUN_SET: ReadonlySet<string> = new Set(AMBIGUOUS_PERSON_NOUNS);
const NON_PERSON_NOUN_SET: ReadonlySet<string> = new Set(NON_PERSON_NOUNS);
const WRAPPER_SET: ReadonlySet<string> = new Set(SCHEMA_NAME_WRAPPERS);

/**
 * Compiles the catalogue and `config` into a classifier. Throws `ConfigError` naming the bad entry
 * of an invalid configuration; pass `locate` to get its file and line.
 *
 * @example
 * ```ts
 * const classifier = createClassifier({ fields: { home_base: 'location' }, disable: ['activity'] });
 * classifier.classifyField('home_base'); // { category: 'location', sensitivity: 'location', reason: 'config' }
 * ```
 */
export function createClassifier(config: PersonalDataConfig = {}, options: ConfigCheckOptions = {}): Classifier {
  return new RuleClassifier(new CompiledRules(checkPersonalDataConfig(config, options)));
}

class RuleClassifier implements Classifier {
  readonly #rules: CompiledRules;
  /** Per schema object, how many of its properties describe a person. */
  readonly #describingFields = new WeakMap<object, number>();

  constructor(rules: CompiledRules) {
    this.#rules = rules;
  }

  get categories(): readonly CategoryDefinition[] {
    return this.#rules.categories;
  }

  classifyField(name: string, schema?: object, context: FieldContext = {}): Classification | undefined {
    const node = isRecord(schema) ? schema : {};
    if (PERSONAL_DATA_EXTENSION in node) return this.#rules.byExtension(node[PERSONAL_DATA_EXTENSION], name)?.verdicts.extension;
    const configured = this.#rules.byFieldName(name);
    if (configured !== undefined) return configured === false ? undefined : configured.verdicts.config;
    const personLike = isPersonContext(context);
    const types = schemaTypes(node);
    const named = this.#rules.byName(name, personLike, types);
    if (named) return named.verdicts.name;
    const format = schemaFormat(node);
    return format === undefined ? undefined : this.#rules.byFormat(format, personLike, types)?.verdicts.format;
  }

  classifyValue(name: string, value: unknown, context: FieldContext = {}): Classification | undefined {
    const configured = this.#rules.byFieldName(name);
    if (configured !== undefined) return configured === false ? undefined : configured.verdicts.config;
    const personLike = isPersonContext(context);
    const named = this.#rules.byName(name, personLike, valueTypes(value));
    if (named) return named.verdicts.name;
    const samples = (Array.isArray(value) ? value.slice(0, MAX_VALUE_SAMPLES) : [value]).filter(
      (sample): sample is string => typeof sample === 'string' && sample.length <= MAX_VALUE_LENGTH,
    );
    return samples.length === 0 ? undefined : this.#rules.byValue(samples, personLike)?.verdicts.value;
  }

  classifySchema(schema: object, options?: SchemaWalkOptions): PersonalField[] {
    return walkSchema(schema, this, options);
  }

  isPersonLike(schema: object, name?: string): boolean {
    const schemaName = name ?? (isRecord(schema) && typeof schema.title === 'string' ? schema.title : undefined);
    const naming = schemaName === undefined ? undefined : personNaming(schemaName);
    if (naming === 'person') return true;
    if (naming === 'thing') return false;
    let count = this.#describingFields.get(schema);
    if (count === undefined) {
      count = propertiesOf(schema).filter((property) => {
        const classification = this.classifyField(property.name, property.schema, { personLike: false });
        return classification !== undefined && classification.category !== PERSON_ID && DESCRIBES_PERSON.has(classification.sensitivity);
      }).length;
      this.#describingFields.set(schema, count);
    }
    return count >= (naming === 'maybe' ? 1 : 2);
  }
}

/**
 * Whether a schema name names a person: its last word, after wrappers like `Dto` or `Response`, is
 * a person noun. `UserProfile` and `simple-user` do; `UserSettings`, `CustomerOrder` and, without
 * a personal field to back it, `BankAccount` do not.
 *
 * @example
 * ```ts
 * namesPerson('RiderDto'); // true
 * ```
 */
export function namesPerson(schemaName: string): boolean {
  return personNaming(schemaName) === 'person';
}

function personNaming(schemaName: string): 'person' | 'maybe' | 'thing' | undefined {
  const words = nameWords(schemaName);
  while (words.length > 1 && WRAPPER_SET.has(words.at(-1) ?? '')) words.pop();
  const head = words.at(-1) ?? '';
  if (PERSON_NOUN_SET.has(head)) return AMBIGUOUS_NOUN_SET.has(head) ? 'maybe' : 'person';
  return NON_PERSON_NOUN_SET.has(head) ? 'thing' : undefined;
}

function isPersonContext(context: FieldContext): boolean {
  return context.personLike ?? (context.parentSchemaName !== undefined && namesPerson(context.parentSchemaName));
}

/** The declared types of a field, arrays counting as their items; undefined when it does not say. */
function schemaTypes(schema: Record<string, unknown>): string[] | undefined {
  const declared = typeList(schema.type);
  if (declared === undefined) return undefined;
  const itemTypes = isRecord(schema.items) ? typeList(schema.items.type) : undefined;
  const types = declared.flatMap((type) => (type === 'array' && itemTypes ? itemTypes : [type])).filter((type) => type !== 'null');
  return types.length > 0 ? types.map(typeFamily) : undefined;
}

function typeList(type: unknown): string[] | undefined {
  if (typeof type === 'string') return [type];
  if (Array.isArray(type)) return type.filter((item): item is string => typeof item === 'string');
  return undefined;
}

function schemaFormat(schema: Record<string, unknown>): string | undefined {
  if (typeof schema.format === 'string') return schema.format;
  return isRecord(schema.items) && typeof schema.items.format === 'string' ? schema.items.format : undefined;
}

function valueTypes(value: unknown): JsonType[] | undefined {
  const sample: unknown = Array.isArray(value) ? value.find((item) => item !== null) : value;
  if (sample === null || sample === undefined) return Array.isArray(value) ? ['array'] : undefined;
  if (Array.isArray(sample)) return ['array'];
  const type = typeof sample;
  if (type === 'string' || type === 'number' || type === 'boolean' || type === 'object') return [type];
  return undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
