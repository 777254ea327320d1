/**
 * The scanner's benchmarks, each figure next to the baseline it is compared with, measured in the
 * same run. Every measurement runs in a fresh process (bench/scan-one.ts); servers run in
 * processes of their own (bench/scan-target.ts), on 127.0.0.1 only.
 *   1. A scan of the reference API in each mode, against the same requests sent by bare undici.
 *   2. The scan client's throughput against a trivial target, against a bare undici loop: both
 *      warmed up in one process, then measured in turns.
 *   3. Planning a synthetic API of 1,000 operations, against the plain parse of the same file.
 * Run: npm run bench (BENCH_RUNS=5 for more runs). BENCH_ONLY=reference, client or planning
 * runs one section alone (`BENCH_ONLY=client node bench/scan.ts`), for iterating on one of them.
 */
import { execFile, execFileSync, fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { stringify } from 'yaml';
import type { Mode } from '../src/reference-api/index.ts';
import { MODES } from '../src/reference-api/index.ts';
import { syntheticApi } from './scan-synthetic-api.ts';
import type { RecordedRequest, TargetReady } from './scan-target.ts';

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const SECTIONS = ['reference', 'client', 'planning'] as const;
const ONLY = process.env.BENCH_ONLY;
if (ONLY !== undefined && !(SECTIONS as readonly string[]).includes(ONLY)) throw new Error(`BENCH_ONLY must be one of ${SECTIONS.join(', ')}, not '${ONLY}'`);
const runs = (section: (typeof SECTIONS)[number]): boolean => ONLY === undefined || ONLY === section;
const execFileAsync = promisify(execFile);
/** Raised so that a scan of a loopback server measures the scanner, not its politeness. */
const RAISED_RATE = 1_000_000;
const DEFAULT_RATE = 10;
/** The mode scanned once at the default rate: the one a CI gate scans every day. */
const DEFAULT_RATE_MODE: Mode = 'fixed';
const CLIENT = { concurrencies: [4, 16], requests: 5000, warmup: 5000, target: 0.8, unthrottled: 1e9 };
const PLAN = { resources: 100, maxMs: 2000, maxMb: 300 };

type Sample = Record<string, number>;

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;
const medianOf = (samples: Sample[], key: string): number => median(samples.map((s) => s[key] ?? Number.NaN));
const fixed = (value: number, digits = 0): string => value.toFixed(digits);
const verdict = (met: boolean): string => (met ? 'met' : 'MISSED');

/** Runs a measurement script in a fresh process and reads the JSON it prints. */
function run(script: string, args: (string | number)[]): unknown {
  return JSON.parse(execFileSync(process.execPath, [join(import.meta.dirname, script), ...args.map(String)], { encoding: 'utf8' }));
}
const one = (script: string, args: (string | number)[]): Sample => run(script, args) as Sample;

async function startTarget(args: string[]): Promise<{ child: ChildProcess; ready: TargetReady }> {
  const child = fork(join(import.meta.dirname, 'scan-target.ts'), args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const ready = await new Promise<TargetReady>((resolve, reject) => {
    child.once('message', (message) => { resolve(message as TargetReady); });
    child.once('exit', (code) => { reject(new Error(`scan-target.ts ${args.join(' ')} exited with ${String(code)}`)); });
  });
  return { child, ready };
}

function recorded(child: ChildProcess): Promise<RecordedRequest[]> {
  return new Promise((resolve) => {
    child.once('message', (message) => { resolve((message as { recorded: RecordedRequest[] }).recorded); });
    child.send('recorded');
  });
}

async function referenceScans(dir: string): Promise<void> {
  console.log(`\n## 1. Scanning the reference API with its scan config (identities, concurrency 4), rate limit raised to ${RAISED_RATE.toLocaleString('en')}/s`);
  console.log('# baseline: the same requests (recorded by a proxy in an earlier scan), sent by a bare undici Pool at the same concurrency');
  console.log('mode | requests | findings | wall ms | of which prepare ms | scan ms | scan req/s | baseline ms | baseline req/s | scan / baseline time');
  for (const mode of MODES) {
    const { child, ready } = await startTarget(['reference', mode]);
    try {
      if (ready.proxyUrl === undefined) throw new Error('the reference target has no recording proxy');
      one('scan-one.ts', ['scan', ready.proxyUrl, RAISED_RATE]);
      const file = join(dir, `${mode}-requests.json`);
      writeFileSync(file, JSON.stringify(await recorded(child)));
      const scans: Sample[] = [];
      const replays: Sample[] = [];
      for (let round = 0; round < RUNS; round += 1) {
        scans.push(one('scan-one.ts', ['scan', ready.url, RAISED_RATE]));
        replays.push(one('scan-one.ts', ['replay', ready.url, medianOf(scans, 'concurrency'), file]));
      }
      const requests = medianOf(scans, 'requests');
      const scanMs = medianOf(scans, 'scanMs');
      const replayMs = medianOf(replays, 'ms');
      console.log([mode, requests, medianOf(scans, 'findings'), fixed(medianOf(scans, 'wallMs')), fixed(medianOf(scans, 'prepareMs')), fixed(scanMs), fixed((requests / scanMs) * 1000), fixed(replayMs), fixed((medianOf(replays, 'requests') / replayMs) * 1000), `${fixed(scanMs / replayMs, 2)}x`].join(' | '));
    } finally {
      child.disconnect();
    }
  }
}

/**
 * One scan at the default rate, started in the background: it waits 100 ms between requests, so
 * it can run alongside the planning benchmark (CPU-bound, one process at a time) and keep the
 * whole run within about two minutes.
 */
async function startSafeScan(): Promise<() => Promise<void>> {
  const { child, ready } = await startTarget(['reference', DEFAULT_RATE_MODE]);
  const scan = execFileAsync(process.execPath, [join(import.meta.dirname, 'scan-one.ts'), 'scan', ready.url, String(DEFAULT_RATE)], { encoding: 'utf8' });
  return async () => {
    try {
      const safe = JSON.parse((await scan).stdout) as Sample;
      console.log(`\n## 1b. The ${DEFAULT_RATE_MODE} reference API scanned once at the default, production-safe rate limit (${DEFAULT_RATE}/s), alongside section 3`);
      console.log('mode | requests | findings | wall ms | scan ms | scan req/s');
      console.log([DEFAULT_RATE_MODE, safe.requests, safe.findings, fixed(safe.wallMs ?? Number.NaN), fixed(safe.scanMs ?? Number.NaN), fixed(((safe.requests ?? 0) / (safe.scanMs ?? 1)) * 1000, 1)].join(' | '));
    } finally {
      child.disconnect();
    }
  };
}

async function clientThroughput(): Promise<void> {
  console.log(`\n## 2. Scan client against a trivial loopback target (its own process): ${CLIENT.requests} GETs a round, ${RUNS} rounds in turns after ${CLIENT.warmup} each to warm up`);
  console.log('# baseline: a bare undici Pool.request() loop at the same concurrency, reading the JSON body; ratios are the median of each round\'s own ratio');
  console.log(`# at ${CLIENT.unthrottled.toExponential()}/s the throttle never waits (now + 1e-6 ms rounds back to now): that row is the client without its rate gate`);
  console.log(`concurrency | client | req/s | throughput ratio | target >= ${CLIENT.target} | CPU µs/req | CPU ratio`);
  const { child, ready } = await startTarget(['trivial']);
  try {
    for (const concurrency of CLIENT.concurrencies) {
      const rates = [RAISED_RATE, CLIENT.unthrottled];
      const { rounds, failed } = run('scan-one.ts', ['clients', ready.url, concurrency, CLIENT.requests, CLIENT.warmup, RUNS, rates.join(',')]) as { rounds: Sample[]; failed: number };
      if (failed !== 0) throw new Error(`${String(failed)} requests failed`);
      const figure = (name: string, what: string): number => medianOf(rounds, `${name} ${what}`);
      const ratio = (name: string, what: string): number => median(rounds.map((round) => (round[`${name} ${what}`] ?? Number.NaN) / (round[`undici ${what}`] ?? Number.NaN)));
      console.log([concurrency, 'undici (baseline)', fixed(figure('undici', 'req/s')), '1', '', fixed(figure('undici', 'cpu')), '1'].join(' | '));
      for (const rate of rates) {
        const name = `leakproof@${rate}`;
        const throughput = ratio(name, 'req/s');
        console.log([concurrency, `leakproof, rate limit ${rate.toLocaleString('en')}/s`, fixed(figure(name, 'req/s')), fixed(throughput, 2), verdict(throughput >= CLIENT.target), fixed(figure(name, 'cpu')), `${fixed(ratio(name, 'cpu'), 2)}x`].join(' | '));
      }
    }
  } finally {
    child.disconnect();
  }
}

function planning(dir: string): void {
  const document = syntheticApi(PLAN.resources);
  const files = { json: join(dir, 'synthetic.json'), yaml: join(dir, 'synthetic.yaml') };
  writeFileSync(files.json, JSON.stringify(document, null, 2));
  writeFileSync(files.yaml, stringify(document, { aliasDuplicateObjects: false, lineWidth: 0 }));
  console.log(`\n## 3. Planning a synthetic API of ${PLAN.resources * 10} operations (loadApi + createClassifier + planOperations, module imports included)`);
  console.log('# baseline: the plain parser of the same file (JSON.parse / yaml parse), in a fresh process too');
  console.log(`format | size MB | operations | roles | baseline ms | baseline peak MB | leakproof ms (import + load + plan) | leakproof peak MB | < ${PLAN.maxMs} ms | < ${PLAN.maxMb} MB`);
  for (const [format, file] of Object.entries(files)) {
    const base: Sample[] = [];
    const ours: Sample[] = [];
    for (let round = 0; round < RUNS; round += 1) {
      base.push(one('load-one.ts', ['baseline', file]));
      ours.push(one('scan-one.ts', ['plan', file]));
    }
    const [first] = ours as [Sample & { roles?: Record<string, number> }];
    const roles = Object.entries(first.roles ?? {}).map(([kind, count]) => `${count} ${kind}`).join(', ');
    const ms = medianOf(ours, 'ms');
    const mb = medianOf(ours, 'maxRssMb');
    const split = `${fixed(ms)} (${fixed(medianOf(ours, 'importMs'))} + ${fixed(medianOf(ours, 'loadMs'))} + ${fixed(medianOf(ours, 'planMs'))})`;
    console.log([format, fixed(statSync(file).size / 1e6, 1), first.operations, roles, fixed(medianOf(base, 'ms')), fixed(medianOf(base, 'maxRssMb')), split, fixed(mb), verdict(ms < PLAN.maxMs), verdict(mb < PLAN.maxMb)].join(' | '));
  }
}

const started = performance.now();
console.log(`# Scanner benchmarks: median of ${RUNS} fresh processes; node ${process.version}, ${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores, ${fixed(totalmem() / 2 ** 30)} GiB, load average ${loadavg().map((l) => fixed(l, 2)).join(' ')}, ${new Date().toISOString()}`);
const dir = mkdtempSync(join(tmpdir(), 'leakproof-bench-'));
try {
  if (runs('reference')) await referenceScans(dir);
  if (runs('client')) await clientThroughput();
  // The default-rate scan belongs to section 1, but runs alongside section 3 to save its 25 s.
  const safeScanDone = runs('reference') ? await startSafeScan() : undefined;
  if (runs('planning')) planning(dir);
  await safeScanDone?.();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
console.log(`\n# done in ${fixed((performance.now() - started) / 1000, 1)} s; load average now ${loadavg().map((l) => fixed(l, 2)).join(' ')}`);
