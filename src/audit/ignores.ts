/**
 * Rules switched off in the description itself, where a reviewer sees them next to what they
 * excuse: `x-leakproof-ignore: [rule-id]` with `x-leakproof-ignore-reason` on an operation or on
 * the document. An ignore without a reason is not applied: an accepted risk must say why.
 */
import type { SourceLocation } from '../core/location.ts';
import type { ApiModel, Diagnostic, Operation } from '../core/model.ts';

/** The extension that lists rule ids to ignore; see {@link Ignores} for an example. */
export const IGNORE_EXTENSION = 'x-leakproof-ignore';
/** The extension that says why; an ignore without one is not applied. */
export const IGNORE_REASON_EXTENSION = 'x-leakproof-ignore-reason';

/**
 * @example
 * ```yaml
 * paths:
 *   /api/user/{id}:
 *     get:
 *       x-leakproof-ignore: [personal-data-by-id]
 *       x-leakproof-ignore-reason: the server applies the owner/follower views (SEC-41)
 * ```
 * ```ts
 * const ignores = new Ignores(api, new Set(AUDIT_RULES.map((r) => r.id)), diagnostics);
 * ignores.ignores(operation, 'personal-data-by-id'); // true
 * ```
 */
export class Ignores {
  readonly #document: ReadonlySet<string>;
  readonly #operations = new Map<Operation, ReadonlySet<string>>();

  constructor(api: ApiModel, ruleIds: ReadonlySet<string>, diagnostics: Diagnostic[]) {
    const read = (extensions: Record<string, unknown>, fallback: SourceLocation): ReadonlySet<string> =>
      readIgnores(extensions, { api, ruleIds, diagnostics, fallback });
    this.#document = read(api.extensions, { file: api.file, line: 1, column: 1, pointer: '' });
    for (const operation of api.operations) {
      const own = read(operation.extensions, operation.location ?? { file: api.file, line: 1, column: 1, pointer: '' });
      if (own.size > 0) this.#operations.set(operation, own);
    }
  }

  /** Whether the document switches the rule off everywhere. */
  everywhere(ruleId: string): boolean {
    return this.#document.has(ruleId);
  }

  /** Whether the rule is switched off for this operation, by the operation or the document. */
  ignores(operation: Operation, ruleId: string): boolean {
    return this.#document.has(ruleId) || this.#operations.get(operation)?.has(ruleId) === true;
  }
}

interface ReadContext {
  api: ApiModel;
  ruleIds: ReadonlySet<string>;
  diagnostics: Diagnostic[];
  fallback: SourceLocation;
}

function readIgnores(extensions: Record<string, unknown>, context: ReadContext): ReadonlySet<string> {
  const value = extensions[IGNORE_EXTENSION];
  if (value === undefined) return new Set();
  const { api, ruleIds, diagnostics } = context;
  const where = (typeof value === 'object' && value !== null ? api.locate(value) : undefined) ?? context.fallback;
  const warn = (message: string, location: SourceLocation = where): void => {
    diagnostics.push({ code: 'audit-ignore', severity: 'warning', message, location });
  };
  const entries: unknown[] = Array.isArray(value) ? value : [value];
  const reason = extensions[IGNORE_REASON_EXTENSION];
  if (typeof reason !== 'string' || reason.trim() === '') {
    warn(`${IGNORE_EXTENSION} is not applied: say why in ${IGNORE_REASON_EXTENSION}`);
    return new Set();
  }
  const ignored = new Set<string>();
  entries.forEach((entry, index) => {
    const at = Array.isArray(value) ? api.locate(value, index) : undefined;
    if (typeof entry === 'string' && ruleIds.has(entry)) ignored.add(entry);
    else warn(`${IGNORE_EXTENSION} names no audit rule: ${JSON.stringify(entry)}`, at);
  });
  return ignored;
}
