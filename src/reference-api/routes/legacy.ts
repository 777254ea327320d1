/**
 * The first version of the profile endpoint, left deployed when `/api/user/{id}` replaced it and
 * forgotten by the OpenAPI document: nobody reviews what nobody lists (OWASP API9:2023).
 */
import { notFound } from '../api-error.ts';
import type { Route } from '../route.ts';
import { storedRecord } from '../views.ts';

export const LEGACY_USER_PATH = '/api/v1/user/{id}';

export const legacyRoutes: readonly Route[] = [
  {
    method: 'GET',
    path: LEGACY_USER_PATH,
    operationId: undefined,
    access: 'incident',
    takesBody: false,
    handle(call) {
      const id = call.params.id ?? '';
      const person = call.service.community.findById(id);
      if (person === undefined) throw notFound(`No user has the id "${id}".`);
      return { body: storedRecord(person) };
    },
  },
];
