/**
 * Paths, path items and operations: the same walk for every description version, with what
 * differs (where parameters, bodies and responses live) left to a dialect.
 */
import { HTTP_METHODS } from './model.ts';
import type { HttpMethod, Operation, Parameter, RequestBody, Response, SecurityRequirement, Server } from './model.ts';
import type { DescriptionReader, JsonObject } from './reader.ts';
import { extensionsOf, mergeParameters, optionalString } from './reader.ts';

export interface Dialect {
  /** Parameters of a path item or operation, excluding what the dialect treats as a body. */
  parameters(owner: JsonObject): Parameter[];
  requestBody(operation: JsonObject, pathItem: JsonObject): RequestBody | undefined;
  responses(operation: JsonObject): Response[];
  /** Servers an operation is served from, given those of the document. */
  servers(operation: JsonObject, pathItem: JsonObject, documentServers: Server[]): Server[];
}

export interface OperationDefaults {
  security: SecurityRequirement[] | undefined;
  servers: Server[];
}

/** Reads every operation under `container` (the `paths` or `webhooks` object). */
export function readOperations(reader: DescriptionReader, container: JsonObject, dialect: Dialect, defaults: OperationDefaults, kind: 'path' | 'webhook'): Operation[] {
  const operations: Operation[] = [];
  for (const path of Object.keys(container)) {
    if (path.startsWith('x-')) continue;
    if (kind === 'path' && !path.startsWith('/')) {
      reader.warn('path-format', `path '${path}' does not start with '/'; it was skipped`, container, path);
      continue;
    }
    const pathItem = reader.object(container, path, `path item '${path}'`);
    if (!pathItem) continue;
    const shared = dialect.parameters(pathItem);
    for (const method of HTTP_METHODS) {
      const operation = reader.object(pathItem, method, `operation ${method.toUpperCase()} ${path}`);
      if (!operation) continue;
      operations.push(readOperation(reader, dialect, defaults, { path, method, pathItem, operation, shared }));
    }
  }
  return operations;
}

interface OperationSite {
  path: string;
  method: (typeof HTTP_METHODS)[number];
  pathItem: JsonObject;
  operation: JsonObject;
  shared: Parameter[];
}

function readOperation(reader: DescriptionReader, dialect: Dialect, defaults: OperationDefaults, site: OperationSite): Operation {
  const { path, pathItem, operation } = site;
  const method = site.method.toUpperCase() as HttpMethod;
  const ownSecurity = reader.security(operation);
  const operationId = optionalString(operation.operationId);
  return {
    id: operationId ?? `${method} ${path}`,
    operationId,
    method,
    path,
    summary: optionalString(operation.summary),
    description: optionalString(operation.description),
    tags: reader.strings(operation, 'tags'),
    deprecated: operation.deprecated === true,
    parameters: mergeParameters(site.shared, dialect.parameters(operation)),
    requestBody: dialect.requestBody(operation, pathItem),
    responses: dialect.responses(operation),
    security: ownSecurity ?? defaults.security ?? [],
    securitySource: ownSecurity ? 'operation' : defaults.security ? 'document' : 'none',
    servers: dialect.servers(operation, pathItem, defaults.servers),
    extensions: extensionsOf(operation),
    location: reader.locate(pathItem, site.method),
  };
}

/**
 * Operation ids must be unique for findings and policies to name an operation. Where a
 * description repeats an `operationId`, every copy falls back to `METHOD /path` and a warning
 * says so.
 */
export function ensureUniqueIds(reader: DescriptionReader, operations: Operation[]): void {
  const counts = new Map<string, number>();
  for (const op of operations) if (op.operationId) counts.set(op.operationId, (counts.get(op.operationId) ?? 0) + 1);
  for (const op of operations) {
    if (op.operationId && (counts.get(op.operationId) ?? 0) > 1) {
      op.id = `${op.method} ${op.path}`;
      reader.diagnostics.push({
        code: 'duplicate-operation-id',
        severity: 'warning',
        message: `operationId '${op.operationId}' is used by more than one operation; this one is named '${op.id}'`,
        location: op.location,
      });
    }
  }
}
