/**
 * The upstream of bench/gateway.ts, in a process of its own: `GET /api/user/{id}?kb=1|10|100`
 * answers person `id`'s record (bench/gateway-people.ts) at that size, and
 * `GET /.well-known/jwks.json` the public key of the bench's tokens (given as argv[2]), for the
 * gateway's full policy. Records are serialised once at start, so the upstream's own cost per
 * request is small and the same for every server measured in front of it.
 *
 * It listens on 127.0.0.1:0, sends `{ url }` to the parent over IPC, and exits when the parent
 * disconnects.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PEOPLE, person, personId, SIZES_KB } from './gateway-people.ts';

const keySet = process.argv[2];
if (process.send === undefined || keySet === undefined) throw new Error('gateway-upstream.ts runs as a child of bench/gateway.ts, with the JWKS as its argument');

const answers = new Map<string, Buffer>();
for (let n = 0; n < PEOPLE; n += 1) {
  for (const kb of SIZES_KB) answers.set(`/api/user/${personId(n)}?kb=${kb}`, Buffer.from(JSON.stringify(person(n, kb))));
}
const jwks = Buffer.from(keySet);
const notFound = Buffer.from(JSON.stringify({ error: 'not found' }));

const server = createServer({ keepAliveTimeout: 60_000 }, (request, response) => {
  const url = request.url ?? '';
  const body = url === '/.well-known/jwks.json' ? jwks : answers.get(url.includes('?') ? url : `${url}?kb=1`);
  response.writeHead(body ? 200 : 404, { 'content-type': 'application/json', 'content-length': (body ?? notFound).length });
  response.end(body ?? notFound);
});
server.listen(0, '127.0.0.1', () => {
  process.send?.({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
});
process.on('disconnect', () => process.exit(0));
