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
import type { AddressInfo } from 'node:net';
import type { LeakproofConfig } from '../core/config.ts';
import { loadApi } from '../core/load.ts';
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
import { createLookups } from './lookups.ts';
import type { OperationPolicy } from './policy.ts';
import type { Router } from './router.ts';
import { createRouter } from './router.ts';
import type { GatewayAccess } from './server.ts';
import { createGatewayServer } from './server.ts';
import type { Upstream } from './upstream.ts';
import { createUpstream } from './upstream.ts';
import type { RequestValidator } from './validation.ts';
import { createRequestValidator } from './validation.ts';

export { gatewayConfig, gatewaySectionSchema } from './config.ts';
export type { GatewayFlags, GatewaySettings } from './config.ts';
export type { GatewayAccess } from './server.ts';
export type { EnumerationAlert } from './limits.ts';

export interface PreparedGateway {
  settings: GatewaySettings;
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
    return { settings, api, router: createRouter(api.operations), policies, validators, upstream };
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
  close(): Promise<void>;
}

export interface StartOptions {
  onAccess?: (access: GatewayAccess) => void;
  onRefusal?: (reason: string) => void;
  /** A principal passed the enumeration threshold and is blocked. */
  onAlert?: (alert: EnumerationAlert) => void;
}

/** Starts listening. Resolves once the port is bound; `close()` stops taking requests and drains. */
export async function startGateway(prepared: PreparedGateway, options: StartOptions = {}): Promise<RunningGateway> {
  const { settings } = prepared;
  let authenticator: Authenticator;
  let counters: Counters;
  try {
    authenticator = await createAuthenticator(settings.authentication);
  } catch (error) {
    await prepared.upstream.close();
    throw error;
  }
  try {
    counters = settings.counters ? await connectRedisCounters({ url: settings.counters.redis, prefix: settings.counters.prefix }) : createMemoryCounters();
  } catch (error) {
    authenticator.close();
    await prepared.upstream.close();
    throw error;
  }
  const server = createGatewayServer({
    guard: createGuard(settings.rateLimits, counters, options.onAlert),
    router: prepared.router,
    authenticate: (headers) => authenticator.authenticate(headers),
    validators: prepared.validators,
    policies: prepared.policies,
    upstream: prepared.upstream,
    limits: settings.limits,
    onAccess: options.onAccess,
    onRefusal: options.onRefusal,
  });
  try {
    server.listen(settings.listen.port, settings.listen.host);
    await once(server, 'listening');
  } catch (error) {
    authenticator.close();
    await counters.close();
    await prepared.upstream.close();
    throw error;
  }
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${settings.listen.host.includes(':') ? `[${settings.listen.host}]` : settings.listen.host}:${port}`,
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => { resolve(); });
        server.closeIdleConnections();
      });
      authenticator.close();
      await counters.close();
      await prepared.upstream.close();
    },
  };
}
