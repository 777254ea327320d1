/**
 * Leakproof as a library: the API model the command line is built on, the scan, and the retest
 * of a finding's probe.
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
export { executeScan, prepareScan, scanConfig } from './scan/index.ts';
export type { ExecutedScan, Finding, PreparedScan, ScanConfig, ScanSummary, Severity } from './scan/index.ts';
export { loadProbe, parseProbe, probeOf, PROBE_FORMAT, ProbeError, writeProbes } from './scan/probe.ts';
export type { Probe } from './scan/probe.ts';
export { retest } from './scan/retest.ts';
export type { RetestCaller, RetestResult, Verdict } from './scan/retest.ts';
export { loadConfig } from './core/config.ts';
