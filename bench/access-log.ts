/**
 * The gateway's access log, each figure next to a baseline measured in the same run, every
 * measurement in a fresh process (this file, run with a mode):
 *   1. Ingest into SQLite through the log (queue, batches, writer thread), against the same rows
 *      inserted by the bare prepared-statement loop on the caller's thread: in one transaction,
 *      and in transactions of one batch each. Also the longest stall of the caller's event loop.
 *   2. `whoRead` over a log of 10 million records: median and p99 over many random subjects. The
 *      log is built once through the log itself (minutes) and kept in bench/.cache/.
 *   3. The same two for PostgreSQL (127.0.0.1:5432, LEAKPROOF_BENCH_POSTGRES): ingest through the
 *      log against the same INSERT statements sent by a bare loop, and whoRead over a log of
 *      1 million records, each in a schema of its own that is dropped after.
 * Run alone: node bench/access-log.ts (also part of npm run bench). BENCH_RUNS=5 for more runs;
 * BENCH_ONLY=ingest, who-read or postgres for one section.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, statSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import type { AccessRecord } from '../src/gateway/access-log/index.ts';
import { openAccessLog, openAccessLogStore } from '../src/gateway/access-log/index.ts';
import { fieldSetKey } from '../src/gateway/access-log/field-set.ts';
import { batchColumns, postgresStatements } from '../src/gateway/access-log/postgres-statements.ts';
import { SEGMENT_RECORDS } from '../src/gateway/access-log/segments.ts';
import { SqliteAccessLog } from '../src/gateway/access-log/sqlite.ts';
import { SCHEMA_VERSION } from '../src/gateway/access-log/sqlite-schema.ts';
import { openConnection, SqliteRecordWriter } from '../src/gateway/access-log/sqlite-writer.ts';
import { random } from '../test/fixtures/random.ts';

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const POSTGRES = process.env.LEAKPROOF_BENCH_POSTGRES ?? 'postgres://postgres@127.0.0.1:5432/test';
/** `batch` is the most the log puts in one transaction when it falls behind (maxBatchSize), as it does here. */
const INGEST = { records: 300_000, target: 50_000, batch: 5000 };
const WHO_READ = { records: 10_000_000, queries: 2000, target: 50 };
const PG = { records: 1_000_000, queries: 500 };
/** The reference API's community, grown: riders whose data is served, and the members, keys and anonymous callers who ask. */
const RIDERS = 200_000;
const MEMBERS = 20_000;
const CACHE = join(import.meta.dirname, '.cache');

type Sample = Record<string, number>;

/** The operations of the reference API that return personal data, with what each returns. */
const OPERATIONS = [
  { operation: 'getUser', method: 'GET', path: '/api/user/{id}', subjects: [1, 1], fields: ['id', 'username', 'image_url', 'is_profile_private', 'location', 'total_followers', 'total_workouts', 'age', 'gender', 'weight', 'birthday'] },
  { operation: 'searchUsers', method: 'GET', path: '/api/user/search/{q}', subjects: [1, 3], fields: ['id', 'username', 'image_url', 'location', 'is_profile_private', 'total_followers', 'total_following', 'total_workouts'] },
  { operation: 'getWorkoutDetails', method: 'POST', path: '/stats/workouts/details', subjects: [1, 3], fields: ['user_id', 'username', 'age', 'gender', 'location', 'is_profile_private', 'total_output', 'calories'] },
  { operation: 'getUserWorkouts', method: 'GET', path: '/api/user/{id}/workouts', subjects: [1, 1], fields: ['data[].user_id', 'data[].calories', 'data[].avg_heart_rate', 'data[].total_output', 'data[].created_at'] },
  { operation: 'graphql', method: 'POST', path: '/graphql', subjects: [1, 2], fields: ['id', 'username', 'location', 'age', 'gender', 'is_profile_private'] },
] as const;


/** Records `from` to `from + count` of an endless, repeatable day at a busy gateway: 1–3 subjects and 3–8 fields each. */
function records(from: number, count: number): AccessRecord[] {
  const next = random(from + 1);
  const between = (low: number, high: number): number => low + Math.floor(next() * (high - low + 1));
  // Squaring skews towards low ids: some riders are read far more often than others, as on a leaderboard.
  const rider = (): string => `rider-${Math.floor(next() ** 2 * RIDERS)}`;
  return Array.from({ length: count }, (_, i) => {
    const n = from + i;
    const shape = OPERATIONS[between(0, OPERATIONS.length - 1)] ?? OPERATIONS[0];
    const subjects = Array.from({ length: between(shape.subjects[0], shape.subjects[1]) }, rider);
    const fields = shape.fields.slice(0, between(3, Math.min(8, shape.fields.length)));
    const roll = next();
    const principal = roll < 0.1 ? 'anonymous' : roll < 0.15 ? `api-key-${between(1, 20)}` : `member-${between(1, MEMBERS)}`;
    const decision = roll < 0.9 ? 'allow' : roll < 0.97 ? 'filtered' : 'deny';
    return { time: Date.UTC(2026, 10, 1) + n * 10, requestId: `req-${n}`, principal, operation: shape.operation, method: shape.method, path: shape.path.replace(/\{\w+\}/, subjects[0] ?? ''), status: decision === 'deny' ? 403 : 200, subjects, fields, view: decision === 'allow' ? 'member' : 'public', decision };
  });
}

/** Writes like a gateway: a thousand records between turns of the event loop, never past a fifth of the queue's bound. */
async function feed(log: { write(r: AccessRecord): void; stats(): { queued: number } }, total: number, generate: (from: number, count: number) => AccessRecord[], chunk = 1000): Promise<void> {
  for (let from = 0; from < total; from += chunk) {
    for (const record of generate(from, Math.min(chunk, total - from))) log.write(record);
    await new Promise((resolve) => setImmediate(resolve));
    // Waiting, not spinning: a spinning producer would take the CPU the writer thread needs.
    while (log.stats().queued > 20_000) await sleep(1);
  }
}

/** The first `total` records, made before the clock starts, handed out in order. */
function prepared(total: number): (from: number, count: number) => AccessRecord[] {
  const all = records(0, total);
  return (from, count) => all.slice(from, from + count);
}

/** CPU time of this process since `start`, every thread, in µs: a figure the machine's other load moves less than wall time. */
function cpuMicros(start: NodeJS.CpuUsage): number {
  const { user, system } = process.cpuUsage(start);
  return user + system;
}

const freshFile = (): string => join(mkdtempSync(join(tmpdir(), 'leakproof-bench-log-')), 'access.db');
const percentile = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? Number.NaN;

/** One measurement, in this process; prints its sample as JSON. */
async function measure(mode: string, args: string[]): Promise<Sample> {
  switch (mode) {
    case 'ingest-log': {
      const file = freshFile();
      const generate = prepared(INGEST.records);
      const stalls = monitorEventLoopDelay({ resolution: 1 });
      stalls.enable();
      const started = performance.now();
      const cpu = process.cpuUsage();
      const log = await openAccessLog(file);
      await feed(log, INGEST.records, generate);
      await log.close();
      const ms = performance.now() - started;
      stalls.disable();
      rmSync(join(file, '..'), { recursive: true });
      return { perSecond: (INGEST.records / ms) * 1000, cpuUs: cpuMicros(cpu) / INGEST.records, stallMaxMs: stalls.max / 1e6, stallP99Ms: stalls.percentile(99) / 1e6 };
    }
    case 'ingest-bare': {
      const file = freshFile();
      await new SqliteAccessLog(file).close();
      const all = records(0, INGEST.records);
      const batch = args[0] === 'batches' ? INGEST.batch : all.length;
      const db = openConnection(file);
      const writer = new SqliteRecordWriter(db);
      const started = performance.now();
      const cpu = process.cpuUsage();
      let stallMaxMs = 0;
      for (let from = 0; from < all.length; from += batch) {
        const t = performance.now();
        writer.write(all.slice(from, from + batch));
        stallMaxMs = Math.max(stallMaxMs, performance.now() - t);
      }
      const ms = performance.now() - started;
      db.close();
      rmSync(join(file, '..'), { recursive: true });
      return { perSecond: (all.length / ms) * 1000, cpuUs: cpuMicros(cpu) / all.length, stallMaxMs };
    }
    case 'build': {
      const [file = '', total = '0'] = args;
      const started = performance.now();
      const log = await openAccessLog(file);
      await feed(log, Number(total), records);
      await log.close();
      return { perSecond: (Number(total) / (performance.now() - started)) * 1000 };
    }
    case 'who-read': {
      const [store = '', queries = '0'] = args;
      const opened = performance.now();
      const log = await openAccessLogStore(store);
      const next = random(99);
      const first = performance.now();
      await log.whoRead('rider-12345');
      const coldMs = performance.now() - first + (first - opened);
      const times: number[] = [];
      const cpuTimes: number[] = [];
      let principals = 0;
      for (let q = 0; q < Number(queries); q++) {
        // Uniform over the riders, so popular and rarely read ones are asked alike.
        const subject = `rider-${Math.floor(next() * RIDERS)}`;
        const t = performance.now();
        const cpu = process.cpuUsage();
        principals += (await log.whoRead(subject)).length;
        cpuTimes.push(cpuMicros(cpu) / 1000);
        times.push(performance.now() - t);
      }
      await log.close();
      times.sort((a, b) => a - b);
      cpuTimes.sort((a, b) => a - b);
      return { medianMs: percentile(times, 0.5), p99Ms: percentile(times, 0.99), maxMs: times.at(-1) ?? Number.NaN, coldMs, principals: principals / Number(queries), cpuMedianMs: percentile(cpuTimes, 0.5), cpuP99Ms: percentile(cpuTimes, 0.99) };
    }
    case 'ingest-pg-log': {
      const [url = ''] = args;
      const generate = prepared(INGEST.records);
      const started = performance.now();
      const log = await openAccessLog(url);
      await feed(log, INGEST.records, generate);
      await log.close();
      return { perSecond: (INGEST.records / (performance.now() - started)) * 1000 };
    }
    case 'ingest-pg-bare': {
      const [url = '', schema = ''] = args;
      // One record through the log, untimed, makes the tables.
      const migrate = await openAccessLog(url);
      migrate.write(records(INGEST.records, 1)[0] as AccessRecord);
      await migrate.close();
      const all = records(0, INGEST.records);
      const sql = postgresStatements(schema);
      const pool = new pg.Pool({ connectionString: POSTGRES, max: 1 });
      const started = performance.now();
      const keys = [...new Set(all.map((r) => fieldSetKey(r.fields)))];
      const ids = new Map((await pool.query<{ id: number; fields: string }>(sql.fieldSets, [keys])).rows.map((row) => [row.fields, row.id]));
      for (let from = 0; from < all.length; from += INGEST.batch) {
        await pool.query(sql.insertBatch, batchColumns(all.slice(from, from + INGEST.batch), (r) => ids.get(fieldSetKey(r.fields)) ?? 0));
      }
      const ms = performance.now() - started;
      await pool.end();
      return { perSecond: (all.length / ms) * 1000 };
    }
    default:
      throw new Error(`unknown mode ${mode}`);
  }
}

/** Runs one measurement in a fresh process. */
function sample(mode: string, ...args: (string | number)[]): Sample {
  return JSON.parse(execFileSync(process.execPath, [import.meta.filename, mode, ...args.map(String)], { encoding: 'utf8', maxBuffer: 1 << 20 })) as Sample;
}

function medians(samples: Sample[]): Sample {
  const keys = Object.keys(samples[0] ?? {});
  return Object.fromEntries(keys.map((key) => [key, samples.map((s) => s[key] ?? Number.NaN).sort((a, b) => a - b)[Math.floor(samples.length / 2)] ?? Number.NaN]));
}

const runs = (mode: string, ...args: (string | number)[]): Sample => medians(Array.from({ length: RUNS }, () => sample(mode, ...args)));
const n = (value: number | undefined, digits = 0): string => (value ?? Number.NaN).toLocaleString('en', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const verdict = (met: boolean): string => (met ? 'met' : '**missed**');
const sections = (process.env.BENCH_ONLY ?? 'ingest,who-read,postgres').split(',');

function ingestSection(): void {
  console.log(`\n## 1. Ingest into SQLite: ${n(INGEST.records)} records, median of ${RUNS} fresh processes`);
  console.log('writer | records/s | vs one-transaction loop | target >= 50,000/s | CPU µs per record | longest event-loop stall ms');
  const oneTransaction = runs('ingest-bare', 'all');
  const batches = runs('ingest-bare', 'batches');
  const log = runs('ingest-log');
  const ratio = (s: Sample): string => `${n((s.perSecond ?? 0) / (oneTransaction.perSecond ?? 1), 2)}x`;
  console.log(`bare loop, one transaction (baseline) | ${n(oneTransaction.perSecond)} | 1.00x | | ${n(oneTransaction.cpuUs, 1)} | ${n(oneTransaction.stallMaxMs)}`);
  console.log(`bare loop, one transaction per ${n(INGEST.batch)} | ${n(batches.perSecond)} | ${ratio(batches)} | | ${n(batches.cpuUs, 1)} | ${n(batches.stallMaxMs)}`);
  console.log(`access log (queue, batches of 1,000 to ${n(INGEST.batch)}, writer thread) | ${n(log.perSecond)} | ${ratio(log)} | ${verdict((log.perSecond ?? 0) >= INGEST.target)} | ${n(log.cpuUs, 1)} | ${n(log.stallMaxMs)} (p99 ${n(log.stallP99Ms, 1)})`);
}

function whoReadSection(): void {
  // The layout decides the answer's speed: a change of segment size or schema builds a new file.
  const file = join(CACHE, `access-log-${WHO_READ.records}-schema${SCHEMA_VERSION}-segment${SEGMENT_RECORDS}.db`);
  console.log(`\n## 2. whoRead over ${n(WHO_READ.records)} records (${n(RIDERS)} riders, ${n(MEMBERS)} members), ${n(WHO_READ.queries)} random subjects per run`);
  if (!existsSync(file)) {
    mkdirSync(CACHE, { recursive: true });
    const building = `${file}.building`;
    rmSync(building, { force: true });
    const { perSecond } = sample('build', building, WHO_READ.records);
    renameSync(building, file);
    console.log(`# built ${file} through the access log at ${n(perSecond)} records/s sustained (${n(statSync(file).size / 2 ** 30, 1)} GiB)`);
  }
  const result = runs('who-read', file, WHO_READ.queries);
  console.log('store | median ms | p99 ms | max ms | CPU ms median / p99 | first query incl. open ms | principals per answer | target < 50 ms');
  console.log(`SQLite | ${n(result.medianMs, 2)} | ${n(result.p99Ms, 2)} | ${n(result.maxMs, 1)} | ${n(result.cpuMedianMs, 2)} / ${n(result.cpuP99Ms, 2)} | ${n(result.coldMs, 1)} | ${n(result.principals, 1)} | ${verdict((result.p99Ms ?? Infinity) < WHO_READ.target)}`);
}

async function postgresSection(): Promise<void> {
  const schema = (name: string): string => `leakproof_bench_${process.pid}_${name}`;
  const url = (name: string): string => `${POSTGRES}?schema=${schema(name)}`;
  console.log(`\n## 3. PostgreSQL (${new URL(POSTGRES).host}): ingest of ${n(INGEST.records)} records, then whoRead over a log of ${n(PG.records)}`);
  try {
    const bare = medians(Array.from({ length: RUNS }, (_, run) => sample('ingest-pg-bare', url(`bare${run}`), schema(`bare${run}`))));
    const log = medians(Array.from({ length: RUNS }, (_, run) => sample('ingest-pg-log', url(`log${run}`))));
    console.log('writer | records/s | vs bare loop');
    console.log(`bare loop, one INSERT of ${n(INGEST.batch)} records at a time (baseline) | ${n(bare.perSecond)} | 1.00x`);
    console.log(`access log (queue, batches of 1,000 to ${n(INGEST.batch)}) | ${n(log.perSecond)} | ${n((log.perSecond ?? 0) / (bare.perSecond ?? 1), 2)}x`);
    const built = sample('build', url('who'), PG.records);
    const result = runs('who-read', url('who'), PG.queries);
    console.log(`# built through the access log at ${n(built.perSecond)} records/s sustained`);
    console.log('store | median ms | p99 ms | max ms | first query incl. connect ms | principals per answer');
    console.log(`PostgreSQL | ${n(result.medianMs, 2)} | ${n(result.p99Ms, 2)} | ${n(result.maxMs, 1)} | ${n(result.coldMs, 1)} | ${n(result.principals, 1)}`);
  } finally {
    const client = new pg.Client({ connectionString: POSTGRES });
    await client.connect();
    const { rows } = await client.query<{ nspname: string }>('SELECT nspname FROM pg_namespace WHERE nspname LIKE $1', [`${schema('')}%`]);
    for (const { nspname } of rows) await client.query(`DROP SCHEMA "${nspname}" CASCADE`);
    await client.end();
  }
}

const [mode, ...args] = process.argv.slice(2);
if (mode !== undefined) console.log(JSON.stringify(await measure(mode, args)));
else {
  console.log(`# Access log: node ${process.version}, ${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores, ${n(totalmem() / 2 ** 30)} GiB, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  if (sections.includes('ingest')) ingestSection();
  if (sections.includes('who-read')) whoReadSection();
  if (sections.includes('postgres')) await postgresSection();
  console.log(`\n# load average at the end: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
}
