/** Broken function-level authorization: members succeed on operations meant for administrators. */
import type { Check } from '../context.ts';
import { isSuccess } from '../context.ts';
import { buildFinding, byOperation, list } from '../evidence.ts';
import { firstGap } from './coverage.ts';

export const functionLevelAuthorization: Check = {
  id: 'function-level-authorization',
  title: 'Broken function-level authorization',
  owasp: 'API5:2023',
  cwe: 'CWE-285',
  severity: 'high',
  description:
    'An operation meant for administrators (by its path, tags or x-leakproof-admin) succeeded for an identity that is ' +
    'not an administrator. Administrative routes usually return everyone\'s data at once.',
  remediation: 'Check the caller\'s role on the server for every administrative operation, deny by default, and keep administrative routes apart (their own prefix, gateway rule or service).',
  helpUrl: 'https://owasp.org/API-Security/editions/2023/en/0xa5-broken-function-level-authorization/',
  undecided(context, operation) {
    const asked = context.observations.filter((o) => o.operation.id === operation.id && o.role === 'admin' && o.exchange.response !== undefined);
    const admin = asked.some((o) => context.people.get(o.caller)?.role === 'admin' && isSuccess(o.exchange));
    const member = asked.some((o) => context.people.get(o.caller)?.role === 'user');
    return firstGap(
      admin ? undefined : `no administrator identity succeeded on ${operation.method} ${operation.path}, so members' refusals cannot be told from a broken route: configure one with role: admin`,
      member ? undefined : `no member identity asked ${operation.method} ${operation.path}`,
    );
  },
  run(context) {
    const findings = [];
    for (const group of byOperation(context.observations).values()) {
      const members = group.filter((o) => o.role === 'admin' && o.caller !== 'anonymous' && context.people.get(o.caller)?.role !== 'admin' && isSuccess(o.exchange));
      const [first] = members;
      if (!first) continue;
      const operation = first.operation;
      const callers = [...new Set(members.map((o) => o.caller))];
      findings.push(
        buildFinding({
          check: functionLevelAuthorization,
          operation,
          title: `${operation.method} ${operation.path} is an administrator's operation that members can call`,
          message: `Identities without the admin role got HTTP ${first.exchange.response?.status ?? 0} from it: ${list(callers)}.`,
          observations: [first],
          fields: [],
          subjects: [],
          identity: ['member'],
        }),
      );
    }
    return findings;
  },
};
