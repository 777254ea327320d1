/**
 * Loading an API description: read, parse, follow `$ref`s, and build the model.
 *
 * @example
 * ```ts
 * const api = await loadApi('openapi.yaml');
 * for (const op of api.operations) console.log(op.method, op.path, op.location?.line);
 * ```
 */
import { SpecError } from './errors.ts';
import type { ApiModel, DescriptionFormat, Diagnostic } from './model.ts';
import { readOpenApi3 } from './openapi3.ts';
import { DescriptionReader, extensionsOf, isObject, optionalString } from './reader.ts';
import type { JsonObject } from './reader.ts';
import { RefResolver } from './refs.ts';
import { SourceMap } from './source.ts';
import { readSwagger2 } from './swagger2.ts';

const SUPPORTED = 'Leakproof reads OpenAPI 3.0, OpenAPI 3.1 and Swagger 2.0 descriptions, in JSON or YAML';

/**
 * Loads the description at `path`. Throws `FileReadError`, `ParseError` or `SpecError` (with
 * file:line where there is one) when there is no description to speak of. What it can skip without
 * guessing (a malformed parameter, a `$ref` to nothing) it skips and reports in `diagnostics`,
 * with file:line: one flaw in a 4,000-operation description should not hide the rest.
 */
export interface LoadOptions {
  /** How the file is named in messages and locations; the path itself by default. */
  displayName?: string;
  /** Fail on the first `$ref` that cannot be followed instead of reporting it in `diagnostics`. */
  strict?: boolean;
}

export async function loadApi(path: string, options: LoadOptions = {}): Promise<ApiModel> {
  const displayName = options.displayName ?? path;
  const sources = new SourceMap();
  const root = await sources.parseFile(path, displayName);
  if (!isObject(root)) {
    throw new SpecError('not an API description: the top level must be a mapping of fields', {
      location: { file: displayName, line: 1, column: 1, pointer: '' },
      hint: SUPPORTED,
    });
  }
  const format = detectDescriptionFormat(sources, root, displayName);
  const diagnostics: Diagnostic[] = [];
  const refs = await RefResolver.load(sources, diagnostics, { path, display: displayName, value: root }, options.strict === true);
  const reader = new DescriptionReader(sources, refs, diagnostics);
  const parts = format === 'swagger-2.0' ? readSwagger2(reader, root) : readOpenApi3(reader, root);
  const info = isObject(root.info) ? root.info : {};
  return {
    file: displayName,
    format,
    specVersion: String(root.openapi ?? root.swagger),
    title: optionalString(info.title),
    version: optionalString(info.version),
    ...parts,
    extensions: extensionsOf(root),
    diagnostics,
    locate: (node, member) => sources.locate(node, member),
  };
}

function detectDescriptionFormat(sources: SourceMap, root: JsonObject, file: string): DescriptionFormat {
  if ('openapi' in root) {
    const version = String(root.openapi);
    if (/^3\.0\.\d+/.test(version)) return 'openapi-3.0';
    if (/^3\.1\.\d+/.test(version)) return 'openapi-3.1';
    throw new SpecError(`unsupported OpenAPI version '${version}'`, { location: sources.locate(root, 'openapi'), hint: SUPPORTED });
  }
  if ('swagger' in root) {
    if (String(root.swagger) === '2.0') return 'swagger-2.0';
    throw new SpecError(`unsupported Swagger version '${String(root.swagger)}'`, { location: sources.locate(root, 'swagger'), hint: SUPPORTED });
  }
  throw new SpecError("not an API description: it has neither an 'openapi' nor a 'swagger' field", {
    location: { file, line: 1, column: 1, pointer: '' },
    hint: SUPPORTED,
  });
}
