/**
 * The `gateway` section of leakproof.yaml: where to listen, the upstream and its description, who
 * may call (authentication), and the policies. Everything is checked when the file loads, CEL
 * conditions included, and every error points at its file:line; `leakproof gateway check` stops
 * there.
 *
 * @example
 * ```yaml
 * gateway:
 *   upstream: { url: http://127.0.0.1:8080 }
 *   spec: openapi.yaml
 *   views:
 *     public: [id, username, image_url]
 *   default: { allow: principal.authenticated }
 *   operations:
 *     getUser:
 *       records: $
 *       views:
 *         - { when: resource.id == principal.sub, view: "*" }
 *         - { view: public }
 * ```
 */
import type { LeakproofConfig } from '../core/config.ts';
import { checkSection, configPath } from '../core/config.ts';
import { ConfigError } from '../core/errors.ts';
import type { AuthenticationConfig } from './authentication/index.ts';
import { authenticationSchema } from './authentication/index.ts';
import type { LimitSettings, RateLimit } from './limits.ts';
import type { LookupConfig } from './lookups.ts';

export interface PolicyConfig {
  allow?: string;
  records?: string;
  show?: string;
  views?: { when?: string; view: string }[];
}

export interface GatewaySettings {
  listen: { host: string; port: number };
  /** Metrics and health, on a port of their own; undefined: not served. */
  admin: { host: string; port: number } | undefined;
  upstream: { url: string; connections: number; timeoutMs: number };
  spec: string;
  validateRequests: boolean;
  limits: { requestBodyBytes: number; responseBodyBytes: number; headerBytes: number; requestTimeoutMs: number };
  authentication: AuthenticationConfig;
  lookups: Record<string, LookupConfig>;
  views: Record<string, string[]>;
  default: PolicyConfig | undefined;
  operations: Record<string, PolicyConfig>;
  rateLimits: LimitSettings;
  /** Where the counters live: this process, or a Redis server shared by several gateways. */
  counters: { redis: string; prefix: string } | undefined;
  /** Where the access log goes (a store as `leakproof logs --store` names it); undefined: nowhere. */
  accessLog: { store: string; batchSize: number; maxDelayMs: number } | undefined;
}

const condition = { type: 'string', minLength: 1, description: 'A CEL condition over principal, request and resource.' } as const;
const positive = { type: 'integer', minimum: 1 } as const;

const rateLimitSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['requests', 'windowSeconds'],
  properties: { requests: positive, windowSeconds: positive },
} as const;

const policySchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    allow: { ...condition, description: 'Who may call the operation (checked before the upstream is asked). Default: false.' },
    records: { type: 'string', minLength: 1, description: 'Where the answer\'s records are: a JSONPath such as $ or $.data[*], or deep (every object with an id).' },
    show: { ...condition, description: 'A record is kept only when this holds.' },
    views: {
      type: 'array',
      minItems: 1,
      description: 'The first rule whose condition holds picks the record\'s view; a record no rule picks is removed.',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['view'],
        properties: { when: condition, view: { type: 'string', minLength: 1, description: 'A view\'s name, or * for every declared field.' } },
      },
    },
  },
} as const;

/** JSON Schema of the `gateway` section, for validation and editors' completion. */
export const gatewaySectionSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['upstream', 'spec'],
  properties: {
    listen: {
      type: 'object',
      additionalProperties: false,
      properties: { host: { type: 'string', minLength: 1 }, port: { type: 'integer', minimum: 0, maximum: 65535 } },
    },
    admin: {
      type: 'object',
      additionalProperties: false,
      required: ['port'],
      description: 'Prometheus /metrics and /healthz on a port of their own (keep it off the internet).',
      properties: { host: { type: 'string', minLength: 1 }, port: { type: 'integer', minimum: 0, maximum: 65535 } },
    },
    upstream: {
      type: 'object',
      additionalProperties: false,
      required: ['url'],
      properties: { url: { type: 'string', pattern: '^https?://' }, connections: positive, timeoutMs: positive },
    },
    spec: { type: 'string', minLength: 1, description: 'The upstream\'s OpenAPI or Swagger description: only its operations are routed.' },
    validateRequests: { type: 'boolean', description: 'Hold requests to the description (default true).' },
    limits: {
      type: 'object',
      additionalProperties: false,
      properties: { requestBodyBytes: positive, responseBodyBytes: positive, headerBytes: positive, requestTimeoutMs: positive },
    },
    authentication: authenticationSchema,
    lookups: {
      type: 'object',
      additionalProperties: {
        type: 'object',
        additionalProperties: false,
        required: ['path', 'select'],
        properties: {
          path: { type: 'string', pattern: '^/.*\\{[^{}]+\\}' },
          select: { type: 'string', pattern: '^\\$' },
          cacheSeconds: { type: 'integer', minimum: 0 },
          as: { enum: ['caller', 'anonymous'] },
        },
      },
    },
    views: { type: 'object', additionalProperties: { type: 'array', items: { type: 'string', minLength: 1 } } },
    default: policySchema,
    operations: { type: 'object', additionalProperties: policySchema },
    rateLimits: {
      type: 'object',
      additionalProperties: false,
      description: 'Requests per window, per principal (anonymous callers per address) and per operation; 429 past them.',
      properties: { perPrincipal: rateLimitSchema, operations: { type: 'object', additionalProperties: rateLimitSchema } },
    },
    enumeration: {
      type: 'object',
      additionalProperties: false,
      required: ['distinctSubjects'],
      description: 'Block a principal that receives more distinct people\'s records than this in a window, and raise an alert.',
      properties: { distinctSubjects: positive, windowSeconds: positive, blockSeconds: positive },
    },
    accessLog: {
      type: 'object',
      additionalProperties: false,
      description: 'Whose personal data went to whom: an SQLite file (default leakproof-access.db, next to this file), postgres://..., or ndjson:FILE (ndjson:- for stdout).',
      properties: { store: { type: 'string', minLength: 1 }, batchSize: positive, maxDelayMs: positive },
    },
    counters: {
      type: 'object',
      additionalProperties: false,
      required: ['redis'],
      description: 'Share limits between several gateways through Redis (default: this process\'s memory).',
      properties: { redis: { type: 'string', pattern: '^rediss?://' }, prefix: { type: 'string' } },
    },
  },
} as const;

interface GatewaySection {
  listen?: { host?: string; port?: number };
  admin?: { host?: string; port: number };
  upstream: { url: string; connections?: number; timeoutMs?: number };
  spec: string;
  validateRequests?: boolean;
  limits?: Partial<GatewaySettings['limits']>;
  authentication?: AuthenticationConfig;
  lookups?: Record<string, Partial<LookupConfig> & { path: string; select: string }>;
  views?: Record<string, string[]>;
  default?: PolicyConfig;
  operations?: Record<string, PolicyConfig>;
  rateLimits?: { perPrincipal?: RateLimit; operations?: Record<string, RateLimit> };
  enumeration?: { distinctSubjects: number; windowSeconds?: number; blockSeconds?: number };
  counters?: { redis: string; prefix?: string };
  accessLog?: { store?: string; batchSize?: number; maxDelayMs?: number };
}

export interface GatewayFlags {
  port?: number | undefined;
  /** Overrides `admin.port` when an admin port is configured. */
  adminPort?: number | undefined;
  host?: string | undefined;
  upstream?: string | undefined;
}

/** The settings, defaults filled in; paths in the file are relative to the file. */
export function gatewayConfig(config: LeakproofConfig, flags: GatewayFlags = {}): GatewaySettings {
  const section = checkSection(config, 'gateway', gatewaySectionSchema) as GatewaySection | undefined;
  if (!section) throw new ConfigError(`${config.file ?? 'the configuration'} has no gateway section`, { hint: 'see the README\'s gateway section for an example' });
  const spec = configPath(config, section.spec);
  return {
    listen: { host: flags.host ?? section.listen?.host ?? '127.0.0.1', port: flags.port ?? section.listen?.port ?? 8081 },
    admin: section.admin === undefined ? undefined : { host: section.admin.host ?? '127.0.0.1', port: flags.adminPort ?? section.admin.port },
    upstream: { url: flags.upstream ?? section.upstream.url, connections: section.upstream.connections ?? 64, timeoutMs: section.upstream.timeoutMs ?? 10_000 },
    spec,
    validateRequests: section.validateRequests ?? true,
    limits: {
      requestBodyBytes: section.limits?.requestBodyBytes ?? 1024 * 1024,
      responseBodyBytes: section.limits?.responseBodyBytes ?? 8 * 1024 * 1024,
      headerBytes: section.limits?.headerBytes ?? 16 * 1024,
      requestTimeoutMs: section.limits?.requestTimeoutMs ?? 30_000,
    },
    authentication: section.authentication ?? {},
    lookups: Object.fromEntries(Object.entries(section.lookups ?? {}).map(([name, lookup]) => [name, { path: lookup.path, select: lookup.select, cacheSeconds: lookup.cacheSeconds ?? 30, as: lookup.as ?? 'caller' }])),
    views: section.views ?? {},
    default: section.default,
    operations: section.operations ?? {},
    rateLimits: {
      perPrincipal: section.rateLimits?.perPrincipal,
      perOperation: section.rateLimits?.operations ?? {},
      enumeration: section.enumeration === undefined ? undefined : {
        distinctSubjects: section.enumeration.distinctSubjects,
        windowSeconds: section.enumeration.windowSeconds ?? 600,
        blockSeconds: section.enumeration.blockSeconds ?? section.enumeration.windowSeconds ?? 600,
      },
    },
    counters: section.counters === undefined ? undefined : { redis: section.counters.redis, prefix: section.counters.prefix ?? 'leakproof:' },
    accessLog: section.accessLog === undefined ? undefined : {
      store: storeOf(section.accessLog.store, config.file),
      batchSize: section.accessLog.batchSize ?? 1000,
      maxDelayMs: section.accessLog.maxDelayMs ?? 200,
    },
  };
}

/** A file store is relative to the configuration file; URLs and stdout are where they say. */
function storeOf(store: string | undefined, file: string | undefined): string {
  const target = store ?? 'leakproof-access.db';
  if (/^(?:postgres(?:ql)?:\/\/|ndjson:-$)/.test(target) || file === undefined) return target;
  const scheme = /^(sqlite:|ndjson:)/.exec(target)?.[1] ?? '';
  const path = target.slice(scheme.length);
  return `${scheme}${configPath({ file }, path)}`;
}
