/**
 * Ground truth: every flaw the leaky and authonly modes plant, as data. A scanner is measured
 * against this list (what it found, what it missed), and the tests replay each exploit with plain
 * HTTP to prove the flaw is real in its mode and gone in `fixed`, which plants none.
 *
 * `origin: 'incident'` marks what the 2021 reports describe; `'illustrative'` marks flaws added so
 * that every check of the scanner has something real to find (mass assignment, the legacy route,
 * the admin list, the undeclared last-login address, the follower list, GraphQL search).
 */
import { createHash } from 'node:crypto';
import { deepFreeze } from './freeze.ts';
import type { Mode } from './modes.ts';
import type { Method } from './route.ts';
import { LEGACY_USER_PATH } from './routes/legacy.ts';
import { SEED, seededPersonId } from './seed.ts';

export type FlawKind =
  | 'missing-authentication'
  | 'bola'
  | 'private-flag-bypass'
  | 'excessive-data-exposure'
  | 'enumeration'
  | 'function-level-authorization'
  | 'unrestricted-resource-consumption'
  | 'undocumented-endpoint'
  | 'mass-assignment';

/** OWASP API Security Top 10, 2023 edition. */
export type OwaspApiRisk = `API${1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9 | 10}:2023`;

/** `member`: any other logged-in member, which after 2 February meant anyone who signed up. */
export type Attacker = 'anonymous' | 'member';

export interface Exploit {
  readonly method: Method;
  /** The concrete path, the victim's id in it. */
  readonly path: string;
  readonly body?: unknown;
  /**
   * Who sends it: `anonymous` (no token), `member` (an account registered for the occasion),
   * or a seeded username (logged in with its seeded password).
   */
  readonly as: string;
  /** The seeded username whose data the response carries. */
  readonly victim: string;
}

export interface PlantedFlaw {
  /** `<mode>/<slug>`, stable across releases. */
  readonly id: string;
  readonly mode: Exclude<Mode, 'fixed'>;
  /** The operationId, or `METHOD /path` for a route the OpenAPI document omits. */
  readonly operation: string;
  readonly kind: FlawKind;
  readonly owasp: OwaspApiRisk;
  readonly attacker: Attacker;
  /** Whose data leaks, in words. */
  readonly victims: string;
  /** The fields whose values leak (for workout flaws, fields of the victim's workouts). */
  readonly fields: readonly string[];
  readonly origin: 'incident' | 'illustrative';
  readonly exploit: Exploit;
}

const OWNER_ONLY = ['age', 'gender', 'weight', 'birthday'] as const;
const MEMBER_VIEW = ['location', 'total_followers', 'total_following', 'total_workouts'] as const;

/** The researcher's lookups named 800 and more riders in one call; most ids here name nobody. */
const UNBOUNDED_LOOKUP_SIZE = 800;

function unboundedIds(): string[] {
  const seeded = SEED.people.map((person) => person.id);
  const unknown = Array.from({ length: UNBOUNDED_LOOKUP_SIZE - seeded.length }, (_, index) =>
    createHash('md5').update(`leakproof:unknown-rider:${index}`).digest('hex'),
  );
  return [...unknown, ...seeded];
}

type Request = Omit<Exploit, 'as' | 'victim'>;

const request = {
  user: (username: string): Request => ({ method: 'GET', path: `/api/user/${seededPersonId(username)}` }),
  workouts: (username: string): Request => ({ method: 'GET', path: `/api/user/${seededPersonId(username)}/workouts` }),
  followers: (username: string): Request => ({ method: 'GET', path: `/api/user/${seededPersonId(username)}/followers` }),
  search: (query: string): Request => ({ method: 'GET', path: `/api/user/search/${query}` }),
  details: (ids: readonly string[]): Request => ({ method: 'POST', path: '/stats/workouts/details', body: { ids } }),
  graphqlUser: (username: string): Request => ({
    method: 'POST',
    path: '/graphql',
    body: {
      query: 'query ($id: ID!) { user(id: $id) { id username location age gender weight } }',
      variables: { id: seededPersonId(username) },
    },
  }),
  graphqlSearch: (query: string): Request => ({
    method: 'POST',
    path: '/graphql',
    body: {
      query: 'query ($q: String!) { searchUsers(query: $q) { id username is_profile_private location total_workouts } }',
      variables: { q: query },
    },
  }),
  adminUsers: (): Request => ({ method: 'GET', path: '/api/admin/users' }),
  me: (): Request => ({ method: 'GET', path: '/api/me' }),
  legacyUser: (username: string): Request => ({ method: 'GET', path: LEGACY_USER_PATH.replace('{id}', seededPersonId(username)) }),
  updateMe: (body: Readonly<Record<string, unknown>>): Request => ({ method: 'PATCH', path: '/api/me', body }),
};

/** A flaw as both leaky modes have it; `plant` adds the mode, the attacker and the identity. */
interface FlawTemplate {
  readonly slug: string;
  readonly operation: string;
  readonly kind: FlawKind;
  readonly owasp: OwaspApiRisk;
  readonly victims: string;
  readonly fields: readonly string[];
  readonly origin: PlantedFlaw['origin'];
  readonly request: Request;
  readonly victim: string;
  /** A seeded member to act as, where the flaw needs an account of its own. */
  readonly as?: string;
}

function plant(mode: PlantedFlaw['mode'], template: FlawTemplate): PlantedFlaw {
  const as = template.as ?? (mode === 'leaky' ? 'anonymous' : 'member');
  return {
    id: `${mode}/${template.slug}`,
    mode,
    operation: template.operation,
    kind: template.kind,
    owasp: template.owasp,
    attacker: as === 'anonymous' ? 'anonymous' : 'member',
    victims: template.victims,
    fields: template.fields,
    origin: template.origin,
    exploit: { ...template.request, as, victim: template.victim },
  };
}

/** Flaws both leaky modes share: the Feb 2 "fix" added a login and nothing else. */
const SHARED: readonly FlawTemplate[] = [
  {
    slug: 'get-user-private-profile',
    operation: 'getUser',
    kind: 'private-flag-bypass',
    owasp: 'API1:2023',
    victims: 'riders who set their profile to private (erin), read by someone who does not follow them',
    fields: MEMBER_VIEW,
    origin: 'incident',
    request: request.user('erin'),
    victim: 'erin',
  },
  {
    slug: 'get-user-owner-only-fields',
    operation: 'getUser',
    kind: 'excessive-data-exposure',
    owasp: 'API3:2023',
    victims: "every rider (alice): age, gender, weight and birthday go to people who aren't the owner",
    fields: OWNER_ONLY,
    origin: 'incident',
    request: request.user('alice'),
    victim: 'alice',
  },
  {
    slug: 'get-user-last-login-ip',
    operation: 'getUser',
    kind: 'excessive-data-exposure',
    owasp: 'API3:2023',
    victims: 'every rider (alice): the last login address, a field the API description never declares',
    fields: ['last_login_ip'],
    origin: 'illustrative',
    request: request.user('alice'),
    victim: 'alice',
  },
  ...(
    [
      ['get-me-last-login-ip', 'getMe', 'the caller themselves (frank): their own record, serialised whole', request.me(), 'frank', 'frank'],
      ['search-users-last-login-ip', 'searchUsers', 'every rider a search finds (alice)', request.search('a'), 'alice', undefined],
      ['get-user-followers-last-login-ip', 'getUserFollowers', 'every follower in a follower list (alice, who follows dave)', request.followers('dave'), 'alice', undefined],
    ] as const
  ).map(([slug, operation, victims, req, victim, as]): FlawTemplate => ({
    slug,
    operation,
    kind: 'excessive-data-exposure',
    owasp: 'API3:2023',
    victims: `${victims}: the last login address, a field the API description never declares`,
    fields: ['last_login_ip'],
    origin: 'illustrative',
    request: req,
    victim,
    ...(as === undefined ? {} : { as }),
  })),
  {
    slug: 'get-user-followers-private-profile',
    operation: 'getUserFollowers',
    kind: 'private-flag-bypass',
    owasp: 'API1:2023',
    victims: "the followers of a private rider (carol's follower bob): who follows her, and where they live",
    fields: ['username', 'location'],
    origin: 'illustrative',
    request: request.followers('carol'),
    victim: 'bob',
  },
  {
    slug: 'search-users-enumeration',
    operation: 'searchUsers',
    kind: 'enumeration',
    owasp: 'API6:2023',
    victims: 'every rider whose username starts with the query, private ones (heidi) included: one prefix at a time, the whole membership',
    fields: MEMBER_VIEW,
    origin: 'incident',
    request: request.search('h'),
    victim: 'heidi',
  },
  {
    slug: 'workout-details-unbounded',
    operation: 'getWorkoutDetails',
    kind: 'unrestricted-resource-consumption',
    owasp: 'API4:2023',
    victims: `every rider named in a single ${UNBOUNDED_LOOKUP_SIZE}-id lookup (bob among them)`,
    fields: ['age', 'gender', 'location'],
    origin: 'incident',
    request: request.details(unboundedIds()),
    victim: 'bob',
  },
  {
    slug: 'graphql-search-users-enumeration',
    operation: 'graphql',
    kind: 'enumeration',
    owasp: 'API6:2023',
    victims: 'every rider whose username starts with the query, private ones (heidi) included',
    fields: ['location', 'total_workouts'],
    origin: 'illustrative',
    request: request.graphqlSearch('h'),
    victim: 'heidi',
  },
  {
    slug: 'legacy-user-route',
    operation: `GET ${LEGACY_USER_PATH}`,
    kind: 'undocumented-endpoint',
    owasp: 'API9:2023',
    victims: 'every rider (erin): the forgotten first version of the profile route serves the whole record',
    fields: ['email', 'birthday', 'last_login_ip'],
    origin: 'illustrative',
    request: request.legacyUser('erin'),
    victim: 'erin',
  },
  {
    slug: 'update-me-role',
    operation: 'updateMe',
    kind: 'mass-assignment',
    owasp: 'API3:2023',
    victims: 'every rider: a member (frank) who makes himself an administrator reads the back office',
    fields: ['role'],
    origin: 'illustrative',
    request: request.updateMe({ role: 'admin' }),
    victim: 'frank',
    as: 'frank',
  },
];

/** In January 2021 nobody had to log in at all. */
const LEAKY_ONLY: readonly FlawTemplate[] = [
  {
    slug: 'get-user-anonymous',
    operation: 'getUser',
    kind: 'missing-authentication',
    owasp: 'API2:2023',
    victims: 'every rider, public profiles (alice) included: read by anyone on the internet, no account needed',
    fields: MEMBER_VIEW,
    origin: 'incident',
    request: request.user('alice'),
    victim: 'alice',
  },
  {
    slug: 'get-user-workouts-anonymous',
    operation: 'getUserWorkouts',
    kind: 'missing-authentication',
    owasp: 'API2:2023',
    victims: "every rider's workout history (alice), heart rate included, to anyone on the internet",
    fields: ['ride_id', 'created_at', 'total_output', 'calories', 'avg_heart_rate'],
    origin: 'incident',
    request: request.workouts('alice'),
    victim: 'alice',
  },
  {
    slug: 'get-user-workouts-private-profile',
    operation: 'getUserWorkouts',
    kind: 'private-flag-bypass',
    owasp: 'API1:2023',
    victims: 'the workouts of riders who set their profile to private (erin)',
    fields: ['total_output', 'calories', 'avg_heart_rate'],
    origin: 'incident',
    request: request.workouts('erin'),
    victim: 'erin',
  },
  {
    slug: 'workout-details-anonymous',
    operation: 'getWorkoutDetails',
    kind: 'missing-authentication',
    owasp: 'API2:2023',
    victims: 'any rider named by id (carol, a private profile): age, gender, city and stats, no account needed',
    fields: ['age', 'gender', 'location', 'total_workouts'],
    origin: 'incident',
    request: request.details([seededPersonId('carol')]),
    victim: 'carol',
  },
  {
    slug: 'graphql-user-anonymous',
    operation: 'graphql',
    kind: 'missing-authentication',
    owasp: 'API2:2023',
    victims: 'any rider named by id (bob, a private profile), through the GraphQL gateway, no account needed',
    fields: ['location', 'age', 'gender', 'weight'],
    origin: 'incident',
    request: request.graphqlUser('bob'),
    victim: 'bob',
  },
  {
    slug: 'admin-users-anonymous',
    operation: 'listAdminUsers',
    kind: 'function-level-authorization',
    owasp: 'API5:2023',
    victims: "every account (alice): the back office's list, emails and login addresses included, to anyone",
    fields: ['email', 'birthday', 'last_login_ip'],
    origin: 'illustrative',
    request: request.adminUsers(),
    victim: 'alice',
  },
];

/** After 2 February a login was required, but any login read anyone. */
const AUTHONLY_ONLY: readonly FlawTemplate[] = [
  {
    slug: 'get-user-workouts-private-profile',
    operation: 'getUserWorkouts',
    kind: 'bola',
    owasp: 'API1:2023',
    victims: 'the workouts of riders who set their profile to private (erin), read by any member',
    fields: ['total_output', 'calories', 'avg_heart_rate'],
    origin: 'incident',
    request: request.workouts('erin'),
    victim: 'erin',
  },
  {
    slug: 'get-user-workouts-health-data',
    operation: 'getUserWorkouts',
    kind: 'excessive-data-exposure',
    owasp: 'API3:2023',
    victims: "every rider (alice): calories and heart rate, health data meant for the owner, go to any member",
    fields: ['calories', 'avg_heart_rate'],
    origin: 'illustrative',
    request: request.workouts('alice'),
    victim: 'alice',
  },
  {
    slug: 'workout-details-private-riders',
    operation: 'getWorkoutDetails',
    kind: 'bola',
    owasp: 'API1:2023',
    victims: 'any rider named by id (carol, a private profile): age, gender, city and stats, to any member',
    fields: ['age', 'gender', 'location', 'total_workouts'],
    origin: 'incident',
    request: request.details([seededPersonId('carol')]),
    victim: 'carol',
  },
  {
    slug: 'graphql-user-private-profile',
    operation: 'graphql',
    kind: 'bola',
    owasp: 'API1:2023',
    victims: 'any rider named by id (bob, a private profile), through the GraphQL gateway, to any member',
    fields: ['location', 'age', 'gender', 'weight'],
    origin: 'incident',
    request: request.graphqlUser('bob'),
    victim: 'bob',
  },
  {
    slug: 'admin-users-any-member',
    operation: 'listAdminUsers',
    kind: 'function-level-authorization',
    owasp: 'API5:2023',
    victims: "every account (alice): the back office's list, emails and login addresses included, to any member",
    fields: ['email', 'birthday', 'last_login_ip'],
    origin: 'illustrative',
    request: request.adminUsers(),
    victim: 'alice',
  },
];

/** Every planted flaw, leaky mode first. The fixed mode has none. */
export const PLANTED_FLAWS: readonly PlantedFlaw[] = deepFreeze([
  ...[...LEAKY_ONLY, ...SHARED].map((template) => plant('leaky', template)),
  ...[...SHARED, ...AUTHONLY_ONLY].map((template) => plant('authonly', template)),
]);
