/**
 * One measurement of the scan benchmarks, in a fresh process so that its timings and peak memory
 * are its own (bench/scan.ts starts it and reads the JSON line it prints):
 *   node bench/scan-one.ts scan TARGET RATE               a scan of the reference API (its scan config)
 *   node bench/scan-one.ts replay TARGET CONCURRENCY FILE the requests of a scan, sent by bare undici
 *   node bench/scan-one.ts client leakproof|undici TARGET CONCURRENCY REQUESTS WARMUP
 *   node bench/scan-one.ts plan FILE                      loadApi + createClassifier + planOperations
 */
import { readFileSync } from 'node:fs';
import { Pool } from 'undici';
import type { RecordedRequest } from './scan-target.ts';

// Leakproof's modules are imported by the measurement that needs them, so that each process
// loads only what it measures (the bare-undici ones load none of them).

/** The path the client benchmark asks for: a person's record, as a scan would. */
export const CLIENT_PATH = '/api/user/3f2a9c1e';

/** Runs `count` calls of `send` with `concurrency` of them in flight; resolves with the elapsed ms. */
async function loop(count: number, concurrency: number, send: (index: number) => Promise<void>): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < count) await send(next++);
  }));
  return performance.now() - started;
}

async function scan(target: string, rate: number): Promise<object> {
  const started = performance.now();
  const { loadConfig } = await import('../src/core/config.ts');
  const { referenceApiScanConfigPath } = await import('../src/reference-api/index.ts');
  const { executeScan, prepareScan, scanConfig } = await import('../src/scan/index.ts');
  const config = await loadConfig(referenceApiScanConfigPath);
  const settings = scanConfig(config, { target });
  settings.safety.rateLimit = rate;
  const prepared = await prepareScan(settings, config.personalData);
  const planned = performance.now();
  const { findings, summary } = await executeScan(prepared, settings);
  const ended = performance.now();
  return { prepareMs: planned - started, scanMs: ended - planned, wallMs: ended - started, requests: summary.requests, findings: findings.length, concurrency: settings.safety.concurrency };
}

async function replay(target: string, concurrency: number, file: string): Promise<object> {
  const recorded = JSON.parse(readFileSync(file, 'utf8')) as RecordedRequest[];
  const pool = new Pool(target, { connections: concurrency });
  const ms = await loop(recorded.length, concurrency, async (index) => {
    const sent = recorded[index];
    if (sent === undefined) return;
    const answer = await pool.request({ method: sent.method, path: sent.path, headers: sent.headers, body: sent.body ?? null });
    await answer.body.text();
  });
  await pool.close();
  return { ms, requests: recorded.length };
}

/** One request sender per client, both reading and parsing the JSON body as a scan does. */
async function client(kind: string, target: string, concurrency: number, requests: number, warmup: number): Promise<object> {
  let send: () => Promise<number>;
  let close: () => Promise<void>;
  if (kind === 'leakproof') {
    const { createScanClient } = await import('../src/scan/http/index.ts');
    // Budget and rate out of the way: this measures the client's own cost per request.
    const scanClient = createScanClient({ target, concurrency, rateLimit: 1e9, budget: requests + warmup });
    send = async () => (await scanClient.send({ method: 'GET', path: CLIENT_PATH })).response?.status ?? 0;
    close = () => scanClient.close();
  } else if (kind === 'undici') {
    const pool = new Pool(target, { connections: concurrency });
    send = async () => {
      const answer = await pool.request({ method: 'GET', path: CLIENT_PATH });
      await answer.body.json();
      return answer.statusCode;
    };
    close = () => pool.close();
  } else throw new Error(`unknown client ${kind}`);
  let failed = 0;
  const counted = async (): Promise<void> => {
    if ((await send()) !== 200) failed += 1;
  };
  await loop(warmup, concurrency, counted);
  const cpu = process.cpuUsage();
  const ms = await loop(requests, concurrency, counted);
  const { user, system } = process.cpuUsage(cpu);
  await close();
  return { ms, reqPerSec: (requests / ms) * 1000, cpuUsPerRequest: (user + system) / requests, failed };
}

/** Timed from before the modules are imported: a `--dry-run` pays for them too. */
async function plan(file: string): Promise<object> {
  const started = performance.now();
  const { loadApi } = await import('../src/core/load.ts');
  const { createClassifier } = await import('../src/core/personal-data/index.ts');
  const { planOperations } = await import('../src/scan/plan.ts');
  const imported = performance.now();
  const api = await loadApi(file);
  const loaded = performance.now();
  const planned = planOperations(api, createClassifier(), { allowWrites: false, allowOperations: new Set() });
  const ended = performance.now();
  const roles: Record<string, number> = {};
  for (const role of planned.flatMap((p) => p.roles)) roles[role.kind] = (roles[role.kind] ?? 0) + 1;
  return { ms: ended - started, importMs: imported - started, loadMs: loaded - imported, planMs: ended - loaded, operations: planned.length, roles, diagnostics: api.diagnostics.length };
}

async function measure(args: string[]): Promise<object> {
  const [what, a, b, c, d, e] = args;
  if (what === 'scan' && a !== undefined) return scan(a, Number(b));
  if (what === 'replay' && a !== undefined && c !== undefined) return replay(a, Number(b), c);
  if (what === 'client' && a !== undefined && b !== undefined) return client(a, b, Number(c), Number(d), Number(e));
  if (what === 'plan' && a !== undefined) return plan(a);
  throw new Error('usage: see the head of bench/scan-one.ts');
}

const result = await measure(process.argv.slice(2));
process.stdout.write(`${JSON.stringify({ ...result, maxRssMb: process.resourceUsage().maxRSS / 1024 })}\n`);
