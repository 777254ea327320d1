/**
 * The three moments of the Peloton story the reference API can replay. Each mode is a set of
 * rules rather than a branch per route, so that the code of a route reads the same in every mode
 * and only the rules it consults differ.
 */

/**
 * - `leaky`: January 2021, as reported — no authentication on the incident endpoints.
 * - `authonly`: the 2 February "fix" — some login required, no object-level authorization.
 * - `fixed`: what a fix looks like — views enforced server-side for every caller.
 */
export type Mode = 'leaky' | 'authonly' | 'fixed';

export const MODES: readonly Mode[] = Object.freeze(['leaky', 'authonly', 'fixed']);

export interface ModeRules {
  readonly mode: Mode;
  /** Incident endpoints answer callers that present no token. */
  readonly anonymousReads: boolean;
  /** Audiences (self, visible, public), the private flag and owner-only fields are enforced. */
  readonly enforcesViews: boolean;
  readonly adminListRequiresAdmin: boolean;
  /** The forgotten `/api/v1/user/{id}` route is still deployed. */
  readonly legacyRouteServed: boolean;
  /** `PATCH /api/me` writes `role`, and ignores rather than refuses what it does not know. */
  readonly massAssignment: boolean;
  /** Most ids one bulk stats lookup may name; `undefined` means no limit. */
  readonly bulkIdCap: number | undefined;
  /** Most people one search returns; `undefined` means every match. */
  readonly searchResultCap: number | undefined;
}

const RULES: Readonly<Record<Mode, ModeRules>> = Object.freeze({
  leaky: Object.freeze({
    mode: 'leaky',
    anonymousReads: true,
    enforcesViews: false,
    adminListRequiresAdmin: false,
    legacyRouteServed: true,
    massAssignment: true,
    bulkIdCap: undefined,
    searchResultCap: undefined,
  }),
  authonly: Object.freeze({
    mode: 'authonly',
    anonymousReads: false,
    enforcesViews: false,
    adminListRequiresAdmin: false,
    legacyRouteServed: true,
    massAssignment: true,
    bulkIdCap: undefined,
    searchResultCap: undefined,
  }),
  fixed: Object.freeze({
    mode: 'fixed',
    anonymousReads: false,
    enforcesViews: true,
    adminListRequiresAdmin: true,
    legacyRouteServed: false,
    massAssignment: false,
    bulkIdCap: 50,
    searchResultCap: 20,
  }),
});

export function rulesFor(mode: Mode): ModeRules {
  return RULES[mode];
}

export function isMode(value: unknown): value is Mode {
  return typeof value === 'string' && (MODES as readonly string[]).includes(value);
}
