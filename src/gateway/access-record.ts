/**
 * From what the gateway decided to what the access log keeps: who received whose personal data,
 * through which operation and view. One record per person in an answer, with the fields of that
 * person's record only: a search answer that carried the caller's own full profile and a
 * stranger's card must not say the caller received the stranger's age. Answers that carried
 * nobody's record are not kept.
 */
import type { Classifier } from '../core/personal-data/index.ts';
import type { AccessRecord } from './access-log/index.ts';
import type { GatewayAccess } from './server.ts';

/**
 * @example
 * ```ts
 * const toRecords = accessRecords(createClassifier());
 * for (const record of toRecords(access)) log.write(record);
 * ```
 */
export function accessRecords(classifier: Classifier): (access: GatewayAccess) => AccessRecord[] {
  const personal = new Map<string, boolean>();
  const isPersonal = (field: string): boolean => {
    let known = personal.get(field);
    if (known === undefined) {
      known = classifier.classifyField(field, undefined, { personLike: true }) !== undefined;
      personal.set(field, known);
    }
    return known;
  };
  return (access) => {
    const answer = access.answer;
    if (answer === undefined || answer.subjects.length === 0) return [];
    const bySubject = recordFields(answer.body, new Set(answer.subjects));
    return [...bySubject].map(([subject, fields]) => ({
      time: access.time,
      requestId: access.requestId,
      principal: access.principal.authenticated ? access.principal.sub : 'anonymous',
      operation: access.operation.id,
      method: access.method,
      path: access.path,
      status: access.status,
      subjects: [subject],
      fields: [...fields].filter(isPersonal).sort(),
      view: answer.views.join(',') || undefined,
      decision: access.decision,
    }));
  };
}

/** For each of `subjects` with a record in `body`, the field names of its records there. */
function recordFields(body: unknown, subjects: ReadonlySet<string>): Map<string, Set<string>> {
  const found = new Map<string, Set<string>>();
  const visit = (value: unknown, depth: number): void => {
    if (value === null || typeof value !== 'object' || depth > 16) return;
    if (Array.isArray(value)) {
      for (const item of value) visit(item, depth + 1);
      return;
    }
    const record = value as Record<string, unknown>;
    const id = record.id;
    if ((typeof id === 'string' || typeof id === 'number') && subjects.has(String(id))) {
      const fields = found.get(String(id)) ?? new Set<string>();
      for (const key of Object.keys(record)) fields.add(key);
      found.set(String(id), fields);
    }
    for (const child of Object.values(record)) visit(child, depth + 1);
  };
  visit(body, 0);
  return found;
}
