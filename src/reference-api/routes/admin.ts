/**
 * The back-office list of every account. Only the fixed mode checks the caller's role: the
 * function-level authorization flaw is an endpoint that trusts its URL to stay unknown.
 */
import { forbidden } from '../api-error.ts';
import type { Route } from '../route.ts';
import { adminView } from '../views.ts';

export const adminRoutes: readonly Route[] = [
  {
    method: 'GET',
    path: '/api/admin/users',
    operationId: 'listAdminUsers',
    access: 'incident',
    takesBody: false,
    handle(call) {
      const { community, rules } = call.service;
      if (rules.adminListRequiresAdmin && call.viewer?.role !== 'admin') {
        throw forbidden('Listing every account is for administrators only.');
      }
      return { body: { data: community.people.map((person) => adminView(person, rules)) } };
    },
  },
];
