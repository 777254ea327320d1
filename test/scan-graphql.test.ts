import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildSchema, graphqlSync } from 'graphql';
import { INTROSPECTION_QUERY, isGraphqlBody, probesFromIntrospection } from '../src/scan/graphql.ts';

/** A real introspection result, from the graphql package's own executor. */
function introspect(sdl: string): unknown {
  return graphqlSync({ schema: buildSchema(sdl), source: INTROSPECTION_QUERY });
}

describe('GraphQL query fields become subject and search probes', () => {
  const json = introspect(`
    type Query {
      user(id: ID!): User
      member(memberId: Int!): User
      searchUsers(query: String!): [User!]!
      posts(first: Int): [Post]
      viewer: User
    }
    type User { id: ID! username: String location: String age: Int friends(first: Int): [User] address: Address }
    type Address { city: String }
    type Post { id: ID! title: String }
  `);

  it('finds fields that take a person\'s id, with the id in a variable and every scalar selected', () => {
    const { subjects } = probesFromIntrospection(json);
    assert.deepEqual(subjects.map((p) => [p.field, p.argument, p.argumentType]), [['user', 'id', 'ID!'], ['member', 'memberId', 'Int!']]);
    assert.equal(subjects[0]?.query, 'query ($value: ID!) { user(id: $value) { id username location age } }');
  });

  it('finds fields that search by text', () => {
    assert.deepEqual(probesFromIntrospection(json).searches.map((p) => p.field), ['searchUsers']);
  });

  it('gives nothing when introspection is off or the answer is an error', () => {
    assert.deepEqual(probesFromIntrospection({ errors: [{ message: 'introspection is disabled' }] }), { subjects: [], searches: [] });
    assert.deepEqual(probesFromIntrospection(undefined), { subjects: [], searches: [] });
  });
});

describe('a GraphQL endpoint is recognised by its request body', () => {
  it('a JSON body with a query string', () => {
    assert.equal(isGraphqlBody({ type: 'object', properties: { query: { type: 'string' }, variables: { type: 'object' } } }), true);
    assert.equal(isGraphqlBody({ type: 'object', properties: { query: { type: ['string', 'null'] } } }), true);
    assert.equal(isGraphqlBody({ type: 'object', properties: { ids: { type: 'array' } } }), false);
    assert.equal(isGraphqlBody(undefined), false);
  });
});
