/**
 * From settings to decisions: every operation of the description gets a compiled policy (its own,
 * or the default, or "deny"), and every CEL condition is parsed and type-checked once. A
 * condition that does not compile, a view or an operation that does not exist, is a configuration
 * error at its file:line, before anything listens.
 */
import type { LeakproofConfig } from '../core/config.ts';
import { ConfigError } from '../core/errors.ts';
import type { ApiModel } from '../core/model.ts';
import type { GatewaySettings, PolicyConfig } from './config.ts';
import type { Condition, ExpressionCompiler } from './expression.ts';
import { ExpressionError } from './expression.ts';
import type { OperationPolicy, ViewRule } from './policy.ts';
import { asksLookups } from './policy.ts';

const DENY = 'false';

/**
 * @example
 * ```ts
 * const policies = compilePolicies(settings, api, createExpressionCompiler(lookups), config);
 * policies.get('getUser')?.allow.test({ principal, request });
 * ```
 */
export function compilePolicies(settings: GatewaySettings, api: ApiModel, compiler: ExpressionCompiler, config: LeakproofConfig): Map<string, OperationPolicy> {
  const section = (config.document.gateway ?? {}) as { operations?: Record<string, object>; default?: object; rateLimits?: { operations?: Record<string, object> } };
  const known = new Set(api.operations.map((o) => o.id));
  const named: [string, Record<string, unknown>, object | undefined][] = [
    ['gateway.operations', settings.operations, section.operations],
    ['gateway.rateLimits.operations', settings.rateLimits.perOperation, section.rateLimits?.operations],
  ];
  for (const [path, entries, node] of named) {
    for (const id of Object.keys(entries)) {
      if (known.has(id)) continue;
      throw new ConfigError(`${path}.${id}: ${api.file} has no operation '${id}'`, {
        location: node ? config.locate(node, id) : undefined,
        hint: `operations: ${[...known].slice(0, 12).join(', ')}${known.size > 12 ? ', ...' : ''}`,
      });
    }
  }
  const views = new Map(Object.entries(settings.views).map(([name, fields]) => [name, new Set(fields)]));
  const policies = new Map<string, OperationPolicy>();
  for (const operation of api.operations) {
    const own = settings.operations[operation.id];
    const source = own ?? settings.default;
    const node = own ? section.operations?.[operation.id] : section.default;
    const where = own ? `gateway.operations.${operation.id}` : 'gateway.default';
    const compile = (text: string, member: string | number, holder: object | undefined = node): Condition => {
      try {
        return compiler.compile(text);
      } catch (error) {
        if (!(error instanceof ExpressionError)) throw error;
        throw new ConfigError(`${where}: the condition '${text}' does not compile: ${error.message}`, { location: holder ? config.locate(holder, member) : undefined });
      }
    };
    const conditions = {
      allow: compile(source?.allow ?? DENY, 'allow'),
      show: source?.show === undefined ? undefined : compile(source.show, 'show'),
      views: source?.views === undefined ? undefined : viewRules(source, node, views, where, config, compile),
    };
    policies.set(operation.id, { operation, records: source?.records, ...conditions, asksLookups: asksLookups(conditions) });
  }
  return policies;
}

function viewRules(
  source: PolicyConfig,
  node: object | undefined,
  views: ReadonlyMap<string, ReadonlySet<string>>,
  where: string,
  config: LeakproofConfig,
  compile: (text: string, member: string | number, holder?: object) => Condition,
): ViewRule[] {
  const items = (node as { views?: object[] } | undefined)?.views;
  return (source.views ?? []).map((rule, index) => {
    const holder = items?.[index];
    const fields = rule.view === '*' ? '*' : views.get(rule.view);
    if (fields === undefined) {
      throw new ConfigError(`${where}.views[${index}]: there is no view '${rule.view}'`, {
        location: holder ? config.locate(holder, 'view') : undefined,
        hint: `views: ${['*', ...views.keys()].join(', ')}`,
      });
    }
    return { name: rule.view, fields, when: rule.when === undefined ? undefined : compile(rule.when, 'when', holder) };
  });
}
