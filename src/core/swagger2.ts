/**
 * Swagger 2.0 (https://swagger.io/specification/v2/) into the same model as OpenAPI 3, read
 * directly rather than converted first, so that every operation and schema keeps its line in the
 * file the user wrote. `body` and `formData` parameters become request bodies, `produces` and
 * `consumes` become media types, `host` + `basePath` + `schemes` become servers.
 */
import type { ApiModel, JsonSchema, MediaType, Parameter, RequestBody, Response, SecurityScheme, Server } from './model.ts';
import type { Dialect } from './paths.ts';
import { ensureUniqueIds, readOperations } from './paths.ts';
import type { DescriptionReader, JsonObject } from './reader.ts';
import { isObject, optionalString } from './reader.ts';

type ModelParts = Pick<ApiModel, 'servers' | 'operations' | 'webhooks' | 'securitySchemes' | 'schemas'>;

/** Members of a Swagger 2.0 non-body parameter that are JSON Schema keywords. */
const SCHEMA_KEYWORDS = [
  'type', 'format', 'items', 'enum', 'default', 'maximum', 'exclusiveMaximum', 'minimum', 'exclusiveMinimum',
  'maxLength', 'minLength', 'pattern', 'maxItems', 'minItems', 'uniqueItems', 'multipleOf',
] as const;

const DEFAULT_MEDIA_TYPE = 'application/json';

export function readSwagger2(reader: DescriptionReader, root: JsonObject): ModelParts {
  const servers = swaggerServers(reader, root);
  const dialect = swagger2Dialect(reader, root);
  const paths = reader.object(root, 'paths', 'paths');
  const operations = paths ? readOperations(reader, paths, dialect, { security: reader.security(root), servers }, 'path') : [];
  ensureUniqueIds(reader, operations);
  return {
    servers,
    operations,
    webhooks: [],
    securitySchemes: securityDefinitions(reader, root),
    schemas: reader.namedSchemas(root, 'definitions'),
  };
}

function swagger2Dialect(reader: DescriptionReader, root: JsonObject): Dialect {
  const rootConsumes = reader.strings(root, 'consumes');
  const rootProduces = reader.strings(root, 'produces');
  const mediaTypes = (own: string[], inherited: string[]): string[] => (own.length > 0 ? own : inherited.length > 0 ? inherited : [DEFAULT_MEDIA_TYPE]);
  const resolvedParameters = (owner: JsonObject): JsonObject[] =>
    reader.list(owner, 'parameters', 'parameters').map((p) => reader.refs.resolve(p)).filter(isObject);

  return {
    parameters(owner) {
      const parameters: Parameter[] = [];
      for (const node of resolvedParameters(owner)) {
        if (node.in === 'body' || node.in === 'formData') continue;
        const parameter = reader.parameter(node, parameterSchema(reader, node));
        if (parameter) parameters.push(parameter);
      }
      return parameters;
    },
    requestBody(operation, pathItem): RequestBody | undefined {
      const all = [...resolvedParameters(pathItem), ...resolvedParameters(operation)];
      const consumes = mediaTypes(reader.strings(operation, 'consumes'), rootConsumes);
      const body = all.findLast((p) => p.in === 'body');
      if (body) {
        const schema = reader.refs.schema(body.schema) ?? {};
        return { required: body.required === true, content: consumes.map((mediaType) => ({ mediaType, schema })), location: reader.locate(body) };
      }
      const form = all.filter((p) => p.in === 'formData' && typeof p.name === 'string');
      const [first] = form;
      if (!first) return undefined;
      const properties: Record<string, JsonSchema> = {};
      for (const field of form) properties[field.name as string] = parameterSchema(reader, field);
      const required = form.filter((f) => f.required === true).map((f) => f.name as string);
      const hasFile = form.some((f) => f.type === 'file');
      const formTypes = consumes.filter((t) => t.startsWith('multipart/') || t === 'application/x-www-form-urlencoded');
      const types = formTypes.length > 0 ? formTypes : [hasFile ? 'multipart/form-data' : 'application/x-www-form-urlencoded'];
      const schema: JsonSchema = { type: 'object', properties, required };
      return { required: required.length > 0, content: types.map((mediaType) => ({ mediaType, schema })), location: reader.locate(first) };
    },
    responses(operation): Response[] {
      const responses = reader.object(operation, 'responses', 'responses');
      if (!responses) return [];
      const produces = mediaTypes(reader.strings(operation, 'produces'), rootProduces);
      const result: Response[] = [];
      for (const status of Object.keys(responses)) {
        if (status.startsWith('x-')) continue;
        const response = reader.object(responses, status, `response ${status}`);
        if (!response) continue;
        const schema = 'schema' in response ? reader.refs.schema(response.schema) : undefined;
        const content: MediaType[] = schema ? produces.map((mediaType) => ({ mediaType, schema })) : [];
        result.push({ status, description: optionalString(response.description), content, location: reader.locate(responses, status) });
      }
      return result;
    },
    servers(operation, _pathItem, documentServers): Server[] {
      const schemes = reader.strings(operation, 'schemes');
      return schemes.length > 0 ? swaggerServers(reader, root, schemes) : documentServers;
    },
  };
}

/** A non-body parameter carries its schema keywords inline; they are gathered into a schema. */
function parameterSchema(reader: DescriptionReader, node: JsonObject): JsonSchema {
  const schema: JsonSchema = {};
  for (const keyword of SCHEMA_KEYWORDS) if (keyword in node) schema[keyword] = node[keyword];
  if (schema.type === 'file') schema.type = 'string';
  if (isObject(schema.items)) schema.items = reader.refs.schema(schema.items);
  reader.sources.alias(schema, node);
  return schema;
}

function swaggerServers(reader: DescriptionReader, root: JsonObject, schemes = reader.strings(root, 'schemes')): Server[] {
  const host = optionalString(root.host);
  const basePath = optionalString(root.basePath) ?? '';
  const location = reader.locate(root, host === undefined ? 'basePath' : 'host');
  if (host === undefined) return basePath === '' ? [] : [{ url: basePath, description: undefined, location }];
  return (schemes.length > 0 ? schemes : ['https']).map((scheme) => ({ url: `${scheme}://${host}${basePath}`, description: undefined, location }));
}

function securityDefinitions(reader: DescriptionReader, root: JsonObject): Map<string, SecurityScheme> {
  const schemes = new Map<string, SecurityScheme>();
  const map = reader.object(root, 'securityDefinitions', 'securityDefinitions');
  for (const name of Object.keys(map ?? {})) {
    const node = map ? reader.object(map, name, `security definition '${name}'`) : undefined;
    if (!node) continue;
    const base = { name, scheme: undefined, bearerFormat: undefined, in: undefined, parameterName: undefined, location: reader.locate(node) };
    if (node.type === 'basic') schemes.set(name, { ...base, type: 'http', scheme: 'basic' });
    else if (node.type === 'oauth2') schemes.set(name, { ...base, type: 'oauth2' });
    else if (node.type === 'apiKey' && (node.in === 'query' || node.in === 'header')) {
      schemes.set(name, { ...base, type: 'apiKey', in: node.in, parameterName: optionalString(node.name) });
    } else reader.warn('security-scheme-type', `security definition '${name}' has an unknown type; it was skipped`, node, 'type');
  }
  return schemes;
}
