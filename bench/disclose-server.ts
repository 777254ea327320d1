/**
 * The tracker's web service for bench/disclose.ts, in a process of its own so that it never shares
 * an event loop with the client measuring it: `node bench/disclose-server.ts STORE`. It is the
 * service as `leakproof disclose serve` builds it (without the minute-by-minute clock sweep, which
 * bench/disclose.ts measures on its own), with the intake and sign-in limits raised, plus two
 * baseline routes through the same fastify instance, plugins and hooks: GET /bench/static/NAME sends
 * a body the parent hands over by IPC, as it is, and POST /bench/accept parses a JSON body and
 * answers 201. It tells the parent `{ url }` when it listens.
 */
import type { LeakproofConfig } from '../src/core/config.ts';
import { loadConfig } from '../src/core/config.ts';
import { startDiscloseService } from '../src/disclose/service.ts';
import { buildDiscloseApp } from '../src/disclose/web/app.ts';

export interface StaticBody {
  name: string;
  type: string;
  body: string;
}

const [store = ''] = process.argv.slice(2);
const base = await loadConfig();
const config: LeakproofConfig = { ...base, document: { ...base.document, disclose: { organization: 'Example Fitness', limits: { reportsPerHour: 1_000_000, loginsPerMinute: 1000 } } } };
const service = await startDiscloseService(config, { store, onProblem: (message) => { process.stderr.write(`disclose-server: ${message}\n`); } });
const app = await buildDiscloseApp(service);
const statics = new Map<string, StaticBody>();
app.get<{ Params: { name: string } }>('/bench/static/:name', (request, reply) => {
  const found = statics.get(request.params.name);
  if (!found) return reply.status(404).send('no such static body');
  return reply.type(found.type).send(found.body);
});
// The intake's baseline: a JSON body parsed by the same instance, answered 201 at once.
app.post('/bench/accept', (_request, reply) => reply.status(201).send({ reference: 'VR-0', state: 'new' }));
process.on('message', (message: StaticBody | 'close') => {
  if (message === 'close') {
    void app.close().then(() => service.close()).then(() => { process.exit(0); });
    return;
  }
  statics.set(message.name, message);
  process.send?.({ stored: message.name });
});
const url = await app.listen({ port: 0, host: '127.0.0.1' });
service.settings.publicUrl = url;
process.send?.({ url });
