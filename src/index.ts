/**
 * Leakproof as a library: the API model the command line is built on, and each part's entry
 * points: the scan and the retest of a finding's probe, the audit of a description, the gateway
 * (and the policy draft `leakproof suggest` writes), the access log's questions (`leakproof
 * logs`), and the disclosure tracker with its audit trail and advisories. Importing it starts
 * nothing (no server, connection, timer or database): each part starts when one of its functions
 * is called.
 *
 * @example
 * ```ts
 * import { loadApi } from 'leakproof';
 * const api = await loadApi('openapi.yaml');
 * ```
 *
 * @example The scan, against a running API
 * ```ts
 * const config = await loadConfig('leakproof.yaml');
 * const settings = scanConfig(config, { target: 'http://127.0.0.1:8080' });
 * const { findings } = await executeScan(await prepareScan(settings, config.personalData), settings);
 * ```
 *
 * @example The audit, as `leakproof audit` runs it (findings have the scan's `Finding` shape)
 * ```ts
 * const config = await loadConfig('leakproof.yaml');
 * const settings = auditConfig(config, { failOn: 'high' });
 * const { findings } = await auditApi(await loadApi('openapi.yaml'), { settings, classifier: createClassifier(config.personalData) });
 * if (findings.some((finding) => atOrAbove(finding, settings.failOn))) process.exitCode = 1;
 * ```
 *
 * @example The gateway, in this process
 * ```ts
 * const gateway = await startGateway(await prepareGateway(await loadConfig('gateway.yaml'), { port: 0 }));
 * console.log(gateway.url);
 * await gateway.close();
 * ```
 *
 * @example The access log: who received a person's data
 * ```ts
 * const log = await openAccessLogStore('leakproof-access.db');
 * const readers = await log.whoRead('erin', { since: parseSince('7d') });
 * await log.close();
 * ```
 *
 * @example The disclosure tracker: file a report, check the trail
 * ```ts
 * const tracker = await openTracker({ store: 'sqlite:leakproof-disclose.db' });
 * const { case: filed } = await tracker.submitReport(report); // a VulnerabilityReport
 * console.log(filed.reference, (await tracker.verifyTrail()).broken); // VR-0001 undefined
 * await tracker.close();
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
export { atOrAbove, executeScan, prepareScan, scanConfig } from './scan/index.ts';
export type { ExecutedScan, Finding, PreparedScan, ScanConfig, ScanSummary, Severity } from './scan/index.ts';
export { loadProbe, parseProbe, probeOf, PROBE_FORMAT, ProbeError, writeProbes } from './scan/probe.ts';
export type { Probe } from './scan/probe.ts';
export { retest } from './scan/retest.ts';
export type { RetestCaller, RetestResult, Verdict } from './scan/retest.ts';
export { loadConfig } from './core/config.ts';
export type { LeakproofConfig } from './core/config.ts';
export { createClassifier } from './core/personal-data/index.ts';
export type { Classifier } from './core/personal-data/index.ts';

export { auditApi, auditConfig } from './audit/index.ts';
export type { AuditFlags, AuditOptions, AuditResult, AuditSettings } from './audit/index.ts';

export { prepareGateway, startGateway } from './gateway/index.ts';
export type {
  EnumerationAlert, GatewayAccess, GatewayFlags, GatewaySettings, PreparedGateway, RunningGateway,
  StartOptions as GatewayStartOptions,
} from './gateway/index.ts';
export { AuthenticationSetupError } from './gateway/authentication/errors.ts';
export { CountersError } from './gateway/counters/redis.ts';
export { FindingsReportError, loadFindingsReport, suggestGatewayPolicy, visibilityOf } from './gateway/suggest.ts';
export type { FindingsReport, SuggestOptions, Suggestion, Visibility } from './gateway/suggest.ts';

export {
  AccessLogDroppedError, AccessLogFormatError, AccessLogNotFoundError, AccessLogStoreError, openAccessLogStore, parseSince,
} from './gateway/access-log/index.ts';
export type { AccessLogOptions, AccessLogStore, AccessRecord, ReaderCount, ReaderRow, SubjectCount } from './gateway/access-log/index.ts';

export { startDiscloseService } from './disclose/service.ts';
export type { DiscloseService, ServiceOptions as DiscloseServiceOptions } from './disclose/service.ts';
export type { DiscloseSettings } from './disclose/settings.ts';
export { CaseNotFoundError, ConflictError, openTracker } from './disclose/tracker.ts';
export type {
  CaseFilter, GateOutcome, OpenTrackerOptions, Staff, Tracker, TrackerHooks, TriageDecision, VerificationGate,
} from './disclose/tracker.ts';
export type { Assessment, Case, CaseState, PublishedAdvisory, Report as VulnerabilityReport, Severity as DiscloseSeverity } from './disclose/model.ts';
export { InputError } from './disclose/report-input.ts';
export { TransitionError } from './disclose/lifecycle.ts';
export { StoreError } from './disclose/store/database.ts';
export type { TrailCheck } from './disclose/store/trail.ts';
export { AdvisoryError, csafAdvisory, CsafInvalidError, markdownAdvisory, validateCsaf } from './disclose/advisory/index.ts';
export type { AdvisoryInput, AdvisoryProduct, Publisher } from './disclose/advisory/index.ts';
