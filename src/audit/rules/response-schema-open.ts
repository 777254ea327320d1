/** Response objects that may carry properties they do not declare. */
import type { JsonSchema } from '../../core/model.ts';
import type { AuditRule, RuleResult } from '../rule.ts';
import { isSchema, isUnresolved, typesOf } from '../schema-graph.ts';
import { label } from './phrases.ts';

export const responseSchemaOpen: AuditRule = {
  id: 'response-schema-open',
  title: 'Open response schema',
  owasp: 'API3:2023',
  cwe: 'CWE-213',
  severity: 'low',
  exposure: true,
  sharedPlaces: true,
  description:
    'An object in a successful response does not forbid undeclared properties (no `additionalProperties: false` or ' +
    '`unevaluatedProperties: false`), or declares none at all. Whatever the server adds goes out unnoticed: the ' +
    'reference API\'s leaky mode sends each rider\'s `last_login_ip` this way, and a validating gateway cannot strip ' +
    'what the description allows. A person\'s record left open is a medium finding.',
  remediation:
    'Declare every property of response objects and close them with `additionalProperties: false` (in OpenAPI 3.1, ' +
    '`unevaluatedProperties: false` on schemas composed with `allOf`). Describe free-form maps with a schema for their values.',
  helpUrl: 'https://owasp.org/API-Security/editions/2023/en/0xa3-broken-object-property-level-authorization/',
  run(context) {
    const results: RuleResult[] = [];
    for (const node of context.reach('response')) {
      if (node.partOnly || !isOpenObject(node.schema)) continue;
      const name = context.personalData.nameOf(node.schema);
      const person = context.personalData.isPersonLike(node.schema, node.edge?.via === 'property' ? node.edge.name : undefined);
      const what = name === undefined ? `the object at ${node.path}` : `the ${name} schema`;
      results.push({
        operation: node.operation,
        location: context.api.locate(node.schema),
        severity: person ? 'medium' : 'low',
        title: `${label(node.operation)} may return undeclared properties in ${what}`,
        message: `${capitalised(what)} (${node.path} of ${label(node.operation)}) ` +
          (isSchema(node.schema.properties) ? 'does not forbid undeclared properties' : 'declares no properties') +
          (person ? ', and it is a person\'s record: any personal field the server adds goes out with it.' : '.'),
      });
    }
    return results;
  },
};

function isOpenObject(schema: JsonSchema): boolean {
  if (isUnresolved(schema)) return false;
  const types = typesOf(schema);
  const objectLike = types.includes('object') || (types.length === 0 && isSchema(schema.properties));
  return objectLike && !isClosed(schema);
}

function isClosed(schema: JsonSchema): boolean {
  if (schema.additionalProperties === false || schema.unevaluatedProperties === false) return true;
  // A map whose values have a schema is declared, not open.
  if (isSchema(schema.additionalProperties) && Object.keys(schema.additionalProperties).length > 0) return true;
  if (isSchema(schema.patternProperties) && !isSchema(schema.properties)) return true;
  const parts = Array.isArray(schema.allOf) ? schema.allOf.filter(isSchema).filter((part) => isSchema(part.properties)) : [];
  return parts.length > 0 && parts.every(isClosed);
}

function capitalised(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
