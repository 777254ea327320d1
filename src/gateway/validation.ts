/**
 * Requests are held to the API description before they reach the upstream: path and query
 * parameters, required ones present, and JSON bodies against their schema (which is where a bulk
 * lookup's `maxItems` is enforced). Validators are compiled once per operation, at start.
 */
import { Ajv } from 'ajv';
import type { ValidateFunction } from 'ajv';
import type { JsonSchema, Operation } from '../core/model.ts';
import { readablePath } from '../core/schema-errors.ts';

export type Validation = { ok: true } | { ok: false; reason: string };

export interface RequestValidator {
  validate(input: { params: Record<string, string>; query: URLSearchParams; body: unknown; hasBody: boolean }): Validation;
}

/** Descriptions carry keywords JSON Schema validators do not know (`nullable`, `example`, `xml`). */
function createAjv(coerceTypes: boolean): Ajv {
  return new Ajv({ strict: false, validateFormats: false, allErrors: false, coerceTypes });
}

/**
 * @example
 * ```ts
 * const validator = createRequestValidator(operation);
 * const result = validator.validate({ params, query: url.searchParams, body, hasBody: true });
 * ```
 */
export function createRequestValidator(operation: Operation): RequestValidator {
  const scalars = createAjv(true);
  const bodies = createAjv(false);
  const parameters = operation.parameters
    .filter((p) => p.in === 'path' || p.in === 'query')
    // Wrapped in an object, so that ajv can coerce the text of a parameter to the schema's type.
    .map((p) => ({ parameter: p, check: compile(scalars, { type: 'object', properties: { value: p.schema } }, `${p.in} parameter '${p.name}'`) }));
  const json = operation.requestBody?.content.find((c) => c.mediaType.includes('json'));
  const body = json?.schema ? compile(bodies, json.schema, 'request body') : undefined;
  const bodyRequired = operation.requestBody?.required === true;
  return {
    validate({ params, query, body: value, hasBody }) {
      for (const { parameter, check } of parameters) {
        const raw = parameter.in === 'path' ? params[parameter.name] : (query.get(parameter.name) ?? undefined);
        if (raw === undefined) {
          if (parameter.required) return { ok: false, reason: `${parameter.in} parameter '${parameter.name}' is required` };
          continue;
        }
        if (!check({ value: raw })) return { ok: false, reason: `${parameter.in} parameter '${parameter.name}' ${check.errors?.[0]?.message ?? 'is invalid'}` };
      }
      if (!hasBody) return bodyRequired ? { ok: false, reason: 'a request body is required' } : { ok: true };
      if (!body) return operation.requestBody ? { ok: true } : { ok: false, reason: 'this operation takes no request body' };
      if (body(value)) return { ok: true };
      const [error] = body.errors ?? [];
      const where = error ? readablePath(error.instancePath) : '';
      return { ok: false, reason: `body${where === '' ? '' : `.${where}`} ${error?.message ?? 'is invalid'}` };
    },
  };
}

/** A schema that cannot be compiled stops the gateway at start: it would let anything through. */
function compile(ajv: Ajv, schema: JsonSchema, what: string): ValidateFunction {
  try {
    return ajv.compile(schema);
  } catch (error) {
    throw new Error(`the schema of its ${what} cannot be used for validation: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}
