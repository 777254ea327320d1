/** OpenAPI 3.0 and 3.1 (https://spec.openapis.org/oas/v3.1.0) into the API model. */
import type { ApiModel, JsonSchema, MediaType, Parameter, RequestBody, Response, SecurityScheme, SecuritySchemeType, Server } from './model.ts';
import type { Dialect } from './paths.ts';
import { ensureUniqueIds, readOperations } from './paths.ts';
import type { DescriptionReader, JsonObject } from './reader.ts';
import { isObject, optionalString } from './reader.ts';

type ModelParts = Pick<ApiModel, 'servers' | 'operations' | 'webhooks' | 'securitySchemes' | 'schemas'>;

const SECURITY_TYPES: ReadonlySet<string> = new Set(['apiKey', 'http', 'oauth2', 'openIdConnect', 'mutualTLS']);

export function readOpenApi3(reader: DescriptionReader, root: JsonObject): ModelParts {
  const dialect = openApi3Dialect(reader);
  const servers = reader.servers(root);
  const defaults = { security: reader.security(root), servers };
  const paths = reader.object(root, 'paths', 'paths');
  const webhooks = reader.object(root, 'webhooks', 'webhooks');
  const components = reader.object(root, 'components', 'components');
  const operations = paths ? readOperations(reader, paths, dialect, defaults, 'path') : [];
  ensureUniqueIds(reader, operations);
  return {
    servers,
    operations,
    webhooks: webhooks ? readOperations(reader, webhooks, dialect, defaults, 'webhook') : [],
    securitySchemes: securitySchemes(reader, components ?? {}),
    schemas: reader.namedSchemas(components ?? {}, 'schemas'),
  };
}

function openApi3Dialect(reader: DescriptionReader): Dialect {
  return {
    parameters(owner) {
      const parameters: Parameter[] = [];
      for (const entry of reader.list(owner, 'parameters', 'parameters')) {
        const node = reader.refs.resolve(entry);
        if (!isObject(node)) continue;
        const parameter = reader.parameter(node, parameterSchema(reader, node));
        if (parameter) parameters.push(parameter);
      }
      return parameters;
    },
    requestBody(operation): RequestBody | undefined {
      const body = reader.object(operation, 'requestBody', 'requestBody');
      if (!body) return undefined;
      return { required: body.required === true, content: content(reader, body), location: reader.locate(body) };
    },
    responses(operation): Response[] {
      const responses = reader.object(operation, 'responses', 'responses');
      if (!responses) return [];
      const result: Response[] = [];
      for (const status of Object.keys(responses)) {
        if (status.startsWith('x-')) continue;
        const response = reader.object(responses, status, `response ${status}`);
        if (!response) continue;
        result.push({ status, description: optionalString(response.description), content: content(reader, response), location: reader.locate(responses, status) });
      }
      return result;
    },
    servers(operation, pathItem, documentServers): Server[] {
      const own = reader.servers(operation);
      if (own.length > 0) return own;
      const shared = reader.servers(pathItem);
      return shared.length > 0 ? shared : documentServers;
    },
  };
}

/** A parameter's schema: `schema`, or the schema of its single `content` entry. */
function parameterSchema(reader: DescriptionReader, node: JsonObject): JsonSchema {
  if ('schema' in node) return reader.refs.schema(node.schema) ?? {};
  const [first] = isObject(node.content) ? content(reader, node) : [];
  return first?.schema ?? {};
}

function content(reader: DescriptionReader, owner: JsonObject): MediaType[] {
  const map = reader.object(owner, 'content', 'content');
  if (!map) return [];
  return Object.entries(map).map(([mediaType, value]) => {
    const media = reader.refs.resolve(value);
    return { mediaType, schema: isObject(media) && 'schema' in media ? reader.refs.schema(media.schema) : undefined };
  });
}

function securitySchemes(reader: DescriptionReader, components: JsonObject): Map<string, SecurityScheme> {
  const schemes = new Map<string, SecurityScheme>();
  const map = reader.object(components, 'securitySchemes', 'securitySchemes');
  for (const name of Object.keys(map ?? {})) {
    const node = map ? reader.object(map, name, `security scheme '${name}'`) : undefined;
    if (!node) continue;
    if (typeof node.type !== 'string' || !SECURITY_TYPES.has(node.type)) {
      reader.warn('security-scheme-type', `security scheme '${name}' has an unknown type; it was skipped`, node, 'type');
      continue;
    }
    const where = optionalString(node.in);
    schemes.set(name, {
      name,
      type: node.type as SecuritySchemeType,
      scheme: optionalString(node.scheme)?.toLowerCase(),
      bearerFormat: optionalString(node.bearerFormat),
      in: where === 'query' || where === 'header' || where === 'cookie' ? where : undefined,
      parameterName: optionalString(node.name),
      location: reader.locate(node),
    });
  }
  return schemes;
}
