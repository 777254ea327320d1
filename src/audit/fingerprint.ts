/**
 * An audit finding's fingerprint: what a baseline matches it by, so it must survive edits of the
 * description around the flaw. It is made of the rule, the file (relative to the description) and
 * JSON Pointer of what the finding names, never its line; list positions of parameters and
 * servers are replaced by their names, since inserting one shifts the index of every other; and
 * the operation only where the finding is that operation's own. A rule that judges a shared
 * place names the first operation to reach it, and an operation added above would change that.
 */
import { createHash } from 'node:crypto';
import { dirname, relative, sep } from 'node:path';
import type { SourceLocation } from '../core/location.ts';
import { escapePointerToken } from '../core/location.ts';
import type { ApiModel } from '../core/model.ts';
import type { AuditRule, RuleResult } from './rule.ts';

/**
 * The fingerprints of one description's findings.
 *
 * @example
 * ```ts
 * const fingerprints = new Fingerprints(api, 'openapi.yaml');
 * for (const [result, fingerprint] of fingerprints.of(rule, rule.run(context))) console.log(fingerprint, result.title);
 * ```
 */
export class Fingerprints {
  /** By file and pointer of a list position: the pointer with the position replaced by a name. */
  readonly #named = new Map<string, string>();
  readonly #file: string;
  readonly #directory: string;

  /** `path` is the description's file; `api.file` may only be the name shown for it. */
  constructor(api: ApiModel, path: string) {
    this.#file = api.file;
    this.#directory = dirname(path);
    for (const server of api.servers) this.#name(server.location, server.url);
    for (const operation of api.operations) {
      for (const parameter of operation.parameters) this.#name(parameter.location, `${parameter.in}:${parameter.name}`);
      for (const server of operation.servers) this.#name(server.location, server.url);
      // Swagger 2.0 bodies are parameters, listed among the others.
      this.#name(operation.requestBody?.location, 'body');
    }
  }

  /** Each of one rule's results with its fingerprint, in their order. */
  of(rule: AuditRule, results: readonly RuleResult[]): [RuleResult, string][] {
    const placed = results.map((result) => ({ result, place: this.#placeOf(result) }));
    const counts = new Map<string, number>();
    for (const { place } of placed) counts.set(place, (counts.get(place) ?? 0) + 1);
    return placed.map(({ result, place }) => {
      // Several results at one place are copies of one declaration made for each operation (as
      // Swagger 2.0 parameters are): there the operation tells them apart.
      const shared = rule.sharedPlaces === true && result.location !== undefined && counts.get(place) === 1;
      const scope = shared ? '' : (result.operation?.id ?? '');
      return [result, createHash('sha256').update([rule.id, scope, place].join('\u0000')).digest('hex').slice(0, 24)];
    });
  }

  #placeOf({ location, key }: RuleResult): string {
    const where = location === undefined ? ['', ''] : [this.#fileOf(location), this.#pointerOf(location)];
    return [...where, key ?? ''].join('\u0000');
  }

  #name(location: SourceLocation | undefined, name: string): void {
    if (location === undefined || !/\/\d+$/.test(location.pointer)) return;
    this.#named.set(`${location.file}\u0000${location.pointer}`, location.pointer.replace(/\d+$/, escapePointerToken(name)));
  }

  /** The pointer, with the list position it lies under (if any) named. */
  #pointerOf({ file, pointer }: SourceLocation): string {
    for (let end = pointer.length; end > 0; end = pointer.lastIndexOf('/', end - 1)) {
      const named = this.#named.get(`${file}\u0000${pointer.slice(0, end)}`);
      if (named !== undefined) return named + pointer.slice(end);
    }
    return pointer;
  }

  /** Empty for the description itself; other files relative to it, the same from any working directory. */
  #fileOf({ file }: SourceLocation): string {
    return file === this.#file ? '' : relative(this.#directory, file).split(sep).join('/');
  }
}
