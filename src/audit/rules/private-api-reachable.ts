/** An API declared private but served on a public address: private is not internal. */
import type { Server } from '../../core/model.ts';
import type { AuditRule, RuleResult } from '../rule.ts';
import { label } from './phrases.ts';

export const privateApiReachable: AuditRule = {
  id: 'private-api-reachable',
  title: 'Private API reachable from the internet',
  owasp: 'API8:2023',
  cwe: 'CWE-668',
  severity: 'high',
  exposure: false,
  sharedPlaces: true,
  description:
    'The description says the API is private (`x-leakproof-audience: private`: meant only for the organisation\'s own ' +
    'apps and devices) but names a server on a public address. Peloton\'s API was private in this sense, and anyone ' +
    'on the internet could call it. Being meant for one\'s own clients protects nothing; the audit weighs every other ' +
    'finding of such an API as it would a public one\'s.',
  remediation:
    'Either keep the API off the internet (an internal network, a VPN, mutual TLS for the devices), or treat it as ' +
    'public: authentication and object-level authorization on the server for every operation, and a gateway in front.',
  helpUrl: 'https://owasp.org/API-Security/editions/2023/en/0xa8-security-misconfiguration/',
  run(context) {
    const { exposures } = context;
    const results: RuleResult[] = [];
    const reported = new Set<Server>();
    const documentServer = exposures.document.reachableAt;
    if (documentServer) {
      reported.add(documentServer);
      results.push({
        operation: undefined,
        location: documentServer.location,
        title: `The private API is served at ${documentServer.url}, a public address`,
        message: `The description declares x-leakproof-audience: private, but its server ${documentServer.url} is on the internet: ` +
          'anyone can call it. Findings are weighed as for a public API.',
        key: documentServer.url,
      });
    }
    for (const operation of context.operations) {
      const server = exposures.of(operation).reachableAt;
      if (!server || reported.has(server)) continue;
      reported.add(server);
      results.push({
        operation,
        location: server.location,
        title: `${label(operation)} is private but served at ${server.url}, a public address`,
        message: `${label(operation)} is declared private, but its server ${server.url} is on the internet: anyone can call it.`,
        key: server.url,
      });
    }
    return results;
  },
};
