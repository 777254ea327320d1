/**
 * The `scan` section of leakproof.yaml, merged with command-line flags (flags win).
 *
 * @example
 * ```yaml
 * scan:
 *   target: http://127.0.0.1:8080
 *   spec: openapi.yaml
 *   identities:
 *     - name: alice
 *       login: { path: /auth/login, json: { username: alice, password: "${ALICE_PASSWORD}" }, token: $.token }
 *   visibility:
 *     public: [username, image_url]
 *   safety:
 *     allow: [getWorkoutDetails]
 * ```
 */
import type { LeakproofConfig } from '../core/config.ts';
import { checkSection, configPath } from '../core/config.ts';
import { UsageError } from '../core/errors.ts';
import type { SubjectFacts } from './engine.ts';
import type { Severity } from './finding.ts';
import { SEVERITIES } from './finding.ts';
import type { IdentityConfig } from './identity/index.ts';
import { identitiesSchema } from './identity/index.ts';

export interface ScanConfig {
  target: string;
  spec: string;
  scope: string[] | undefined;
  identities: IdentityConfig[];
  subjects: Record<string, SubjectFacts>;
  visibility: { public: string[]; private: { flag: string | undefined; visible: string[] } };
  safety: { writes: boolean; allow: string[]; rateLimit: number; concurrency: number; budget: number; timeoutMs: number };
  failOn: Severity;
  baseline: string | undefined;
}

const names = { type: 'array', items: { type: 'string', minLength: 1 } };

/** JSON Schema of the `scan` section, for validation and editors' completion. */
export const scanSectionSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    target: { type: 'string', description: 'Base URL of the API to scan.' },
    spec: { type: 'string', description: 'Its OpenAPI or Swagger description (a file).' },
    scope: { ...names, description: 'host:port the scanner may touch; default: the target\'s. Nothing else is ever contacted.' },
    identities: identitiesSchema,
    subjects: {
      type: 'object',
      description: 'What is true of each identity as a person: its id (if no /me operation tells), whether its profile is private, and who may see it.',
      additionalProperties: {
        type: 'object',
        additionalProperties: false,
        properties: { id: { type: 'string' }, private: { type: 'boolean' }, followers: names },
      },
    },
    visibility: {
      type: 'object',
      additionalProperties: false,
      description: 'What is public by design; everything else a non-owner receives is a leak.',
      properties: {
        public: { ...names, description: 'Fields any authenticated caller may see of a public profile.' },
        private: {
          type: 'object',
          additionalProperties: false,
          properties: {
            flag: { type: 'string', description: 'The field that marks a private profile, e.g. is_profile_private.' },
            visible: { ...names, description: 'Fields anyone may see of a private profile.' },
          },
        },
      },
    },
    safety: {
      type: 'object',
      additionalProperties: false,
      properties: {
        writes: { type: 'boolean', description: 'Send write methods (POST, PUT, PATCH, DELETE): test environments only.' },
        allow: { ...names, description: 'Operation ids that may be sent although not GET/HEAD/OPTIONS (read-only POST lookups).' },
        rateLimit: { type: 'number', exclusiveMinimum: 0, description: 'Requests per second (default 10).' },
        concurrency: { type: 'integer', minimum: 1, description: 'Requests in flight at once (default 4).' },
        budget: { type: 'integer', minimum: 1, description: 'Most requests the whole scan may send (default 5000).' },
        timeoutMs: { type: 'integer', minimum: 1, description: 'Per request (default 10000).' },
      },
    },
    failOn: { enum: [...SEVERITIES], description: 'Exit 1 when findings at or above this severity remain (default medium).' },
    baseline: { type: 'string', description: 'Baseline file of accepted findings.' },
  },
} as const;

export interface ScanFlags {
  target?: string | undefined;
  spec?: string | undefined;
  failOn?: string | undefined;
  baseline?: string | undefined;
  rateLimit?: string | undefined;
}

interface ScanSection {
  target?: string;
  spec?: string;
  scope?: string[];
  identities?: IdentityConfig[];
  subjects?: Record<string, SubjectFacts>;
  visibility?: { public?: string[]; private?: { flag?: string; visible?: string[] } };
  safety?: Partial<ScanConfig['safety']>;
  failOn?: Severity;
  baseline?: string;
}

/** Paths in the file are relative to the file; paths given as flags, to the working directory. */
export function scanConfig(config: LeakproofConfig, flags: ScanFlags): ScanConfig {
  const section = (checkSection(config, 'scan', scanSectionSchema) ?? {}) as ScanSection;
  const target = flags.target ?? section.target;
  const spec = flags.spec ?? configPath(config, section.spec);
  if (target === undefined) throw new UsageError('no target: give --target URL or scan.target in the configuration');
  if (spec === undefined) throw new UsageError('no API description: give --spec FILE or scan.spec in the configuration');
  if (!URL.canParse(target)) throw new UsageError(`--target must be a URL such as http://127.0.0.1:8080, not '${target}'`);
  const rateLimit = flags.rateLimit === undefined ? undefined : Number(flags.rateLimit);
  if (rateLimit !== undefined && !(rateLimit > 0)) throw new UsageError(`--rate-limit must be a number of requests per second above 0, not '${String(flags.rateLimit)}'`);
  const failOn = flags.failOn ?? section.failOn ?? 'medium';
  if (!(SEVERITIES as readonly string[]).includes(failOn)) throw new UsageError(`--fail-on must be one of ${SEVERITIES.join(', ')}, not '${failOn}'`);
  return {
    target,
    spec,
    scope: section.scope,
    identities: section.identities ?? [],
    subjects: section.subjects ?? {},
    visibility: {
      public: section.visibility?.public ?? [],
      private: { flag: section.visibility?.private?.flag, visible: section.visibility?.private?.visible ?? [] },
    },
    safety: {
      writes: section.safety?.writes ?? false,
      allow: section.safety?.allow ?? [],
      rateLimit: rateLimit ?? section.safety?.rateLimit ?? 10,
      concurrency: section.safety?.concurrency ?? 4,
      budget: section.safety?.budget ?? 5000,
      timeoutMs: section.safety?.timeoutMs ?? 10_000,
    },
    failOn: failOn as Severity,
    baseline: flags.baseline ?? configPath(config, section.baseline),
  };
}
