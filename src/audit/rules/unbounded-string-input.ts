/** Strings a client sends with no bound on their length. */
import type { JsonSchema } from '../../core/model.ts';
import type { AuditRule, RuleResult } from '../rule.ts';
import { isUnresolved, typesOf } from '../schema-graph.ts';
import { label } from './phrases.ts';

/** Formats whose values have a bounded length (RFC 3339 dates, UUIDs, addresses, numbers). */
const BOUNDED_FORMATS: ReadonlySet<string> = new Set(['date', 'date-time', 'time', 'uuid', 'ipv4', 'ipv6', 'int32', 'int64', 'duration']);

export const unboundedStringInput: AuditRule = {
  id: 'unbounded-string-input',
  title: 'Input string without maxLength',
  owasp: 'API4:2023',
  cwe: 'CWE-770',
  severity: 'low',
  exposure: true,
  sharedPlaces: true,
  description:
    'A string the client sends (a parameter or a property of a request body) has no `maxLength`, no `enum`, and no ' +
    'format or anchored pattern that bounds it. Megabyte-long values cost memory, logs and database space, and reach ' +
    'parsers and regular expressions that were never tested with them.',
  remediation: 'Give input strings a `maxLength` (or an `enum`, or an anchored `pattern` with bounded repetition), and enforce it on the server or in a validating gateway.',
  helpUrl: 'https://owasp.org/API-Security/editions/2023/en/0xa4-unrestricted-resource-consumption/',
  run(context) {
    const results: RuleResult[] = [];
    for (const node of context.reach('request')) {
      if (!isUnboundedString(node.schema)) continue;
      results.push({
        operation: node.operation,
        location: context.api.locate(node.schema),
        title: `${label(node.operation)} accepts a string of any length (${node.path})`,
        message: `The string at ${node.path} of ${label(node.operation)} has no maxLength.`,
      });
    }
    return results;
  },
};

function isUnboundedString(schema: JsonSchema): boolean {
  if (isUnresolved(schema) || !typesOf(schema).includes('string') || schema.readOnly === true) return false;
  if (typeof schema.maxLength === 'number' || Array.isArray(schema.enum) || 'const' in schema) return false;
  if (schema.format === 'binary' || (typeof schema.format === 'string' && BOUNDED_FORMATS.has(schema.format))) return false;
  return !(typeof schema.pattern === 'string' && boundedPattern(schema.pattern));
}

/** Anchored at both ends, with no unbounded repetition: `^[A-Za-z0-9_.-]{3,32}$`. */
function boundedPattern(pattern: string): boolean {
  const anchored = pattern.startsWith('^') && pattern.endsWith('$') && !pattern.endsWith('\\$');
  return anchored && !/(?<!\\)[*+]|\{\d*,\}/.test(pattern);
}
