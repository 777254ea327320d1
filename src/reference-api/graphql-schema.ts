/**
 * The GraphQL gateway of the 2021 report (`user(id:) { id location }` answered anyone). Field names
 * are the REST API's snake_case so that a record compares across both. It resolves through the
 * same views as REST: a field the caller may not see resolves to null, never to a value.
 */
import { buildSchema } from 'graphql';
import type { Call } from './route.ts';
import { searchPeople } from './search.ts';
import type { Person } from './seed.ts';
import type { View } from './views.ts';
import { mayReadActivity, profileView, workoutView } from './views.ts';

/** Built once: the schema is the same in every mode, only the views behind it change. */
export const schema = buildSchema(`
  type Query {
    user(id: ID!): User
    searchUsers(query: String!): [User!]!
  }

  type User {
    id: ID!
    username: String!
    image_url: String
    is_profile_private: Boolean!
    location: String
    total_followers: Int
    total_following: Int
    total_workouts: Int
    age: Int
    gender: String
    weight: Float
    height: Float
    birthday: String
    email: String
    "Null unless the caller may see this person's activity."
    workouts: [Workout!]
  }

  type Workout {
    id: ID!
    user_id: ID!
    ride_id: ID!
    created_at: String!
    duration_seconds: Int!
    total_output: Float!
    "Owner only."
    calories: Int
    "Owner only."
    avg_heart_rate: Int
  }
`);

export interface GraphqlContext {
  readonly call: Call;
}

function userOf(call: Call, subject: Person): View {
  const { rules, community } = call.service;
  const workouts = mayReadActivity(call.viewer, subject, rules, community)
    ? community.workoutsOf(subject).map((workout) => workoutView(call.viewer, workout, rules))
    : null;
  return { ...profileView(call.viewer, subject, rules, community), workouts };
}

export const rootValue = {
  user(args: { id: string }, context: GraphqlContext): View | null {
    const subject = context.call.service.community.findById(args.id);
    return subject === undefined ? null : userOf(context.call, subject);
  },
  searchUsers(args: { query: string }, context: GraphqlContext): View[] {
    return searchPeople(context.call.service, args.query).map((subject) => userOf(context.call, subject));
  },
};
