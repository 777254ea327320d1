/**
 * Mass assignment, tried only in writes mode and only on the caller's own record: which
 * properties a client should never set, and a value different enough to show it was stored.
 */
import type { JsonSchema } from '../core/model.ts';

const PRIVILEGED = /^(?:roles?|is_?admin|admin|is_?staff|is_?superuser|permissions?|scopes?|is_?verified|verified|email_?verified|account_?type|plan|tier|credits|balance|owner_?id|user_?id|created_?at|group_?id|org_?id)$/i;

/** Properties of the record the caller may not set: privileged by name, or declared readOnly. */
export function privilegedProperties(record: Readonly<Record<string, unknown>>, schema: JsonSchema | undefined): string[] {
  const declared = (schema?.properties ?? {}) as Record<string, JsonSchema>;
  return Object.keys(record).filter((name) => name !== 'id' && (PRIVILEGED.test(name) || declared[name]?.readOnly === true));
}

/** A value for `property` that differs from `current` in a way a server would not produce itself. */
export function tamperedValue(property: string, current: unknown): unknown {
  if (typeof current === 'boolean') return !current;
  if (typeof current === 'number') return current + 1000;
  if (Array.isArray(current)) return [...(current as unknown[]), 'admin'];
  if (/role|type|plan|tier/i.test(property)) return current === 'admin' ? 'superuser' : 'admin';
  if (typeof current === 'string' && /_at$/i.test(property)) return '2000-01-01T00:00:00.000Z';
  return `${String(current)}-leakproof`;
}
