/** Secured operations whose description does not say how they refuse a caller. */
import { allowsAnonymous } from '../../core/model.ts';
import type { Operation } from '../../core/model.ts';
import type { AuditContext, AuditRule, RuleResult } from '../rule.ts';
import { label } from './phrases.ts';

const ADMINISTRATIVE = /(?:^|[/_-])(?:admin|administration|internal|manage|management)(?:$|[/_-])/i;

export const undeclaredAuthErrors: AuditRule = {
  id: 'undeclared-auth-errors',
  title: 'Secured operation without 401/403 responses',
  owasp: 'API8:2023',
  cwe: 'CWE-1059',
  severity: 'low',
  exposure: false,
  description:
    'The operation requires credentials but its description declares no 401 response (no or bad credentials) or, where ' +
    'it serves someone\'s record or needs a permission, no 403 or 404 (not yours, not allowed). Refusals that are not ' +
    'designed are not built or tested: the description reads as if every authenticated call succeeds.',
  remediation:
    'Declare 401 on every secured operation, and 403 (or 404, to hide that a record exists) on operations that check ' +
    'who the caller is to the record or whether they hold a role or scope, with an error schema.',
  helpUrl: 'https://owasp.org/API-Security/editions/2023/en/0xa8-security-misconfiguration/',
  run(context) {
    return context.operations.filter((op) => !allowsAnonymous(op)).flatMap((operation) => judge(context, operation));
  },
};

function judge(context: AuditContext, operation: Operation): RuleResult[] {
  const statuses = new Set(operation.responses.map((r) => r.status.toUpperCase()));
  const missing: string[] = [];
  if (!statuses.has('401') && !statuses.has('4XX')) missing.push('401');
  // Searches and bulk lookups leave out whom the caller may not see; a single record is refused.
  const authorizes = context.reading.doors(operation).some((door) => door.kind === 'id')
    || !context.reading.openToAnyMember(operation)
    || ADMINISTRATIVE.test(operation.path)
    || operation.tags.some((tag) => ADMINISTRATIVE.test(tag))
    || operation.extensions['x-leakproof-admin'] === true;
  if (authorizes && !['403', '404', '4XX'].some((s) => statuses.has(s))) missing.push('403');
  if (missing.length === 0) return [];
  return [{
    operation,
    location: operation.location,
    title: `${label(operation)} is secured but declares no ${missing.join(' or ')} response`,
    message: `${label(operation)} requires credentials, but its responses (${[...statuses].join(', ') || 'none'}) include no ` +
      `${missing.map((s) => (s === '401' ? '401 for missing or bad credentials' : '403 or 404 for callers who may not see the record or call it')).join(', and no ')}.`,
    key: missing.join(','),
  }];
}
