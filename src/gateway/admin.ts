/**
 * The admin port, apart from the traffic port so that it can stay off the internet: Prometheus
 * `/metrics`, and `/healthz` (the process answers) for a load balancer or an orchestrator.
 */
import type { Server } from 'node:http';
import { createServer } from 'node:http';
/** Where the metrics come from: one gateway's registry, or all workers' aggregated. */
export interface MetricsSource {
  metrics(): Promise<string>;
  contentType: string;
}

/**
 * @example
 * ```ts
 * createAdminServer(gateway.metrics.registry).listen(9091, '127.0.0.1');
 * ```
 */
export function createAdminServer(source: MetricsSource): Server {
  return createServer({ requestTimeout: 10_000 }, (request, response) => {
    const path = (request.url ?? '').split('?')[0];
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    if (path === '/healthz') {
      response.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end('{"status":"ok"}');
      return;
    }
    if (path !== '/metrics') {
      response.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
      return;
    }
    source.metrics().then(
      (text) => { response.writeHead(200, { 'content-type': source.contentType, 'cache-control': 'no-store' }).end(text); },
      () => { response.writeHead(500).end(); },
    );
  });
}
