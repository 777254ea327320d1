/** Findings assembled the same way by every check: title, evidence, and a fingerprint that lasts. */
import { createHash } from 'node:crypto';
import type { Operation } from '../core/model.ts';
import type { Check, Observation } from './context.ts';
import type { Finding, Severity } from './finding.ts';
import { toCurl } from './http/index.ts';

export interface FindingDraft {
  check: Check;
  operation: Operation;
  severity?: Severity;
  title: string;
  message: string;
  /** The decisive observations first; the first one gives the curl line. */
  observations: Observation[];
  fields: string[];
  subjects: string[];
  /** The described operation a retest probes, when it is not `operation` (an undocumented twin's original). */
  retestOperation?: Operation;
  /** What makes this instance itself across runs, besides check and operation (e.g. the callers). */
  identity: string[];
}

export function buildFinding(draft: FindingDraft): Finding {
  const { check, operation } = draft;
  const [decisive] = draft.observations;
  const fingerprint = createHash('sha256')
    .update([check.id, operation.id, ...draft.identity, ...[...draft.fields].sort()].join('\u0000'))
    .digest('hex')
    .slice(0, 24);
  return {
    checkId: check.id,
    severity: draft.severity ?? check.severity,
    title: draft.title,
    message: draft.message,
    operation: { id: operation.id, method: operation.method, path: operation.path },
    location: operation.location,
    evidence: {
      exchanges: draft.observations.map((o) => o.exchange),
      curl: decisive ? toCurl(decisive.exchange, { secretsAs: '$VARIABLE' }) : '',
      fields: [...new Set(draft.fields)].sort(),
      subjects: [...new Set(draft.subjects)].sort(),
    },
    retestOperation: (draft.retestOperation ?? operation).id,
    fingerprint,
  };
}

/** Groups observations by operation id, keeping the order they were made in. */
export function byOperation(observations: readonly Observation[]): Map<string, Observation[]> {
  const groups = new Map<string, Observation[]>();
  for (const observation of observations) {
    const group = groups.get(observation.operation.id) ?? [];
    group.push(observation);
    groups.set(observation.operation.id, group);
  }
  return groups;
}

export function list(items: readonly string[], limit = 6): string {
  return items.length <= limit ? items.join(', ') : `${items.slice(0, limit).join(', ')} and ${items.length - limit} more`;
}
