/**
 * JSON References (`$ref`) across one description and the files it names. External files are all
 * read before resolution starts, so that resolving is synchronous and every node keeps its own
 * file and line. Remote (`http:`) references are never fetched: Leakproof makes no request the
 * user did not ask for, so they stay unresolved with a warning.
 */
import { dirname, isAbsolute, relative, resolve as resolvePath } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FileReadError, RefError } from './errors.ts';
import { unescapePointerToken } from './location.ts';
import type { Diagnostic, JsonSchema } from './model.ts';
import type { SourceMap } from './source.ts';

/** A chain of `$ref`s to `$ref`s longer than this is taken for a loop. */
const MAX_REF_CHAIN = 64;

/** Schema keywords whose value is one schema, a list of schemas, or a map of names to schemas. */
const SUBSCHEMA = ['additionalProperties', 'not', 'if', 'then', 'else', 'contains', 'propertyNames', 'unevaluatedProperties', 'unevaluatedItems', 'additionalItems'];
const SUBSCHEMA_LISTS = ['allOf', 'anyOf', 'oneOf', 'prefixItems'];
const SUBSCHEMA_MAPS = ['properties', 'patternProperties', 'dependentSchemas', '$defs', 'definitions'];

interface LoadedFile {
  path: string;
  root: unknown;
}

type RefNode = Record<string, unknown> & { $ref: string };

export function isRef(value: unknown): value is RefNode {
  return value !== null && typeof value === 'object' && typeof (value as { $ref?: unknown }).$ref === 'string';
}

export class RefResolver {
  readonly #sources: SourceMap;
  readonly #diagnostics: Diagnostic[];
  readonly #filesByDisplay = new Map<string, LoadedFile>();
  readonly #filesByPath = new Map<string, LoadedFile>();
  readonly #warnedRemote = new Set<string>();
  readonly #schemasDone = new WeakSet<object>();

  readonly #strict: boolean;
  readonly #reported = new WeakSet<object>();

  private constructor(sources: SourceMap, diagnostics: Diagnostic[], strict: boolean) {
    this.#sources = sources;
    this.#diagnostics = diagnostics;
    this.#strict = strict;
  }

  /**
   * Reads every file reachable by `$ref` from the root document, so that later resolution needs
   * no I/O. A reference to a file that cannot be read fails here, at the `$ref` that names it.
   */
  static async load(sources: SourceMap, diagnostics: Diagnostic[], root: { path: string; display: string; value: unknown }, strict: boolean): Promise<RefResolver> {
    const resolver = new RefResolver(sources, diagnostics, strict);
    const { display: rootDisplay } = root;
    const rootFile = { path: resolvePath(root.path), root: root.value };
    resolver.#filesByDisplay.set(rootDisplay, rootFile);
    resolver.#filesByPath.set(rootFile.path, rootFile);
    const pending: LoadedFile[] = [rootFile];
    for (let file = pending.pop(); file; file = pending.pop()) {
      for (const ref of collectRefs(file.root)) {
        const target = splitRef(ref.$ref);
        if (target.remote || target.file === '') continue;
        const path = resolvePath(dirname(file.path), target.file);
        if (resolver.#filesByPath.has(path)) continue;
        const display = displayPath(path);
        let loaded: LoadedFile;
        try {
          loaded = { path, root: await sources.parseFile(path, display) };
        } catch (error) {
          if (!(error instanceof FileReadError)) throw error;
          resolver.#fail(ref, `$ref '${ref.$ref}' names a file that cannot be read (${error.message})`);
          continue;
        }
        resolver.#filesByDisplay.set(display, loaded);
        resolver.#filesByPath.set(path, loaded);
        pending.push(loaded);
      }
    }
    return resolver;
  }

  /** Follows `$ref`s from `value` until it reaches something that is not one. */
  resolve(value: unknown): unknown {
    let current = value;
    for (let hops = 0; isRef(current); hops++) {
      if (hops === MAX_REF_CHAIN) {
        return this.#fail(current, `$ref '${current.$ref}' is part of a loop of references that never reaches a value`);
      }
      const next = this.#target(current);
      if (next === current) return current;
      current = next;
    }
    return current;
  }

  /**
   * Resolves `schema` and, in place, every `$ref` in its subschemas, so that the result is a graph
   * of plain schemas. Shared and recursive schemas stay shared (and cyclic), never copied.
   */
  schema(value: unknown): JsonSchema | undefined {
    const root = this.resolve(value);
    if (root === null || typeof root !== 'object' || Array.isArray(root)) return undefined;
    const pending: JsonSchema[] = [root as JsonSchema];
    for (let schema = pending.pop(); schema; schema = pending.pop()) {
      if (this.#schemasDone.has(schema)) continue;
      this.#schemasDone.add(schema);
      const visit = (holder: Record<string, unknown> | unknown[], key: string | number): void => {
        const child = (holder as Record<string | number, unknown>)[key];
        if (child === null || typeof child !== 'object') return;
        const resolved = isRef(child) ? this.resolve(child) : child;
        if (resolved !== child) (holder as Record<string | number, unknown>)[key] = resolved;
        if (resolved !== null && typeof resolved === 'object' && !Array.isArray(resolved)) pending.push(resolved as JsonSchema);
      };
      for (const keyword of SUBSCHEMA) if (keyword in schema) visit(schema, keyword);
      if ('items' in schema) {
        const items = schema.items;
        if (Array.isArray(items)) items.forEach((_, index) => { visit(items, index); });
        else visit(schema, 'items');
      }
      for (const keyword of SUBSCHEMA_LISTS) {
        const list = schema[keyword];
        if (Array.isArray(list)) list.forEach((_, index) => { visit(list, index); });
      }
      for (const keyword of SUBSCHEMA_MAPS) {
        const map = schema[keyword];
        if (map !== null && typeof map === 'object' && !Array.isArray(map)) {
          for (const name of Object.keys(map)) visit(map as Record<string, unknown>, name);
        }
      }
    }
    return root as JsonSchema;
  }

  #target(ref: RefNode): unknown {
    const { file, fragment, remote } = splitRef(ref.$ref);
    if (remote) {
      if (!this.#warnedRemote.has(ref.$ref)) {
        this.#warnedRemote.add(ref.$ref);
        this.#diagnostics.push({
          code: 'remote-ref',
          severity: 'warning',
          message: `$ref '${ref.$ref}' is remote and was not fetched; what it names is treated as unknown`,
          location: this.#sources.locate(ref, '$ref'),
        });
      }
      return ref;
    }
    const here = this.#filesByDisplay.get(this.#sources.fileOf(ref) ?? '');
    const document = file === '' ? here : this.#filesByPath.get(resolvePath(dirname(here?.path ?? '.'), file));
    if (!document) return this.#fail(ref, `$ref '${ref.$ref}' cannot be resolved: its file was not read`);
    let node: unknown = document.root;
    for (const token of fragmentTokens(fragment)) {
      node = this.resolve(node);
      const next = node !== null && typeof node === 'object' && Object.hasOwn(node, token) ? (node as Record<string, unknown>)[token] : undefined;
      if (next === undefined) {
        return this.#fail(ref, `$ref '${ref.$ref}' points at nothing: there is no '${token}' in ${file === '' ? 'this file' : file}`);
      }
      node = next;
    }
    return node;
  }

  /**
   * A reference that cannot be followed: fatal when strict; otherwise an error diagnostic (once
   * per `$ref`) and the `$ref` object stays where it is, standing for an unknown value.
   */
  #fail(ref: RefNode, message: string): RefNode {
    const location = this.#sources.locate(ref, '$ref');
    if (this.#strict) throw new RefError(message, { location });
    if (!this.#reported.has(ref)) {
      this.#reported.add(ref);
      this.#diagnostics.push({ code: 'unresolved-ref', severity: 'error', message, location });
    }
    return ref;
  }
}

/** Every `$ref` object in a document, found without recursion (documents nest deeply). */
function collectRefs(root: unknown): RefNode[] {
  const refs: RefNode[] = [];
  const seen = new Set<object>();
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const node = stack.pop();
    if (node === null || typeof node !== 'object' || seen.has(node)) continue;
    seen.add(node);
    if (isRef(node)) refs.push(node);
    for (const child of Array.isArray(node) ? node : Object.values(node)) {
      if (child !== null && typeof child === 'object') stack.push(child);
    }
  }
  return refs;
}

function splitRef(ref: string): { file: string; fragment: string; remote: boolean } {
  const hash = ref.indexOf('#');
  const uri = hash === -1 ? ref : ref.slice(0, hash);
  const fragment = hash === -1 ? '' : ref.slice(hash + 1);
  if (/^[a-z][a-z0-9+.-]*:/i.test(uri) && !uri.startsWith('file:')) return { file: uri, fragment, remote: true };
  const file = uri.startsWith('file:') ? fileURLToPath(uri) : decodeURIComponentSafe(uri);
  return { file, fragment, remote: false };
}

function fragmentTokens(fragment: string): string[] {
  if (fragment === '' || fragment === '/') return [];
  return decodeURIComponentSafe(fragment).split('/').slice(1).map(unescapePointerToken);
}

function decodeURIComponentSafe(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function displayPath(path: string): string {
  const fromHere = relative(process.cwd(), path);
  return fromHere === '' || fromHere.startsWith('..') || isAbsolute(fromHere) ? path : fromHere;
}
