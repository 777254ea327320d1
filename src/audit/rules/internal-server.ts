/** Internal addresses published in a description meant for the public. */
import type { AuditRule, RuleResult } from '../rule.ts';
import { serverReach, serverSites } from '../servers.ts';

export const internalServer: AuditRule = {
  id: 'internal-server',
  title: 'Internal server in a public description',
  owasp: 'API9:2023',
  cwe: 'CWE-200',
  severity: 'medium',
  exposure: false,
  sharedPlaces: true,
  description:
    'A description meant for the public (`x-leakproof-audience: public`, or none declared) names a server on a private ' +
    'network: a private IP address, a `.internal`, `.local` or `.corp` host, or a bare host name. It maps the ' +
    'organisation\'s infrastructure for attackers, and often points at an environment (staging, an internal gateway) ' +
    'that was never hardened to be found.',
  remediation:
    'Publish only the public servers. Keep internal servers in a separate, internal description, or mark the ' +
    'description `x-leakproof-audience: private` if it is not meant for the public.',
  helpUrl: 'https://owasp.org/API-Security/editions/2023/en/0xa9-improper-inventory-management/',
  run(context) {
    const results: RuleResult[] = [];
    for (const { server, operation } of serverSites(context.api, context.operations)) {
      if (serverReach(server.url) !== 'internal' || context.exposures.of(operation).effective !== 'public') continue;
      results.push({
        operation,
        location: server.location,
        title: `A public description names the internal server ${server.url}`,
        message: `The server ${server.url} is on a private network, and the description is ` +
          `${context.exposures.of(operation).declared === undefined ? 'not marked private, so it is taken as public' : 'for the public'}.`,
        key: server.url,
      });
    }
    return results;
  },
};
