/**
 * A proxy of bench/gateway.ts, in a process of its own, in front of the bench upstream:
 *   node bench/gateway-proxy.ts fastify UPSTREAM            @fastify/http-proxy, the bare Node proxy
 *   node bench/gateway-proxy.ts leakproof CONFIG UPSTREAM   Leakproof with bench/CONFIG
 * It listens on 127.0.0.1:0, sends `{ url }` to the parent over IPC, and closes and exits when
 * the parent disconnects.
 */
import { join } from 'node:path';

/** The connections each Node proxy keeps to the upstream: Leakproof's default pool size. */
const UPSTREAM_CONNECTIONS = 64;

// Each proxy imports only its own code, so that neither process's memory carries the other's modules.
async function startFastify(upstream: string): Promise<{ url: string; close(): Promise<void> }> {
  const { default: Fastify } = await import('fastify');
  const { default: proxy } = await import('@fastify/http-proxy');
  const app = Fastify({ logger: false });
  await app.register(proxy, { upstream, undici: { connections: UPSTREAM_CONNECTIONS, pipelining: 1 } });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  return { url, close: () => app.close() };
}

async function startLeakproof(file: string, upstream: string): Promise<{ url: string; close(): Promise<void> }> {
  const { loadConfig } = await import('../src/core/config.ts');
  const { prepareGateway, startGateway } = await import('../src/gateway/index.ts');
  // The bench configurations name the upstream (and its JWKS) through ${BENCH_UPSTREAM}, and the
  // full policy's access log through ${BENCH_ACCESS_LOG}, which the parent sets.
  const config = await loadConfig(join(import.meta.dirname, file), { ...process.env, BENCH_UPSTREAM: upstream });
  return startGateway(await prepareGateway(config, { host: '127.0.0.1', port: 0 }));
}

if (process.send === undefined) throw new Error('gateway-proxy.ts runs as a child of bench/gateway.ts');
const [kind, first, second] = process.argv.slice(2);
const running = kind === 'fastify' && first !== undefined ? await startFastify(first)
  : kind === 'leakproof' && first !== undefined && second !== undefined ? await startLeakproof(first, second)
  : undefined;
if (running === undefined) throw new Error('usage: gateway-proxy.ts fastify UPSTREAM | leakproof CONFIG UPSTREAM');
process.on('disconnect', () => {
  void running.close().finally(() => process.exit(0));
});
process.send({ url: running.url });
