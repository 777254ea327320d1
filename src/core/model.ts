/**
 * One model of an API, whatever description it came from (OpenAPI 3.0, 3.1, Swagger 2.0): the
 * operations with their parameters, bodies, responses and security, each with the place in the
 * description it came from. Scan, audit and gateway all read this, never the raw document.
 */
import type { SourceLocation } from './location.ts';

export const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;
export type HttpMethod = Uppercase<(typeof HTTP_METHODS)[number]>;

/** Methods that must not change state (RFC 9110 §9.2.1): what a production-safe scan may send. */
export const SAFE_METHODS: ReadonlySet<HttpMethod> = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * A JSON Schema as found in the description. `$ref`s in schema positions are already replaced by
 * the schema they name, so the graph may share nodes and contain cycles: walk it with a visited set.
 */
export type JsonSchema = Record<string, unknown>;

export type DescriptionFormat = 'openapi-3.0' | 'openapi-3.1' | 'swagger-2.0';

export type ParameterLocation = 'path' | 'query' | 'header' | 'cookie';

export interface Parameter {
  name: string;
  in: ParameterLocation;
  required: boolean;
  deprecated: boolean;
  schema: JsonSchema;
  description: string | undefined;
  location: SourceLocation | undefined;
}

export interface MediaType {
  /** e.g. `application/json`. */
  mediaType: string;
  schema: JsonSchema | undefined;
}

export interface RequestBody {
  required: boolean;
  content: MediaType[];
  location: SourceLocation | undefined;
}

export interface Response {
  /** `200`, `4XX` or `default`, as written. */
  status: string;
  description: string | undefined;
  content: MediaType[];
  location: SourceLocation | undefined;
}

/**
 * One way of satisfying an operation's security: every named scheme at once (AND), with scopes.
 * An empty requirement (`{}`) means the operation may also be called without credentials.
 */
export type SecurityRequirement = Readonly<Record<string, readonly string[]>>;

export type SecuritySchemeType = 'apiKey' | 'http' | 'oauth2' | 'openIdConnect' | 'mutualTLS';

export interface SecurityScheme {
  name: string;
  type: SecuritySchemeType;
  /** For `http`: `bearer`, `basic`... */
  scheme: string | undefined;
  bearerFormat: string | undefined;
  /** For `apiKey`: where the key goes and under which name. */
  in: 'query' | 'header' | 'cookie' | undefined;
  parameterName: string | undefined;
  location: SourceLocation | undefined;
}

export interface Server {
  url: string;
  description: string | undefined;
  location: SourceLocation | undefined;
}

export interface Operation {
  /** `operationId` when the description gives one, else `METHOD /path`. Unique in the model. */
  id: string;
  operationId: string | undefined;
  method: HttpMethod;
  /** Path template as written, e.g. `/api/user/{id}`. */
  path: string;
  summary: string | undefined;
  description: string | undefined;
  tags: string[];
  deprecated: boolean;
  /** Path-level and operation-level parameters merged (the operation's win). */
  parameters: Parameter[];
  requestBody: RequestBody | undefined;
  responses: Response[];
  /** Effective alternatives (OR); empty means the operation needs no credentials at all. */
  security: SecurityRequirement[];
  /** Where `security` came from: the operation itself, the document, or nowhere. */
  securitySource: 'operation' | 'document' | 'none';
  servers: Server[];
  /** `x-*` members of the operation object. */
  extensions: Record<string, unknown>;
  location: SourceLocation | undefined;
}

export type DiagnosticSeverity = 'error' | 'warning';

/** Something in the description that Leakproof skipped or could not use, and where. */
export interface Diagnostic {
  code: string;
  severity: DiagnosticSeverity;
  message: string;
  location: SourceLocation | undefined;
}

export interface ApiModel {
  /** The description file as the user named it. */
  file: string;
  format: DescriptionFormat;
  /** `openapi` or `swagger` field as written. */
  specVersion: string;
  title: string | undefined;
  version: string | undefined;
  servers: Server[];
  operations: Operation[];
  /** OpenAPI 3.1 webhooks: requests the API sends, not ones it serves. */
  webhooks: Operation[];
  securitySchemes: Map<string, SecurityScheme>;
  /** `x-*` members of the document root (e.g. `x-leakproof-audience`). */
  extensions: Record<string, unknown>;
  diagnostics: Diagnostic[];
  /** Named schemas (`components.schemas` or `definitions`), with `$ref`s resolved. */
  schemas: Map<string, JsonSchema>;
  /** Where a node of the description (a schema, a parameter object...) or one of its members is. */
  locate(node: object, member?: string | number): SourceLocation | undefined;
}

/** True when an operation may be called without any credentials. */
export function allowsAnonymous(operation: Operation): boolean {
  return operation.security.length === 0 || operation.security.some((r) => Object.keys(r).length === 0);
}
