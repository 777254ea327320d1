/**
 * What each caller may see of a person, decided on the server. In `fixed` mode a record goes out
 * through the view of the caller's audience; in the leaky modes the whole record goes out, which
 * is the January 2021 bug: the private flag and the field choice were left to the app's UI.
 */
import type { Community } from './community.ts';
import type { ModeRules } from './modes.ts';
import type { Person, Workout } from './seed.ts';

/**
 * - `self`: the owner.
 * - `visible`: the profile is public, or the caller is an accepted follower of the private profile.
 * - `public`: anyone else.
 */
export type Audience = 'self' | 'visible' | 'public';

/** What one caller receives of one record. */
export type View = Readonly<Record<string, unknown>>;

const PUBLIC_PROFILE = ['id', 'username', 'image_url', 'is_profile_private'] as const;
const MEMBER_PROFILE = [...PUBLIC_PROFILE, 'location', 'total_followers', 'total_following', 'total_workouts'] as const;
/** Age, gender, body measurements, birthday, email and role are the owner's alone. */
const PROFILE = [...MEMBER_PROFILE, 'age', 'gender', 'weight', 'height', 'birthday', 'email', 'role'] as const;

const PROFILE_FIELDS: Readonly<Record<Audience, readonly (keyof Person)[]>> = {
  self: PROFILE,
  visible: MEMBER_PROFILE,
  public: PUBLIC_PROFILE,
};

const HEALTH_FIELDS: ReadonlySet<string> = new Set(['calories', 'avg_heart_rate']);
const OWNER_STATS: ReadonlySet<string> = new Set(['age', 'gender']);

export function audienceOf(viewer: Person | undefined, subject: Person, community: Community): Audience {
  if (viewer === undefined) return 'public';
  if (viewer.id === subject.id) return 'self';
  if (!subject.is_profile_private || community.isAcceptedFollower(viewer, subject)) return 'visible';
  return 'public';
}

function pick(source: object, keys: Iterable<string>): View {
  const entries = Object.entries(source);
  const wanted = new Set(keys);
  return Object.fromEntries(entries.filter(([key]) => wanted.has(key)));
}

/** Everything the service stores except the password: what the leaky modes serialise. */
export function storedRecord(person: Person): View {
  return pick(
    person,
    Object.keys(person).filter((key) => key !== 'password'),
  );
}

/** A person as `viewer` may see them. */
export function profileView(viewer: Person | undefined, subject: Person, rules: ModeRules, community: Community): View {
  if (!rules.enforcesViews) return storedRecord(subject);
  return pick(subject, PROFILE_FIELDS[audienceOf(viewer, subject, community)]);
}

/** The records an administrator lists: the owner's view of everyone, never the login address. */
export function adminView(subject: Person, rules: ModeRules): View {
  return rules.enforcesViews ? pick(subject, PROFILE) : storedRecord(subject);
}

/** Workouts and followers are open to the owner and to whoever may see the profile. */
export function mayReadActivity(viewer: Person | undefined, subject: Person, rules: ModeRules, community: Community): boolean {
  return !rules.enforcesViews || audienceOf(viewer, subject, community) !== 'public';
}

/** Calories and heart rate are health data: only the owner gets them. */
export function workoutView(viewer: Person | undefined, workout: Workout, rules: ModeRules): View {
  const isOwner = viewer?.id === workout.user_id;
  if (!rules.enforcesViews || isOwner) return { ...workout };
  return pick(
    workout,
    Object.keys(workout).filter((key) => !HEALTH_FIELDS.has(key)),
  );
}

/** A leaderboard entry, or `undefined` when the caller may not see this rider at all. */
export function riderStats(viewer: Person | undefined, subject: Person, rules: ModeRules, community: Community): View | undefined {
  const workouts = community.workoutsOf(subject);
  const stats = {
    id: subject.id,
    username: subject.username,
    age: subject.age,
    gender: subject.gender,
    location: subject.location,
    is_profile_private: subject.is_profile_private,
    total_workouts: workouts.length,
    total_output: workouts.reduce((sum, workout) => sum + workout.total_output, 0),
  };
  if (!rules.enforcesViews) return stats;
  const audience = audienceOf(viewer, subject, community);
  if (audience === 'public') return undefined;
  if (audience === 'self') return stats;
  return pick(
    stats,
    Object.keys(stats).filter((key) => !OWNER_STATS.has(key)),
  );
}
