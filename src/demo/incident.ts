/**
 * The 2021 Peloton leak, replayed: the same requests, by the same three callers, against the
 * reference API at each stage of the incident, and what each caller got of one private rider.
 * Deciding what a response gave away is a pure function of the response and the seed.
 */
import type { Mode, Person } from '../reference-api/index.ts';
import { identityToken, MODES, SEED, sendRequest, startReferenceApi } from '../reference-api/index.ts';

/** The private rider the replay follows: her only follow request is still pending. */
export const VICTIM: Readonly<Person> = findPerson('erin');

/** What identifies or describes a person beyond the public card (id, username, image). */
export const PERSONAL_FIELDS = ['location', 'age', 'gender', 'weight', 'height', 'birthday', 'email', 'last_login_ip'] as const;
export type PersonalField = (typeof PERSONAL_FIELDS)[number];

/** Of a public profile, members may see the location too; everything else is the owner's alone. */
const OWNER_ONLY: ReadonlySet<PersonalField> = new Set(PERSONAL_FIELDS.filter((f) => f !== 'location'));

export type Caller = 'anonymous' | 'member' | 'owner';
export const CALLERS: readonly Caller[] = ['anonymous', 'member', 'owner'];

export interface Probe {
  /** Short name of the route in the table. */
  name: string;
  method: 'GET' | 'POST';
  path: string;
  body?: unknown;
}

/** The routes of the 2021 reports, aimed at the victim. */
export const PROBES: readonly Probe[] = [
  { name: 'Profile', method: 'GET', path: `/api/user/${VICTIM.id}` },
  { name: 'Search', method: 'GET', path: `/api/user/search/${VICTIM.username.slice(0, 1)}` },
  { name: 'Bulk details', method: 'POST', path: '/stats/workouts/details', body: { ids: SEED.people.map((p) => p.id) } },
  {
    name: 'GraphQL user(id:)',
    method: 'POST',
    path: '/graphql',
    // last_login_ip is no field of the GraphQL schema: only the REST routes let it slip out.
    body: { query: `{ user(id: "${VICTIM.id}") { id username ${PERSONAL_FIELDS.filter((f) => f !== 'last_login_ip').join(' ')} } }` },
  },
];

/** What one caller got from one route in one mode. */
export interface Outcome {
  status: number;
  /** The victim's personal fields whose true values the response carried. */
  victimFields: PersonalField[];
  /** Whether the victim appeared at all (a public card counts). */
  victimListed: boolean;
  /**
   * Other people whose owner-only values (or, for private profiles, location) the response
   * carried. The victim's own rows tell the story; this says how far it reaches.
   */
  othersExposed: number;
}

export interface ReplayRow {
  probe: Probe;
  caller: Caller;
  outcomes: Record<Mode, Outcome>;
}

export interface IncidentReplay {
  victim: Readonly<Person>;
  rows: ReplayRow[];
}

/**
 * Starts the reference API in each mode in turn, sends every probe as every caller, and records
 * what came back. `onMode` is told before each mode starts, for progress.
 */
export async function replayIncident(onMode: (mode: Mode) => void = () => undefined): Promise<IncidentReplay> {
  const results = new Map<string, Partial<Record<Mode, Outcome>>>();
  for (const mode of MODES) {
    onMode(mode);
    const api = await startReferenceApi({ mode });
    try {
      const tokens: Record<Caller, string | undefined> = {
        anonymous: undefined,
        member: await identityToken(api.url, 'member'),
        owner: await identityToken(api.url, VICTIM.username),
      };
      for (const probe of PROBES) {
        for (const caller of CALLERS) {
          const key = `${probe.name}\u0000${caller}`;
          results.set(key, { ...results.get(key), [mode]: await send(api.url, probe, tokens[caller]) });
        }
      }
    } finally {
      await api.close();
    }
  }
  const rows = PROBES.flatMap((probe) =>
    CALLERS.map((caller) => ({ probe, caller, outcomes: results.get(`${probe.name}\u0000${caller}`) as Record<Mode, Outcome> })),
  );
  return { victim: VICTIM, rows };
}

async function send(baseUrl: string, probe: Probe, token: string | undefined): Promise<Outcome> {
  const { status, body } = await sendRequest(baseUrl, probe, token);
  return assessResponse(status, body);
}

/**
 * Which true personal values of the victim (and of how many others) a response body carries,
 * looking at every object in it that has a seeded person's id.
 */
export function assessResponse(status: number, body: unknown): Outcome {
  const victimFields = new Set<PersonalField>();
  const others = new Set<string>();
  let victimListed = false;
  for (const record of objectsIn(body)) {
    const person = SEED.people.find((p) => p.id === record.id);
    if (!person) continue;
    const exposed = PERSONAL_FIELDS.filter((field) => person[field] !== null && record[field] === person[field]);
    if (person.id === VICTIM.id) {
      victimListed = true;
      for (const field of exposed) victimFields.add(field);
    } else if (exposed.some((field) => OWNER_ONLY.has(field) || person.is_profile_private)) {
      others.add(person.id);
    }
  }
  return { status, victimFields: PERSONAL_FIELDS.filter((f) => victimFields.has(f)), victimListed, othersExposed: others.size };
}

function* objectsIn(value: unknown): Generator<Record<string, unknown>> {
  if (Array.isArray(value)) {
    for (const item of value) yield* objectsIn(item);
  } else if (value !== null && typeof value === 'object') {
    yield value as Record<string, unknown>;
    for (const child of Object.values(value)) yield* objectsIn(child);
  }
}

function findPerson(username: string): Readonly<Person> {
  const person = SEED.people.find((p) => p.username === username);
  if (!person) throw new Error(`the seed has no ${username}`);
  return person;
}
