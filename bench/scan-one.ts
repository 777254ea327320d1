/**
 * One measurement of the scan benchmarks, in a fresh process so that its timings and peak memory
 * are its own (bench/scan.ts starts it and reads the JSON line it prints):
 *   node bench/scan-one.ts scan TARGET RATE               a scan of the reference API (its scan config)
 *   node bench/scan-one.ts replay TARGET CONCURRENCY FILE the requests of a scan, sent by bare undici
 *   node bench/scan-one.ts clients TARGET CONCURRENCY REQUESTS WARMUP ROUNDS RATE[,RATE...]
 *                                                         bare undici against the scan client at each rate
 *   node bench/scan-one.ts plan FILE                      loadApi + createClassifier + planOperations
 */
import { readFileSync } from 'node:fs';
import { Pool } from 'undici';
import type { RecordedRequest } from './scan-target.ts';

// Leakproof's modules are imported by the measurement that needs them, so that each process
// loads only what it measures (the bare-undici ones load none of them).

/** The path the client benchmark asks for: a person's record, as a scan would. */
const CLIENT_PATH = '/api/user/3f2a9c1e';

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

type Sender = { name: string; send: () => Promise<number>; close: () => Promise<void> };

/** A bare undici Pool, reading and parsing the JSON body as the scan client does. */
function bareUndici(target: string, concurrency: number): Sender {
  const pool = new Pool(target, { connections: concurrency });
  const send = async (): Promise<number> => {
    const answer = await pool.request({ method: 'GET', path: CLIENT_PATH });
    await answer.body.json();
    return answer.statusCode;
  };
  return { name: 'undici', send, close: () => pool.close() };
}

async function scanClient(target: string, concurrency: number, rateLimit: number): Promise<Sender> {
  const { createScanClient } = await import('../src/scan/http/index.ts');
  // The budget out of the way too: this measures the client's own cost per request.
  const client = createScanClient({ target, concurrency, rateLimit, budget: Number.MAX_SAFE_INTEGER });
  const send = async (): Promise<number> => (await client.send({ method: 'GET', path: CLIENT_PATH })).response?.status ?? 0;
  return { name: `leakproof@${rateLimit}`, send, close: () => client.close() };
}

/**
 * The bare loop and the scan client at each rate, warmed up, then measured in turns, `rounds`
 * times: the senders of one round run seconds apart, so they meet the same machine load.
 */
async function clients(target: string, concurrency: number, requests: number, warmup: number, rounds: number, rates: number[]): Promise<object> {
  const senders = [bareUndici(target, concurrency), ...(await Promise.all(rates.map((rate) => scanClient(target, concurrency, rate))))];
  let failed = 0;
  const counted = (sender: Sender) => async (): Promise<void> => {
    if ((await sender.send()) !== 200) failed += 1;
  };
  for (const sender of senders) await loop(warmup, concurrency, counted(sender));
  const samples: Record<string, number>[] = [];
  for (let round = 0; round < rounds; round += 1) {
    const sample: Record<string, number> = {};
    // Rotate who goes first, so that none always meets the others' garbage.
    for (const sender of senders.map((_, i) => senders[(i + round) % senders.length] as Sender)) {
      const cpu = process.cpuUsage();
      const ms = await loop(requests, concurrency, counted(sender));
      const { user, system } = process.cpuUsage(cpu);
      sample[`${sender.name} req/s`] = (requests / ms) * 1000;
      sample[`${sender.name} cpu`] = (user + system) / requests;
    }
    samples.push(sample);
  }
  await Promise.all(senders.map((sender) => sender.close()));
  return { rounds: samples, failed };
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
  const [what, a, b, c, d, e, f] = args;
  if (what === 'scan' && a !== undefined) return scan(a, Number(b));
  if (what === 'replay' && a !== undefined && c !== undefined) return replay(a, Number(b), c);
  if (what === 'clients' && a !== undefined && f !== undefined) return clients(a, Number(b), Number(c), Number(d), Number(e), f.split(',').map(Number));
  if (what === 'plan' && a !== undefined) return plan(a);
  throw new Error('usage: see the head of bench/scan-one.ts');
}

const result = await measure(process.argv.slice(2));
process.stdout.write(`${JSON.stringify({ ...result, maxRssMb: process.resourceUsage().maxRSS / 1024 })}\n`);
