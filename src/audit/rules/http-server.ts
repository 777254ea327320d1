/** Servers reached over plain HTTP, where tokens and personal data cross the network unencrypted. */
import type { AuditRule, RuleResult } from '../rule.ts';
import { isPlainHttp, serverReach, serverSites } from '../servers.ts';

export const httpServer: AuditRule = {
  id: 'http-server',
  title: 'Server over plain HTTP',
  owasp: 'API8:2023',
  cwe: 'CWE-319',
  severity: 'high',
  exposure: true,
  sharedPlaces: true,
  description:
    'A server of the description is an `http://` URL: credentials, tokens and personal data cross the network in clear ' +
    'text, readable and changeable by anyone on the path. Servers on the caller\'s own machine (localhost) are left out.',
  remediation: 'Serve the API over HTTPS only (TLS 1.2 or later), list only `https://` servers, and redirect or refuse plain HTTP.',
  helpUrl: 'https://owasp.org/API-Security/editions/2023/en/0xa8-security-misconfiguration/',
  run(context) {
    const results: RuleResult[] = [];
    for (const { server, operation } of serverSites(context.api, context.operations)) {
      if (!isPlainHttp(server.url) || serverReach(server.url) === 'loopback') continue;
      results.push({
        operation,
        location: server.location,
        title: `The server ${server.url} is plain HTTP`,
        message: `The server ${server.url} has no TLS: whatever callers send and receive through it can be read on the way.`,
        key: server.url,
      });
    }
    return results;
  },
};
