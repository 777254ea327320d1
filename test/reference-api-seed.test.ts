/**
 * The seed is what every leak is measured against: a value found in a response must say whose it
 * is, so identifying values are distinct, and the relations the flaws rely on must hold.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SEED, SEEDED_CREDENTIALS, seededPersonId } from '../src/reference-api/index.ts';

const people = SEED.people;
const byName = (username: string) => {
  const person = people.find((candidate) => candidate.username === username);
  assert.ok(person, username);
  return person;
};

/** Full years between a birthday and a day, both ISO dates. */
function yearsOn(birthday: string, day: string): number {
  const [by = 0, bm = 0, bd = 0] = birthday.split('-').map(Number);
  const [ty = 0, tm = 0, td = 0] = day.split('-').map(Number);
  return ty - by - (tm < bm || (tm === bm && td < bd) ? 1 : 0);
}

describe('the seed is a small, deterministic community', () => {
  it('has about ten people, exactly one of them an administrator named admin', () => {
    assert.ok(people.length >= 9 && people.length <= 12, `${people.length} people`);
    assert.deepEqual(
      people.filter((person) => person.role === 'admin').map((person) => person.username),
      ['admin'],
    );
  });

  it('ids are unique 32-hex strings derived from fixed names', () => {
    const ids = [...people.map((person) => person.id), ...SEED.workouts.map((workout) => workout.id), ...SEED.rides.map((ride) => ride.id)];
    assert.equal(new Set(ids).size, ids.length);
    for (const id of ids) assert.match(id, /^[0-9a-f]{32}$/);
    for (const person of people) assert.equal(person.id, seededPersonId(person.username));
  });

  it('identifying values are distinct across people', () => {
    for (const field of ['username', 'location', 'weight', 'birthday', 'email', 'last_login_ip', 'image_url'] as const) {
      assert.equal(new Set(people.map((person) => person[field])).size, people.length, field);
    }
  });

  it(`ages agree with birthdays on ${SEED.today}`, () => {
    for (const person of people) {
      assert.ok(person.birthday !== null && person.age !== null);
      assert.equal(person.age, yearsOn(person.birthday, SEED.today), person.username);
    }
  });

  it('is frozen: no caller can change what every instance starts from', () => {
    assert.ok(Object.isFrozen(SEED) && Object.isFrozen(SEED.people) && Object.isFrozen(byName('alice')));
    assert.throws(() => {
      (byName('alice') as { location: string }).location = 'Elsewhere';
    }, TypeError);
  });
});

describe('the seed has the relations the planted flaws rely on', () => {
  const accepted = SEED.follows.filter((follow) => follow.status === 'accepted');

  it('at least three profiles are private', () => {
    assert.ok(people.filter((person) => person.is_profile_private).length >= 3);
  });

  it('a private profile has an accepted follower (alice follows bob)', () => {
    assert.ok(byName('bob').is_profile_private);
    assert.ok(accepted.some((follow) => follow.follower_id === byName('alice').id && follow.followee_id === byName('bob').id));
  });

  it('frank follows nobody, and erin (private) has only a pending request', () => {
    assert.equal(SEED.follows.filter((follow) => follow.follower_id === byName('frank').id).length, 0);
    const toErin = SEED.follows.filter((follow) => follow.followee_id === byName('erin').id);
    assert.deepEqual(toErin.map((follow) => follow.status), ['pending']);
  });

  it('every member has 2 to 4 workouts of a seeded ride; the administrator has none', () => {
    const rides = new Set(SEED.rides.map((ride) => ride.id));
    for (const person of people) {
      const workouts = SEED.workouts.filter((workout) => workout.user_id === person.id);
      if (person.role === 'admin') assert.equal(workouts.length, 0);
      else assert.ok(workouts.length >= 2 && workouts.length <= 4, person.username);
      for (const workout of workouts) assert.ok(rides.has(workout.ride_id));
    }
  });

  it('total_followers, total_following and total_workouts are counted from accepted follows and workouts', () => {
    for (const person of people) {
      assert.equal(person.total_followers, accepted.filter((follow) => follow.followee_id === person.id).length);
      assert.equal(person.total_following, accepted.filter((follow) => follow.follower_id === person.id).length);
      assert.equal(person.total_workouts, SEED.workouts.filter((workout) => workout.user_id === person.id).length);
    }
  });

  it('several usernames share the prefix "h", so one search returns many riders', () => {
    assert.ok(people.filter((person) => person.username.startsWith('h')).length >= 3);
  });
});

describe('the seeded credentials are those of the seeded people', () => {
  it('one login per person, with the password the seed stores', () => {
    assert.deepEqual(
      SEEDED_CREDENTIALS.map((credentials) => credentials.username),
      people.map((person) => person.username),
    );
    for (const { username, password } of SEEDED_CREDENTIALS) assert.equal(byName(username).password, password);
  });
});
