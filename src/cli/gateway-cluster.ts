/**
 * `leakproof gateway --workers N`: one gateway process per core, behind one port (node:cluster
 * hands each connection to a worker). The primary only supervises: it starts the workers, waits
 * until every one listens, restarts one that dies, passes SIGHUP on, serves the admin port with
 * every worker's metrics summed, and stops them all on SIGINT or SIGTERM.
 */
import cluster from 'node:cluster';
import type { Worker } from 'node:cluster';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { AggregatorRegistry } from 'prom-client';
import type { Registry } from 'prom-client';
import { ExitCode, UsageError } from '../core/errors.ts';
import { createAdminServer } from '../gateway/index.ts';
import type { PreparedGateway } from '../gateway/index.ts';
import type { Io } from './io.ts';

/** What a worker tells the primary once it listens. */
interface Listening {
  type: 'leakproof:listening';
  url: string;
}

function isListening(message: unknown): message is Listening {
  return typeof message === 'object' && message !== null && (message as { type?: unknown }).type === 'leakproof:listening';
}

/** In a worker: lets the primary collect this gateway's metrics, and tells it where it listens. */
export function joinCluster(registry: Registry, url: string): void {
  // Constructing one installs the worker's side of prom-client's metrics exchange.
  new AggregatorRegistry();
  AggregatorRegistry.setRegistries([registry]);
  process.send?.({ type: 'leakproof:listening', url } satisfies Listening);
}

/**
 * Counters in memory would give each worker its own: a limit of 100 would let 100 × N through.
 * With limits or enumeration detection, several workers need the shared Redis counters.
 */
export function checkClusterable(prepared: PreparedGateway, workers: number): void {
  const { rateLimits, counters } = prepared.settings;
  const limited = rateLimits.perPrincipal !== undefined || Object.keys(rateLimits.perOperation).length > 0 || rateLimits.enumeration !== undefined;
  if (workers > 1 && limited && counters === undefined) {
    throw new UsageError(`${workers} workers would each count rate limits and enumeration on their own`, { hint: 'configure gateway.counters (Redis) to share them, or run one worker' });
  }
}

/** Runs the primary until SIGINT or SIGTERM; resolves to the exit code. */
export async function runPrimary(prepared: PreparedGateway, workers: number, io: Io): Promise<number> {
  const { settings } = prepared;
  await prepared.upstream.close();
  let stopping = false;
  const fork = (): Worker => cluster.fork({ LEAKPROOF_GATEWAY_WORKER: '1' });
  const started = Array.from({ length: workers }, fork);
  const urls = await Promise.all(started.map((worker) => new Promise<string>((resolve, reject) => {
    worker.on('message', (message: unknown) => {
      if (isListening(message)) resolve(message.url);
    });
    worker.once('exit', (code) => { reject(new UsageError(`a gateway worker stopped before it listened (exit code ${String(code)})`)); });
  })));
  cluster.on('exit', (worker, code, signal) => {
    if (stopping) return;
    io.err(`Gateway worker ${String(worker.process.pid)} stopped (${signal || `exit code ${String(code)}`}); starting another.`);
    fork();
  });
  const aggregator = new AggregatorRegistry();
  const admin = settings.admin ? createAdminServer({ metrics: () => aggregator.clusterMetrics(), contentType: aggregator.contentType }) : undefined;
  if (admin && settings.admin) {
    admin.listen(settings.admin.port, settings.admin.host);
    await once(admin, 'listening');
  }
  io.out(`Gateway listening on ${urls[0] ?? ''}, in front of ${settings.upstream.url} (${workers} workers)`);
  if (admin && settings.admin) io.out(`  metrics: http://${settings.admin.host}:${(admin.address() as AddressInfo).port}/metrics (all workers)`);
  io.out('Press Ctrl-C to stop; SIGHUP or a change to the file reloads the configuration in every worker.');
  const onHangup = (): void => {
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGHUP');
  };
  process.on('SIGHUP', onHangup);
  const signal = await Promise.race([once(process, 'SIGINT'), once(process, 'SIGTERM')]);
  stopping = true;
  io.err(`\nStopping ${workers} workers (${String(signal[0] ?? 'signal')})...`);
  process.off('SIGHUP', onHangup);
  admin?.close();
  await Promise.all(Object.values(cluster.workers ?? {}).map(async (worker) => {
    if (!worker) return;
    const exited = once(worker, 'exit');
    worker.process.kill('SIGTERM');
    await exited;
  }));
  return ExitCode.Ok;
}
