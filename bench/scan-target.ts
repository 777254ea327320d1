/**
 * A target for the scan benchmarks, in a process of its own so that the server's work never shares
 * an event loop with the client being measured:
 *   node bench/scan-target.ts trivial           a node:http server answering a small JSON body
 *   node bench/scan-target.ts reference MODE    the reference API, plus a recording proxy in front
 * It listens on 127.0.0.1:0, sends `{ url, proxyUrl? }` to the parent over IPC, and exits when
 * the parent disconnects. Asked `'recorded'`, it answers with every request the proxy forwarded since it was
 * last asked, bodies and credentials included, so that the bare-undici baseline can replay a scan exactly.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';
import type { Mode } from '../src/reference-api/index.ts';
import { startReferenceApi } from '../src/reference-api/index.ts';

/** One request as the scanner sent it. */
export interface RecordedRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string | undefined;
}

export interface TargetReady {
  url: string;
  proxyUrl?: string;
}

const TRIVIAL_BODY = JSON.stringify({ id: '3f2a9c1e', username: 'bench', location: 'Loopback', is_profile_private: false });

async function listen(listener: RequestListener): Promise<string> {
  const server = createServer({ keepAliveTimeout: 10_000 }, listener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function readBody(message: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    message.on('data', (chunk: Buffer) => chunks.push(chunk));
    message.on('end', () => { resolve(chunks.length > 0 ? Buffer.concat(chunks).toString('utf8') : undefined); });
    message.on('error', reject);
  });
}

/** Forwards every request to `upstream` untouched and writes it down. */
function recordingProxy(upstream: string, recorded: RecordedRequest[]): RequestListener {
  return (incoming, outgoing) => {
    void (async () => {
      const body = await readBody(incoming);
      const headers = Object.fromEntries(Object.entries(incoming.headers).filter(([name, value]) => typeof value === 'string' && name !== 'host' && name !== 'connection')) as Record<string, string>;
      const sent: RecordedRequest = { method: incoming.method ?? 'GET', path: incoming.url ?? '/', headers, body };
      recorded.push(sent);
      const answer = await request(`${upstream}${sent.path}`, { method: sent.method, headers, body: body ?? null });
      const text = await answer.body.text();
      outgoing.writeHead(answer.statusCode, { 'content-type': String(answer.headers['content-type'] ?? 'application/json') });
      outgoing.end(text);
    })().catch(() => {
      outgoing.writeHead(502);
      outgoing.end();
    });
  };
}

async function start(kind: string | undefined, mode: string | undefined): Promise<{ ready: TargetReady; recorded: RecordedRequest[] }> {
  const recorded: RecordedRequest[] = [];
  if (kind === 'trivial') {
    const url = await listen((_, response) => {
      response.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(TRIVIAL_BODY) });
      response.end(TRIVIAL_BODY);
    });
    return { ready: { url }, recorded };
  }
  if (kind === 'reference' && mode !== undefined) {
    const api = await startReferenceApi({ mode: mode as Mode });
    return { ready: { url: api.url, proxyUrl: await listen(recordingProxy(api.url, recorded)) }, recorded };
  }
  throw new Error('usage: scan-target.ts trivial | reference MODE');
}

if (process.send === undefined) throw new Error('scan-target.ts runs as a child of bench/scan.ts (child_process.fork)');
const { ready, recorded } = await start(process.argv[2], process.argv[3]);
process.on('message', (message) => {
  if (message === 'recorded') process.send?.({ recorded: recorded.splice(0) });
});
process.on('disconnect', () => process.exit(0));
process.send(ready);
