/** The registry of audit rules: adding one is one file and one line here. */
import type { AuditRule } from '../rule.ts';
import { credentialInQuery } from './credential-in-query.ts';
import { deprecatedOperation } from './deprecated-operation.ts';
import { enumerableIdentifier } from './enumerable-identifier.ts';
import { globalSecurityDisabled } from './global-security-disabled.ts';
import { httpServer } from './http-server.ts';
import { internalServer } from './internal-server.ts';
import { personalDataById } from './personal-data-by-id.ts';
import { privateApiReachable } from './private-api-reachable.ts';
import { responseSchemaMissing } from './response-schema-missing.ts';
import { responseSchemaOpen } from './response-schema-open.ts';
import { unauthenticatedOperation } from './unauthenticated-operation.ts';
import { unboundedArray } from './unbounded-array.ts';
import { unboundedPageSize } from './unbounded-page-size.ts';
import { unboundedPersonLookup } from './unbounded-person-lookup.ts';
import { unboundedStringInput } from './unbounded-string-input.ts';
import { undeclaredAuthErrors } from './undeclared-auth-errors.ts';
import { writableServerField } from './writable-server-field.ts';

/** In OWASP API Security Top 10 (2023) order. */
export const AUDIT_RULES: readonly AuditRule[] = [
  personalDataById,
  enumerableIdentifier,
  unauthenticatedOperation,
  globalSecurityDisabled,
  credentialInQuery,
  responseSchemaMissing,
  responseSchemaOpen,
  writableServerField,
  unboundedPersonLookup,
  unboundedArray,
  unboundedPageSize,
  unboundedStringInput,
  privateApiReachable,
  httpServer,
  undeclaredAuthErrors,
  internalServer,
  deprecatedOperation,
];
