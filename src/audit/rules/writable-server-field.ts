/** Request bodies of writes that let clients set what only the server may: roles, owners, ids, timestamps. */
import type { JsonSchema, Operation } from '../../core/model.ts';
import type { Severity } from '../../scan/finding.ts';
import { compact } from '../operations.ts';
import type { AuditContext, AuditRule, RuleResult } from '../rule.ts';
import { locateProperty, propertiesOf } from '../schema-graph.ts';
import { label } from './phrases.ts';

/** Property names (compared without case or separators) the server owns, and what setting one does. */
const SERVER_OWNED: ReadonlyMap<string, Ownership> = new Map([
  ...owned('grants privileges', 'high', ['role', 'roles', 'isadmin', 'admin', 'issuperuser', 'superuser', 'isstaff', 'permissions', 'permission', 'privileges', 'privilege', 'accesslevel', 'isverified', 'verified', 'emailverified', 'isemailverified']),
  ...owned('decides whose record it is', 'medium', ['owner', 'ownerid', 'createdby', 'authorid', 'tenantid']),
  ...owned('is the server\'s bookkeeping', 'low', ['id', 'createdat', 'updatedat', 'deletedat', 'modifiedat', 'createdon', 'updatedon', 'lastmodified']),
]);

interface Ownership {
  severity: Severity;
  why: string;
}

function owned(why: string, severity: Severity, names: readonly string[]): [string, Ownership][] {
  return names.map((name) => [name, { severity, why }]);
}

export const writableServerField: AuditRule = {
  id: 'writable-server-field',
  title: 'Server-owned property writable by clients',
  owasp: 'API3:2023',
  cwe: 'CWE-915',
  severity: 'medium',
  exposure: true,
  sharedPlaces: true,
  description:
    'The request body of a write (POST, PUT, PATCH) declares a property that only the server should set: a role or ' +
    'admin flag (high), an owner (medium), an id or a timestamp (low), and does not mark it `readOnly`. A server that ' +
    'binds the body to its model stores what the client sent: mass assignment, a member making themselves an ' +
    'administrator, or moving a record to another owner.',
  remediation:
    'Give writes their own request schema with only the properties a client may set, closed with ' +
    '`additionalProperties: false`; mark server-owned properties of shared schemas `readOnly: true`; and copy only ' +
    'allowed properties on the server.',
  helpUrl: 'https://owasp.org/API-Security/editions/2023/en/0xa3-broken-object-property-level-authorization/',
  run(context) {
    const reported = new Set<string>();
    return context.operations.filter((op) => context.reading.isWrite(op)).flatMap((operation) => judge(context, operation, reported));
  },
};

function judge(context: AuditContext, operation: Operation, reported: Set<string>): RuleResult[] {
  const results: RuleResult[] = [];
  for (const media of operation.requestBody?.content ?? []) {
    if (!media.schema) continue;
    for (const { name, schema, parent } of propertiesOf(media.schema)) {
      const owned = SERVER_OWNED.get(compact(name));
      const location = locateProperty(context.api, parent, name);
      const key = `${location?.file ?? ''}\u0000${location?.pointer ?? `${operation.id}/${name}`}`;
      if (!owned || readOnly(schema) || reported.has(key)) continue;
      reported.add(key);
      results.push({
        operation,
        location,
        severity: owned.severity,
        title: `${label(operation)} lets clients set '${name}', which ${owned.why}`,
        message: `The request body of ${label(operation)} declares '${name}' and does not mark it readOnly: a client can send it, ` +
          `and a server that binds the body to its model will store it. '${name}' ${owned.why}.`,
      });
    }
  }
  return results;
}

function readOnly(schema: JsonSchema): boolean {
  return schema.readOnly === true;
}
