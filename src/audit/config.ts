/**
 * The `audit` section of leakproof.yaml, merged with command-line flags (flags win): which rules
 * run, at which severity, from which severity on findings fail the run, and which are accepted.
 *
 * @example
 * ```yaml
 * audit:
 *   failOn: high
 *   baseline: audit-baseline.json   # relative to this file
 *   rules:
 *     unbounded-string-input: off   # not for this API
 *     response-schema-open: medium  # closed schemas are our standard
 * ```
 */
import type { LeakproofConfig } from '../core/config.ts';
import { checkSection, configPath } from '../core/config.ts';
import { UsageError } from '../core/errors.ts';
import type { Severity } from '../scan/finding.ts';
import { SEVERITIES } from '../scan/finding.ts';
import { AUDIT_RULES } from './rules/index.ts';

/** A rule's setting: a severity that replaces the rule's own, or `off`. */
export type RuleSetting = Severity | 'off';

export interface AuditSettings {
  /** Findings at or above this severity fail the run. */
  failOn: Severity;
  /** By rule id; rules not named run at their own severities. */
  rules: Readonly<Record<string, RuleSetting>>;
  /** Baseline file of accepted findings: only new ones fail the run. */
  baseline?: string;
}

/**
 * JSON Schema of the `audit` section, for validation and editors' completion.
 *
 * @example
 * ```ts
 * const section = checkSection(config, 'audit', auditSectionSchema);
 * ```
 */
export const auditSectionSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    failOn: { enum: [...SEVERITIES], description: 'Exit 1 when findings at or above this severity remain (default medium).' },
    baseline: { type: 'string', description: 'Baseline file of accepted findings (leakproof audit --write-baseline): only new ones fail the run.' },
    rules: {
      type: 'object',
      additionalProperties: false,
      description: 'Rules to switch off, or to report at a severity of your own (whatever the API\'s audience).',
      properties: Object.fromEntries(AUDIT_RULES.map((rule) => [rule.id, { enum: ['off', ...SEVERITIES], description: `${rule.title} (${rule.owasp}); default ${rule.severity}.` }])),
    },
  },
} as const;

export interface AuditFlags {
  failOn?: string | undefined;
  baseline?: string | undefined;
}

/**
 * The audit's settings from the configuration's `audit` section and the flags. Paths in the file
 * are relative to the file; paths given as flags, to the working directory. Throws `ConfigError`
 * (at the file's line) or `UsageError`.
 *
 * @example
 * ```ts
 * const settings = auditConfig(await loadConfig('leakproof.yaml'), { failOn: 'high' });
 * ```
 */
export function auditConfig(config: LeakproofConfig, flags: AuditFlags = {}): AuditSettings {
  const section = (checkSection(config, 'audit', auditSectionSchema) ?? {}) as Partial<AuditSettings>;
  const failOn = flags.failOn ?? section.failOn ?? 'medium';
  if (!(SEVERITIES as readonly string[]).includes(failOn)) throw new UsageError(`--fail-on must be one of ${SEVERITIES.join(', ')}, not '${failOn}'`);
  const baseline = flags.baseline ?? configPath(config, section.baseline);
  return { failOn: failOn as Severity, rules: section.rules ?? {}, ...(baseline === undefined ? {} : { baseline }) };
}
