/** A document-wide security that lets anonymous callers in, inherited by every operation that says nothing. */
import type { AuditRule } from '../rule.ts';
import { label, listed } from './phrases.ts';

export const globalSecurityDisabled: AuditRule = {
  id: 'global-security-disabled',
  title: 'Security switched off for the whole document',
  owasp: 'API2:2023',
  cwe: 'CWE-306',
  severity: 'high',
  exposure: true,
  description:
    'The document\'s own `security` is empty (`security: []`) or admits anonymous callers (`{}`), so every operation that ' +
    'does not declare its own is open to anyone, including operations added later. Access is allowed by default instead ' +
    'of denied by default.',
  remediation:
    'Make the document-level `security` require credentials, and open up only the operations that are public by design ' +
    'with `security: []` on each of them.',
  helpUrl: 'https://owasp.org/API-Security/editions/2023/en/0xa2-broken-authentication/',
  run(context) {
    const { documentSecurity } = context;
    if (!documentSecurity) return [];
    const inheriting = context.operations.filter((op) => op.securitySource === 'document');
    const [first] = inheriting;
    if (!first) return [];
    const how = first.security.length === 0 ? '`security: []`' : 'an empty requirement (`{}`)';
    return [{
      operation: undefined,
      location: documentSecurity,
      title: `The document's security admits anonymous callers, and ${inheriting.length === 1 ? '1 operation inherits' : `${inheriting.length} operations inherit`} it`,
      message: `The document-level security is ${how}. Every operation without a security of its own is open to anyone: ` +
        `${listed(inheriting.map(label), 5)}.`,
    }];
  },
};
