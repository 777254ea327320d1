/**
 * The personal-data section of a Leakproof configuration: categories to add or replace, categories
 * to turn off, and verdicts on exact field names. Checked once, when a classifier is created, with
 * errors that name the bad entry and, given a `locate`, its file and line.
 */
import { ConfigError } from '../errors.ts';
import type { SourceLocation } from '../location.ts';
import { CATALOGUE, JSON_TYPES, SENSITIVITIES } from './catalogue.ts';
import type { CategoryDefinition } from './catalogue.ts';
import { namePatternProblem } from './name-pattern.ts';

/**
 * @example
 * ```ts
 * const config: PersonalDataConfig = {
 *   categories: [{ id: 'loyalty-number', label: 'Loyalty number', sensitivity: 'identifier',
 *     names: ['loyalty number'], description: 'Customer loyalty card number' }],
 *   disable: ['activity'],
 *   fields: { home_base: 'location', display_name: false },
 * };
 * ```
 */
export interface PersonalDataConfig {
  /** Categories to add; one with the id of a built-in category replaces it whole. */
  categories?: readonly CategoryDefinition[];
  /** Category ids never to report. */
  disable?: readonly string[];
  /** Exact field name → category id, or `false` never to classify a field of that name. */
  fields?: Readonly<Record<string, string | false>>;
}

/** Where a node of a parsed configuration file is: `SourceMap.locate` fits. */
export type Locate = (node: object, member?: string | number) => SourceLocation | undefined;

export interface ConfigCheckOptions {
  /** Turns a config node and member into file:line for error messages. */
  locate?: Locate | undefined;
  /** Where the section sits in its file (e.g. `personalData`), to name entries as the file does. */
  path?: string | undefined;
}

const CATEGORY_ID = '^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$';
const CATEGORY_ID_PATTERN = new RegExp(CATEGORY_ID);
const NON_EMPTY_STRING = { type: 'string', minLength: 1 };
const STRINGS = { type: 'array', items: NON_EMPTY_STRING };
const EVIDENCE = { names: STRINGS, formats: STRINGS, values: STRINGS };

/**
 * JSON Schema (draft-07 and later) of the personal-data configuration section, for validating
 * configuration files with ajv. Checks shape only; {@link checkPersonalDataConfig} also checks
 * what a schema cannot: regular expressions, name patterns and category references.
 *
 * @example
 * ```ts
 * const validate = new Ajv({ allErrors: true }).compile(personalDataConfigSchema);
 * if (!validate(section)) console.log(validate.errors);
 * ```
 */
export const personalDataConfigSchema: Readonly<Record<string, unknown>> = {
  type: 'object',
  additionalProperties: false,
  properties: {
    categories: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['id', 'label', 'sensitivity', 'names', 'description'],
        properties: {
          id: { type: 'string', pattern: CATEGORY_ID },
          label: NON_EMPTY_STRING,
          sensitivity: { enum: [...SENSITIVITIES] },
          description: NON_EMPTY_STRING,
          ...EVIDENCE,
          person: { type: 'object', additionalProperties: false, properties: EVIDENCE },
          unless: STRINGS,
          types: { type: 'array', items: { enum: [...JSON_TYPES] } },
        },
      },
    },
    disable: { type: 'array', items: { type: 'string', pattern: CATEGORY_ID } },
    fields: {
      type: 'object',
      additionalProperties: { anyOf: [{ type: 'string', pattern: CATEGORY_ID }, { const: false }] },
    },
  },
};

/** The categories in force: built-ins, replaced or extended by the configuration, less disabled ones. */
export function categoriesInForce(config: PersonalDataConfig): CategoryDefinition[] {
  const byId = new Map(CATALOGUE.map((category) => [category.id, category]));
  for (const category of config.categories ?? []) byId.set(category.id, category);
  const disabled = new Set(config.disable);
  return [...byId.values()].filter((category) => !disabled.has(category.id));
}

/**
 * Checks a personal-data configuration section (as parsed from a file, or built in code) and
 * returns it typed. Throws `ConfigError` naming the first bad entry.
 *
 * @example
 * ```ts
 * const sources = new SourceMap();
 * const root = await sources.parseFile('leakproof.yaml');
 * const config = checkPersonalDataConfig(root.personalData, { locate: (n, m) => sources.locate(n, m) });
 * ```
 */
export function checkPersonalDataConfig(input: unknown, options: ConfigCheckOptions = {}): PersonalDataConfig {
  const checker = new Checker(options);
  if (!isRecord(input)) throw checker.error(undefined, 'must be a mapping with `categories`, `disable` and/or `fields`');
  checker.onlyKeys(input, '', ['categories', 'disable', 'fields']);
  const ids = new Set(CATALOGUE.map((category) => category.id));
  checker.list(input, 'categories', '', (list, index, path) => {
    ids.add(checkCategory(checker, list, index, path));
  });
  checkUnique(checker, input);
  const disabled = new Set<string>();
  checker.list(input, 'disable', '', (list, index, path) => {
    const id = checker.string(list, index, path);
    if (!ids.has(id)) throw checker.error({ node: list, member: index, path }, `unknown category '${id}'`, knownIds(ids));
    disabled.add(id);
  });
  checkFields(checker, input, ids, disabled);
  return input;
}

function checkCategory(checker: Checker, list: unknown[], index: number, path: string): string {
  const category = list[index];
  if (!isRecord(category)) throw checker.error({ node: list, member: index, path }, 'must be a mapping describing a category');
  checker.onlyKeys(category, path, ['id', 'label', 'sensitivity', 'description', 'names', 'formats', 'values', 'person', 'unless', 'types']);
  const id = checker.string(category, 'id', `${path}.id`);
  if (!CATEGORY_ID_PATTERN.test(id)) {
    throw checker.error({ node: category, member: 'id', path: `${path}.id` }, `'${id}' is not a category id`, 'use lower-case words joined by `-`, e.g. `loyalty-number`');
  }
  checker.string(category, 'label', `${path}.label`);
  const sensitivity = checker.string(category, 'sensitivity', `${path}.sensitivity`);
  if (!(SENSITIVITIES as readonly string[]).includes(sensitivity)) {
    throw checker.error({ node: category, member: 'sensitivity', path: `${path}.sensitivity` }, `unknown sensitivity '${sensitivity}'`, `one of: ${SENSITIVITIES.join(', ')}`);
  }
  checker.string(category, 'description', `${path}.description`);
  if (category.names === undefined) throw checker.error({ node: category, path }, 'has no `names` (an empty list will do)');
  checkEvidence(checker, category, path);
  if (category.person !== undefined) {
    const person = category.person;
    if (!isRecord(person)) throw checker.error({ node: category, member: 'person', path: `${path}.person` }, 'must be a mapping with `names`, `formats` and/or `values`');
    checker.onlyKeys(person, `${path}.person`, ['names', 'formats', 'values']);
    checkEvidence(checker, person, `${path}.person`);
  }
  checker.list(category, 'types', path, (types, i, itemPath) => {
    const type = checker.string(types, i, itemPath);
    if (!(JSON_TYPES as readonly string[]).includes(type)) {
      throw checker.error({ node: types, member: i, path: itemPath }, `unknown JSON type '${type}'`, `one of: ${JSON_TYPES.join(', ')}`);
    }
  });
  return id;
}

function checkEvidence(checker: Checker, evidence: Record<string, unknown>, path: string): void {
  const namePatterns = (list: unknown[], i: number, itemPath: string): void => {
    const problem = namePatternProblem(checker.string(list, i, itemPath));
    if (problem !== undefined) throw checker.error({ node: list, member: i, path: itemPath }, `name pattern ${problem}`);
  };
  checker.list(evidence, 'names', path, namePatterns);
  checker.list(evidence, 'unless', path, namePatterns);
  checker.list(evidence, 'formats', path, (list, i, itemPath) => checker.string(list, i, itemPath));
  checker.list(evidence, 'values', path, (list, i, itemPath) => {
    const source = checker.string(list, i, itemPath);
    try {
      new RegExp(source, 'u');
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw checker.error({ node: list, member: i, path: itemPath }, `is not a valid regular expression: ${reason}`, 'values are JavaScript regular expressions in Unicode mode, e.g. `^\\d{5}$`');
    }
  });
}

function checkUnique(checker: Checker, input: Record<string, unknown>): void {
  const categories = Array.isArray(input.categories) ? (input.categories as Record<string, unknown>[]) : [];
  const seen = new Set<unknown>();
  categories.forEach((category, index) => {
    if (seen.has(category.id)) {
      throw checker.error({ node: category, member: 'id', path: `categories[${index}].id` }, `category '${String(category.id)}' is defined twice`);
    }
    seen.add(category.id);
  });
}

function checkFields(checker: Checker, input: Record<string, unknown>, ids: ReadonlySet<string>, disabled: ReadonlySet<string>): void {
  const fields = input.fields;
  if (fields === undefined) return;
  if (!isRecord(fields)) throw checker.error({ node: input, member: 'fields', path: 'fields' }, 'must be a mapping of field names to a category id or false');
  for (const [name, verdict] of Object.entries(fields)) {
    const place = { node: fields, member: name, path: childPath('fields', name) };
    if (verdict === false) continue;
    if (typeof verdict !== 'string') throw checker.error(place, 'must be a category id, or false never to classify the field');
    if (!ids.has(verdict)) throw checker.error(place, `unknown category '${verdict}'`, knownIds(ids));
    if (disabled.has(verdict)) throw checker.error(place, `category '${verdict}' is disabled in \`disable\``);
  }
}

function knownIds(ids: ReadonlySet<string>): string {
  return `known categories: ${[...ids].join(', ')}`;
}

interface Place {
  node: object;
  member?: string | number;
  path: string;
}

class Checker {
  readonly #locate: Locate | undefined;
  readonly #section: string | undefined;

  constructor(options: ConfigCheckOptions) {
    this.#locate = options.locate;
    this.#section = options.path;
  }

  error(place: Place | undefined, message: string, hint?: string): ConfigError {
    const path = place?.path ?? '';
    const location = place && this.#locate ? this.#locate(place.node, place.member) : undefined;
    const where = this.#section === undefined
      ? `personal-data configuration: ${path === '' ? '' : `${path}: `}`
      : `${path === '' ? this.#section : `${this.#section}.${path}`}: `;
    return new ConfigError(`${where}${message}`, { location, hint });
  }

  onlyKeys(node: Record<string, unknown>, path: string, allowed: readonly string[]): void {
    for (const key of Object.keys(node)) {
      if (!allowed.includes(key)) {
        throw this.error({ node, member: key, path: childPath(path, key) }, `unknown setting '${key}'`, `allowed here: ${allowed.join(', ')}`);
      }
    }
  }

  /** The non-empty string at `node[member]`. */
  string(node: object, member: string | number, path: string): string {
    const value: unknown = (node as Record<string | number, unknown>)[member];
    if (typeof value !== 'string' || value.trim() === '') {
      throw this.error({ node, member, path }, value === undefined ? 'is missing' : 'must be a non-empty string');
    }
    return value;
  }

  /** Calls `each` for every item of the list at `node[member]`, if there is one. */
  list(node: Record<string, unknown>, member: string, path: string, each: (list: unknown[], index: number, itemPath: string) => unknown): void {
    const list = node[member];
    const listPath = childPath(path, member);
    if (list === undefined) return;
    if (!Array.isArray(list)) throw this.error({ node, member, path: listPath }, 'must be a list');
    list.forEach((_, index) => each(list, index, `${listPath}[${index}]`));
  }
}

/** `fields.home_base`, `fields["home base"]`. */
function childPath(path: string, member: string): string {
  if (!/^[A-Za-z_$][\w$-]*$/.test(member)) return `${path}[${JSON.stringify(member)}]`;
  return path === '' ? member : `${path}.${member}`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
