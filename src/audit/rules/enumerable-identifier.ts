/** Sequential integer ids in the paths of people's resources: walk the numbers, get everyone. */
import type { JsonSchema, Operation, Parameter } from '../../core/model.ts';
import { namesPerson } from '../../core/personal-data/index.ts';
import { beyondCard, isOwnField } from '../personal-data.ts';
import type { AuditContext, AuditRule, RuleResult } from '../rule.ts';
import { typesOf } from '../schema-graph.ts';
import { label } from './phrases.ts';

/** A pattern that allows digits only: `^\d+$`, `^[0-9]{1,10}$`. */
const DIGITS_ONLY = /^\^?(?:\\d|\[0-9\])(?:[+*]|\{\d+(?:,\d*)?\})\$?$/;

export const enumerableIdentifier: AuditRule = {
  id: 'enumerable-identifier',
  title: 'Enumerable identifier of a person\'s resource',
  owasp: 'API1:2023',
  cwe: 'CWE-340',
  severity: 'medium',
  exposure: true,
  description:
    'A path parameter that names a person, or a resource a person owns, is a sequential integer. Whoever can read one ' +
    'record can ask for the next number, and the next: the walk through every user that turns a missing authorization ' +
    'check into a leak of the whole user base, and that tells a competitor how many customers there are.',
  remediation:
    'Identify people and their resources by random, unguessable ids (UUIDv4, or 128 random bits) in every public URL, ' +
    'and keep sequential keys internal. Unguessable ids are no authorization: enforce that too.',
  helpUrl: 'https://owasp.org/API-Security/editions/2023/en/0xa1-broken-object-level-authorization/',
  run(context) {
    const reported = new Set<string>();
    const results: RuleResult[] = [];
    for (const operation of context.operations) {
      for (const parameter of operation.parameters) {
        const key = parameter.location?.pointer ?? `${operation.id}\u0000${parameter.name}`;
        if (parameter.in !== 'path' || reported.has(key) || !isSequential(parameter.schema) || !aboutPerson(context, operation, parameter)) continue;
        reported.add(key);
        results.push({
          operation,
          location: parameter.location,
          title: `${label(operation)} names people's records by a sequential integer ('${parameter.name}')`,
          message: `The path parameter '${parameter.name}' of ${label(operation)} is an integer, and the resource belongs to a ` +
            'person: anyone who may read one record can try every number in turn.',
        });
      }
    }
    return results;
  },
};

function isSequential(schema: JsonSchema): boolean {
  const types = typesOf(schema);
  if (types.includes('integer') || types.includes('number')) return true;
  if (!types.includes('string')) return false;
  return schema.format === 'int32' || schema.format === 'int64' || (typeof schema.pattern === 'string' && DIGITS_ONLY.test(schema.pattern));
}

/**
 * It names a person, sits under a person in the path (`/users/{id}/orders/{order}`), or the record
 * it names is a person's: personal data at its top level, not in someone it mentions.
 */
function aboutPerson(context: AuditContext, operation: Operation, parameter: Parameter): boolean {
  if (context.reading.doors(operation).some((door) => door.kind === 'id' && door.parameter === parameter)) return true;
  const before = operation.path.slice(0, operation.path.indexOf(`{${parameter.name}}`)).split('/');
  if (before.some((segment) => segment !== '' && !segment.includes('{') && namesPerson(segment))) return true;
  return beyondCard(context.personalData.returned(operation)).some(isOwnField);
}
