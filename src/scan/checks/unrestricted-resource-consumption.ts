/** Unrestricted resource consumption: a bulk lookup answers any number of ids in one call. */
import type { Check } from '../context.ts';
import { isSuccess } from '../context.ts';
import { buildFinding } from '../evidence.ts';
import { recordsOf } from '../records.ts';
import { firstGap, someoneServed } from './coverage.ts';

/** How many ids the scanner's oversized bulk request names: the 2021 reports saw 800 and more. */
export const OVERSIZED_BULK = 800;

export const unrestrictedResourceConsumption: Check = {
  id: 'unrestricted-resource-consumption',
  title: 'Bulk lookup without a limit',
  owasp: 'API4:2023',
  cwe: 'CWE-770',
  severity: 'medium',
  description:
    `A bulk lookup answered a request naming ${OVERSIZED_BULK} ids. Without a limit one call scrapes hundreds of people, ` +
    'and a few calls the whole membership; the 2021 Peloton bulk-details route returned 800 riders per call.',
  remediation: 'Cap the number of ids per call on the server (and declare it as maxItems in the description), rate-limit per caller, and alert when one caller reads many distinct people.',
  helpUrl: 'https://owasp.org/API-Security/editions/2023/en/0xa4-unrestricted-resource-consumption/',
  undecided(context, operation) {
    const oversized = context.observations.some((o) => o.operation.id === operation.id && o.purpose === 'oversized' && (o.exchange.response?.status ?? 500) < 500);
    return firstGap(someoneServed(context, operation), oversized ? undefined : `the oversized bulk request to ${operation.method} ${operation.path} got no answer`);
  },
  run(context) {
    return context.observations
      .filter((o) => o.purpose === 'oversized' && isSuccess(o.exchange) && [...context.people.values()].some((p) => recordsOf(o.exchange.response?.json, p.id).length > 0))
      .map((o) =>
        buildFinding({
          check: unrestrictedResourceConsumption,
          operation: o.operation,
          title: `${o.operation.method} ${o.operation.path} answers ${OVERSIZED_BULK} ids in one call`,
          message: `A request naming ${OVERSIZED_BULK} ids got HTTP ${o.exchange.response?.status ?? 0}; the description declares no smaller maxItems that the server enforces.`,
          observations: [o],
          fields: [],
          subjects: [],
          identity: [o.caller === 'anonymous' ? 'anonymous' : 'member'],
        }),
      );
  },
};
