/** Every route of the reference API in one place, and which of them a mode deploys. */
import type { ModeRules } from '../modes.ts';
import type { Route } from '../route.ts';
import { adminRoutes } from './admin.ts';
import { authRoutes } from './auth.ts';
import { descriptionRoutes } from './description.ts';
import { graphqlRoutes } from './graphql.ts';
import { keyRoutes } from './keys.ts';
import { legacyRoutes } from './legacy.ts';
import { peopleRoutes } from './people.ts';
import { statsRoutes } from './stats.ts';

/** The routes the OpenAPI document describes, in lookup order. */
export const DOCUMENTED_ROUTES: readonly Route[] = [
  ...descriptionRoutes,
  ...authRoutes,
  ...peopleRoutes,
  ...statsRoutes,
  ...graphqlRoutes,
  ...adminRoutes,
];

/** Served in every mode beside the API, as an identity provider would serve them: never described. */
export const INFRASTRUCTURE_ROUTES: readonly Route[] = keyRoutes;

export function routesFor(rules: ModeRules): readonly Route[] {
  return rules.legacyRouteServed ? [...DOCUMENTED_ROUTES, ...legacyRoutes] : DOCUMENTED_ROUTES;
}
