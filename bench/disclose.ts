/**
 * The disclosure tracker's benchmarks, in SQLite and in PostgreSQL (127.0.0.1:5432,
 * LEAKPROOF_BENCH_POSTGRES; a schema of its own per store, dropped at the end), each figure next to
 * a baseline measured in the same run:
 *   1. Page render with 10,000 cases, over HTTP against the service in a process of its own
 *      (bench/disclose-server.ts): the staff case list, a case page, the metrics page, the
 *      reporter's tracking page and the API's case list, one request at a time, in turns. Baseline:
 *      the same fastify instance (same plugins and hooks) sending the same bytes from memory.
 *   2. Intake: POST /api/v1/reports at a fixed 100/s for 60 s, against the same server; every 201
 *      must be a case in the store afterwards, and the audit trail must verify. Baseline: a POST
 *      route of the same instance that parses the same bodies and answers 201 at once.
 *   3. The clock sweep over 100,000 open cases: the first sweep (which inserts the notices), a
 *      steady-state sweep (nothing new) and a sweep by a new Sweeper (as after a restart). Baseline:
 *      reading the same columns of the same cases, in the same pages, with no clocks.
 * Stores are seeded with batched inserts (bench/disclose-seed.ts), the trail hash-chained as the
 * tracker chains it. Run: node bench/disclose.ts (also the last part of npm run bench).
 * BENCH_QUICK=1 for a short run while developing; BENCH_ONLY=render, intake or sweep for one
 * section (intake seeds the render store); BENCH_STORES=sqlite or postgres for one store;
 * BENCH_RUNS for the number of fresh processes per sweep figure (median; default 3);
 * BENCH_PROFILE=DIR writes a CPU profile of each sweep process there.
 */
import { execFileSync, fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'kysely';
import pg from 'pg';
import { Pool } from 'undici';
import { compileClockPolicy } from '../src/disclose/clocks.ts';
import { caseReference } from '../src/disclose/model.ts';
import { openDatabase } from '../src/disclose/store/database.ts';
import { migrate } from '../src/disclose/store/migrations.ts';
import { verifyTrail } from '../src/disclose/store/trail.ts';
import { Sweeper } from '../src/disclose/sweep.ts';
import { Tracker } from '../src/disclose/tracker.ts';
import type { Seeded, SeedOptions } from './disclose-seed.ts';
import { random } from '../test/fixtures/random.ts';
import { ADMIN, seedStore } from './disclose-seed.ts';
import type { StaticBody } from './disclose-server.ts';

const QUICK = process.env.BENCH_QUICK === '1';
const RUNS = Number(process.env.BENCH_RUNS ?? (QUICK ? 1 : 3));
const POSTGRES = process.env.LEAKPROOF_BENCH_POSTGRES ?? 'postgres://postgres@127.0.0.1:5432/test';
const RENDER = { cases: 10_000, warmup: QUICK ? 10 : 30, requests: QUICK ? 60 : 300, targetMs: 50 };
const INTAKE = { rate: 100, seconds: QUICK ? 10 : 60, baselineSeconds: QUICK ? 5 : 15 };
const SWEEP = { cases: QUICK ? 20_000 : 100_000, targetMs: 1000, steady: 3 };
const SECTIONS = ['render', 'intake', 'sweep'] as const;
const STORES = ['sqlite', 'postgres'] as const;
type StoreKind = (typeof STORES)[number];
const only = (process.env.BENCH_ONLY ?? SECTIONS.join(',')).split(',');
const stores = (process.env.BENCH_STORES ?? STORES.join(',')).split(',') as StoreKind[];
for (const s of only) if (!(SECTIONS as readonly string[]).includes(s)) throw new Error(`BENCH_ONLY must name ${SECTIONS.join(', ')}, not '${s}'`);
for (const s of stores) if (!(STORES as readonly string[]).includes(s)) throw new Error(`BENCH_STORES must name ${STORES.join(', ')}, not '${s}'`);

type Sample = Record<string, number>;

const load = (): string => loadavg()[0]?.toFixed(2) ?? '?';
const n = (value: number | undefined, digits = 0): string => (value ?? Number.NaN).toLocaleString('en', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const verdict = (met: boolean): string => (met ? 'met' : '**missed**');
const percentile = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(sorted.length * p) - 1))] ?? Number.NaN;
const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;
/** Progress on a terminal, on one line of stderr; nothing when piped. */
const progress = (text: string): void => {
  if (process.stderr.isTTY) process.stderr.write(`\r\x1b[K# ${text}`);
};
const done = (): void => {
  if (process.stderr.isTTY) process.stderr.write('\r\x1b[K');
};

/** CPU time (user + system) of another process so far, in ms, from /proc (clock ticks of 10 ms: summed over many requests, not one). */
function cpuMs(pid: number | undefined): number {
  const fields = readFileSync(`/proc/${String(pid)}/stat`, 'utf8').replace(/^.*\) /s, '').split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

// ——— Stores ———

const schemaPrefix = `leakproof_bench_disclose_${String(process.pid)}_`;
const tempDirs: string[] = [];

function freshStore(kind: StoreKind, name: string): string {
  if (kind === 'postgres') return `${POSTGRES}?schema=${schemaPrefix}${name}`;
  const dir = mkdtempSync(join(tmpdir(), 'leakproof-bench-disclose-'));
  tempDirs.push(dir);
  return `sqlite:${join(dir, 'disclose.db')}`;
}

async function dropStores(): Promise<void> {
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  if (!stores.includes('postgres')) return;
  const client = new pg.Client({ connectionString: POSTGRES });
  await client.connect();
  try {
    const { rows } = await client.query<{ nspname: string }>('SELECT nspname FROM pg_namespace WHERE starts_with(nspname, $1)', [schemaPrefix]);
    for (const { nspname } of rows) await client.query(`DROP SCHEMA "${nspname}" CASCADE`);
  } finally {
    await client.end();
  }
}

/** Runs a mode of this file in a fresh process and reads the JSON it prints last. */
function child(mode: string, args: (string | number)[], nodeOptions: string[] = []): unknown {
  const out = execFileSync(process.execPath, [...nodeOptions, import.meta.filename, mode, ...args.map(String)], { encoding: 'utf8', maxBuffer: 64 << 20, stdio: ['ignore', 'pipe', 'inherit'] });
  return JSON.parse(out.trim().split('\n').at(-1) ?? 'null');
}

function seed(store: string, options: SeedOptions): Seeded & { ms: number } {
  return child('seed', [store, JSON.stringify(options)]) as Seeded & { ms: number };
}

// ——— The server and an HTTP client ———

interface Server {
  url: string;
  process: ChildProcess;
  setStatic(body: StaticBody): Promise<void>;
  close(): Promise<void>;
}

async function startServer(store: string): Promise<Server> {
  const proc = fork(join(import.meta.dirname, 'disclose-server.ts'), [store], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const url = await new Promise<string>((resolve, reject) => {
    proc.once('message', (message) => { resolve((message as { url: string }).url); });
    proc.once('exit', (code) => { reject(new Error(`disclose-server.ts exited with ${String(code)}`)); });
  });
  return {
    url,
    process: proc,
    setStatic: (body) => new Promise((resolve) => {
      proc.once('message', () => { resolve(); });
      proc.send(body);
    }),
    close: () => new Promise((resolve) => {
      proc.once('exit', () => { resolve(); });
      proc.send('close');
    }),
  };
}

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  ms: number;
}

async function send(pool: Pool, method: 'GET' | 'POST', path: string, headers: Record<string, string> = {}, body?: string): Promise<Answer> {
  const started = performance.now();
  const answer = await pool.request({ method, path, headers, body });
  const text = await answer.body.text();
  return { status: answer.statusCode, headers: answer.headers, body: text, ms: performance.now() - started };
}

/** Signs in through the login form, as a browser does: GET /login for the CSRF cookie and field, then POST it. */
async function signIn(pool: Pool): Promise<string> {
  const form = await send(pool, 'GET', '/login');
  const cookies = cookiesOf(form.headers);
  const csrf = /name="_csrf" value="([^"]+)"/.exec(form.body)?.[1] ?? '';
  const body = new URLSearchParams({ _csrf: csrf, email: ADMIN.email, password: ADMIN.password }).toString();
  const answer = await send(pool, 'POST', '/login', { cookie: cookies, 'content-type': 'application/x-www-form-urlencoded' }, body);
  if (answer.status !== 303) throw new Error(`signing in answered ${String(answer.status)}: ${answer.body.slice(0, 200)}`);
  return `${cookies}; ${cookiesOf(answer.headers)}`;
}

function cookiesOf(headers: Answer['headers']): string {
  const set = headers['set-cookie'];
  return (Array.isArray(set) ? set : set === undefined ? [] : [set]).map((c) => c.split(';')[0]).join('; ');
}

// ——— 1. Page render ———

interface PageResult {
  name: string;
  bytes: number;
  page: number[];
  baseline: number[];
  /** The server process's CPU ms over the page's (baseline's) requests. */
  pageCpu: number;
  baselineCpu: number;
  load: string;
}

async function renderSection(kind: StoreKind, server: Server, seeded: Seeded): Promise<PageResult[]> {
  const pool = new Pool(server.url, { connections: 1, pipelining: 1 });
  try {
    const cookie = await signIn(pool);
    const staff = { cookie };
    const api = { authorization: `Bearer ${seeded.apiToken}` };
    const next = random(7);
    const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)] as T;
    const pages: { name: string; path: () => string; headers: Record<string, string> }[] = [
      { name: 'staff case list (/cases, open, up to 500)', path: () => '/cases', headers: staff },
      { name: 'case page (/cases/:id, 3–6 messages)', path: () => `/cases/${String(pick(seeded.threaded))}`, headers: staff },
      { name: 'metrics (/metrics)', path: () => '/metrics', headers: staff },
      { name: "reporter's tracking page (/track/:token)", path: () => `/track/${pick(seeded.tokens)}`, headers: {} },
      { name: 'API case list (GET /api/v1/cases, 100)', path: () => '/api/v1/cases', headers: api },
    ];
    const results: PageResult[] = [];
    // One body of each page becomes its baseline: the same bytes, sent by the same instance from memory.
    for (const [i, p] of pages.entries()) {
      const first = await send(pool, 'GET', p.path(), p.headers);
      if (first.status !== 200) throw new Error(`${p.name} answered ${String(first.status)}: ${first.body.slice(0, 300)}`);
      const type = String(first.headers['content-type'] ?? 'text/html; charset=utf-8');
      await server.setStatic({ name: `page${String(i)}`, type, body: first.body });
      results.push({ name: p.name, bytes: Buffer.byteLength(first.body), page: [], baseline: [], pageCpu: 0, baselineCpu: 0, load: '' });
    }
    const measure = async (count: number, keep: boolean): Promise<void> => {
      for (let round = 0; round < count; round += 1) {
        progress(`${kind}: page render ${keep ? 'round' : 'warm-up'} ${String(round + 1)}/${String(count)}, load ${load()}`);
        for (const [i, p] of pages.entries()) {
          // In turns, each page right after (or before) its baseline, so that both meet the same load.
          const order = round % 2 === 0 ? ['page', 'baseline'] : ['baseline', 'page'];
          for (const which of order) {
            const cpu = cpuMs(server.process.pid);
            const answer = which === 'page' ? await send(pool, 'GET', p.path(), p.headers) : await send(pool, 'GET', `/bench/static/page${String(i)}`);
            if (answer.status !== 200) throw new Error(`${p.name} (${which}) answered ${String(answer.status)}`);
            const result = results[i];
            if (keep && result) {
              (which === 'page' ? result.page : result.baseline).push(answer.ms);
              if (which === 'page') result.pageCpu += cpuMs(server.process.pid) - cpu;
              else result.baselineCpu += cpuMs(server.process.pid) - cpu;
            }
          }
        }
      }
    };
    await measure(RENDER.warmup, false);
    const before = load();
    await measure(RENDER.requests, true);
    for (const r of results) r.load = `${before}–${load()}`;
    return results;
  } finally {
    await pool.close();
  }
}

function printRender(kind: StoreKind, results: PageResult[]): void {
  console.log(`\n### Page render, ${kind}: ${n(RENDER.cases)} cases, ${n(RENDER.requests)} requests per page after ${n(RENDER.warmup)} warm-up, one at a time`);
  console.log('page | KB | p50 ms | p95 ms | p99 ms | baseline p50 ms | baseline p95 ms | p95 added ms | p95 / baseline p95 | server CPU ms/req (baseline) | load (1 min) | target p95 < 50 ms');
  console.log('--- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---');
  for (const r of results) {
    const page = [...r.page].sort((a, b) => a - b);
    const base = [...r.baseline].sort((a, b) => a - b);
    const p95 = percentile(page, 0.95);
    const b95 = percentile(base, 0.95);
    console.log(`${r.name} | ${n(r.bytes / 1024, 1)} | ${n(percentile(page, 0.5), 2)} | ${n(p95, 2)} | ${n(percentile(page, 0.99), 2)} | ${n(percentile(base, 0.5), 2)} | ${n(b95, 2)} | ${n(p95 - b95, 2)} | ${n(p95 / b95, 1)}x | ${n(r.pageCpu / r.page.length, 1)} (${n(r.baselineCpu / r.baseline.length, 1)}) | ${r.load} | ${verdict(p95 < RENDER.targetMs)}`);
  }
}

// ——— 2. Intake ———

interface IntakeResult {
  sent: number;
  created: number;
  statuses: Record<string, number>;
  seconds: number;
  achieved: number;
  p50: number;
  p99: number;
  max: number;
  references: string[];
  /** The server process's CPU ms per request over the run. */
  cpuPerRequest: number;
  load: string;
}

function reportBody(i: number, next: () => number): string {
  const assets = ['GET /api/user/{id}', 'POST /stats/workouts/details', 'POST /graphql', 'GET /api/user/search/{q}'];
  const asset = assets[i % assets.length] ?? '';
  return JSON.stringify({
    title: `Intake ${String(i)}: ${asset} returns private data`,
    asset,
    description: `Calling ${asset} with another member's id returns their private profile. `.repeat(2 + Math.floor(next() * 10)),
    steps: `1. curl https://api.example.com${asset.replace(/^\w+ /, '')}\n2. Read the birthday and location of rider ${String(Math.floor(next() * 1e6))}.`,
    impact: 'Anyone can collect the personal data of every rider.',
    contact: next() < 0.3 ? null : `intake${String(i)}@example.org`,
  });
}

/** Sends at a fixed rate whatever the answers do (open loop); latency counts from each request's planned start. */
async function fixedRate(url: string, pid: number | undefined, path: string, seconds: number, label: string): Promise<IntakeResult> {
  const pool = new Pool(url, { connections: 64, pipelining: 1 });
  const total = INTAKE.rate * seconds;
  const interval = 1000 / INTAKE.rate;
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  const references: string[] = [];
  const next = random(11);
  const bodies = Array.from({ length: total }, (_, i) => reportBody(i, next));
  const before = load();
  const cpu = cpuMs(pid);
  const start = performance.now() + 50;
  let lastAnswer = start;
  const inFlight: Promise<void>[] = [];
  for (let i = 0; i < total; i += 1) {
    const planned = start + i * interval;
    const wait = planned - performance.now();
    if (wait > 1) await sleep(wait);
    if (i % INTAKE.rate === 0) progress(`${label}: ${String(i / INTAKE.rate)}/${String(seconds)} s, ${String(statuses['201'] ?? 0)} created, load ${load()}`);
    inFlight.push(pool.request({ method: 'POST', path, headers: { 'content-type': 'application/json' }, body: bodies[i] }).then(async (answer) => {
      const text = await answer.body.text();
      const now = performance.now();
      lastAnswer = Math.max(lastAnswer, now);
      latencies.push(now - planned);
      statuses[answer.statusCode] = (statuses[answer.statusCode] ?? 0) + 1;
      if (answer.statusCode === 201) references.push((JSON.parse(text) as { reference?: string }).reference ?? '');
    }, (error: unknown) => {
      statuses[(error as Error).name] = (statuses[(error as Error).name] ?? 0) + 1;
    }));
  }
  await Promise.all(inFlight);
  const cpuPerRequest = (cpuMs(pid) - cpu) / total;
  await pool.close();
  latencies.sort((a, b) => a - b);
  const created = statuses['201'] ?? 0;
  const secondsTaken = (lastAnswer - start) / 1000;
  return { sent: total, created, statuses, seconds: secondsTaken, achieved: created / secondsTaken, p50: percentile(latencies, 0.5), p99: percentile(latencies, 0.99), max: latencies.at(-1) ?? Number.NaN, references, cpuPerRequest, load: `${before}–${load()}` };
}

interface StoreCheck {
  newCases: number;
  matching: boolean;
  events: number;
  expectedEvents: number;
  broken: string;
  verifyMs: number;
}

async function checkStore(store: string, seeded: Seeded, result: IntakeResult): Promise<StoreCheck> {
  const database = await openDatabase(store);
  try {
    const rows = await database.db.selectFrom('cases').select('id').where('id', '>', seeded.cases).execute();
    const ids = new Set(rows.map((r) => caseReference(r.id)));
    const matching = result.references.length === ids.size && result.references.every((ref) => ids.has(ref));
    const started = performance.now();
    const trail = await verifyTrail(database.db);
    return { newCases: rows.length, matching, events: trail.events, expectedEvents: seeded.events + result.created, broken: trail.broken === undefined ? 'none' : `${String(trail.broken.seq)}: ${trail.broken.reason}`, verifyMs: performance.now() - started };
  } finally {
    await database.close();
  }
}

function printIntake(rows: { kind: StoreKind; intake: IntakeResult; baseline: IntakeResult; check: StoreCheck }[]): void {
  console.log(`\n### Intake: POST /api/v1/reports at a fixed ${String(INTAKE.rate)}/s for ${String(INTAKE.seconds)} s (baseline: ${String(INTAKE.baselineSeconds)} s at the same rate), on the seeded store`);
  console.log('store | sent | 201 | other answers | achieved /s | p50 ms | p99 ms | max ms | baseline p50 / p99 ms | server CPU ms/req (baseline) | new cases in store | same references | trail events (expected) | trail verifies | lost | load (1 min) | target: none lost');
  console.log('--- | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: | --- | ---: | --- | ---');
  for (const { kind, intake, baseline, check } of rows) {
    const other = Object.entries(intake.statuses).filter(([k]) => k !== '201').map(([k, v]) => `${k}: ${String(v)}`).join(', ') || 'none';
    const lost = intake.created - check.newCases;
    const ok = intake.created === intake.sent && lost === 0 && check.matching && check.broken === 'none' && check.events === check.expectedEvents;
    console.log(`${kind} | ${n(intake.sent)} | ${n(intake.created)} | ${other} | ${n(intake.achieved, 1)} | ${n(intake.p50, 2)} | ${n(intake.p99, 2)} | ${n(intake.max, 1)} | ${n(baseline.p50, 2)} / ${n(baseline.p99, 2)} | ${n(intake.cpuPerRequest, 2)} (${n(baseline.cpuPerRequest, 2)}) | ${n(check.newCases)} | ${check.matching ? 'yes' : 'NO'} | ${n(check.events)} (${n(check.expectedEvents)}) | ${check.broken === 'none' ? `yes (${n(check.verifyMs)} ms)` : `NO: ${check.broken}`} | ${n(lost)} | ${intake.load} | ${verdict(ok)}`);
  }
}

// ——— 3. The clock sweep ———

async function sweepMeasure(store: string, now: number, clear: boolean): Promise<Sample> {
  const database = await openDatabase(store);
  // Not openTracker: the sweep needs no recovery pass, and the store is migrated already.
  const tracker = new Tracker({ database, now: () => now });
  const policy = compileClockPolicy(undefined);
  const options = { policy, publicUrl: 'http://127.0.0.1', digestHour: 8 };
  try {
    if (clear) await database.db.deleteFrom('notices').execute();
    // A connection first (PostgreSQL), so that the baseline does not pay for it and the sweep does not either.
    await sql`SELECT 1`.execute(database.db);
    // Baseline: the sweep's own reads, with no clocks and no inserts.
    const cpuSince = (start: NodeJS.CpuUsage): number => { const { user, system } = process.cpuUsage(start); return (user + system) / 1000; };
    let cpu = process.cpuUsage();
    const baselineStart = performance.now();
    let read = 0;
    for (let after = 0; ;) {
      const rows = await database.db.selectFrom('cases').select(['id', 'state', 'triage', 'severity', 'received_at', 'reporter_updated_at', 'resolved_at', 'contested_at'])
        .where('state', 'not in', ['disclosed']).where('id', '>', after).orderBy('id').limit(5000).execute();
      read += rows.length;
      const last = rows.at(-1);
      if (!last || rows.length < 5000) break;
      after = last.id;
    }
    const baselineMs = performance.now() - baselineStart;
    const baselineCpu = cpuSince(cpu);
    const sweeper = new Sweeper(tracker, options);
    cpu = process.cpuUsage();
    let started = performance.now();
    const first = await sweeper.sweep(now);
    const firstMs = performance.now() - started;
    const firstCpu = cpuSince(cpu);
    const steady: number[] = [];
    const steadyCpus: number[] = [];
    let steadyCreated = 0;
    for (let i = 0; i < SWEEP.steady; i += 1) {
      cpu = process.cpuUsage();
      started = performance.now();
      steadyCreated += (await sweeper.sweep(now)).created.length;
      steady.push(performance.now() - started);
      steadyCpus.push(cpuSince(cpu));
    }
    const restarted = new Sweeper(tracker, options);
    cpu = process.cpuUsage();
    started = performance.now();
    const again = await restarted.sweep(now);
    const restartMs = performance.now() - started;
    const restartCpu = cpuSince(cpu);
    const notices = Number((await database.db.selectFrom('notices').select((eb) => eb.fn.countAll().as('n')).executeTakeFirst())?.n ?? 0);
    return { read, baselineMs, baselineCpu, cases: first.cases, created: first.created.length, firstMs, firstCpu, steadyMs: median(steady), steadyCpu: median(steadyCpus), steadyCreated, restartMs, restartCpu, restartCreated: again.created.length, notices };
  } finally {
    await database.close();
  }
}

function printSweep(rows: { kind: StoreKind; seeded: Seeded & { ms: number }; samples: Sample[]; load: string }[]): void {
  console.log(`\n### The clock sweep over ${n(SWEEP.cases)} open cases (default clock policy), median of ${String(RUNS)} fresh processes`);
  console.log('# ms: wall time, (CPU time of the sweeping process); the database server\'s own CPU is not in the second figure for PostgreSQL');
  console.log('store | cases swept | notices inserted | baseline: read the same rows ms | first sweep ms | steady sweep ms (new) | new Sweeper (restart) ms (new) | first / baseline | steady / baseline | load (1 min) | target first < 1 s | target steady < 1 s');
  console.log('--- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- | ---');
  for (const { kind, samples, load: l } of rows) {
    const m = (key: string): number => median(samples.map((s) => s[key] ?? Number.NaN));
    console.log(`${kind} | ${n(m('cases'))} | ${n(m('created'))} | ${n(m('baselineMs'))} (${n(m('baselineCpu'))}) | ${n(m('firstMs'))} (${n(m('firstCpu'))}) | ${n(m('steadyMs'))} (${n(m('steadyCpu'))}), ${n(m('steadyCreated'))} new | ${n(m('restartMs'))} (${n(m('restartCpu'))}), ${n(m('restartCreated'))} new | ${n(m('firstMs') / m('baselineMs'), 1)}x | ${n(m('steadyMs') / m('baselineMs'), 1)}x | ${l} | ${verdict(m('firstMs') < SWEEP.targetMs)} | ${verdict(m('steadyMs') < SWEEP.targetMs)}`);
    console.log(`# ${kind}: each run's first sweep ms: ${samples.map((s) => n(s.firstMs)).join(', ')}; steady: ${samples.map((s) => n(s.steadyMs)).join(', ')}; restart: ${samples.map((s) => n(s.restartMs)).join(', ')}`);
  }
  for (const { kind, seeded } of rows) console.log(`# ${kind} sweep store: ${n(seeded.cases)} cases seeded in ${n(seeded.ms / 1000, 1)} s (no threads or trail: the sweep reads neither): ${Object.entries(seeded.byState).map(([s, c]) => `${s} ${n(c)}`).join(', ')}`);
}

// ——— Main ———

async function main(): Promise<void> {
  const now = Date.now();
  console.log(`# Disclose: node ${process.version}, ${cpus()[0]?.model ?? 'unknown CPU'}, ${String(cpus().length)} cores, ${n(totalmem() / 2 ** 30)} GiB, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}${QUICK ? ' (BENCH_QUICK)' : ''}`);
  try {
    if (only.includes('render') || only.includes('intake')) {
      const renders: { kind: StoreKind; results: PageResult[] }[] = [];
      const intakes: { kind: StoreKind; intake: IntakeResult; baseline: IntakeResult; check: StoreCheck }[] = [];
      const seeds: { kind: StoreKind; seeded: Seeded & { ms: number } }[] = [];
      for (const kind of stores) {
        const store = freshStore(kind, 'pages');
        progress(`${kind}: seeding ${n(RENDER.cases)} cases with threads and trail, load ${load()}`);
        const seeded = seed(store, { cases: RENDER.cases, mix: 'history', threads: true, now });
        seeds.push({ kind, seeded });
        const server = await startServer(store);
        try {
          if (only.includes('render')) renders.push({ kind, results: await renderSection(kind, server, seeded) });
          if (only.includes('intake')) {
            const baseline = await fixedRate(server.url, server.process.pid, '/bench/accept', INTAKE.baselineSeconds, `${kind}: intake baseline`);
            const intake = await fixedRate(server.url, server.process.pid, '/api/v1/reports', INTAKE.seconds, `${kind}: intake`);
            await server.close();
            progress(`${kind}: checking the store and the trail`);
            intakes.push({ kind, intake, baseline, check: await checkStore(store, seeded, intake) });
          }
        } finally {
          if (server.process.exitCode === null) await server.close();
        }
      }
      done();
      for (const { kind, seeded } of seeds) console.log(`# ${kind} page store: ${n(seeded.cases)} cases (${n(seeded.openCases)} open), ${n(seeded.messages)} messages, ${n(seeded.events)} trail events, seeded in ${n(seeded.ms / 1000, 1)} s: ${Object.entries(seeded.byState).map(([s, c]) => `${s} ${n(c)}`).join(', ')}`);
      for (const { kind, results } of renders) printRender(kind, results);
      if (intakes.length > 0) printIntake(intakes);
    }
    if (only.includes('sweep')) {
      const rows: { kind: StoreKind; seeded: Seeded & { ms: number }; samples: Sample[]; load: string }[] = [];
      for (const kind of stores) {
        const store = freshStore(kind, 'sweep');
        progress(`${kind}: seeding ${n(SWEEP.cases)} open cases, load ${load()}`);
        const seeded = seed(store, { cases: SWEEP.cases, mix: 'open', threads: false, now });
        const before = load();
        const samples: Sample[] = [];
        for (let run = 0; run < RUNS; run += 1) {
          progress(`${kind}: sweep run ${String(run + 1)}/${String(RUNS)}, load ${load()}`);
          const profile = process.env.BENCH_PROFILE === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`, `--cpu-prof-name=sweep-${kind}-${String(run)}.cpuprofile`];
          samples.push(child('sweep', [store, now, run > 0 ? 'clear' : 'keep'], profile) as Sample);
        }
        rows.push({ kind, seeded, samples, load: `${before}–${load()}` });
      }
      done();
      printSweep(rows);
    }
  } finally {
    done();
    await dropStores();
  }
  console.log(`\n# load average at the end: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
}

const [mode, ...args] = process.argv.slice(2);
if (mode === 'seed') {
  const [store = '', options = '{}'] = args;
  const database = await openDatabase(store);
  try {
    await migrate(database);
    const started = performance.now();
    const seeded = await seedStore(database, JSON.parse(options) as SeedOptions);
    console.log(JSON.stringify({ ...seeded, ms: performance.now() - started }));
  } finally {
    await database.close();
  }
} else if (mode === 'sweep') {
  const [store = '', now = '0', clear = 'keep'] = args;
  console.log(JSON.stringify(await sweepMeasure(store, Number(now), clear === 'clear')));
} else if (mode !== undefined) {
  throw new Error(`unknown mode ${mode}`);
} else {
  await main();
}
