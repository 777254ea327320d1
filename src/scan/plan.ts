/**
 * What each operation is for the scanner, read from the API model alone: where it takes a
 * person's id, whether it searches or looks people up in bulk, whether it is an administrator's,
 * whether it answers "who am I". The engine sends requests from this plan; `--dry-run` prints it.
 */
import type { ApiModel, JsonSchema, Operation, Parameter } from '../core/model.ts';
import { SAFE_METHODS } from '../core/model.ts';
import type { Classifier } from '../core/personal-data/index.ts';
import { isGraphqlBody } from './graphql.ts';

export type OperationRole =
  /** Answers the caller's own record (`GET /me`): where identities learn their own id. */
  | { kind: 'self' }
  /** Takes one person's id in its path or query: the BOLA target. */
  | { kind: 'subject'; parameter: Parameter }
  /** Finds people by a text query. */
  | { kind: 'search'; parameter: Parameter }
  /** Looks up many people at once by a list of ids in the body. */
  | { kind: 'bulk'; property: string; maxItems: number | undefined }
  /** Meant for administrators only. */
  | { kind: 'admin' }
  /** A GraphQL endpoint: its query fields are probed like REST operations (src/scan/graphql.ts). */
  | { kind: 'graphql' }
  /** Updates the caller's own record (`PATCH /me`): where mass assignment is tried, in writes mode. */
  | { kind: 'self-update' };

export interface PlannedOperation {
  operation: Operation;
  roles: OperationRole[];
  /** Whether the scanner may send it in this scan (safe method, or allowed by the configuration). */
  sendable: boolean;
  /** Why not, when it may not. */
  skipped: string | undefined;
}

export interface PlanOptions {
  allowWrites: boolean;
  /** Operation ids that may be sent although their method is not safe (read-only POST lookups). */
  allowOperations: ReadonlySet<string>;
}

const ID_NAME = /^(?:id|uuid|user_?id|member_?id|person_?id|profile_?id|account_?id|customer_?id|rider_?id|owner_?id|user|username)$/i;
const SEARCH_NAME = /^(?:q|query|search|term|keyword|name|prefix|filter)$/i;
const ADMIN = /(?:^|[/_-])(?:admin|administration|internal|manage|management)(?:$|[/_-])/i;
const SELF_PATH = /\/(?:me|self|current|whoami|my)(?:\/)?$/i;

export function planOperations(api: ApiModel, classifier: Classifier, options: PlanOptions): PlannedOperation[] {
  return api.operations.map((operation) => {
    const safe = SAFE_METHODS.has(operation.method);
    const allowed = safe || options.allowWrites || options.allowOperations.has(operation.id);
    return {
      operation,
      roles: rolesOf(operation, classifier),
      sendable: allowed,
      skipped: allowed ? undefined : `${operation.method} is not a safe method; allow it with safety.allow: [${operation.id}] or writes: true in a test environment`,
    };
  });
}

export function rolesOf(operation: Operation, classifier: Classifier): OperationRole[] {
  const roles: OperationRole[] = [];
  const returnsPeople = returnsPersonalData(operation, classifier);
  const pathParameters = operation.parameters.filter((p) => p.in === 'path');
  if (operation.method === 'GET' && pathParameters.length === 0 && SELF_PATH.test(operation.path) && returnsPeople) roles.push({ kind: 'self' });
  if ((operation.method === 'PATCH' || operation.method === 'PUT') && pathParameters.length === 0 && SELF_PATH.test(operation.path)) return [{ kind: 'self-update' }];
  const search = [...pathParameters, ...operation.parameters.filter((p) => p.in === 'query')].find((p) => SEARCH_NAME.test(p.name));
  const subject = pathParameters.find((p) => ID_NAME.test(p.name)) ?? operation.parameters.find((p) => p.in === 'query' && p.required && ID_NAME.test(p.name));
  if (search && returnsPeople) roles.push({ kind: 'search', parameter: search });
  else if (subject && returnsPeople) roles.push({ kind: 'subject', parameter: subject });
  const body = operation.requestBody?.content.find((c) => c.mediaType.includes('json'))?.schema;
  if (operation.method === 'POST' && isGraphqlBody(body)) return [{ kind: 'graphql' }];
  const bulk = bulkProperty(operation);
  if (bulk && returnsPeople) roles.push(bulk);
  if (ADMIN.test(operation.path) || operation.tags.some((tag) => ADMIN.test(tag)) || operation.extensions['x-leakproof-admin'] === true) roles.push({ kind: 'admin' });
  return roles;
}

function returnsPersonalData(operation: Operation, classifier: Classifier): boolean {
  return operation.responses.some((r) => /^2/.test(r.status) && r.content.some((c) => c.schema !== undefined && classifier.classifySchema(c.schema).length > 0));
}

/** A JSON body property that is an array of ids: `{"ids": [...]}`, `{"user_ids": [...]}`. */
function bulkProperty(operation: Operation): Extract<OperationRole, { kind: 'bulk' }> | undefined {
  const schema = operation.requestBody?.content.find((c) => c.mediaType.includes('json'))?.schema;
  const properties = schema?.properties as Record<string, JsonSchema> | undefined;
  for (const [name, property] of Object.entries(properties ?? {})) {
    if (property.type === 'array' && /^(?:ids|.*_ids|.*Ids)$/.test(name)) {
      return { kind: 'bulk', property: name, maxItems: typeof property.maxItems === 'number' ? property.maxItems : undefined };
    }
  }
  return undefined;
}

/** The path with its parameters filled: `{id}` from `values`, others from their schema's example. */
export function fillPath(operation: Operation, values: Readonly<Record<string, string>>): string | undefined {
  const missing: string[] = [];
  const path = operation.path.replace(/\{([^}]+)\}/g, (_, name: string) => {
    const parameter = operation.parameters.find((p) => p.in === 'path' && p.name === name);
    const value = values[name] ?? exampleOf(parameter?.schema);
    if (value === undefined) missing.push(name);
    return encodeURIComponent(value ?? '');
  });
  return missing.length > 0 ? undefined : path;
}

function exampleOf(schema: JsonSchema | undefined): string | undefined {
  if (!schema) return undefined;
  const example = schema.example ?? (Array.isArray(schema.examples) ? (schema.examples as unknown[])[0] : undefined) ?? schema.default ?? (Array.isArray(schema.enum) ? (schema.enum as unknown[])[0] : undefined);
  return typeof example === 'string' || typeof example === 'number' ? String(example) : undefined;
}
