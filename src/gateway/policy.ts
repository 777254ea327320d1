/**
 * One operation's policy, compiled: who may call it (function level, before the upstream is
 * asked), and what of the answer each caller may see (object level, on the upstream's answer):
 * each record is shown or removed, and shown through the first view whose condition holds.
 * Records without a matching view are removed, never blanked. Then every field the description
 * does not declare is stripped.
 */
import { JSONPath } from 'jsonpath-plus';
import type { Operation } from '../core/model.ts';
import type { Activation, Condition } from './expression.ts';
import type { View } from './views.ts';
import { declaredShape, project, stripUndeclared } from './views.ts';

export interface ViewRule {
  /** Absent: always applies (a last, catch-all rule). */
  when: Condition | undefined;
  name: string;
  fields: View;
}

export interface OperationPolicy {
  operation: Operation;
  allow: Condition;
  /** Where the records are: a JSONPath (`$`, `$.data[*]`), `deep` (every object with an `id`), or none. */
  records: string | undefined;
  /** A record is kept only when this holds (absent: kept). */
  show: Condition | undefined;
  /** Absent: records keep every declared field. */
  views: ViewRule[] | undefined;
  /** Whether a condition may call a lookup, which needs the caller's credentials at hand: {@link asksLookups}, at compile time. */
  asksLookups: boolean;
}

/** Whether any of the policy's conditions may call a lookup. */
export function asksLookups(policy: Pick<OperationPolicy, 'allow' | 'show' | 'views'>): boolean {
  return policy.allow.asksLookups || policy.show?.asksLookups === true || policy.views?.some((rule) => rule.when?.asksLookups === true) === true;
}

/** The answer as it may leave, and what went into it (for the access log). */
export interface FilteredAnswer {
  /** Undefined when the answer itself is a record the caller may not see. */
  body: unknown;
  /** Ids of the records that went out. */
  subjects: string[];
  /** How many records were removed. */
  removed: number;
  /** Names of the views applied, once each. */
  views: string[];
}

interface Located {
  value: Record<string, unknown>;
  /** Undefined for the root. */
  parent: Record<string, unknown> | unknown[] | undefined;
  key: string | number | undefined;
}

/**
 * @example
 * ```ts
 * const answer = await filterAnswer(policy, upstreamJson, { principal, request });
 * if (answer.body === undefined) reply(404);
 * ```
 */
export async function filterAnswer(policy: OperationPolicy, body: unknown, context: Omit<Activation, 'resource'>, status: number): Promise<FilteredAnswer> {
  const records = policy.records === undefined ? [] : locate(body, policy.records);
  const removals = new Map<object, Set<string | number>>();
  const subjects: string[] = [];
  const views = new Set<string>();
  let root: unknown = body;
  let removed = 0;
  for (const record of records) {
    const pending = decide(policy, record.value, context);
    const decision = pending instanceof Promise ? await pending : pending;
    if (decision === undefined) {
      removed += 1;
      if (record.parent === undefined) return { body: undefined, subjects: [], removed, views: [] };
      const keys = removals.get(record.parent) ?? new Set();
      keys.add(record.key ?? '');
      removals.set(record.parent, keys);
      continue;
    }
    if (decision.rule) views.add(decision.rule.name);
    const projected = decision.rule ? project(record.value, decision.rule.fields) : record.value;
    if (record.parent === undefined) root = projected;
    else (record.parent as Record<string | number, unknown>)[record.key ?? ''] = projected;
    const id = record.value.id;
    if (typeof id === 'string' || typeof id === 'number') subjects.push(String(id));
  }
  for (const [parent, keys] of removals) {
    if (Array.isArray(parent)) {
      const kept: unknown[] = parent.filter((_, index) => !keys.has(index));
      parent.splice(0, parent.length, ...kept);
    } else {
      for (const key of keys) Reflect.deleteProperty(parent, key);
    }
  }
  const schema = policy.operation.responses.find((r) => r.status === String(status) || r.status === `${String(status)[0] ?? ''}XX`)?.content.find((c) => c.mediaType.includes('json'))?.schema;
  return { body: stripUndeclared(root, declaredShape(schema)), subjects, removed, views: [...views] };
}

/** The view a record goes out through (`rule` undefined: no views, every declared field), or undefined when it must not go out. */
type Decision = { rule: ViewRule | undefined } | undefined;

/**
 * Decides one record. Conditions answer at once unless they wait for a lookup, so a promise is
 * made only then: an answer of a thousand records is not a thousand chains of promises.
 */
function decide(policy: OperationPolicy, record: Record<string, unknown>, context: Omit<Activation, 'resource'>): Decision | Promise<Decision> {
  const activation = { ...context, resource: record };
  const shown = policy.show ? policy.show.test(activation) : true;
  if (shown instanceof Promise) return shown.then((yes) => (yes ? pickView(policy.views, activation, 0) : undefined));
  return shown ? pickView(policy.views, activation, 0) : undefined;
}

/** The first rule, from `from` on, whose condition holds. */
function pickView(rules: readonly ViewRule[] | undefined, activation: Activation, from: number): Decision | Promise<Decision> {
  if (!rules) return { rule: undefined };
  for (let index = from; index < rules.length; index += 1) {
    const rule = rules[index];
    if (!rule) break;
    const holds = rule.when ? rule.when.test(activation) : true;
    if (holds instanceof Promise) return holds.then((yes) => (yes ? { rule } : pickView(rules, activation, index + 1)));
    if (holds) return { rule };
  }
  return undefined;
}

/** Records in an answer, outermost first: a record's own fields are decided with the record. */
function locate(body: unknown, records: string): Located[] {
  if (body === null || typeof body !== 'object') return [];
  if (records === 'deep') return deepRecords(body);
  // The answer itself, the commonest case: what JSONPath would find, without asking it.
  if (records === '$') return Array.isArray(body) ? [] : [{ value: body as Record<string, unknown>, parent: undefined, key: undefined }];
  const found: Located[] = [];
  const results = JSONPath({ path: records, json: body, resultType: 'all', wrap: true }) as { value: unknown; parent: unknown; parentProperty: string | number | null }[];
  for (const result of results) {
    if (result.value === null || typeof result.value !== 'object' || Array.isArray(result.value)) continue;
    const parent = result.parent === null || typeof result.parent !== 'object' ? undefined : (result.parent as Record<string, unknown> | unknown[]);
    found.push({ value: result.value as Record<string, unknown>, parent, key: parent === undefined ? undefined : (result.parentProperty ?? undefined) });
  }
  return found;
}

/** Every object with an `id`, wherever it sits: GraphQL aliases cannot move a record out of reach. */
function deepRecords(body: object): Located[] {
  const found: Located[] = [];
  const visit = (value: unknown, parent: Located['parent'], key: Located['key']): void => {
    if (value === null || typeof value !== 'object') return;
    if (Array.isArray(value)) {
      value.forEach((item, index) => { visit(item, value, index); });
      return;
    }
    const record = value as Record<string, unknown>;
    if ('id' in record) {
      found.push({ value: record, parent, key });
      return;
    }
    for (const [name, child] of Object.entries(record)) visit(child, record, name);
  };
  visit(body, undefined, undefined);
  return found;
}
