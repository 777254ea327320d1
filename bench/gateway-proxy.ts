/**
 * A proxy of bench/gateway.ts, in a process of its own, in front of the bench upstream:
 *   node bench/gateway-proxy.ts fastify UPSTREAM            @fastify/http-proxy, the bare Node proxy
 *   node bench/gateway-proxy.ts naive UPSTREAM              node:http + an undici pool, parsing, stripping and re-serialising
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

/**
 * The gateway issue's "naive undici proxy that parses, filters and re-serializes": no routing, no
 * checks, no limits, the two undeclared fields of the bench records deleted by name. It is the
 * floor of what a Node proxy that must read every answer pays, and so what Leakproof's own
 * request path costs above it.
 */
async function startNaive(upstream: string): Promise<{ url: string; close(): Promise<void> }> {
  const { createServer } = await import('node:http');
  const { Pool } = await import('undici');
  const pool = new Pool(upstream, { connections: UPSTREAM_CONNECTIONS });
  const strip = (value: Record<string, unknown>): Record<string, unknown> => {
    delete value.internal_notes;
    if (Array.isArray(value.workouts)) for (const workout of value.workouts as Record<string, unknown>[]) delete workout.device_serial;
    return value;
  };
  const server = createServer((request, response) => {
    pool.request({ method: 'GET', path: request.url ?? '/' }).then(async (answer) => {
      const text = JSON.stringify(strip((await answer.body.json()) as Record<string, unknown>));
      response.writeHead(answer.statusCode, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
      response.end(text);
    }).catch(() => {
      response.writeHead(502).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as import('node:net').AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: async () => { server.close(); await pool.close(); } };
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
  : kind === 'naive' && first !== undefined ? await startNaive(first)
  : kind === 'leakproof' && first !== undefined && second !== undefined ? await startLeakproof(first, second)
  : undefined;
if (running === undefined) throw new Error('usage: gateway-proxy.ts fastify UPSTREAM | naive UPSTREAM | leakproof CONFIG UPSTREAM');
process.on('disconnect', () => {
  void running.close().finally(() => process.exit(0));
});
process.send({ url: running.url });
