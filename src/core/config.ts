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
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { Ajv } from 'ajv';
import type { ErrorObject } from 'ajv';
import { ConfigError } from './errors.ts';
import { describeSchemaError, knownKeys, locateSchemaError } from './schema-errors.ts';
import type { Locate, PersonalDataConfig } from './personal-data/index.ts';
import { checkPersonalDataConfig, personalDataConfigSchema } from './personal-data/index.ts';
import { SourceMap } from './source.ts';

/** The file looked for in the working directory when no `--config` is given. */
export const DEFAULT_CONFIG_FILE = 'leakproof.yaml';

export interface LeakproofConfig {
  /** The file it came from; undefined for the built-in defaults. */
  file: string | undefined;
  personalData: PersonalDataConfig;
  /** The whole document, `${ENV}` references substituted, for the parts' own sections. */
  document: Readonly<Record<string, unknown>>;
  /** Where a node of the document is. */
  locate: Locate;
}

/** The sections a file may have; each part checks its own with {@link checkSection}. */
export const CONFIG_SECTIONS = ['personalData', 'scan', 'audit', 'gateway', 'disclose'] as const;

/** JSON Schema of the file's top level and of the core's own section. */
export const configSchema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  title: 'Leakproof configuration',
  type: 'object',
  additionalProperties: false,
  properties: {
    personalData: { description: 'Personal-data categories to add, replace or disable, and verdicts on field names.', ...personalDataConfigSchema },
    scan: { type: 'object', description: 'leakproof scan: target, identities, safety (see the scan section schema).' },
    audit: { type: 'object', description: 'leakproof audit: rules to disable or re-weight.' },
    gateway: { type: 'object', description: 'leakproof gateway: upstream, authentication, policies.' },
    disclose: { type: 'object', description: 'leakproof disclose: the disclosure tracker.' },
  },
} as const;

// verbose: errors carry their schema, so that an unknown key's message can list the known ones.
// strictRequired off: parts' schemas require properties inside oneOf branches that declare them one level up.
const ajv = new Ajv({ allErrors: true, strict: true, strictRequired: false, verbose: true });
const validate = ajv.compile(configSchema);
const sectionValidators = new WeakMap<object, ReturnType<typeof ajv.compile>>();

/**
 * Loads a configuration file; with no path, `leakproof.yaml` in the working directory if there is
 * one, else the defaults. Throws `FileReadError`, `ParseError` or `ConfigError`, with file:line.
 */
export async function loadConfig(path?: string, env: NodeJS.ProcessEnv = process.env): Promise<LeakproofConfig> {
  const file = path ?? (existsSync(DEFAULT_CONFIG_FILE) ? DEFAULT_CONFIG_FILE : undefined);
  const sources = new SourceMap();
  const locate: Locate = (node, member) => sources.locate(node, member);
  if (file === undefined) return { file: undefined, personalData: {}, document: {}, locate };
  const root = (await sources.parseFile(file)) ?? {};
  substituteEnvironment(root, env, sources);
  if (!validate(root)) throw configError(validate.errors ?? [], root, sources, file);
  const document = root as Record<string, unknown>;
  const section = document.personalData;
  return { file, personalData: section === undefined ? {} : checkPersonalDataConfig(section, { locate, path: 'personalData' }), document, locate };
}

/**
 * A path written in the configuration file, as the working directory names it: paths in the file
 * are relative to the file. An absolute path, or any path when the configuration has no file,
 * stays as written.
 *
 * @example
 * ```ts
 * configPath({ file: 'deploy/leakproof.yaml' }, 'openapi.yaml'); // 'deploy/openapi.yaml'
 * ```
 */
export function configPath(config: Pick<LeakproofConfig, 'file'>, path: string): string;
export function configPath(config: Pick<LeakproofConfig, 'file'>, path: string | undefined): string | undefined;
export function configPath(config: Pick<LeakproofConfig, 'file'>, path: string | undefined): string | undefined {
  return path === undefined || config.file === undefined || isAbsolute(path) ? path : relative(process.cwd(), resolve(dirname(config.file), path));
}

/**
 * Checks a part's section of the configuration against that part's JSON Schema (compiled once);
 * errors point at the file and line. Undefined when the file has no such section.
 */
export function checkSection(config: LeakproofConfig, name: (typeof CONFIG_SECTIONS)[number], schema: object): unknown {
  const section = config.document[name];
  if (section === undefined) return undefined;
  let check = sectionValidators.get(schema);
  if (!check) {
    check = ajv.compile(schema);
    sectionValidators.set(schema, check);
  }
  if (check(section)) return section;
  const errors = (check.errors ?? []).map((e) => ({ ...e, instancePath: `/${name}${e.instancePath}` }));
  throw configError(errors, config.document, { locate: config.locate }, config.file ?? DEFAULT_CONFIG_FILE);
}

function configError(errors: ErrorObject[], root: unknown, sources: Pick<SourceMap, 'locate'>, file: string): ConfigError {
  const [first] = errors;
  if (!first) return new ConfigError('invalid configuration', { location: { file, line: 1, column: 1, pointer: '' } });
  const here = errors.filter((e) => e.instancePath === first.instancePath);
  const others = new Set(errors.map((e) => e.instancePath)).size - 1;
  const more = others > 0 ? ` (and ${others} more ${others === 1 ? 'problem' : 'problems'})` : '';
  return new ConfigError(`${describeSchemaError(first, here)}${more}`, {
    location: locateSchemaError(root, first, (node, member) => sources.locate(node, member)),
    hint: first.keyword === 'additionalProperties' ? `known keys here: ${knownKeys(first).join(', ')}` : undefined,
  });
}

/**
 * Replaces `${NAME}` (and `${NAME:-fallback}`) in every string with the environment's value, so
 * that secrets stay out of the file. An unset variable without a fallback is an error at its line.
 */
function substituteEnvironment(root: unknown, env: NodeJS.ProcessEnv, sources: SourceMap): void {
  const visit = (node: unknown): void => {
    if (node === null || typeof node !== 'object') return;
    const entries: [string | number, unknown][] = Array.isArray(node) ? node.map((v, i) => [i, v]) : Object.entries(node);
    for (const [key, value] of entries) {
      if (typeof value === 'string' && value.includes('${')) {
        (node as Record<string | number, unknown>)[key] = value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g, (_, name: string, fallback: string | undefined) => {
          const found = env[name] ?? fallback;
          if (found === undefined) {
            throw new ConfigError(`environment variable ${name} is not set`, { location: sources.locate(node, key), hint: `set it, or give a fallback: \${${name}:-value}` });
          }
          return found;
        });
      } else visit(value);
    }
  };
  visit(root);
}
