/** The caller's roles, read from the claim the configuration names. */

/**
 * The roles a token's claim grants: a list of strings, or one string of space-separated roles
 * (as OAuth's `scope`). Anything else grants none: a malformed claim can only take rights away.
 *
 * @example
 * rolesFrom({ roles: ['rider', 'admin'] }, 'roles'); // ['rider', 'admin']
 * rolesFrom({ scope: 'read:profile write:profile' }, 'scope'); // ['read:profile', 'write:profile']
 */
export function rolesFrom(claims: Readonly<Record<string, unknown>>, claim: string | undefined): string[] {
  if (claim === undefined || !Object.hasOwn(claims, claim)) return [];
  const value = claims[claim];
  if (typeof value === 'string') return value.split(/\s+/).filter((role) => role !== '');
  if (Array.isArray(value)) return value.filter((role): role is string => typeof role === 'string' && role !== '');
  return [];
}
