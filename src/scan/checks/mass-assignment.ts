/** Mass assignment: a client sets a property it should not control, and the server stores it. */
import { isDeepStrictEqual } from 'node:util';
import type { Check } from '../context.ts';
import { buildFinding } from '../evidence.ts';

export const massAssignment: Check = {
  id: 'mass-assignment',
  title: 'Mass assignment',
  owasp: 'API3:2023',
  cwe: 'CWE-915',
  severity: 'high',
  description:
    'An update of the caller\'s own record accepted a property the caller should never control (a role, a verification ' +
    'flag, a read-only field) and stored it. Binding request bodies straight onto stored records lets anyone promote ' +
    'themselves.',
  remediation: 'Bind updates through an explicit allow-list of writable fields, reject unknown and read-only properties (400), and declare read-only fields as readOnly in the description.',
  helpUrl: 'https://owasp.org/API-Security/editions/2023/en/0xa3-broken-object-property-level-authorization/',
  undecided(context, operation) {
    const tried = context.assignments.filter((a) => a.operation.id === operation.id);
    if (tried.length === 0) return `no property was tried on ${operation.method} ${operation.path}: writes are off (scan.safety.writes, test environments only) or the caller's record could not be read`;
    return tried.every((a) => a.after !== undefined) ? undefined : 'the record could not be read back after every write';
  },
  run(context) {
    return context.assignments
      .filter((a) => !isDeepStrictEqual(a.before, a.sent) && isDeepStrictEqual(a.after, a.sent))
      .map((a) =>
        buildFinding({
          check: massAssignment,
          operation: a.operation,
          title: `${a.operation.method} ${a.operation.path} lets a caller set their own ${a.property}`,
          message: `${a.caller} sent ${a.property}: ${JSON.stringify(a.sent)} (it was ${JSON.stringify(a.before)}), and their record then showed ${JSON.stringify(a.after)}. The scan put the old value back afterwards where the API allowed it.`,
          observations: a.observations,
          fields: [a.property],
          subjects: [a.caller],
          identity: [a.property],
        }),
      );
  },
};
