/** Operations the description marks deprecated, yet still serves. */
import { allowsAnonymous } from '../../core/model.ts';
import { beyondCard } from '../personal-data.ts';
import type { AuditRule } from '../rule.ts';
import { label } from './phrases.ts';

export const deprecatedOperation: AuditRule = {
  id: 'deprecated-operation',
  title: 'Deprecated operation still served',
  owasp: 'API9:2023',
  cwe: 'CWE-1059',
  severity: 'low',
  exposure: true,
  description:
    'The operation is deprecated but still part of the API. Old versions keep the flaws their replacements fixed, and ' +
    'nobody watches them. One that returns personal data, or answers anonymous callers, is a medium finding.',
  remediation:
    'Set a removal date (a `Sunset` header, RFC 8594), tell the clients, and remove the operation; until then, give it ' +
    'the same authentication, authorization and views as its replacement, and watch who still calls it.',
  helpUrl: 'https://owasp.org/API-Security/editions/2023/en/0xa9-improper-inventory-management/',
  run(context) {
    return context.operations.filter((op) => op.deprecated).map((operation) => {
      const personal = beyondCard(context.personalData.returned(operation));
      const open = allowsAnonymous(operation);
      return {
        operation,
        location: operation.location,
        severity: personal.length > 0 || open ? 'medium' : 'low',
        title: `${label(operation)} is deprecated but still served`,
        message: `${label(operation)} is marked deprecated and still described, so still served` +
          (personal.length > 0 ? `; it returns personal data (${personal.map((f) => f.name).slice(0, 6).join(', ')})` : '') +
          (open ? '; it answers callers without credentials' : '') + '.',
        fields: personal.map((f) => f.path),
      };
    });
  },
};
