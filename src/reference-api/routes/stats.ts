/**
 * The leaderboard lookup of the 2021 report: one call names any riders by id and gets their
 * stats back. Unknown ids are skipped rather than refused, as the real endpoint did.
 */
import { badRequest } from '../api-error.ts';
import type { Route } from '../route.ts';
import { riderStats } from '../views.ts';

function idsOf(body: unknown): string[] {
  const ids = typeof body === 'object' && body !== null ? (body as Record<string, unknown>).ids : undefined;
  if (!Array.isArray(ids) || !ids.every((id) => typeof id === 'string')) {
    throw badRequest('The body must be {"ids": [person ids]}.');
  }
  return ids;
}

export const statsRoutes: readonly Route[] = [
  {
    method: 'POST',
    path: '/stats/workouts/details',
    operationId: 'getWorkoutDetails',
    access: 'incident',
    takesBody: true,
    handle(call) {
      const { community, rules } = call.service;
      const ids = [...new Set(idsOf(call.body))];
      if (rules.bulkIdCap !== undefined && ids.length > rules.bulkIdCap) {
        throw badRequest(`One lookup names at most ${rules.bulkIdCap} riders; this one named ${ids.length}.`);
      }
      const data = ids
        .map((id) => community.findById(id))
        .filter((person) => person !== undefined)
        .map((person) => riderStats(call.viewer, person, rules, community))
        .filter((stats) => stats !== undefined);
      return { body: { data } };
    },
  },
];
