/**
 * The gateway part's public entry: a policy-enforcing reverse proxy in front of an existing API.
 *
 * @example
 * ```ts
 * const config = await loadConfig('gateway.yaml');
 * const prepared = await prepareGateway(config);        // what `leakproof gateway check` does
 * const gateway = await startGateway(prepared);          // listens; gateway.url
 * await gateway.close();
 * ```
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LeakproofConfig } from '../core/config.ts';
import { loadApi } from '../core/load.ts';
import type { PersonalDataConfig } from '../core/personal-data/index.ts';
import { createClassifier } from '../core/personal-data/index.ts';
import type { ApiModel } from '../core/model.ts';
import { ConfigError } from '../core/errors.ts';
import { once } from 'node:events';
import type { Authenticator } from './authentication/index.ts';
import { createAuthenticator } from './authentication/index.ts';
import { compilePolicies } from './compile.ts';
import type { GatewayFlags, GatewaySettings } from './config.ts';
import { gatewayConfig } from './config.ts';
import type { Counters } from './counters/counters.ts';
import { createMemoryCounters } from './counters/memory.ts';
import { connectRedisCounters } from './counters/redis.ts';
import { createExpressionCompiler } from './expression.ts';
import type { EnumerationAlert } from './limits.ts';
import { createGuard } from './limits.ts';
import type { GatewayMetrics } from './metrics.ts';
import { createGatewayMetrics } from './metrics.ts';
import { createAdminServer } from './admin.ts';
import type { AccessLogSink } from './access-log/index.ts';
import { openAccessLog } from './access-log/index.ts';
import { accessRecords } from './access-record.ts';
import { createLookups } from './lookups.ts';
import type { OperationPolicy } from './policy.ts';
import type { Router } from './router.ts';
import { createRouter } from './router.ts';
import type { GatewayAccess, GatewayPipeline } from './server.ts';
import { createGatewayServer } from './server.ts';
import type { Upstream } from './upstream.ts';
import { createUpstream } from './upstream.ts';
import type { RequestValidator } from './validation.ts';
import { createRequestValidator } from './validation.ts';

export { gatewayConfig, gatewaySectionSchema } from './config.ts';
export { createAdminServer } from './admin.ts';
export type { GatewayFlags, GatewaySettings } from './config.ts';
export type { GatewayAccess } from './server.ts';
export type { EnumerationAlert } from './limits.ts';

export interface PreparedGateway {
  settings: GatewaySettings;
  /** The command line's overrides, applied again on every reload. */
  flags: GatewayFlags;
  /** Which fields are personal data, for the access log. */
  personalData: PersonalDataConfig;
  api: ApiModel;
  router: Router;
  policies: Map<string, OperationPolicy>;
  validators: Map<string, RequestValidator> | undefined;
  upstream: Upstream;
}

/** Everything checked and compiled, nothing listening: what `leakproof gateway check` runs. */
export async function prepareGateway(config: LeakproofConfig, flags: GatewayFlags = {}): Promise<PreparedGateway> {
  const settings = gatewayConfig(config, flags);
  const api = await loadApi(settings.spec);
  const upstream = createUpstream({ ...settings.upstream, maxBodyBytes: settings.limits.responseBodyBytes });
  try {
    const compiler = createExpressionCompiler(createLookups(settings.lookups, upstream));
    const policies = compilePolicies(settings, api, compiler, config);
    const validators = settings.validateRequests ? new Map(api.operations.map((operation) => [operation.id, validatorFor(operation, api)])) : undefined;
    return { settings, flags, personalData: config.personalData, api, router: createRouter(api.operations), policies, validators, upstream };
  } catch (error) {
    await upstream.close();
    throw error;
  }
}

function validatorFor(operation: ApiModel['operations'][number], api: ApiModel): RequestValidator {
  try {
    return createRequestValidator(operation);
  } catch (error) {
    throw new ConfigError(`${operation.id}: ${error instanceof Error ? error.message : String(error)}`, {
      location: operation.location,
      hint: `fix the description (${api.file}), or set gateway.validateRequests: false`,
    });
  }
}

export interface RunningGateway {
  url: string;
  /** The admin server's URL (metrics, health), when `gateway.admin` is configured. */
  adminUrl: string | undefined;
  metrics: GatewayMetrics;
  /**
   * Swaps in a new configuration between two requests. A configuration that does not load or
   * compile is refused (the promise rejects) and the running one stays. Listen addresses are
   * not changed by a reload.
   */
  reload(config: LeakproofConfig): Promise<void>;
  close(): Promise<void>;
}

export interface StartOptions {
  onAccess?: (access: GatewayAccess) => void;
  onRefusal?: (reason: string) => void;
  /** A principal passed the enumeration threshold and is blocked. */
  onAlert?: (alert: EnumerationAlert) => void;
  /** False in a cluster worker: the primary serves the admin port, for all workers. */
  admin?: boolean;
  /** The access log could not store records (they are kept and retried, or counted as dropped). */
  onLogError?: (error: Error) => void;
}

/** One configuration's live parts; a reload builds the next and retires this one. */
interface Generation {
  prepared: PreparedGateway;
  authenticator: Authenticator;
  pipeline: GatewayPipeline;
}

/** Starts listening. Resolves once the port is bound; `close()` stops taking requests and drains. */
export async function startGateway(prepared: PreparedGateway, options: StartOptions = {}): Promise<RunningGateway> {
  const { settings } = prepared;
  const metrics = createGatewayMetrics();
  let counters: Counters;
  try {
    counters = settings.counters ? await connectRedisCounters({ url: settings.counters.redis, prefix: settings.counters.prefix }) : createMemoryCounters();
  } catch (error) {
    await prepared.upstream.close();
    throw error;
  }
  let log: AccessLogSink | undefined;
  try {
    log = settings.accessLog ? await openAccessLog(settings.accessLog.store, { batchSize: settings.accessLog.batchSize, maxDelayMs: settings.accessLog.maxDelayMs, onError: options.onLogError ?? (() => undefined) }) : undefined;
  } catch (error) {
    await counters.close();
    await prepared.upstream.close();
    throw error;
  }
  const toRecords = accessRecords(createClassifier(prepared.personalData));
  const onAccess = (access: GatewayAccess): void => {
    if (log) for (const record of toRecords(access)) log.write(record);
    options.onAccess?.(access);
  };
  const onAlert = (alert: EnumerationAlert): void => {
    metrics.blocked();
    options.onAlert?.(alert);
  };
  const build = async (next: PreparedGateway): Promise<Generation> => {
    const authenticator = await createAuthenticator(next.settings.authentication);
    return {
      prepared: next,
      authenticator,
      pipeline: {
        guard: createGuard(next.settings.rateLimits, counters, onAlert),
        metrics,
        router: next.router,
        authenticate: (headers) => authenticator.authenticate(headers),
        validators: next.validators,
        policies: next.policies,
        upstream: next.upstream,
        limits: next.settings.limits,
        onAccess,
        onRefusal: options.onRefusal,
      },
    };
  };
  const retire = async (old: Generation): Promise<void> => {
    old.authenticator.close();
    await old.prepared.upstream.close();
  };
  let current: Generation;
  try {
    current = await build(prepared);
  } catch (error) {
    await log?.close();
    await counters.close();
    await prepared.upstream.close();
    throw error;
  }
  const server = createGatewayServer(() => current.pipeline);
  const admin = settings.admin && options.admin !== false ? createAdminServer(metrics.registry) : undefined;
  try {
    await bind(server, settings.listen.port, settings.listen.host);
    if (admin && settings.admin) await bind(admin, settings.admin.port, settings.admin.host);
  } catch (error) {
    server.close();
    admin?.close();
    await retire(current);
    await log?.close();
    await counters.close();
    throw error;
  }
  return {
    url: urlOf(server, settings.listen.host),
    adminUrl: admin && settings.admin ? urlOf(admin, settings.admin.host) : undefined,
    metrics,
    async reload(config) {
      let next: Generation;
      try {
        const fresh = await prepareGateway(config, current.prepared.flags);
        try {
          if (JSON.stringify(fresh.settings.counters) !== JSON.stringify(current.prepared.settings.counters)) {
            throw new ConfigError('gateway.counters cannot change in a reload: restart the gateway to move its counters');
          }
          if (JSON.stringify(fresh.settings.accessLog) !== JSON.stringify(current.prepared.settings.accessLog)) {
            throw new ConfigError('gateway.accessLog cannot change in a reload: restart the gateway to move its access log');
          }
          next = await build(fresh);
        } catch (error) {
          await fresh.upstream.close();
          throw error;
        }
      } catch (error) {
        metrics.reloaded('failed');
        throw error;
      }
      const old = current;
      current = next;
      metrics.reloaded('ok');
      // Requests that began on the old configuration finish on it; its pool closes once they have.
      setTimeout(() => { void retire(old); }, old.prepared.settings.limits.requestTimeoutMs).unref();
    },
    async close() {
      await Promise.all([stop(server), admin ? stop(admin) : undefined]);
      await retire(current);
      await counters.close();
      // Last: the records of the final requests are stored before the gateway says it has stopped.
      await log?.close();
    },
  };
}

async function bind(server: Server, port: number, host: string): Promise<void> {
  server.listen(port, host);
  await once(server, 'listening');
}

function urlOf(server: Server, host: string): string {
  const { port } = server.address() as AddressInfo;
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

function stop(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => { resolve(); });
    server.closeIdleConnections();
  });
}
