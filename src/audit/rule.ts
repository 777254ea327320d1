/**
 * The shape of an audit rule, and what every rule is handed. A rule decides from the API model
 * alone, and says where: each result points at the line of what it names (the parameter, the
 * schema property, the server), not only at the operation.
 */
import type { SourceLocation } from '../core/location.ts';
import type { ApiModel, Operation } from '../core/model.ts';
import type { Classifier } from '../core/personal-data/index.ts';
import type { CheckDescription, Severity } from '../scan/finding.ts';
import type { Exposures } from './audience.ts';
import type { OperationReading } from './operations.ts';
import type { PersonalDataIndex } from './personal-data.ts';
import type { Reached } from './schema-graph.ts';

export interface AuditContext {
  readonly api: ApiModel;
  readonly classifier: Classifier;
  /** The operations this rule judges: every operation but those that ignore the rule inline. */
  readonly operations: readonly Operation[];
  readonly personalData: PersonalDataIndex;
  readonly reading: OperationReading;
  readonly exposures: Exposures;
  /** Where the document's own `security` is, when operations inherit one that lets anyone in. */
  readonly documentSecurity: SourceLocation | undefined;
  /**
   * Every schema node reachable from what `operations` (this rule's, by default) receive or send
   * back, each once, first reached by the earliest operation in document order.
   */
  reach(direction: 'request' | 'response', operations?: readonly Operation[]): readonly Reached[];
}

/** One flaw a rule found. The engine weighs its severity, applies the configuration and ignores. */
export interface RuleResult {
  /** The operation it is about; undefined for API-wide results (a server, the document's security). */
  readonly operation: Operation | undefined;
  /** The line of what the result names. */
  readonly location: SourceLocation | undefined;
  readonly title: string;
  readonly message: string;
  /** This instance's severity, when it differs from the rule's (e.g. higher for personal data). */
  readonly severity?: Severity;
  /** Personal-data fields involved, e.g. `data[].age`. */
  readonly fields?: readonly string[];
  /** What tells this result from another of the same rule at the same place, for the fingerprint. */
  readonly key?: string;
}

/**
 * A registered rule: its description (shared with scan checks by reports) and its decision.
 *
 * @example
 * ```ts
 * export const deprecatedOperation: AuditRule = {
 *   id: 'deprecated-operation', title: 'Deprecated operation still served', owasp: 'API9:2023', cwe: 'CWE-1059',
 *   severity: 'low', exposure: true, description: '…', remediation: '…', helpUrl: '…',
 *   run: (context) => context.operations.filter((op) => op.deprecated).map((op) => ({ operation: op, location: op.location, title: '…', message: '…' })),
 * };
 * ```
 */
export interface AuditRule extends CheckDescription {
  /**
   * Whether who can call the API weighs the severity: an outsider's flaw matters less when only
   * partners, or only the organisation's own network, can reach the operation.
   */
  readonly exposure: boolean;
  /**
   * Whether the rule judges places that operations share (a schema, a server) once each, naming
   * only the first operation, in document order, that reaches them. That operation then says
   * nothing about which flaw it is, and the fingerprint leaves it out.
   */
  readonly sharedPlaces?: boolean;
  run(context: AuditContext): RuleResult[];
}
