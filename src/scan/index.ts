/**
 * The scan part's public entry: from settings to findings and a summary, the same for the
 * command line, the demo and library users.
 *
 * @example
 * ```ts
 * const config = await loadConfig('leakproof.yaml');
 * const settings = scanConfig(config, { target: 'http://127.0.0.1:8080' });
 * const prepared = await prepareScan(settings, config.personalData);
 * const { findings, summary } = await executeScan(prepared, settings);
 * ```
 */
import type { ApiModel } from '../core/model.ts';
import { loadApi } from '../core/load.ts';
import type { Classifier, PersonalDataConfig } from '../core/personal-data/index.ts';
import { createClassifier } from '../core/personal-data/index.ts';
import { VERSION } from '../core/version.ts';
import { CHECKS } from './checks/index.ts';
import type { ScanConfig } from './config.ts';
import type { Check } from './context.ts';
import type { ScanResult } from './engine.ts';
import { runScan } from './engine.ts';
import type { ScanSummary } from './finding.ts';
import { createScanClient } from './http/index.ts';
import type { Identity } from './identity/index.ts';
import { createIdentities } from './identity/index.ts';
import type { PlannedOperation } from './plan.ts';
import { planOperations } from './plan.ts';

export { scanConfig, scanSectionSchema } from './config.ts';
export type { ScanConfig, ScanFlags } from './config.ts';
export type { Finding, ScanSummary, Severity } from './finding.ts';
export { atOrAbove, SEVERITIES } from './finding.ts';

export interface PreparedScan {
  api: ApiModel;
  classifier: Classifier;
  plan: PlannedOperation[];
  identities: Identity[];
}

/** Everything a scan needs before it sends anything: what `--dry-run` shows. */
export async function prepareScan(settings: ScanConfig, personalData: PersonalDataConfig): Promise<PreparedScan> {
  const api = await loadApi(settings.spec);
  const classifier = createClassifier(personalData);
  const plan = planOperations(api, classifier, { allowWrites: settings.safety.writes, allowOperations: new Set(settings.safety.allow) });
  return { api, classifier, plan, identities: createIdentities(settings.identities) };
}

export interface ExecutedScan extends ScanResult {
  summary: ScanSummary;
}

/** How far a scan is: what it is doing, `step` of `steps`, and the requests sent so far. */
export interface ScanProgress {
  message: string;
  step: number;
  steps: number;
  requests: number;
}

/** What a retest narrows a scan to: some checks, some operations. */
export interface ScanNarrowing {
  checks: readonly Check[];
  focus: ReadonlySet<string>;
}

/** Sends the scan's requests, through a client that enforces the settings' scope and safety. */
export async function executeScan(prepared: PreparedScan, settings: ScanConfig, onProgress?: (progress: ScanProgress) => void, narrowing?: ScanNarrowing): Promise<ExecutedScan> {
  const client = createScanClient({
    target: settings.target,
    scope: settings.scope,
    allowWrites: settings.safety.writes,
    allowOperations: settings.safety.allow,
    rateLimit: settings.safety.rateLimit,
    concurrency: settings.safety.concurrency,
    budget: settings.safety.budget,
    timeoutMs: settings.safety.timeoutMs,
    userAgent: `leakproof/${VERSION}`,
  });
  const startedAt = new Date();
  try {
    const result = await runScan({
      ...prepared,
      client,
      subjects: settings.subjects,
      visibility: {
        public: new Set(settings.visibility.public),
        privateVisible: new Set(settings.visibility.private.visible),
        privateFlag: settings.visibility.private.flag,
      },
      onProgress: (message, step, steps) => onProgress?.({ message, step, steps, requests: client.stats().requests }),
      ...narrowing,
    });
    const summary: ScanSummary = {
      tool: { name: 'leakproof', version: VERSION },
      kind: 'scan',
      target: settings.target,
      spec: settings.spec,
      startedAt: startedAt.toISOString(),
      durationMs: Date.now() - startedAt.getTime(),
      requests: client.stats().requests,
      operations: prepared.plan.filter((p) => p.sendable).length,
      identities: ['anonymous', ...prepared.identities.map((i) => i.name)],
      checks: (narrowing?.checks ?? CHECKS).map(({ id, title, owasp, cwe, severity, description, remediation, helpUrl }) => ({ id, title, owasp, cwe, severity, description, remediation, helpUrl })),
      failOn: settings.failOn,
    };
    return { ...result, summary };
  } finally {
    await client.close();
  }
}
