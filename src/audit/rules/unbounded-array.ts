/** Lists without `maxItems`: requests that make the server do unbounded work, answers of unbounded size. */
import type { JsonSchema } from '../../core/model.ts';
import type { AuditRule, RuleResult } from '../rule.ts';
import { isSchema, isUnresolved, typesOf } from '../schema-graph.ts';
import { label } from './phrases.ts';

export const unboundedArray: AuditRule = {
  id: 'unbounded-array',
  title: 'Array without maxItems',
  owasp: 'API4:2023',
  cwe: 'CWE-770',
  severity: 'low',
  exposure: true,
  sharedPlaces: true,
  description:
    'A list has no `maxItems`: in a request, one call can make the server do any amount of work; in a response (a list ' +
    'of records, with no bounded page size to cap it), one call can return any number of records. A list of people\'s ' +
    'records is how a scrape of everyone takes one request: a medium finding.',
  remediation:
    'Give request arrays a `maxItems` and enforce it. Paginate lists of records with a page-size parameter that has a ' +
    '`maximum`, or give the list a `maxItems`.',
  helpUrl: 'https://owasp.org/API-Security/editions/2023/en/0xa4-unrestricted-resource-consumption/',
  run(context) {
    const results: RuleResult[] = [];
    for (const node of context.reach('request')) {
      if (!isUnbounded(node.schema) || node.schema.readOnly === true) continue;
      results.push({
        operation: node.operation,
        location: context.api.locate(node.schema),
        title: `${label(node.operation)} accepts a list of any length (${node.path})`,
        message: `The list at ${node.path} of ${label(node.operation)} has no maxItems: one request can carry any number of items.`,
        key: 'request',
      });
    }
    // A page-size parameter with a maximum bounds the answer, whatever its schema says.
    const unpaginated = context.operations.filter((op) => !context.reading.pageSizeParameters(op).some((p) => typeof p.schema.maximum === 'number'));
    for (const node of context.reach('response', unpaginated)) {
      const items = node.schema.items;
      if (!isUnbounded(node.schema) || !isSchema(items) || !isRecord(items)) continue;
      const person = context.personalData.isPersonLike(items);
      results.push({
        operation: node.operation,
        location: context.api.locate(node.schema),
        severity: person ? 'medium' : 'low',
        title: `${label(node.operation)} may return any number of ${person ? 'people\'s records' : 'records'} (${node.path})`,
        message: `The list at ${node.path} of ${label(node.operation)} has no maxItems, and no page-size parameter of the ` +
          `operation has a maximum${person ? ': every person it holds can come back in one answer' : ''}.`,
        key: 'response',
      });
    }
    return results;
  },
};

function isUnbounded(schema: JsonSchema): boolean {
  if (isUnresolved(schema) || typeof schema.maxItems === 'number') return false;
  const types = typesOf(schema);
  return types.includes('array') || (types.length === 0 && schema.items !== undefined);
}

/** An object with properties: a record, not a scalar. */
function isRecord(schema: JsonSchema): boolean {
  return typesOf(schema).includes('object') || isSchema(schema.properties) || Array.isArray(schema.allOf) || Array.isArray(schema.oneOf) || Array.isArray(schema.anyOf);
}
