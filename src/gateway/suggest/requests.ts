/**
 * What the gateway's request validation does about a finding, read from the description: it holds
 * requests to their schemas, so a cap (`maxItems`) or a closed body (`additionalProperties: false`)
 * in the description is enforced in front of an API that ignores it. Where the description lacks
 * one, the note says what to add and where.
 */
import { formatLocation } from '../../core/location.ts';
import type { ApiModel, JsonSchema, Operation } from '../../core/model.ts';
import { propertiesOf } from '../../core/personal-data/schema-walk.ts';

/**
 * For unbounded bulk calls: which lists of the request are capped, and which need a `maxItems`.
 *
 * @example
 * ```ts
 * requestLimitNote(getWorkoutDetails, api); // 'Request validation holds ids to the description\'s maxItems (50)...'
 * ```
 */
export function requestLimitNote(operation: Operation, api: ApiModel): string {
  const lists = requestLists(operation);
  if (lists.length === 0) {
    return `The description declares no list in the request of ${operation.id}: cap what one call may ask for (a maxItems, a maximum page size) so that request validation refuses the rest.`;
  }
  const open = lists.filter((list) => list.maxItems === undefined);
  if (open.length === 0) {
    return `Request validation holds ${lists.map((l) => `${l.name} to ${String(l.maxItems)}`).join(', ')} items (the description's maxItems), whatever the API itself accepts: keep validateRequests on.`;
  }
  const where = operation.location ? ` (${formatLocation(operation.location)})` : ` (${api.file})`;
  return `The description declares no maxItems on ${open.map((l) => l.name).join(', ')}: add one to the request schema of ${operation.id}${where}; request validation then refuses longer lists.`;
}

/**
 * For mass assignment: whether request validation refuses the properties that were written.
 *
 * @example
 * ```ts
 * requestSchemaNote(updateMe, ['role']); // 'Request validation refuses properties the request schema does not declare...'
 * ```
 */
export function requestSchemaNote(operation: Operation, fields: readonly string[]): string {
  const schema = jsonBody(operation);
  const names = [...new Set(fields)];
  const declared = schema === undefined ? [] : names.filter((name) => propertiesOf(schema).some((p) => p.name === name));
  if (declared.length > 0) return `The request schema declares ${declared.join(', ')}: remove them from it, so that request validation refuses them.`;
  if (schema?.additionalProperties === false) {
    return `Request validation refuses properties the request schema does not declare (it has additionalProperties: false), ${names.join(', ')} among them: keep validateRequests on.`;
  }
  return `Set additionalProperties: false on the request schema of ${operation.id}, so that request validation refuses properties it does not declare (${names.join(', ')}).`;
}

interface RequestList {
  name: string;
  maxItems: number | undefined;
}

/** Lists a caller sends: array properties of the JSON body, and array query parameters. */
function requestLists(operation: Operation): RequestList[] {
  const body = jsonBody(operation);
  const properties = body === undefined ? [] : propertiesOf(body).map((p) => ({ name: p.name, schema: p.schema as JsonSchema | undefined }));
  const parameters = operation.parameters.filter((p) => p.in === 'query').map((p) => ({ name: p.name, schema: p.schema }));
  return [...properties, ...parameters]
    .filter(({ schema }) => schema?.type === 'array' || (Array.isArray(schema?.type) && schema.type.includes('array')))
    .map(({ name, schema }) => ({ name, maxItems: typeof schema?.maxItems === 'number' ? schema.maxItems : undefined }));
}

function jsonBody(operation: Operation): JsonSchema | undefined {
  return operation.requestBody?.content.find((c) => c.mediaType.includes('json'))?.schema;
}
