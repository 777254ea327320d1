/**
 * Leakproof as a library: the API model the command line is built on.
 *
 * @example
 * ```ts
 * import { loadApi } from 'leakproof';
 * const api = await loadApi('openapi.yaml');
 * ```
 */
export { loadApi } from './core/load.ts';
export type { LoadOptions } from './core/load.ts';
export type {
  ApiModel, DescriptionFormat, Diagnostic, HttpMethod, JsonSchema, MediaType, Operation, Parameter,
  RequestBody, Response, SecurityRequirement, SecurityScheme, Server,
} from './core/model.ts';
export { allowsAnonymous, HTTP_METHODS, SAFE_METHODS } from './core/model.ts';
export type { SourceLocation } from './core/location.ts';
export { formatLocation } from './core/location.ts';
export {
  ConfigError, ExitCode, FileReadError, LeakproofError, ParseError, RefError, SpecError, UsageError,
} from './core/errors.ts';
export { MODES, PLANTED_FLAWS, SEED, startReferenceApi } from './reference-api/index.ts';
export type { Mode, PlantedFlaw, ReferenceApi } from './reference-api/index.ts';
