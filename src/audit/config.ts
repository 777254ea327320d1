/**
 * The `audit` section of leakproof.yaml, merged with command-line flags (flags win): which rules
 * run, at which severity, and from which severity on findings fail the run.
 *
 * @example
 * ```yaml
 * audit:
 *   failOn: high
 *   rules:
 *     unbounded-string-input: off   # not for this API
 *     response-schema-open: medium  # closed schemas are our standard
 * ```
 */
import type { LeakproofConfig } from '../core/config.ts';
import { checkSection } from '../core/config.ts';
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
}

/**
 * The audit's settings from the configuration's `audit` section and the flags. Throws
 * `ConfigError` (at the file's line) or `UsageError`.
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
  return { failOn: failOn as Severity, rules: section.rules ?? {} };
}
