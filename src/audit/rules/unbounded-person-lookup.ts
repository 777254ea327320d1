/** Searches and bulk lookups of people with no limit on how many come back per call. */
import type { Operation } from '../../core/model.ts';
import type { PersonDoor } from '../operations.ts';
import { beyondCard, isOwnField } from '../personal-data.ts';
import type { AuditContext, AuditRule, RuleResult } from '../rule.ts';
import { isSchema, isSuccessStatus, typesOf } from '../schema-graph.ts';
import { label, where } from './phrases.ts';

export const unboundedPersonLookup: AuditRule = {
  id: 'unbounded-person-lookup',
  title: 'Search or bulk lookup of people without a limit',
  owasp: 'API4:2023',
  cwe: 'CWE-770',
  severity: 'high',
  exposure: true,
  description:
    'The operation finds people by a search, or looks them up by a list of ids, and the description sets no limit on ' +
    'how many people one call returns: no `maxItems` on the list of ids, no bounded page size, no `maxItems` on the ' +
    'list it answers. Peloton\'s `POST /stats/workouts/details` answered 800 and more riders a call, and its search ' +
    'answered any prefix: together, a way to list every rider.',
  remediation:
    'Cap lists of ids with `maxItems`, cap the answer of a search with `maxItems` or a page-size parameter with a ' +
    '`maximum`, enforce the caps on the server (or in a validating gateway), and rate-limit per caller.',
  helpUrl: 'https://owasp.org/API-Security/editions/2023/en/0xa4-unrestricted-resource-consumption/',
  run(context) {
    return context.operations.flatMap((operation) => judge(context, operation));
  },
};

function judge(context: AuditContext, operation: Operation): RuleResult[] {
  const lookups = context.reading.doors(operation).filter((door) => door.kind === 'ids' || door.kind === 'search');
  if (lookups.length === 0 || !returnsPeople(context, operation)) return [];
  const results: RuleResult[] = [];
  const search = lookups.find((door) => door.kind === 'search');
  if (search && !answerBounded(context, operation)) results.push(searchResult(context, operation, search));
  for (const door of lookups) {
    if (door.kind === 'ids' && typeof door.schema.maxItems !== 'number') {
      results.push({
        operation,
        location: door.location,
        title: `${label(operation)} looks up any number of people in one call (${door.label} has no maxItems)`,
        message: `The ${door.label}${where(door.location, context.api.file)} of ${label(operation)} is a list of ids without ` +
          '`maxItems`, and the operation returns people\'s data: one call can ask for every person there is.',
      });
    }
  }
  return results;
}

function searchResult(context: AuditContext, operation: Operation, door: PersonDoor): RuleResult {
  const list = answerLists(operation)[0];
  const location = list ? context.api.locate(list) : door.location;
  return {
    operation,
    location,
    title: `${label(operation)} answers a search with any number of people`,
    message: `${label(operation)} finds people by its ${door.label}, and neither its answer${where(location, context.api.file)} ` +
      'has `maxItems` nor does a page-size parameter have a `maximum`: a short query returns everyone it matches.',
    key: 'search',
  };
}

/** The answer lists people's records, or is made of a person's own fields. */
function returnsPeople(context: AuditContext, operation: Operation): boolean {
  const lists = answerLists(operation);
  if (lists.some((list) => isSchema(list.items) && context.personalData.isPersonLike(list.items))) return true;
  return lists.length === 0 && beyondCard(context.personalData.returned(operation)).some(isOwnField);
}

/** Capped by the list's `maxItems` or by a page-size parameter's `maximum`. */
function answerBounded(context: AuditContext, operation: Operation): boolean {
  if (context.reading.pageSizeParameters(operation).some((p) => typeof p.schema.maximum === 'number')) return true;
  const lists = answerLists(operation);
  return lists.length > 0 && lists.every((list) => typeof list.maxItems === 'number');
}

/** The lists a successful answer holds: the answer itself, or its top-level array properties (`data`). */
function answerLists(operation: Operation): Record<string, unknown>[] {
  const lists: Record<string, unknown>[] = [];
  for (const response of operation.responses) {
    if (!isSuccessStatus(response.status)) continue;
    for (const { schema } of response.content) {
      if (!schema) continue;
      if (typesOf(schema).includes('array')) lists.push(schema);
      else if (isSchema(schema.properties)) {
        for (const property of Object.values(schema.properties)) if (isSchema(property) && typesOf(property).includes('array')) lists.push(property);
      }
    }
  }
  return lists;
}
