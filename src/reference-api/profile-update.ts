/**
 * What `PATCH /api/me` may change. The fixed mode names every writable property and refuses the
 * rest; the leaky modes copy `role` along with the rest of the body, the mass-assignment flaw of a
 * handler that writes whatever the client sent.
 */
import { badRequest } from './api-error.ts';
import type { ProfileChanges } from './community.ts';
import type { ModeRules } from './modes.ts';
import type { Person } from './seed.ts';

type Check = (value: unknown) => boolean;

const isText = (max: number): Check => (value) => typeof value === 'string' && value.length > 0 && value.length <= max;
const isBetween = (min: number, max: number): Check => (value) =>
  typeof value === 'number' && Number.isFinite(value) && value >= min && value <= max;

const WRITABLE: Readonly<Record<string, Check>> = {
  image_url: (value) => isText(500)(value) && URL.canParse(value as string),
  location: isText(100),
  weight: isBetween(20, 400),
  height: isBetween(50, 260),
  email: (value) => isText(254)(value) && (value as string).includes('@'),
  is_profile_private: (value) => typeof value === 'boolean',
};

const ROLE: Check = (value) => value === 'member' || value === 'admin';

const READ_ONLY: ReadonlySet<string> = new Set<keyof Person>([
  'id',
  'username',
  'age',
  'gender',
  'birthday',
  'role',
  'last_login_ip',
  'password',
  'total_followers',
  'total_following',
  'total_workouts',
]);

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function checkFor(property: string, rules: ModeRules): Check | undefined {
  if (property === 'role' && rules.massAssignment) return ROLE;
  return Object.hasOwn(WRITABLE, property) ? WRITABLE[property] : undefined;
}

/** The changes a body asks for, or a 400 that names the property at fault. */
export function parseProfileChanges(body: unknown, rules: ModeRules): ProfileChanges {
  if (!isObject(body)) throw badRequest('The body must be a JSON object of profile properties.');
  const changes: Record<string, unknown> = {};
  for (const [property, value] of Object.entries(body)) {
    const check = checkFor(property, rules);
    if (check === undefined) {
      if (rules.massAssignment) continue;
      throw badRequest(
        READ_ONLY.has(property)
          ? `"${property}" is read-only.`
          : `"${property}" is not a profile property; writable: ${Object.keys(WRITABLE).join(', ')}.`,
      );
    }
    if (!check(value)) throw badRequest(`"${property}" has an invalid value.`);
    changes[property] = value;
  }
  return changes;
}
