/** Page-size parameters a caller may set as high as they like. */
import type { AuditRule, RuleResult } from '../rule.ts';
import { label } from './phrases.ts';

export const unboundedPageSize: AuditRule = {
  id: 'unbounded-page-size',
  title: 'Page size without a maximum',
  owasp: 'API4:2023',
  cwe: 'CWE-770',
  severity: 'medium',
  exposure: true,
  description:
    'A parameter that sets how many items a page holds (`limit`, `per_page`, `page_size`...) has no `maximum`: ' +
    '`?limit=1000000` asks for everything at once, which costs the server and hands a scraper the whole list.',
  remediation: 'Give page-size parameters a `maximum` (and a `default`), and clamp or refuse larger values on the server.',
  helpUrl: 'https://owasp.org/API-Security/editions/2023/en/0xa4-unrestricted-resource-consumption/',
  run(context) {
    const reported = new Set<string>();
    const results: RuleResult[] = [];
    for (const operation of context.operations) {
      for (const parameter of context.reading.pageSizeParameters(operation)) {
        const key = parameter.location?.pointer ?? `${operation.id}\u0000${parameter.name}`;
        if (typeof parameter.schema.maximum === 'number' || typeof parameter.schema.exclusiveMaximum === 'number' || reported.has(key)) continue;
        reported.add(key);
        results.push({
          operation,
          location: parameter.location,
          title: `${label(operation)} lets callers ask for pages of any size ('${parameter.name}' has no maximum)`,
          message: `The query parameter '${parameter.name}' of ${label(operation)} sets the page size and has no maximum.`,
        });
      }
    }
    return results;
  },
};
