/** `POST /graphql`: GraphQL over HTTP with JSON bodies. */
import { graphql } from 'graphql';
import { badRequest } from '../api-error.ts';
import type { GraphqlContext } from '../graphql-schema.ts';
import { rootValue, schema } from '../graphql-schema.ts';
import type { Route } from '../route.ts';

/** Enough for any real query of this schema; refuses documents built to exhaust the parser. */
export const GRAPHQL_QUERY_MAX_LENGTH = 8 * 1024;

interface GraphqlRequest {
  readonly query: string;
  readonly variables: Readonly<Record<string, unknown>> | undefined;
  readonly operationName: string | undefined;
}

function requestOf(body: unknown): GraphqlRequest {
  const { query, variables, operationName } = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  if (typeof query !== 'string') throw badRequest('The body must be {"query": "...", "variables": {...}}.');
  if (query.length > GRAPHQL_QUERY_MAX_LENGTH) {
    throw badRequest(`A GraphQL query is at most ${GRAPHQL_QUERY_MAX_LENGTH} characters.`);
  }
  if (variables != null && (typeof variables !== 'object' || Array.isArray(variables))) {
    throw badRequest('"variables" must be an object.');
  }
  if (operationName != null && typeof operationName !== 'string') throw badRequest('"operationName" must be a string.');
  return {
    query,
    variables: (variables ?? undefined) as GraphqlRequest['variables'],
    operationName: operationName ?? undefined,
  };
}

export const graphqlRoutes: readonly Route[] = [
  {
    method: 'POST',
    path: '/graphql',
    operationId: 'graphql',
    access: 'incident',
    takesBody: true,
    async handle(call) {
      const request = requestOf(call.body);
      const contextValue: GraphqlContext = { call };
      const result = await graphql({
        schema,
        source: request.query,
        rootValue,
        contextValue,
        variableValues: request.variables,
        operationName: request.operationName,
      });
      if (!('data' in result)) {
        const message = (result.errors ?? []).map((error) => error.message).join(' ');
        return { status: 400, body: { error: 'bad_request', message, errors: result.errors } };
      }
      return { body: result };
    },
  },
];
