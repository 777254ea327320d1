/** Profiles, their workouts and followers, and the username search. */
import { forbidden, notFound } from '../api-error.ts';
import { parseProfileChanges } from '../profile-update.ts';
import type { Call, Route } from '../route.ts';
import { callerOf } from '../route.ts';
import { searchPeople } from '../search.ts';
import type { Person } from '../seed.ts';
import { mayReadActivity, profileView, workoutView } from '../views.ts';

function subjectOf(call: Call): Person {
  const id = call.params.id ?? '';
  const person = call.service.community.findById(id);
  if (person === undefined) throw notFound(`No user has the id "${id}".`);
  return person;
}

/** Workouts and followers of a profile the caller may not see are refused, not emptied. */
function activitySubjectOf(call: Call): Person {
  const subject = subjectOf(call);
  const { rules, community } = call.service;
  if (!mayReadActivity(call.viewer, subject, rules, community)) {
    throw forbidden(`The profile of "${subject.username}" is private: only its owner and accepted followers see its activity.`);
  }
  return subject;
}

function view(call: Call, subject: Person): Readonly<Record<string, unknown>> {
  return profileView(call.viewer, subject, call.service.rules, call.service.community);
}

export const peopleRoutes: readonly Route[] = [
  {
    method: 'GET',
    path: '/api/me',
    operationId: 'getMe',
    access: 'member',
    takesBody: false,
    handle: (call) => ({ body: view(call, callerOf(call)) }),
  },
  {
    method: 'PATCH',
    path: '/api/me',
    operationId: 'updateMe',
    access: 'member',
    takesBody: true,
    handle(call) {
      const me = callerOf(call);
      call.service.community.update(me, parseProfileChanges(call.body, call.service.rules));
      return { body: view(call, me) };
    },
  },
  {
    method: 'GET',
    path: '/api/user/search/{query}',
    operationId: 'searchUsers',
    access: 'incident',
    takesBody: false,
    handle(call) {
      const matches = searchPeople(call.service, call.params.query ?? '');
      return { body: { data: matches.map((person) => view(call, person)) } };
    },
  },
  {
    method: 'GET',
    path: '/api/user/{id}',
    operationId: 'getUser',
    access: 'incident',
    takesBody: false,
    handle: (call) => ({ body: view(call, subjectOf(call)) }),
  },
  {
    method: 'GET',
    path: '/api/user/{id}/workouts',
    operationId: 'getUserWorkouts',
    access: 'incident',
    takesBody: false,
    handle(call) {
      const subject = activitySubjectOf(call);
      const workouts = call.service.community.workoutsOf(subject);
      return { body: { data: workouts.map((workout) => workoutView(call.viewer, workout, call.service.rules)) } };
    },
  },
  {
    method: 'GET',
    path: '/api/user/{id}/followers',
    operationId: 'getUserFollowers',
    access: 'incident',
    takesBody: false,
    handle(call) {
      const followers = call.service.community.followersOf(activitySubjectOf(call));
      return { body: { data: followers.map((follower) => view(call, follower)) } };
    },
  },
];
