/** The username search both the REST route and GraphQL's `searchUsers` answer from. */
import { badRequest } from './api-error.ts';
import type { Service } from './route.ts';
import type { Person } from './seed.ts';

const QUERY_MAX_LENGTH = 64;

/** Every match in the leaky modes, which is what made the whole membership enumerable. */
export function searchPeople(service: Service, query: string): Person[] {
  if (query.length === 0 || query.length > QUERY_MAX_LENGTH) {
    throw badRequest(`A search query is 1 to ${QUERY_MAX_LENGTH} characters.`);
  }
  return service.community.search(query).slice(0, service.rules.searchResultCap);
}
