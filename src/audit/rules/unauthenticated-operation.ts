/** Operations the description lets anyone call without credentials. */
import { allowsAnonymous } from '../../core/model.ts';
import type { Operation } from '../../core/model.ts';
import { beyondCard, fieldNames } from '../personal-data.ts';
import type { AuditContext, AuditRule, RuleResult } from '../rule.ts';
import { label, listed } from './phrases.ts';

export const unauthenticatedOperation: AuditRule = {
  id: 'unauthenticated-operation',
  title: 'Operation without authentication',
  owasp: 'API2:2023',
  cwe: 'CWE-306',
  severity: 'high',
  exposure: true,
  description:
    'The description lets anyone call the operation without credentials: no security requirement applies to it, or the ' +
    'one that does admits anonymous callers. In January 2021 Peloton\'s profile, search, bulk-details and GraphQL routes ' +
    'answered anyone on the internet; a description that requires nothing makes that the default.',
  remediation:
    'Declare a security requirement for the document and enforce it on the server, denying by default. Let only what is ' +
    'public by design opt out, with `security: []` on the operation itself: logging in, signing up, public documents.',
  helpUrl: 'https://owasp.org/API-Security/editions/2023/en/0xa2-broken-authentication/',
  run(context) {
    return context.operations.filter(allowsAnonymous).flatMap((operation) => judge(context, operation));
  },
};

function judge(context: AuditContext, operation: Operation): RuleResult[] {
  const { reading } = context;
  if (reading.isAuthenticationFlow(operation)) return [];
  const personal = beyondCard(context.personalData.returned(operation));
  const write = reading.isWrite(operation) || operation.method === 'DELETE';
  // `security: []` on the operation itself is a decision; on the document, or missing, it is a default.
  const deliberate = operation.securitySource === 'operation';
  if (deliberate && personal.length === 0 && !write) return [];
  const names = fieldNames(personal);
  const why = {
    none: 'neither the operation nor the document declares a security requirement',
    document: 'it inherits the document\'s security, which admits anonymous callers',
    operation: 'its own security admits anonymous callers',
  }[operation.securitySource];
  return [{
    operation,
    location: operation.location,
    severity: personal.length > 0 ? 'critical' : write ? 'high' : 'medium',
    title: personal.length > 0
      ? `${label(operation)} returns people's ${listed(names, 4)} to callers without credentials`
      : `${label(operation)} ${write ? 'changes data for' : 'answers'} callers without credentials`,
    message: `Anyone may call ${label(operation)}: ${why}.` +
      (personal.length > 0 ? ` Its successful response carries personal data: ${listed(personal.map((f) => f.path), 8)}.` : '') +
      (write ? ` It is a ${operation.method}: anyone may change or remove what it manages.` : ''),
    fields: personal.map((f) => f.path),
  }];
}
