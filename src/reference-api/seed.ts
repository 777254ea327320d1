/**
 * The community every reference API instance starts from: eleven riders, four classes, their
 * workouts and who follows whom. Everything is fixed — ids are md5 digests of fixed strings, like
 * Peloton's 32-hex ids — so a scan report, a test or a demo transcript is the same on every run.
 *
 * Values that identify a person (city, weight, birthday, last login address) are distinct across
 * people, so finding one in a response says whose data it is.
 *
 * Seeded logins (username / password):
 *   admin / admin-console-2021   (role admin)
 *   alice / alice-pedals-2021    bob   / bob-climbs-2021     carol / carol-sprints-2021
 *   dave  / dave-spins-2021      erin  / erin-cadence-2021   frank / frank-watts-2021
 *   grace / grace-intervals-2021 heidi / heidi-zone2-2021    hank  / hank-tempo-2021
 *   holly / holly-recovery-2021
 *
 * Private profiles: bob, carol, erin, heidi. Accepted followers: alice → bob, bob → carol,
 * dave → carol, hank → heidi; grace → erin is only a pending request. frank and admin follow nobody.
 */
import { createHash } from 'node:crypto';
import { deepFreeze } from './freeze.ts';

export type Role = 'member' | 'admin';

export interface Person {
  id: string;
  username: string;
  image_url: string;
  location: string | null;
  age: number | null;
  gender: string | null;
  /** Kilograms. */
  weight: number | null;
  /** Centimetres. */
  height: number | null;
  /** ISO date. */
  birthday: string | null;
  email: string | null;
  is_profile_private: boolean;
  role: Role;
  /** Kept by the service, declared nowhere: the leaky modes serve it anyway. */
  last_login_ip: string | null;
  password: string;
  total_followers: number;
  total_following: number;
  total_workouts: number;
}

/** A class a rider can take. */
export interface Ride {
  id: string;
  title: string;
  instructor: string;
  duration_seconds: number;
}

/** One rider taking one class. */
export interface Workout {
  id: string;
  user_id: string;
  ride_id: string;
  created_at: string;
  duration_seconds: number;
  /** Kilojoules. */
  total_output: number;
  calories: number;
  avg_heart_rate: number;
}

/** `status: 'pending'` is a request the private profile has not accepted: it grants nothing. */
export interface Follow {
  follower_id: string;
  followee_id: string;
  status: 'accepted' | 'pending';
}

export interface Seed {
  /** The day the seed describes: ages are counted on it (the report was made on 20 Jan 2021). */
  readonly today: string;
  readonly people: readonly Readonly<Person>[];
  readonly rides: readonly Readonly<Ride>[];
  readonly workouts: readonly Readonly<Workout>[];
  readonly follows: readonly Readonly<Follow>[];
}

function md5(text: string): string {
  return createHash('md5').update(text).digest('hex');
}

/** The seeded id of a username; the same on every run. */
export function seededPersonId(username: string): string {
  return md5(`leakproof:person:${username}`);
}

type PersonRow = [
  username: string,
  role: Role,
  isPrivate: boolean,
  location: string,
  birthday: string,
  age: number,
  gender: string,
  weight: number,
  height: number,
  lastLoginIp: string,
  password: string,
];

// Ages are stated, not computed, so that the seed test can check them against the birthdays.
const PEOPLE: readonly PersonRow[] = [
  ['admin', 'admin', false, 'New York, NY', '1985-03-14', 35, 'male', 80.5, 178, '198.51.100.2', 'admin-console-2021'],
  ['alice', 'member', false, 'Austin, TX', '1990-07-02', 30, 'female', 61.2, 165, '203.0.113.11', 'alice-pedals-2021'],
  ['bob', 'member', true, 'Boston, MA', '1984-11-23', 36, 'male', 88.0, 183, '203.0.113.12', 'bob-climbs-2021'],
  ['carol', 'member', true, 'Chicago, IL', '1979-01-05', 42, 'female', 70.4, 170, '203.0.113.13', 'carol-sprints-2021'],
  ['dave', 'member', false, 'Denver, CO', '1995-09-30', 25, 'male', 77.9, 180, '203.0.113.14', 'dave-spins-2021'],
  ['erin', 'member', true, 'El Paso, TX', '1988-01-20', 33, 'female', 58.6, 160, '203.0.113.15', 'erin-cadence-2021'],
  ['frank', 'member', false, 'Fresno, CA', '1972-05-17', 48, 'male', 92.3, 175, '203.0.113.16', 'frank-watts-2021'],
  ['grace', 'member', false, 'Green Bay, WI', '1999-12-08', 21, 'female', 54.1, 158, '203.0.113.17', 'grace-intervals-2021'],
  ['heidi', 'member', true, 'Honolulu, HI', '1992-02-29', 28, 'non-binary', 65.7, 168, '203.0.113.18', 'heidi-zone2-2021'],
  ['hank', 'member', false, 'Houston, TX', '1981-06-11', 39, 'male', 84.8, 188, '203.0.113.19', 'hank-tempo-2021'],
  ['holly', 'member', false, 'Hartford, CT', '1997-01-19', 24, 'female', 59.9, 163, '203.0.113.20', 'holly-recovery-2021'],
];

const FOLLOWS: readonly [follower: string, followee: string, status: Follow['status']][] = [
  ['alice', 'bob', 'accepted'],
  ['alice', 'dave', 'accepted'],
  ['bob', 'carol', 'accepted'],
  ['dave', 'carol', 'accepted'],
  ['dave', 'alice', 'accepted'],
  ['carol', 'alice', 'accepted'],
  ['grace', 'erin', 'pending'],
  ['grace', 'frank', 'accepted'],
  ['hank', 'heidi', 'accepted'],
  ['holly', 'hank', 'accepted'],
  ['heidi', 'alice', 'accepted'],
  ['erin', 'grace', 'accepted'],
];

const RIDES: readonly [key: string, title: string, instructor: string, durationSeconds: number][] = [
  ['pz30', '30 min Power Zone Ride', 'Jordan Reyes', 1800],
  ['climb45', '45 min Climb Ride', 'Sam Okafor', 2700],
  ['hiit20', '20 min HIIT Ride', 'Alex Moreau', 1200],
  ['endurance60', '60 min Endurance Ride', 'Jordan Reyes', 3600],
];

type WorkoutRow = [username: string, ride: string, createdAt: string, output: number, calories: number, heartRate: number];

const WORKOUTS: readonly WorkoutRow[] = [
  ['alice', 'pz30', '2021-01-04T06:30:00Z', 301, 412, 148],
  ['alice', 'climb45', '2021-01-09T07:00:00Z', 455, 603, 152],
  ['alice', 'hiit20', '2021-01-15T18:15:00Z', 198, 287, 161],
  ['bob', 'endurance60', '2021-01-03T08:00:00Z', 702, 915, 139],
  ['bob', 'pz30', '2021-01-12T06:00:00Z', 344, 455, 144],
  ['carol', 'hiit20', '2021-01-05T19:30:00Z', 176, 241, 166],
  ['carol', 'climb45', '2021-01-10T07:45:00Z', 421, 566, 150],
  ['carol', 'pz30', '2021-01-14T06:45:00Z', 289, 398, 147],
  ['carol', 'endurance60', '2021-01-18T09:00:00Z', 655, 861, 137],
  ['dave', 'pz30', '2021-01-06T17:00:00Z', 366, 489, 151],
  ['dave', 'hiit20', '2021-01-13T17:30:00Z', 221, 302, 168],
  ['erin', 'climb45', '2021-01-02T10:00:00Z', 398, 531, 155],
  ['erin', 'endurance60', '2021-01-11T10:30:00Z', 612, 802, 141],
  ['erin', 'pz30', '2021-01-17T06:15:00Z', 277, 376, 149],
  ['frank', 'endurance60', '2021-01-07T05:45:00Z', 735, 958, 136],
  ['frank', 'climb45', '2021-01-16T05:30:00Z', 489, 640, 153],
  ['grace', 'hiit20', '2021-01-08T12:00:00Z', 187, 259, 171],
  ['grace', 'pz30', '2021-01-19T12:30:00Z', 258, 351, 158],
  ['heidi', 'climb45', '2021-01-01T09:15:00Z', 433, 579, 146],
  ['heidi', 'hiit20', '2021-01-10T20:00:00Z', 205, 281, 164],
  ['heidi', 'endurance60', '2021-01-16T09:45:00Z', 641, 840, 140],
  ['hank', 'pz30', '2021-01-05T05:00:00Z', 382, 507, 143],
  ['hank', 'climb45', '2021-01-12T05:15:00Z', 512, 668, 154],
  ['holly', 'hiit20', '2021-01-06T21:00:00Z', 169, 233, 172],
  ['holly', 'endurance60', '2021-01-18T20:15:00Z', 598, 784, 142],
  ['holly', 'pz30', '2021-01-19T21:30:00Z', 264, 362, 159],
];

function buildRides(): Ride[] {
  return RIDES.map(([key, title, instructor, durationSeconds]) => ({
    id: md5(`leakproof:ride:${key}`),
    title,
    instructor,
    duration_seconds: durationSeconds,
  }));
}

function buildWorkouts(rides: readonly Ride[]): Workout[] {
  const rideByKey = new Map(RIDES.map(([key], index) => [key, rides[index]]));
  return WORKOUTS.map(([username, rideKey, createdAt, output, calories, heartRate]) => {
    const ride = rideByKey.get(rideKey);
    if (ride === undefined) throw new Error(`seed workout names an unknown ride: ${rideKey}`);
    return {
      id: md5(`leakproof:workout:${username}:${createdAt}`),
      user_id: seededPersonId(username),
      ride_id: ride.id,
      created_at: createdAt,
      duration_seconds: ride.duration_seconds,
      total_output: output,
      calories,
      avg_heart_rate: heartRate,
    };
  });
}

function buildPeople(follows: readonly Follow[], workouts: readonly Workout[]): Person[] {
  const accepted = follows.filter((follow) => follow.status === 'accepted');
  return PEOPLE.map(([username, role, isPrivate, location, birthday, age, gender, weight, height, lastLoginIp, password]) => {
    const id = seededPersonId(username);
    return {
      id,
      username,
      image_url: `https://images.example.com/avatars/${id}.png`,
      location,
      age,
      gender,
      weight,
      height,
      birthday,
      email: `${username}@example.com`,
      is_profile_private: isPrivate,
      role,
      last_login_ip: lastLoginIp,
      password,
      total_followers: accepted.filter((follow) => follow.followee_id === id).length,
      total_following: accepted.filter((follow) => follow.follower_id === id).length,
      total_workouts: workouts.filter((workout) => workout.user_id === id).length,
    };
  });
}

function buildSeed(): Seed {
  const follows = FOLLOWS.map(([follower, followee, status]) => ({
    follower_id: seededPersonId(follower),
    followee_id: seededPersonId(followee),
    status,
  }));
  const rides = buildRides();
  const workouts = buildWorkouts(rides);
  return deepFreeze({ today: '2021-01-20', people: buildPeople(follows, workouts), rides, workouts, follows });
}

/** The seeded data. Read-only: every server instance works on its own copy. */
export const SEED: Seed = buildSeed();

export interface Credentials {
  readonly username: string;
  readonly password: string;
}

/** The login of every seeded person, admin first, so a demo or a test can act as any of them. */
export const SEEDED_CREDENTIALS: readonly Credentials[] = deepFreeze(
  PEOPLE.map(([username, , , , , , , , , , password]) => ({ username, password })),
);
