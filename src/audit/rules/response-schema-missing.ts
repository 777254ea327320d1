/** Successful responses that do not say what they return. */
import type { AuditRule, RuleResult } from '../rule.ts';
import { isSuccessStatus } from '../schema-graph.ts';
import { label } from './phrases.ts';

/** Answers that carry no body by definition. */
const BODILESS_STATUSES: ReadonlySet<string> = new Set(['204', '205', '304']);
const BODILESS_METHODS: ReadonlySet<string> = new Set(['HEAD', 'OPTIONS']);

export const responseSchemaMissing: AuditRule = {
  id: 'response-schema-missing',
  title: 'Response without a schema',
  owasp: 'API3:2023',
  cwe: 'CWE-213',
  severity: 'medium',
  exposure: true,
  description:
    'A successful response does not describe its body. Nobody reviewing the design can see which fields, and whose ' +
    'personal data, it hands out; no gateway can validate or filter it; and the scanner cannot tell a declared field ' +
    'from one that leaked. Excessive data exposure starts where the description stops saying what goes out.',
  remediation:
    'Give every successful response a schema for each media type, listing its properties, and close it with ' +
    '`additionalProperties: false`. Answer with 204 when there is nothing to return.',
  helpUrl: 'https://owasp.org/API-Security/editions/2023/en/0xa3-broken-object-property-level-authorization/',
  run(context) {
    const results: RuleResult[] = [];
    for (const operation of context.operations) {
      if (BODILESS_METHODS.has(operation.method)) continue;
      for (const response of operation.responses) {
        if (!isSuccessStatus(response.status) || BODILESS_STATUSES.has(response.status)) continue;
        const untyped = response.content.filter((media) => media.schema === undefined).map((media) => media.mediaType);
        const silent = response.content.length === 0 && operation.method === 'GET';
        if (untyped.length === 0 && !silent) continue;
        results.push({
          operation,
          location: response.location,
          title: `${label(operation)} does not describe its ${response.status} response`,
          message: silent
            ? `The ${response.status} response of ${label(operation)} declares no content at all, so what it returns is unknown.`
            : `The ${response.status} response of ${label(operation)} declares ${untyped.join(', ')} without a schema.`,
          key: response.status,
        });
      }
    }
    return results;
  },
};
