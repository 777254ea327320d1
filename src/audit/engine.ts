/**
 * Running the rules over an API model: each rule sees only the operations that do not ignore it,
 * and its results become findings, their severity weighed by who can call the operation and
 * replaced by the configuration's where it names one. The same model gives the same findings,
 * in the same order, every time.
 */
import type { ApiModel, Diagnostic, Operation } from '../core/model.ts';
import { allowsAnonymous } from '../core/model.ts';
import type { Classifier } from '../core/personal-data/index.ts';
import { createClassifier } from '../core/personal-data/index.ts';
import { VERSION } from '../core/version.ts';
import type { CheckDescription, Finding, ScanSummary } from '../scan/finding.ts';
import { sortFindings } from '../scan/report/index.ts';
import { Exposures, weigh } from './audience.ts';
import type { AuditSettings } from './config.ts';
import { locateDocumentSecurity } from './document-security.ts';
import { Fingerprints } from './fingerprint.ts';
import { Ignores } from './ignores.ts';
import { OperationReading } from './operations.ts';
import { PersonalDataIndex } from './personal-data.ts';
import type { AuditContext, AuditRule, RuleResult } from './rule.ts';
import { AUDIT_RULES } from './rules/index.ts';
import type { Reached } from './schema-graph.ts';
import { reach, requestRoots, responseRoots } from './schema-graph.ts';

export interface AuditOptions {
  /** Rules switched off or re-weighted, and the failure threshold; every rule at its own severity by default. */
  settings?: AuditSettings;
  /** The classifier of personal data (from the configuration's `personalData`); the built-in catalogue by default. */
  classifier?: Classifier;
  /** The description's file, when `api.file` is only the name shown for it. */
  path?: string;
}

export interface AuditResult {
  findings: Finding[];
  summary: ScanSummary;
  /** What the audit could not use of its own extensions in the description (an ignore without a reason...). */
  diagnostics: Diagnostic[];
}

const DEFAULT_SETTINGS: AuditSettings = { failOn: 'medium', rules: {} };

/**
 * Audits an API description: every enabled rule, over every operation that does not ignore it.
 *
 * @example
 * ```ts
 * const api = await loadApi('openapi.yaml');
 * const { findings, summary } = await auditApi(api, { settings: auditConfig(await loadConfig()) });
 * console.log(writeReport('console', findings, summary));
 * ```
 */
export async function auditApi(api: ApiModel, options: AuditOptions = {}): Promise<AuditResult> {
  const startedAt = new Date();
  const started = performance.now();
  const settings = options.settings ?? DEFAULT_SETTINGS;
  const classifier = options.classifier ?? createClassifier();
  const diagnostics: Diagnostic[] = [];
  const ignores = new Ignores(api, new Set(AUDIT_RULES.map((rule) => rule.id)), diagnostics);
  const exposures = new Exposures(api, diagnostics);
  const personalData = new PersonalDataIndex(api, classifier);
  const shared = {
    api,
    classifier,
    personalData,
    reading: new OperationReading(api, classifier, personalData),
    exposures,
    documentSecurity: api.operations.some((op) => op.securitySource === 'document' && allowsAnonymous(op))
      ? await locateDocumentSecurity(options.path ?? api.file, api.file)
      : undefined,
  };
  const reaches = new ReachCache();
  const fingerprints = new Fingerprints(api, options.path ?? api.file);
  const enabled = AUDIT_RULES.filter((rule) => settings.rules[rule.id] !== 'off');
  const findings = new Map<string, Finding>();
  for (const rule of enabled) {
    if (ignores.everywhere(rule.id)) continue;
    const operations = api.operations.filter((op) => !ignores.ignores(op, rule.id));
    const context: AuditContext = { ...shared, operations, reach: (direction, from = operations) => reaches.get(direction, from) };
    for (const [result, fingerprint] of fingerprints.of(rule, rule.run(context))) {
      const finding = toFinding(rule, result, settings, exposures, fingerprint);
      if (!findings.has(finding.fingerprint)) findings.set(finding.fingerprint, finding);
    }
  }
  return {
    findings: sortFindings([...findings.values()]),
    summary: {
      tool: { name: 'leakproof', version: VERSION },
      kind: 'audit',
      target: undefined,
      spec: api.file,
      startedAt: startedAt.toISOString(),
      durationMs: Math.round(performance.now() - started),
      requests: 0,
      operations: api.operations.length,
      identities: [],
      checks: enabled.map((rule) => describe(rule, settings)),
      failOn: settings.failOn,
    },
    diagnostics,
  };
}

function toFinding(rule: AuditRule, result: RuleResult, settings: AuditSettings, exposures: Exposures, fingerprint: string): Finding {
  const { operation, location } = result;
  const own = result.severity ?? rule.severity;
  const configured = settings.rules[rule.id];
  const severity = configured !== undefined && configured !== 'off' ? configured : rule.exposure ? weigh(own, exposures.of(operation).effective) : own;
  return {
    checkId: rule.id,
    severity,
    title: result.title,
    message: result.message,
    operation: operation ? { id: operation.id, method: operation.method, path: operation.path } : undefined,
    location,
    evidence: { exchanges: [], curl: '', fields: [...new Set(result.fields)].sort(), subjects: [] },
    retestOperation: undefined,
    fingerprint,
  };
}

/** What reports say of a rule: its description, at the severity the configuration gives it. */
function describe(rule: AuditRule, settings: AuditSettings): CheckDescription {
  const configured = settings.rules[rule.id];
  const { id, title, owasp, cwe, description, remediation, helpUrl } = rule;
  return { id, title, owasp, cwe, severity: configured !== undefined && configured !== 'off' ? configured : rule.severity, description, remediation, helpUrl };
}

/** Schema walks, done once per direction and set of operations (rules differ only by what they ignore). */
class ReachCache {
  readonly #walks = new Map<string, readonly Reached[]>();

  get(direction: 'request' | 'response', operations: readonly Operation[]): readonly Reached[] {
    const key = `${direction}\u0000${operations.map((op) => op.id).join('\u0000')}`;
    let reached = this.#walks.get(key);
    if (!reached) {
      reached = reach(direction === 'request' ? requestRoots(operations) : responseRoots(operations));
      this.#walks.set(key, reached);
    }
    return reached;
  }
}
