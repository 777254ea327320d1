/** How rules name what they found, the same way in every message. */
import type { SourceLocation } from '../../core/location.ts';
import { formatLocation } from '../../core/location.ts';
import type { Operation } from '../../core/model.ts';

/**
 * `GET /api/user/{id}`.
 *
 * @example
 * ```ts
 * label(operation); // 'GET /api/user/{id}'
 * ```
 */
export function label(operation: Operation): string {
  return `${operation.method} ${operation.path}`;
}

/**
 * At most `limit` items, then how many more.
 *
 * @example
 * ```ts
 * listed(['age', 'gender', 'weight'], 2); // 'age, gender (+1 more)'
 * ```
 */
export function listed(items: readonly string[], limit = 6): string {
  return items.length <= limit ? items.join(', ') : `${items.slice(0, limit).join(', ')} (+${items.length - limit} more)`;
}

/**
 * ` (line 531)` in the description itself, ` (shared/person.yaml:12:5)` in another file.
 *
 * @example
 * ```ts
 * `age${where(field.location, api.file)}`; // 'age (line 531)'
 * ```
 */
export function where(location: SourceLocation | undefined, file: string): string {
  if (!location) return '';
  return location.file === file ? ` (line ${location.line})` : ` (${formatLocation(location)})`;
}
