/**
 * The gateway measured against its peers, in one run, on one machine: the bench upstream
 * (bench/gateway-upstream.ts) answered directly, through nginx `proxy_pass` (keep-alive upstream,
 * one worker), through `@fastify/http-proxy` (the bare Node proxy), through a naive undici proxy
 * that parses, strips and re-serialises each answer (the floor of a Node proxy that reads what it
 * relays), through Leakproof as a pass-through (bench/gateway-passthrough.yaml) and through
 * Leakproof with a full policy (bench/gateway-policy.yaml: JWT, a view per record chosen by CEL,
 * undeclared fields stripped, and the access log in an SQLite file in a temporary directory).
 *
 * Load comes from Debian's `wrk` (bench/gateway-wrk.lua) pinned with taskset to core 0, and this
 * process runs there too; the upstream and the proxies are pinned to core 1, so a proxy and its
 * upstream share one core, as in the gateway issue's orientation figures. Each server runs in a
 * process of its own, bound to 127.0.0.1, and all run for the whole benchmark so that the cells of
 * one body size are measured in turns, under the same machine load.
 *   1. Peak: every server at 1, 10 and 100 KB, the same connections: throughput, p50/p99 latency,
 *      CPU per request of the proxy and of the upstream (/proc), peak RSS of the proxy.
 *   2. Half of peak: each proxy at half its own 1 KB peak, then the direct upstream at the same
 *      pacing; the p99 each proxy adds.
 *   3. Filtering cost against body size: section 1's CPU per request, and the policy's filter
 *      alone, without sockets (bench/gateway-filter.ts).
 *   4. Soak: Leakproof with the full policy at peak, sizes mixed, RSS sampled at intervals.
 *   5. All cores: nothing pinned, wrk with two threads; nginx with a worker per core, Leakproof
 *      pass-through and full policy as `leakproof gateway --workers N` (one per core), in front of
 *      an upstream of their own, also unpinned.
 * Run: `node bench/gateway.ts` (about 16 minutes; part of `npm run bench`). BENCH_QUICK=1 runs
 * short cells and a 30 s soak (about 4 minutes), for a check that everything works.
 * BENCH_RUNS=3 measures sections 1 and 2 three times in turns and keeps each cell's median.
 * BENCH_ONLY=soak runs section 4 alone (BENCH_SOAK_S seconds, default 300), with the upstream and
 * the full policy only; BENCH_ONLY=peak runs sections 1–3 only.
 * BENCH_PROFILE=DIR runs none of that: it profiles Leakproof at peak load instead (node --cpu-prof),
 * one profile per configuration and size in DIR, and prints where the time went.
 * Needs Linux, `taskset`, `nginx` and `wrk` (Debian: apt-get install -y nginx wrk).
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { isDeepStrictEqual } from 'node:util';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import type { Person, SizeKb } from './gateway-people.ts';
import { CALLER, PEOPLE, person, SIZES_KB } from './gateway-people.ts';
import { summarizeProfile } from './gateway-profile.ts';

const QUICK = process.env.BENCH_QUICK === '1';
const RUNS = Number(process.env.BENCH_RUNS ?? 1);
const PROFILE_DIR = process.env.BENCH_PROFILE;
const SOAK_ONLY = process.env.BENCH_ONLY === 'soak';
const PEAK_ONLY = process.env.BENCH_ONLY === 'peak';
const TIMING = QUICK ? { warmupS: 1, cellS: 3, soakS: 30, soakSampleS: 3 } : { warmupS: 3, cellS: 10, soakS: Number(process.env.BENCH_SOAK_S ?? 300), soakSampleS: 15 };
/** The same for every server, enough to keep a single-core server saturated. */
const CONNECTIONS = 64;
const CORES = { load: '0', servers: '1', all: `0-${cpus().length - 1}` };
const TARGETS = { passthroughOverNginx: 0.7, policyOverNginx: 0.5, addedP99Ms: 1 };
/** Memory is called flat when the trend over the soak (after its first fifth) adds less than this. */
const FLAT = { fraction: 0.05, minMb: 5 };
const TOKEN = { issuer: 'leakproof-bench', audience: 'bench', algorithm: 'ES256' };
const WRK_SCRIPT = join(import.meta.dirname, 'gateway-wrk.lua');
const LEAKPROOF = {
  passthrough: { label: 'Leakproof pass-through', config: 'gateway-passthrough.yaml' },
  policy: { label: 'Leakproof full policy', config: 'gateway-policy.yaml' },
} as const;

type ServerName = 'direct' | 'nginx' | 'fastify' | 'naive' | 'passthrough' | 'policy';

const PROXY_LABELS = { nginx: 'nginx proxy_pass', fastify: '@fastify/http-proxy', naive: 'naive undici proxy', passthrough: LEAKPROOF.passthrough.label, policy: LEAKPROOF.policy.label } as const;

/** Where a server runs and how wrk loads it: one core each (sections 1–4), or every core (section 5). */
interface Placement {
  core: string;
  wrkCore: string;
  wrkThreads: number;
}

const PINNED: Placement = { core: CORES.servers, wrkCore: CORES.load, wrkThreads: 1 };
const UNPINNED: Placement = { core: CORES.all, wrkCore: CORES.all, wrkThreads: 2 };

interface Server {
  name: ServerName;
  label: string;
  url: string;
  /** The proxy's processes (nginx: master and worker); none for the direct upstream. */
  pids(): number[];
  /** Sent as a bearer token by wrk: only the full policy needs one. */
  token: string | undefined;
  placement: Placement;
  stop(): Promise<void>;
}

interface WrkResult {
  requests: number;
  durationUs: number;
  connectErrors: number;
  readErrors: number;
  writeErrors: number;
  statusErrors: number;
  timeouts: number;
  p50: number;
  p99: number;
  max: number;
}

interface Cell {
  rps: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
  /** CPU time per request, user + system, of the proxy's processes and of the upstream. */
  proxyCpuUs: number;
  upstreamCpuUs: number;
  /** Peak RSS of the proxy's processes during the measured run; NaN for the direct upstream. */
  peakMb: number;
}

const children = new Set<ChildProcess>();
const fixed = (value: number, digits = 0): string => (Number.isFinite(value) ? value.toFixed(digits) : '—');
const verdict = (met: boolean): string => (met ? 'met' : 'MISSED');
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;

/** Ends every process this benchmark started and has not stopped yet; safe to call twice. */
function killChildren(): void {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  }
}

/** Spawns `command` pinned to `core`, remembered for clean-up. */
function pinned(core: string, command: string, args: string[], options: Parameters<typeof spawn>[2]): ChildProcess {
  const child = spawn('taskset', ['-c', core, command, ...args], options);
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => { resolve(); }));
}

async function stopChild(child: ChildProcess, stop: () => void): Promise<void> {
  stop();
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited(child);
  clearTimeout(timer);
}

/** A bench script in its own Node process on `core`; it reports `{ url }` over IPC. */
async function startNode(script: string, args: string[], options: { nodeArgs?: string[]; core?: string; env?: NodeJS.ProcessEnv } = {}): Promise<{ child: ChildProcess; url: string }> {
  const { nodeArgs = [], core = CORES.servers, env = process.env } = options;
  const child = pinned(core, process.execPath, [...nodeArgs, join(import.meta.dirname, script), ...args], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], env });
  const url = await new Promise<string>((resolve, reject) => {
    child.once('message', (message) => { resolve((message as { url: string }).url); });
    child.once('exit', (code) => { reject(new Error(`${script} exited with ${String(code)} before it listened`)); });
  });
  return { child, url };
}

async function nodeServer(name: ServerName, label: string, args: string[], token?: string, options: { nodeArgs?: string[]; env?: NodeJS.ProcessEnv } = {}): Promise<Server> {
  const { child, url } = await startNode('gateway-proxy.ts', args, options);
  return { name, label, url, token, placement: PINNED, pids: () => [child.pid ?? 0], stop: () => stopChild(child, () => { child.disconnect(); }) };
}

/**
 * `leakproof gateway --workers N` as an operator would run it, from the command line, on every
 * core: the primary forks the workers and node:cluster hands them the connections.
 */
async function leakproofCluster(name: 'passthrough' | 'policy', upstream: string, workers: number, env: NodeJS.ProcessEnv, token?: string): Promise<Server> {
  const { label, config } = LEAKPROOF[name];
  const cli = join(import.meta.dirname, '..', 'bin', 'leakproof.js');
  const args = [cli, 'gateway', '--config', join(import.meta.dirname, config), '--workers', String(workers), '--host', '127.0.0.1', '--port', '0'];
  const child = pinned(UNPINNED.core, process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'], env: { ...env, BENCH_UPSTREAM: upstream } });
  const url = await new Promise<string>((resolve, reject) => {
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
      const found = /Gateway listening on (\S+),/.exec(output)?.[1];
      if (found !== undefined) resolve(found);
    });
    child.once('exit', (code) => { reject(new Error(`leakproof gateway --workers ${workers} exited with ${String(code)} before it listened:\n${output}`)); });
  });
  const primary = child.pid ?? 0;
  return { name, label: `${label}, ${workers} workers`, url, token, placement: UNPINNED, pids: () => [primary, ...childPids(primary)], stop: () => stopChild(child, () => child.kill('SIGTERM')) };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => { resolve(port); });
    });
  });
}

/**
 * nginx as a reverse proxy the way its documentation sets one up for keep-alive upstreams, one
 * worker, no access log. Its buffers hold a 100 KB answer in memory (the defaults, 8 x 4 KB,
 * would spool it to a temporary file, which is not what the other proxies do).
 */
async function startNginx(dir: string, upstream: string, workers = 1): Promise<Server> {
  const port = await freePort();
  const prefix = join(dir, `nginx-${workers}`);
  rmSync(prefix, { recursive: true, force: true });
  mkdirSync(join(prefix, 'temp'), { recursive: true });
  const config = join(prefix, 'nginx.conf');
  const temp = (name: string): string => `${name} ${join(prefix, 'temp', name)};`;
  writeFileSync(config, `
worker_processes ${workers};
daemon off;
pid ${join(prefix, 'nginx.pid')};
error_log ${join(prefix, 'error.log')} warn;
events { worker_connections 4096; }
http {
  access_log off;
  ${temp('client_body_temp_path')} ${temp('proxy_temp_path')} ${temp('fastcgi_temp_path')} ${temp('uwsgi_temp_path')} ${temp('scgi_temp_path')}
  upstream api { server ${new URL(upstream).host}; keepalive ${CONNECTIONS}; }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://api;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_buffer_size 16k;
      proxy_buffers 16 16k;
    }
  }
}
`);
  const placement = workers === 1 ? PINNED : UNPINNED;
  const child = pinned(placement.core, 'nginx', ['-p', prefix, '-e', join(prefix, 'error.log'), '-c', config], { stdio: ['ignore', 'inherit', 'inherit'] });
  const url = `http://127.0.0.1:${port}`;
  for (let attempt = 0; ; attempt += 1) {
    if (child.exitCode !== null) throw new Error(`nginx exited with ${child.exitCode}: ${readFileSync(join(prefix, 'error.log'), 'utf8')}`);
    try {
      await fetch(`${url}/.well-known/jwks.json`);
      break;
    } catch (error) {
      if (attempt > 50) throw error;
      await sleep(100);
    }
  }
  const master = child.pid ?? 0;
  return { name: 'nginx', label: workers === 1 ? PROXY_LABELS.nginx : `${PROXY_LABELS.nginx}, ${workers} workers`, url, token: undefined, placement, pids: () => [master, ...childPids(master)], stop: () => stopChild(child, () => child.kill('SIGTERM')) };
}

function childPids(parent: number): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // The fourth field of /proc/PID/stat, after the command name in parentheses.
      const fields = readFileSync(`/proc/${entry}/stat`, 'utf8').split(') ')[1]?.split(' ');
      if (Number(fields?.[1]) === parent) found.push(Number(entry));
    } catch {
      // The process ended while being read: not a child any more.
    }
  }
  return found;
}

const TICK_US = 1e6 / Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }));

/** User + system CPU time, in microseconds, of the processes. */
function cpuUs(pids: readonly number[]): number {
  let total = 0;
  for (const pid of pids) {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    total += (Number(fields[11]) + Number(fields[12])) * TICK_US;
  }
  return total;
}

function statusKb(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  return Number(new RegExp(`${field}:\\s+(\\d+)`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? Number.NaN);
}

/** Starts a new peak-RSS window: writing 5 to clear_refs resets VmHWM to the current RSS. */
function resetPeaks(pids: readonly number[]): void {
  for (const pid of pids) writeFileSync(`/proc/${pid}/clear_refs`, '5');
}

const megabytes = (pids: readonly number[], field: 'VmRSS' | 'VmHWM'): number => (pids.length === 0 ? Number.NaN : pids.reduce((sum, pid) => sum + statusKb(pid, field), 0) / 1024);

async function wrk(server: Server, seconds: number, sizes: readonly SizeKb[], pauseMs = 0): Promise<WrkResult> {
  const args = [`-t${server.placement.wrkThreads}`, `-c${CONNECTIONS}`, `-d${seconds}s`, '--latency', '--timeout', '5s', '-s', WRK_SCRIPT, server.url];
  const env = { ...process.env, BENCH_KB: sizes.join(','), BENCH_PEOPLE: String(PEOPLE), BENCH_TOKEN: server.token ?? '', BENCH_PAUSE_MS: String(pauseMs) };
  const child = pinned(server.placement.wrkCore, 'wrk', args, { stdio: ['ignore', 'pipe', 'inherit'], env });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => { output += chunk.toString('utf8'); });
  await exited(child);
  const line = output.split('\n').find((l) => l.startsWith('BENCH '));
  if (child.exitCode !== 0 || line === undefined) throw new Error(`wrk against ${server.label} failed (exit ${String(child.exitCode)}):\n${output}`);
  return JSON.parse(line.slice('BENCH '.length)) as WrkResult;
}

const errorsOf = (r: WrkResult): number => r.connectErrors + r.readErrors + r.writeErrors + r.statusErrors + r.timeouts;

/** One measured run after a warm-up with the same load, with the proxy's and upstream's CPU and the proxy's peak RSS. */
async function cell(server: Server, upstreamPid: number, sizes: readonly SizeKb[], pauseMs = 0): Promise<Cell> {
  await wrk(server, TIMING.warmupS, sizes, pauseMs);
  const pids = server.pids();
  resetPeaks(pids);
  const before = { proxy: cpuUs(pids), upstream: cpuUs([upstreamPid]) };
  const result = await wrk(server, TIMING.cellS, sizes, pauseMs);
  const requests = Math.max(result.requests, 1);
  return {
    rps: result.requests / (result.durationUs / 1e6),
    p50Ms: result.p50 / 1000,
    p99Ms: result.p99 / 1000,
    errors: errorsOf(result),
    proxyCpuUs: pids.length === 0 ? 0 : (cpuUs(pids) - before.proxy) / requests,
    upstreamCpuUs: (cpuUs([upstreamPid]) - before.upstream) / requests,
    peakMb: megabytes(pids, 'VmHWM'),
  };
}

/** What each server must answer before it is measured: a proxy that answers less, or more, is not measured. */
async function checkAnswers(servers: readonly Server[], token: string): Promise<void> {
  const undeclared = (record: Person): Record<string, unknown> => {
    const { workouts, ...rest } = record;
    Reflect.deleteProperty(rest, 'internal_notes');
    return { ...rest, workouts: (workouts as Record<string, unknown>[]).map((workout) => Object.fromEntries(Object.entries(workout).filter(([name]) => name !== 'device_serial'))) };
  };
  const view = (record: Record<string, unknown>, fields: string[]): Record<string, unknown> => Object.fromEntries(Object.entries(record).filter(([name]) => fields.includes(name)));
  const member = ['id', 'username', 'image_url', 'location', 'is_profile_private', 'total_workouts', 'workouts'];
  const card = ['id', 'username', 'image_url'];
  const expected: Record<ServerName, (n: number) => unknown> = {
    direct: (n) => person(n, 1),
    nginx: (n) => person(n, 1),
    fastify: (n) => person(n, 1),
    naive: (n) => undeclared(person(n, 1)),
    passthrough: (n) => undeclared(person(n, 1)),
    // 0 is the caller, 1 public, 3 private and not followed, 6 private and followed.
    policy: (n) => view(undeclared(person(n, 1)), n === 0 ? Object.keys(person(n, 1)) : n % 6 === 3 ? card : member),
  };
  for (const server of servers) {
    const headers = server.token === undefined ? {} : { authorization: `Bearer ${server.token}` };
    for (const n of [0, 1, 3, 6]) {
      const answer = await fetch(`${server.url}/api/user/u${String(n).padStart(3, '0')}?kb=1`, { headers });
      const body: unknown = await answer.json();
      if (answer.status !== 200 || !isDeepStrictEqual(body, expected[server.name](n))) throw new Error(`${server.label} answered person ${n} with ${answer.status} ${JSON.stringify(body).slice(0, 300)}`);
    }
  }
  const policy = servers.find((s) => s.name === 'policy');
  if (policy && (await fetch(`${policy.url}/api/user/u001?kb=1`)).status !== 401) throw new Error('the full policy let a request without a token through');
  if (policy && (await fetch(`${policy.url}/api/user/u001?kb=1`, { headers: { authorization: `Bearer ${token.slice(0, -4)}AAAA` } })).status !== 401) throw new Error('the full policy let a forged token through');
}

function recordsIn(file: string): number {
  const db = new DatabaseSync(file, { readOnly: true });
  try {
    return (db.prepare('SELECT count(*) AS n FROM access_records').get() as { n: number }).n;
  } finally {
    db.close();
  }
}

/** The full policy's answers reach its access log: one record for each person it sent, within its batching delay. */
async function checkAccessLog(file: string): Promise<void> {
  for (let attempt = 0; attempt < 50; attempt += 1) {
    if (existsSync(file) && recordsIn(file) >= 4) return;
    await sleep(100);
  }
  throw new Error(`the full policy's access log (${file}) did not record the four answers it sent`);
}

function header(): void {
  const version = (name: string): string => (JSON.parse(readFileSync(join(import.meta.dirname, '..', 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
  const nginx = printed('nginx', ['-v']).trim();
  const wrkVersion = printed('wrk', ['-v']).split('\n')[0] ?? '';
  console.log(`# ${new Date().toISOString()} — ${cpus().length} x ${cpus()[0]?.model ?? 'CPU'}, ${fixed(totalmem() / 2 ** 30)} GiB, Node ${process.version}, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  console.log(`# ${nginx}; ${wrkVersion.trim()}; fastify ${version('fastify')}, @fastify/http-proxy ${version('@fastify/http-proxy')}; undici ${version('undici')}`);
  console.log(`# wrk -t1 -c${CONNECTIONS} on core ${CORES.load}, upstream and proxies on core ${CORES.servers}; ${TIMING.warmupS} s warm-up + ${TIMING.cellS} s per cell${QUICK ? ' (BENCH_QUICK)' : ''}${RUNS > 1 ? `, median of ${RUNS} runs` : ''}`);
}

/** What a command prints on both streams: nginx -v and wrk -v print their versions to stderr, and wrk -v exits 1. */
function printed(command: string, args: string[]): string {
  const { stdout, stderr } = spawnSync(command, args, { encoding: 'utf8' });
  return `${stdout}${stderr}`;
}

type Peaks = Map<ServerName, Map<SizeKb, Cell>>;

async function peak(servers: readonly Server[], upstreamPid: number): Promise<Peaks> {
  console.log(`\n## 1. Peak: every server at each body size, ${CONNECTIONS} connections`);
  console.log('size | server | req/s | p50 ms | p99 ms | proxy CPU µs/req | upstream CPU µs/req | proxy peak RSS MB | errors');
  const peaks: Peaks = new Map(servers.map((s) => [s.name, new Map<SizeKb, Cell>()]));
  for (const kb of SIZES_KB) {
    const runs = new Map<ServerName, Cell[]>(servers.map((s) => [s.name, []]));
    for (let run = 0; run < RUNS; run += 1) {
      for (const server of servers) runs.get(server.name)?.push(await cell(server, upstreamPid, [kb]));
    }
    for (const server of servers) {
      const cells = runs.get(server.name) ?? [];
      const middle = median(cells.map((c) => c.rps));
      const chosen = cells.find((c) => c.rps === middle) ?? cells[0];
      if (!chosen) continue;
      peaks.get(server.name)?.set(kb, chosen);
      console.log([`${kb} KB`, server.label, fixed(chosen.rps), fixed(chosen.p50Ms, 2), fixed(chosen.p99Ms, 2), fixed(chosen.proxyCpuUs), fixed(chosen.upstreamCpuUs), fixed(chosen.peakMb), chosen.errors].join(' | '));
    }
  }
  return peaks;
}

function ratios(peaks: Peaks): void {
  const rps = (name: ServerName, kb: SizeKb): number => peaks.get(name)?.get(kb)?.rps ?? Number.NaN;
  console.log('\n## 1b. Throughput ratios, same run');
  console.log(`size | nginx / direct | pass-through / nginx | target >= ${TARGETS.passthroughOverNginx} | full policy / nginx | target >= ${TARGETS.policyOverNginx} | full policy / @fastify/http-proxy | full policy / naive undici | target > 1 (both) | @fastify/http-proxy / nginx | naive undici / nginx | pass-through / naive undici`);
  for (const kb of SIZES_KB) {
    const passthrough = rps('passthrough', kb) / rps('nginx', kb);
    const policy = rps('policy', kb) / rps('nginx', kb);
    const overFastify = rps('policy', kb) / rps('fastify', kb);
    const overNaive = rps('policy', kb) / rps('naive', kb);
    console.log([`${kb} KB`, fixed(rps('nginx', kb) / rps('direct', kb), 2), fixed(passthrough, 2), verdict(passthrough >= TARGETS.passthroughOverNginx), fixed(policy, 2), verdict(policy >= TARGETS.policyOverNginx), fixed(overFastify, 2), fixed(overNaive, 2), verdict(overFastify > 1 && overNaive > 1), fixed(rps('fastify', kb) / rps('nginx', kb), 2), fixed(rps('naive', kb) / rps('nginx', kb), 2), fixed(rps('passthrough', kb) / rps('naive', kb), 2)].join(' | '));
  }
}

/**
 * wrk keeps every connection busy; it cannot send at a fixed rate (wrk2 can, and is not in
 * Debian). So each connection waits a random pause after every answer, its mean chosen for half
 * of the proxy's 1 KB peak, and the direct upstream is measured right after at the same pacing.
 * Latency is measured from each request's send, so a stall does not count the requests it kept
 * from being sent (coordinated omission): this p99 is a lower bound of wrk2's.
 */
async function halfLoad(servers: readonly Server[], peaks: Peaks, upstreamPid: number): Promise<void> {
  const direct = servers.find((s) => s.name === 'direct');
  if (!direct) return;
  console.log(`\n## 2. Half of peak (1 KB): each proxy paced to half its own peak, then the direct upstream at the same pacing`);
  console.log(`server | pace req/s | proxy req/s | proxy p50 ms | proxy p99 ms | direct req/s | direct p50 ms | direct p99 ms | p99 added ms | target <= ${TARGETS.addedP99Ms} ms${RUNS > 1 ? ' | p99 added, each run' : ''}`);
  for (const server of servers) {
    if (server === direct) continue;
    const pace = (peaks.get(server.name)?.get(1)?.rps ?? Number.NaN) / 2;
    const pauseMs = (CONNECTIONS * 1000) / pace;
    // Proxy and direct in turns, so that each pair meets the same load from the machine's other work.
    const pairs: { proxied: Cell; bare: Cell; added: number }[] = [];
    for (let run = 0; run < RUNS; run += 1) {
      const proxied = await cell(server, upstreamPid, [1], pauseMs);
      const bare = await cell(direct, upstreamPid, [1], pauseMs);
      pairs.push({ proxied, bare, added: proxied.p99Ms - bare.p99Ms });
    }
    const middle = median(pairs.map((p) => p.added));
    const chosen = pairs.find((p) => p.added === middle);
    if (!chosen) continue;
    const { proxied, bare, added } = chosen;
    const leakproof = server.name === 'passthrough' || server.name === 'policy';
    const each = RUNS > 1 ? [pairs.map((p) => fixed(p.added, 2)).join(', ')] : [];
    console.log([server.label, fixed(pace), fixed(proxied.rps), fixed(proxied.p50Ms, 2), fixed(proxied.p99Ms, 2), fixed(bare.rps), fixed(bare.p50Ms, 2), fixed(bare.p99Ms, 2), fixed(added, 2), leakproof ? verdict(added <= TARGETS.addedP99Ms) : '', ...each].join(' | '));
  }
}

/**
 * What a request costs the proxy's CPU at each size, and what each KB adds. The cost is linear
 * in the body when the KBs from 10 to 100 cost about what those from 1 to 10 did.
 */
function filteringCost(peaks: Peaks): void {
  console.log('\n## 3. Proxy CPU per request against body size (from section 1)');
  console.log('server | µs/req at 1 KB | 10 KB | 100 KB | µs per KB, 1→10 KB | µs per KB, 10→100 KB | linear (within 1.5x)');
  for (const name of ['nginx', 'fastify', 'naive', 'passthrough', 'policy'] as const) {
    const cost = (kb: SizeKb): number => peaks.get(name)?.get(kb)?.proxyCpuUs ?? Number.NaN;
    const low = (cost(10) - cost(1)) / 9;
    const high = (cost(100) - cost(10)) / 90;
    console.log([PROXY_LABELS[name], fixed(cost(1)), fixed(cost(10)), fixed(cost(100)), fixed(low, 2), fixed(high, 2), Math.max(low, high) / Math.min(low, high) <= 1.5 ? 'yes' : 'no'].join(' | '));
  }
}

/** The filter alone, in a process of its own on the servers' core, measured while the servers are idle. */
function filterAlone(): void {
  console.log('\n## 3b. The filter alone, without sockets (bench/gateway-filter.ts): JSON parse + serialise, and what the policy\'s filterAnswer adds to them');
  console.log('configuration | size | parse + serialise µs | filter µs | filter µs per KB');
  for (const name of ['passthrough', 'policy'] as const) {
    const { label, config } = LEAKPROOF[name];
    const output = execFileSync('taskset', ['-c', CORES.servers, process.execPath, join(import.meta.dirname, 'gateway-filter.ts'), config], { encoding: 'utf8' });
    const results = JSON.parse(output) as Partial<Record<string, { jsonUs: number; filterUs: number }>>;
    for (const kb of SIZES_KB) {
      const result = results[kb];
      if (result) console.log([label, `${kb} KB`, fixed(result.jsonUs, 1), fixed(result.filterUs, 1), fixed(result.filterUs / kb, 2)].join(' | '));
    }
  }
}

async function soak(server: Server): Promise<void> {
  const pid = server.pids()[0] ?? 0;
  console.log(`\n## 4. Soak: ${server.label} at peak for ${TIMING.soakS} s, sizes 1/10/100 KB mixed; RSS every ${TIMING.soakSampleS} s`);
  const samples: { s: number; mb: number }[] = [];
  const started = Date.now();
  const timer = setInterval(() => { samples.push({ s: (Date.now() - started) / 1000, mb: statusKb(pid, 'VmRSS') / 1024 }); }, TIMING.soakSampleS * 1000);
  let result: WrkResult;
  try {
    result = await wrk(server, TIMING.soakS, SIZES_KB);
  } finally {
    clearInterval(timer);
  }
  console.log(`requests ${result.requests}, ${fixed(result.requests / (result.durationUs / 1e6))} req/s, p99 ${fixed(result.p99 / 1000, 2)} ms, errors ${errorsOf(result)}`);
  console.log(`RSS MB: ${samples.map((p) => `${fixed(p.s)} s ${fixed(p.mb)}`).join(', ')}`);
  const settled = samples.filter((p) => p.s >= TIMING.soakS / 5);
  const n = settled.length;
  const meanS = settled.reduce((sum, p) => sum + p.s, 0) / n;
  const meanMb = settled.reduce((sum, p) => sum + p.mb, 0) / n;
  const slope = settled.reduce((sum, p) => sum + (p.s - meanS) * (p.mb - meanMb), 0) / settled.reduce((sum, p) => sum + (p.s - meanS) ** 2, 0);
  const trend = slope * ((settled.at(-1)?.s ?? 0) - (settled[0]?.s ?? 0));
  const bound = Math.max(FLAT.minMb, FLAT.fraction * meanMb);
  console.log(`after the first fifth: ${fixed(Math.min(...settled.map((p) => p.mb)))}–${fixed(Math.max(...settled.map((p) => p.mb)))} MB, trend ${fixed(slope * 60, 2)} MB/min (${fixed(trend, 1)} MB over the window) | flat (trend < ${fixed(bound, 1)} MB): ${verdict(Math.abs(trend) < bound)}`);
}

/**
 * Section 5: every server on every core, as one would deploy it on this machine, and wrk there
 * too. The upstream is a fresh one, unpinned; the servers of sections 1–4 sit idle meanwhile.
 * Leakproof runs from the command line with `--workers` (one per core), nginx with as many
 * worker processes. The CPU per request counts every process of the proxy.
 */
async function allCores(dir: string, jwks: string, token: string): Promise<void> {
  const workers = cpus().length;
  console.log(`\n## 5. All ${workers} cores: nothing pinned, wrk -t${UNPINNED.wrkThreads} -c${CONNECTIONS} on the same cores; nginx and Leakproof with ${workers} workers each, one upstream process`);
  console.log('size | server | req/s | p50 ms | p99 ms | proxy CPU µs/req | upstream CPU µs/req | proxy peak RSS MB | errors');
  const upstream = await startNode('gateway-upstream.ts', [jwks], { core: CORES.all });
  const upstreamPid = upstream.child.pid ?? 0;
  const accessLog = join(dir, 'access-cluster.db');
  const servers: Server[] = [];
  try {
    servers.push(
      { name: 'direct', label: 'direct upstream', url: upstream.url, token: undefined, placement: UNPINNED, pids: () => [], stop: () => Promise.resolve() },
      await startNginx(dir, upstream.url, workers),
      await leakproofCluster('passthrough', upstream.url, workers, process.env),
      await leakproofCluster('policy', upstream.url, workers, { ...process.env, BENCH_ACCESS_LOG: accessLog }, token),
    );
    await checkAnswers(servers, token);
    const cells = new Map<string, Cell>();
    for (const kb of SIZES_KB) {
      for (const server of servers) {
        const measured = await cell(server, upstreamPid, [kb]);
        cells.set(`${server.name} ${kb}`, measured);
        console.log([`${kb} KB`, server.label, fixed(measured.rps), fixed(measured.p50Ms, 2), fixed(measured.p99Ms, 2), fixed(measured.proxyCpuUs), fixed(measured.upstreamCpuUs), fixed(measured.peakMb), measured.errors].join(' | '));
      }
    }
    const rps = (name: ServerName, kb: SizeKb): number => cells.get(`${name} ${kb}`)?.rps ?? Number.NaN;
    console.log('size | nginx / direct | pass-through / nginx | full policy / nginx');
    for (const kb of SIZES_KB) console.log([`${kb} KB`, fixed(rps('nginx', kb) / rps('direct', kb), 2), fixed(rps('passthrough', kb) / rps('nginx', kb), 2), fixed(rps('policy', kb) / rps('nginx', kb), 2)].join(' | '));
    // The workers flush their batches as they stop; the count is read after they have.
    for (const server of servers.reverse()) await server.stop();
    servers.length = 0;
    console.log(`# access log of the full policy's workers: ${recordsIn(accessLog)} records in SQLite`);
  } finally {
    for (const server of servers.reverse()) await server.stop();
    await stopChild(upstream.child, () => { upstream.child.disconnect(); });
  }
}

/**
 * BENCH_PROFILE=DIR: each Leakproof configuration alone at peak load, at 1 and 100 KB, in a
 * process started for that cell under `node --cpu-prof` (start-up and warm-up are in the profile
 * too), and where its time went.
 */
async function profile(upstream: string, upstreamPid: number, token: string, dir: string, env: NodeJS.ProcessEnv): Promise<void> {
  console.log(`\n## CPU profiles of Leakproof at peak load (written to ${dir})`);
  for (const name of ['passthrough', 'policy'] as const) {
    for (const kb of [1, 100] as const) {
      const file = `${name}-${kb}kb.cpuprofile`;
      const { label, config } = LEAKPROOF[name];
      const server = await nodeServer(name, label, ['leakproof', config, upstream], name === 'policy' ? token : undefined, { nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${dir}`, `--cpu-prof-name=${file}`], env });
      let measured: Cell;
      try {
        measured = await cell(server, upstreamPid, [kb]);
      } finally {
        await server.stop();
      }
      console.log(`\n${label}, ${kb} KB: ${fixed(measured.rps)} req/s, ${fixed(measured.proxyCpuUs)} µs CPU/req, ${measured.errors} errors (${file})`);
      for (const line of summarizeProfile(join(dir, file))) console.log(line);
    }
  }
}

async function main(): Promise<void> {
  // This process and wrk share core 0, so the servers' core runs nothing of the client's.
  execFileSync('taskset', ['-a', '-p', '-c', CORES.load, String(process.pid)], { stdio: 'ignore' });
  header();
  const dir = mkdtempSync(join(tmpdir(), 'leakproof-gateway-bench-'));
  const accessLog = join(dir, 'access.db');
  const env = { ...process.env, BENCH_ACCESS_LOG: accessLog };
  const { privateKey, publicKey } = await generateKeyPair(TOKEN.algorithm);
  const jwks = { keys: [{ ...(await exportJWK(publicKey)), kid: 'bench', alg: TOKEN.algorithm, use: 'sig' }] };
  const token = await new SignJWT({}).setProtectedHeader({ alg: TOKEN.algorithm, kid: 'bench' }).setIssuer(TOKEN.issuer).setAudience(TOKEN.audience)
    .setSubject(CALLER).setIssuedAt().setExpirationTime('6h').sign(privateKey);
  const servers: Server[] = [];
  try {
    const upstream = await startNode('gateway-upstream.ts', [JSON.stringify(jwks)]);
    const upstreamPid = upstream.child.pid ?? 0;
    // The direct "server" is the upstream itself: stopping it stops the upstream, after every proxy.
    servers.push({ name: 'direct', label: 'direct upstream', url: upstream.url, token: undefined, placement: PINNED, pids: () => [], stop: () => stopChild(upstream.child, () => { upstream.child.disconnect(); }) });
    if (PROFILE_DIR !== undefined) {
      await profile(upstream.url, upstreamPid, token, PROFILE_DIR, env);
      return;
    }
    if (SOAK_ONLY) {
      const policy = await nodeServer('policy', LEAKPROOF.policy.label, ['leakproof', LEAKPROOF.policy.config, upstream.url], token, { env });
      servers.push(policy);
      await checkAnswers(servers, token);
      await soak(policy);
      console.log(`# access log: ${recordsIn(accessLog)} records in SQLite after the soak`);
      return;
    }
    servers.push(
      await startNginx(dir, upstream.url),
      await nodeServer('fastify', PROXY_LABELS.fastify, ['fastify', upstream.url]),
      await nodeServer('naive', PROXY_LABELS.naive, ['naive', upstream.url]),
      await nodeServer('passthrough', LEAKPROOF.passthrough.label, ['leakproof', LEAKPROOF.passthrough.config, upstream.url]),
      await nodeServer('policy', LEAKPROOF.policy.label, ['leakproof', LEAKPROOF.policy.config, upstream.url], token, { env }),
    );
    await checkAnswers(servers, token);
    await checkAccessLog(accessLog);
    console.log(`# RSS at start, MB: ${servers.filter((s) => s.name !== 'direct').map((s) => `${s.label} ${fixed(megabytes(s.pids(), 'VmRSS'))}`).join(', ')}`);
    const peaks = await peak(servers, upstreamPid);
    ratios(peaks);
    await halfLoad(servers, peaks, upstreamPid);
    filteringCost(peaks);
    filterAlone();
    if (PEAK_ONLY) return;
    const policy = servers.find((s) => s.name === 'policy');
    if (policy) await soak(policy);
    console.log(`# access log: ${recordsIn(accessLog)} records in SQLite after sections 1–4`);
    await allCores(dir, JSON.stringify(jwks), token);
    console.log(`\n# load average at the end: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  } finally {
    // Proxies first, the upstream (servers[0]) last.
    for (const server of servers.reverse()) await server.stop();
    killChildren();
    rmSync(dir, { recursive: true, force: true });
  }
}

process.once('exit', killChildren);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    killChildren();
    process.exit(130);
  });
}
await main();
