/**
 * Who an API is for, as its description declares with `x-leakproof-audience` on the document or
 * on an operation, and who can really call it. Peloton's API was "private" (for its own bikes and
 * apps) but served on the internet: private is not internal. So a declared-private API with a
 * public server is audited as strictly as a public one, and so is one that declares nothing.
 */
import type { ApiModel, Diagnostic, Operation, Server } from '../core/model.ts';
import type { Severity } from '../scan/finding.ts';
import { SEVERITIES, severityRank } from '../scan/finding.ts';
import { serverReach } from './servers.ts';

/**
 * The extension that declares an audience, and its values.
 *
 * @example
 * ```yaml
 * x-leakproof-audience: private      # the document: our own apps and devices only
 * paths:
 *   /partners/rides:
 *     get:
 *       x-leakproof-audience: partner  # this operation: contracted partners too
 * ```
 */
export const AUDIENCE_EXTENSION = 'x-leakproof-audience';

/**
 * Who an API or an operation is for, least exposed first.
 *
 * @example
 * ```ts
 * (AUDIENCES as readonly unknown[]).includes(operation.extensions[AUDIENCE_EXTENSION]);
 * ```
 */
export const AUDIENCES = ['private', 'partner', 'public'] as const;
export type Audience = (typeof AUDIENCES)[number];

/** How many severity steps a rule that depends on exposure drops for each audience. */
const RELIEF: Record<Audience, number> = { public: 0, partner: 1, private: 2 };

export interface Exposure {
  /** As the operation, or else the document, declares it; undefined when neither does. */
  readonly declared: Audience | undefined;
  /** What severities are weighed by. */
  readonly effective: Audience;
  /** The server that puts a declared-private API within anyone's reach. */
  readonly reachableAt: Server | undefined;
}

/**
 * The exposure of the document and of each operation.
 *
 * @example
 * ```ts
 * const exposures = new Exposures(api, diagnostics);
 * exposures.of(operation).effective; // 'public' for a private API served at https://api.example.com
 * ```
 */
export class Exposures {
  readonly document: Exposure;
  readonly #api: ApiModel;
  readonly #diagnostics: Diagnostic[];
  readonly #operations = new Map<Operation, Exposure>();

  constructor(api: ApiModel, diagnostics: Diagnostic[]) {
    this.#api = api;
    this.#diagnostics = diagnostics;
    this.document = exposure(this.#declared(api.extensions, undefined), api.servers);
  }

  /** The operation's exposure; the document's for API-wide findings. */
  of(operation: Operation | undefined): Exposure {
    if (!operation) return this.document;
    let found = this.#operations.get(operation);
    if (!found) {
      const own = this.#declared(operation.extensions, operation.location);
      found = exposure(own ?? this.document.declared, operation.servers);
      this.#operations.set(operation, found);
    }
    return found;
  }

  #declared(extensions: Record<string, unknown>, where: Diagnostic['location']): Audience | undefined {
    const value = extensions[AUDIENCE_EXTENSION];
    if (value === undefined) return undefined;
    if ((AUDIENCES as readonly unknown[]).includes(value)) return value as Audience;
    this.#diagnostics.push({
      code: 'audit-audience',
      severity: 'warning',
      message: `${AUDIENCE_EXTENSION} must be one of ${AUDIENCES.join(', ')}, not ${JSON.stringify(value)}; audited as public`,
      location: where ?? { file: this.#api.file, line: 1, column: 1, pointer: '' },
    });
    return undefined;
  }
}

function exposure(declared: Audience | undefined, servers: readonly Server[]): Exposure {
  if (declared === undefined) return { declared, effective: 'public', reachableAt: undefined };
  const reachableAt = declared === 'private' ? servers.find((server) => serverReach(server.url) === 'public') : undefined;
  return { declared, effective: reachableAt ? 'public' : declared, reachableAt };
}

/**
 * A rule's severity for an audience: a flaw that outsiders can exploit matters less when only
 * partners, or only the organisation's own network, can call the API.
 *
 * @example
 * ```ts
 * weigh('high', 'partner'); // 'medium'
 * ```
 */
export function weigh(severity: Severity, audience: Audience): Severity {
  return SEVERITIES[Math.max(0, severityRank(severity) - RELIEF[audience])] ?? 'info';
}
