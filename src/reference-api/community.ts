/**
 * The people, workouts and follows one server instance works on: its own copy of the seed, so
 * that a registration or a profile change in one instance is never seen by another.
 */
import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import type { Follow, Person, Seed, Workout } from './seed.ts';

export type ProfileChanges = Partial<Pick<Person, 'image_url' | 'location' | 'weight' | 'height' | 'email' | 'is_profile_private' | 'role'>>;

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

export class Community {
  readonly #people: Person[];
  readonly #workouts: readonly Workout[];
  readonly #follows: readonly Follow[];

  constructor(seed: Seed) {
    this.#people = structuredClone(seed.people) as Person[];
    this.#workouts = structuredClone(seed.workouts);
    this.#follows = structuredClone(seed.follows);
  }

  get people(): readonly Person[] {
    return this.#people;
  }

  findById(id: string): Person | undefined {
    return this.#people.find((person) => person.id === id);
  }

  findByUsername(username: string): Person | undefined {
    const wanted = username.toLowerCase();
    return this.#people.find((person) => person.username.toLowerCase() === wanted);
  }

  /** The person whose password this is, compared in constant time. */
  authenticate(username: string, password: string): Person | undefined {
    const person = this.findByUsername(username);
    if (person === undefined) return undefined;
    return timingSafeEqual(digest(person.password), digest(password)) ? person : undefined;
  }

  /** Anyone may join, which is why "login required" alone protected nobody. */
  register(username: string, password: string): Person {
    const id = createHash('md5').update(`leakproof:registered:${randomUUID()}`).digest('hex');
    const person: Person = {
      id,
      username,
      image_url: `https://images.example.com/avatars/${id}.png`,
      location: null,
      age: null,
      gender: null,
      weight: null,
      height: null,
      birthday: null,
      email: null,
      is_profile_private: false,
      role: 'member',
      last_login_ip: null,
      password,
      total_followers: 0,
      total_following: 0,
      total_workouts: 0,
    };
    this.#people.push(person);
    return person;
  }

  update(person: Person, changes: ProfileChanges): Person {
    Object.assign(person, changes);
    return person;
  }

  /** Case-insensitive username prefix match, in seed order. */
  search(query: string): Person[] {
    const prefix = query.toLowerCase();
    return this.#people.filter((person) => person.username.toLowerCase().startsWith(prefix));
  }

  workoutsOf(person: Person): Workout[] {
    return this.#workouts.filter((workout) => workout.user_id === person.id);
  }

  /** People whose follow request this person accepted. */
  followersOf(person: Person): Person[] {
    return this.#follows
      .filter((follow) => follow.followee_id === person.id && follow.status === 'accepted')
      .map((follow) => this.findById(follow.follower_id))
      .filter((follower) => follower !== undefined);
  }

  isAcceptedFollower(follower: Person, followee: Person): boolean {
    return this.#follows.some(
      (follow) => follow.follower_id === follower.id && follow.followee_id === followee.id && follow.status === 'accepted',
    );
  }
}
