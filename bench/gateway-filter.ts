/**
 * What the gateway's filtering costs by itself, without sockets, for bench/gateway.ts: the
 * policy's `filterAnswer` (records, views, undeclared fields stripped) on the bench's records at
 * 1, 10 and 100 KB, against the JSON parse and serialisation around it on the request path.
 *   node bench/gateway-filter.ts CONFIG     bench/CONFIG's policy for getUser; prints one JSON line
 * Each figure is the median of 5 timed rounds after 2 to warm up; the rounds go through all the
 * bench's people, so every view of the policy is taken.
 */
import { join } from 'node:path';
import { loadConfig } from '../src/core/config.ts';
import { prepareGateway } from '../src/gateway/index.ts';
import type { OperationPolicy } from '../src/gateway/policy.ts';
import { filterAnswer } from '../src/gateway/policy.ts';
import { CALLER, PEOPLE, person, personId, SIZES_KB } from './gateway-people.ts';

const ROUNDS = { warmup: 2, timed: 5 };
/** Requests per round, about 0.2–0.5 s of work on this machine kind; a quarter with BENCH_QUICK=1. */
const PER_ROUND = { 1: 20_000, 10: 4_000, 100: 400 } as const;
const SHARE = process.env.BENCH_QUICK === '1' ? 0.25 : 1;

const file = process.argv[2];
if (file === undefined) throw new Error('usage: gateway-filter.ts CONFIG');
// No request reaches the upstream, and the access log is not opened: only the compiled policy is used.
const config = await loadConfig(join(import.meta.dirname, file), { ...process.env, BENCH_UPSTREAM: 'http://127.0.0.1:9', BENCH_ACCESS_LOG: 'unused.db' });
const prepared = await prepareGateway(config);
const found = prepared.policies.get('getUser');
if (!found) throw new Error(`${file} has no policy for getUser`);
const policy: OperationPolicy = found;
const principal = { authenticated: true, kind: 'jwt', sub: CALLER, roles: [], claims: {} };

async function round(bodies: readonly Buffer[], requests: number, filter: boolean): Promise<number> {
  const started = process.hrtime.bigint();
  for (let index = 0; index < requests; index += 1) {
    const n = index % PEOPLE;
    const json: unknown = JSON.parse((bodies[n] ?? Buffer.alloc(0)).toString('utf8'));
    const request = { method: 'GET', path: `/api/user/${personId(n)}`, params: { id: personId(n) }, query: {}, operation: 'getUser' };
    JSON.stringify(filter ? (await filterAnswer(policy, json, { principal, request }, 200)).body : json);
  }
  return Number(process.hrtime.bigint() - started) / 1000 / requests;
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;
const results: Record<string, { jsonUs: number; filterUs: number }> = {};
for (const kb of SIZES_KB) {
  const bodies = Array.from({ length: PEOPLE }, (_, n) => Buffer.from(JSON.stringify(person(n, kb))));
  const bare: number[] = [];
  const filtered: number[] = [];
  for (let index = 0; index < ROUNDS.warmup + ROUNDS.timed; index += 1) {
    const withFilter = await round(bodies, PER_ROUND[kb] * SHARE, true);
    const without = await round(bodies, PER_ROUND[kb] * SHARE, false);
    if (index < ROUNDS.warmup) continue;
    filtered.push(withFilter);
    bare.push(without);
  }
  results[kb] = { jsonUs: median(bare), filterUs: median(filtered) - median(bare) };
}
await prepared.upstream.close();
console.log(JSON.stringify(results));
