/**
 * The audit part's public entry: a static review of an API description, with no running API.
 * Rules (src/audit/rules/) find the design flaws that lead to leaks; findings share the scan's
 * shape, report writers and exit codes.
 *
 * @example
 * ```ts
 * const config = await loadConfig('leakproof.yaml');
 * const api = await loadApi('openapi.yaml');
 * const { findings, summary, diagnostics } = await auditApi(api, {
 *   settings: auditConfig(config, { failOn: 'high' }),
 *   classifier: createClassifier(config.personalData),
 * });
 * ```
 */
export { AUDIENCE_EXTENSION, AUDIENCES } from './audience.ts';
export type { Audience } from './audience.ts';
export { auditConfig, auditSectionSchema } from './config.ts';
export type { AuditFlags, AuditSettings, RuleSetting } from './config.ts';
export { auditApi } from './engine.ts';
export type { AuditOptions, AuditResult } from './engine.ts';
export { IGNORE_EXTENSION, IGNORE_REASON_EXTENSION } from './ignores.ts';
export type { AuditContext, AuditRule, RuleResult } from './rule.ts';
export { AUDIT_RULES } from './rules/index.ts';
