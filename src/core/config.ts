/**
 * The Leakproof configuration file (`leakproof.yaml`): one file, one section per concern, checked
 * against a JSON Schema, with every error pointing at the file and line of what is wrong.
 *
 * @example
 * ```yaml
 * # leakproof.yaml
 * personalData:
 *   fields:
 *     home_base: location
 *     display_name: false
 * ```
 */
import { existsSync } from 'node:fs';
import { Ajv } from 'ajv';
import type { ErrorObject } from 'ajv';
import { ConfigError } from './errors.ts';
import { unescapePointerToken } from './location.ts';
import type { PersonalDataConfig } from './personal-data/index.ts';
import { checkPersonalDataConfig, personalDataConfigSchema } from './personal-data/index.ts';
import { SourceMap } from './source.ts';

/** The file looked for in the working directory when no `--config` is given. */
export const DEFAULT_CONFIG_FILE = 'leakproof.yaml';

export interface LeakproofConfig {
  /** The file it came from; undefined for the built-in defaults. */
  file: string | undefined;
  personalData: PersonalDataConfig;
}

/** JSON Schema of the whole file, for validation here and for editors' completion. */
export const configSchema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  title: 'Leakproof configuration',
  type: 'object',
  additionalProperties: false,
  properties: {
    personalData: { description: 'Personal-data categories to add, replace or disable, and verdicts on field names.', ...personalDataConfigSchema },
  },
} as const;

// verbose: errors carry their schema, so that an unknown key's message can list the known ones.
const validate = new Ajv({ allErrors: true, strict: true, verbose: true }).compile(configSchema);

/**
 * Loads a configuration file; with no path, `leakproof.yaml` in the working directory if there is
 * one, else the defaults. Throws `FileReadError`, `ParseError` or `ConfigError`, with file:line.
 */
export async function loadConfig(path?: string): Promise<LeakproofConfig> {
  const file = path ?? (existsSync(DEFAULT_CONFIG_FILE) ? DEFAULT_CONFIG_FILE : undefined);
  if (file === undefined) return { file: undefined, personalData: {} };
  const sources = new SourceMap();
  const root = (await sources.parseFile(file)) ?? {};
  const locate = (node: object, member?: string | number) => sources.locate(node, member);
  if (!validate(root)) {
    const errors = validate.errors ?? [];
    const [first] = errors;
    if (!first) throw new ConfigError('invalid configuration', { location: { file, line: 1, column: 1, pointer: '' } });
    const here = errors.filter((e) => e.instancePath === first.instancePath);
    const others = new Set(errors.map((e) => e.instancePath)).size - 1;
    const more = others > 0 ? ` (and ${others} more ${others === 1 ? 'problem' : 'problems'})` : '';
    throw new ConfigError(`${describe(first, here)}${more}`, {
      location: locateError(root, first, sources),
      hint: first.keyword === 'additionalProperties' ? `known keys here: ${knownKeys(first).join(', ')}` : undefined,
    });
  }
  const section = (root as { personalData?: unknown }).personalData;
  return { file, personalData: section === undefined ? {} : checkPersonalDataConfig(section, { locate, path: 'personalData' }) };
}

function dotted(instancePath: string): string {
  return instancePath.split('/').slice(1).map(unescapePointerToken).join('.');
}

/** One message for the errors at one place; the alternatives of an anyOf are joined with "or". */
function describe(error: ErrorObject, samePlace: ErrorObject[]): string {
  const where = dotted(error.instancePath);
  const prefix = where === '' ? '' : `${where}: `;
  if (error.keyword === 'additionalProperties') return `${prefix}unknown key '${String(error.params.additionalProperty)}'`;
  if (samePlace.some((e) => e.keyword === 'anyOf' || e.keyword === 'oneOf')) {
    const alternatives = samePlace.filter((e) => e.keyword !== 'anyOf' && e.keyword !== 'oneOf').map(expectation);
    return `${prefix}must be ${alternatives.join(' or ')}`;
  }
  const typed = error.keyword === 'type' || error.keyword === 'const' || error.keyword === 'enum';
  return `${prefix}${typed ? `must be ${expectation(error)}` : error.message ?? 'is invalid'}`;
}

function expectation(error: ErrorObject): string {
  if (error.keyword === 'type') return `a ${String(error.params.type)}`;
  if (error.keyword === 'const') return JSON.stringify(error.params.allowedValue);
  if (error.keyword === 'enum') return `one of ${(error.params.allowedValues as unknown[]).map(String).join(', ')}`;
  return error.message ?? 'valid';
}

function knownKeys(error: ErrorObject): string[] {
  const properties = (error.parentSchema as { properties?: Record<string, unknown> } | undefined)?.properties;
  return Object.keys(properties ?? {});
}

/** The node an error is about, or the member of its parent that names it. */
function locateError(root: unknown, error: ErrorObject, sources: SourceMap) {
  const tokens = error.instancePath.split('/').slice(1).map(unescapePointerToken);
  let parent: unknown = undefined;
  let node: unknown = root;
  for (const token of tokens) {
    parent = node;
    node = node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[token] : undefined;
  }
  if (error.keyword === 'additionalProperties' && node !== null && typeof node === 'object') {
    return sources.locate(node, String(error.params.additionalProperty));
  }
  if (node !== null && typeof node === 'object') return sources.locate(node);
  const last = tokens.at(-1);
  return parent !== null && typeof parent === 'object' && last !== undefined ? sources.locate(parent, last) : undefined;
}
