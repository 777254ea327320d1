/** API keys and tokens sent in the query string, where URLs are logged and passed on. */
import type { AuditRule, RuleResult } from '../rule.ts';
import { label } from './phrases.ts';

export const credentialInQuery: AuditRule = {
  id: 'credential-in-query',
  title: 'Credential in the query string',
  owasp: 'API2:2023',
  cwe: 'CWE-598',
  severity: 'high',
  exposure: true,
  description:
    'An API key, token or password travels in the URL. URLs end up in access logs, proxy and CDN logs, browser ' +
    'history, analytics and `Referer` headers, where whoever reads them can act as the caller.',
  remediation:
    'Send credentials in a header (`Authorization`, or an API-key header) or a cookie, never in the query string, and ' +
    'reject them when they arrive in the URL.',
  helpUrl: 'https://owasp.org/API-Security/editions/2023/en/0xa2-broken-authentication/',
  run(context) {
    const results: RuleResult[] = [];
    const used = new Set(context.operations.flatMap((op) => op.security.flatMap((requirement) => Object.keys(requirement))));
    for (const scheme of context.api.securitySchemes.values()) {
      if (scheme.type !== 'apiKey' || scheme.in !== 'query' || !used.has(scheme.name)) continue;
      results.push({
        operation: undefined,
        location: scheme.location,
        title: `The security scheme '${scheme.name}' puts an API key in the query string ('${scheme.parameterName ?? '?'}')`,
        message: `Callers authenticate with the query parameter '${scheme.parameterName ?? '?'}' (security scheme '${scheme.name}'): ` +
          'their key ends up in every log and history that keeps URLs.',
        key: scheme.name,
      });
    }
    const reported = new Set<string>();
    for (const operation of context.operations) {
      for (const parameter of operation.parameters) {
        const key = parameter.location?.pointer ?? `${operation.id}\u0000${parameter.name}`;
        if (parameter.in !== 'query' || reported.has(key)) continue;
        if (context.classifier.classifyField(parameter.name, parameter.schema)?.sensitivity !== 'credential') continue;
        reported.add(key);
        results.push({
          operation,
          location: parameter.location,
          title: `${label(operation)} takes a credential in the query string ('${parameter.name}')`,
          message: `The query parameter '${parameter.name}' of ${label(operation)} carries a credential in the URL.`,
        });
      }
    }
    return results;
  },
};
