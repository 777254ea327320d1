/**
 * `leakproof audit` against its peer, Spectral with the OWASP API Security ruleset
 * (bench/audit-spectral-ruleset.yaml), on the real descriptions in ../shared/specs:
 *   1. Wall time and peak memory per description, each run a fresh process of each CLI writing its
 *      JSON report, the two tools taking turns so that both meet the same machine load. Median of
 *      RUNS runs. Target: Spectral's time at least 10x Leakproof's on the largest description, and
 *      Leakproof's peak below 500 MB.
 *   2. Which concerns each tool reports: results per rule id, summed over the descriptions.
 * Both are measured by GNU time (`/usr/bin/time`): elapsed wall time and the child's maximum
 * resident set size, the same way for both tools.
 * Run: npm run bench, or node bench/audit.ts [NAME...] for the descriptions whose file names contain
 * one of the NAMEs. BENCH_QUICK=1: the six largest and three small descriptions, one run each.
 * BENCH_RUNS=N overrides the number of runs. BENCH_AUDIT_LIMIT_S (default 900) stops a run that takes
 * longer: Spectral ran 740 s on the GitHub description at 4.5 GB without finishing, so a run at the
 * limit is reported as "> limit" and its ratio as a lower bound. BENCH_AUDIT_TOOLS=leakproof (or spectral)
 * runs one tool only, e.g. to time Leakproof alone on the largest description when the machine is quiet.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';

const QUICK = process.env.BENCH_QUICK === '1';
const RUNS = Number(process.env.BENCH_RUNS ?? (QUICK ? 1 : 3));
const corpus = process.env.LEAKPROOF_SPECS_DIR ?? join(import.meta.dirname, '..', '..', 'shared', 'specs');
const TIME = '/usr/bin/time';
const LEAKPROOF = join(import.meta.dirname, '..', 'bin', 'leakproof.js');
const SPECTRAL = join(import.meta.dirname, '..', 'node_modules', '@stoplight', 'spectral-cli', 'dist', 'index.js');
const RULESET = join(import.meta.dirname, 'audit-spectral-ruleset.yaml');
/** Small descriptions of each kind for quick mode: OpenAPI 3.0 YAML, 3.1 YAML, Swagger 2.0 JSON. */
const QUICK_SMALL = ['swagger-petstore-v3.yaml', 'museum-openapi.yaml', 'oai-petstore-v2.json'];
const TARGET = { ratio: 10, leakproofPeakMb: 500 };
const LIMIT_S = Number(process.env.BENCH_AUDIT_LIMIT_S ?? 900);
/** Exit codes of coreutils `timeout` when the limit stopped the command (TERM, or KILL after it). */
const STOPPED = new Set([124, 137]);

type Tool = 'leakproof' | 'spectral';
interface Run { ms: number; peakMb: number; counts: Map<string, number>; stopped: boolean }
/** A tool left out by BENCH_AUDIT_TOOLS has no run. */
interface Row { spec: string; sizeMb: number; operations: number | undefined; leakproof: Run | undefined; spectral: Run | undefined }

const TOOL_NAMES: readonly Tool[] = ['leakproof', 'spectral'];
const TOOLS: readonly Tool[] = (() => {
  const names = (process.env.BENCH_AUDIT_TOOLS ?? TOOL_NAMES.join(',')).split(',').map((name) => name.trim()).filter((name) => name !== '');
  const unknown = names.filter((name) => !TOOL_NAMES.includes(name as Tool));
  if (unknown.length > 0 || names.length === 0) {
    console.error(`BENCH_AUDIT_TOOLS: expected leakproof, spectral or both, comma-separated; got '${process.env.BENCH_AUDIT_TOOLS ?? ''}'`);
    process.exit(2);
  }
  return TOOL_NAMES.filter((tool) => names.includes(tool));
})();

/** The command line of each tool, run by the same Node binary as this script (Spectral's shebang would take whatever `node` is first on PATH). */
function commandLine(tool: Tool, spec: string): string[] {
  return tool === 'leakproof'
    ? [process.execPath, LEAKPROOF, 'audit', spec, '--format', 'json']
    : [process.execPath, SPECTRAL, 'lint', spec, '--ruleset', RULESET, '--format', 'json'];
}

/** Results per rule id in a report; Leakproof's also gives the number of operations it audited. */
function readReport(tool: Tool, text: string): { counts: Map<string, number>; operations: number } {
  const counts = new Map<string, number>();
  const count = (id: string): void => { counts.set(id, (counts.get(id) ?? 0) + 1); };
  if (tool === 'leakproof') {
    const report = JSON.parse(text) as { summary: { operations: number }; findings: { checkId: string }[] };
    for (const finding of report.findings) count(finding.checkId);
    return { counts, operations: report.summary.operations };
  }
  for (const result of JSON.parse(text) as { code: string }[]) count(result.code);
  return { counts, operations: 0 };
}

/** One run of one tool in a fresh process; its report goes to a file so the pipe costs neither tool. */
function runOnce(tool: Tool, spec: string, scratch: string): Run & { operations: number } {
  const reportFile = join(scratch, `${tool}.json`);
  const timeFile = join(scratch, `${tool}.time`);
  const out = openSync(reportFile, 'w');
  // GNU time waits for `timeout`, whose resource usage includes the tool it waited for, so the peak is the tool's.
  const limit = ['timeout', '--kill-after=10', String(LIMIT_S)];
  const child = spawnSync(TIME, ['-f', '%e %M', '-o', timeFile, ...limit, ...commandLine(tool, spec)], { stdio: ['ignore', out, 'pipe'], maxBuffer: 64 * 1024 * 1024 });
  closeSync(out);
  const stopped = child.status !== null && STOPPED.has(child.status);
  // Both CLIs exit 1 when they report something at or above their failing severity: a normal result here.
  if (child.status !== 0 && child.status !== 1 && !stopped) {
    throw new Error(`${tool} on ${spec} exited ${child.status ?? child.signal ?? '?'}: ${child.stderr.toString().slice(-2000)}`);
  }
  const [seconds, kilobytes] = readFileSync(timeFile, 'utf8').trim().split('\n').at(-1)?.split(' ').map(Number) ?? [];
  if (seconds === undefined || kilobytes === undefined || Number.isNaN(seconds) || Number.isNaN(kilobytes)) {
    throw new Error(`no timing from ${TIME} for ${tool} on ${spec}`);
  }
  const report = stopped ? { counts: new Map<string, number>(), operations: 0 } : readReport(tool, readFileSync(reportFile, 'utf8'));
  return { ms: seconds * 1000, peakMb: (kilobytes * 1024) / 1e6, stopped, ...report };
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

function measure(spec: string, scratch: string): Row {
  const file = join(corpus, spec);
  const runs: Record<Tool, (Run & { operations: number })[]> = { leakproof: [], spectral: [] };
  for (let index = 0; index < RUNS; index++) {
    // Which tool goes first alternates, so that neither always runs right after the other's disk and cache traffic.
    const turns: Tool[] = index % 2 === 0 ? ['leakproof', 'spectral'] : ['spectral', 'leakproof'];
    const order = turns.filter((tool) => TOOLS.includes(tool));
    for (const tool of order) runs[tool].push(runOnce(tool, file, scratch));
    // A run stopped at the limit would only be stopped again: once is enough to bound it.
    if (runs.spectral.some((s) => s.stopped)) break;
  }
  const summarize = (samples: (Run & { operations: number })[]): Run | undefined => (samples.length === 0 ? undefined : {
    ms: median(samples.map((s) => s.ms)),
    peakMb: median(samples.map((s) => s.peakMb)),
    counts: samples.find((s) => !s.stopped)?.counts ?? new Map<string, number>(),
    stopped: samples.some((s) => s.stopped),
  });
  return {
    spec,
    sizeMb: statSync(file).size / 1e6,
    operations: runs.leakproof.find((s) => !s.stopped)?.operations,
    leakproof: summarize(runs.leakproof),
    spectral: summarize(runs.spectral),
  };
}

/** Every description in the corpus, largest first. */
function corpusBySize(): string[] {
  return readdirSync(corpus)
    .filter((file) => /\.(json|ya?ml)$/.test(file))
    .sort((a, b) => statSync(join(corpus, b)).size - statSync(join(corpus, a)).size);
}

/** Quick mode keeps the six largest and a few small ones; NAMEs narrow the choice further. */
function chooseSpecs(all: string[], names: string[]): string[] {
  const chosen = QUICK ? all.filter((file, index) => index < 6 || QUICK_SMALL.includes(file)) : all;
  return chosen.filter((file) => names.length === 0 || names.some((name) => file.includes(name)));
}

/** A figure of a run stopped at the limit is a lower bound; its results are unknown. A tool not run shows "-". */
const shown = (run: Run | undefined, figure: (run: Run) => string, instead?: string): string =>
  run === undefined ? '-' : run.stopped ? (instead ?? `> ${figure(run)}`) : figure(run);
const total = (counts: Map<string, number>): number => [...counts.values()].reduce((sum, n) => sum + n, 0);

function printConcerns(tool: Tool, rows: Row[]): void {
  const results = new Map<string, { results: number; specs: number }>();
  for (const row of rows) {
    for (const [id, n] of row[tool]?.counts ?? []) {
      const entry = results.get(id) ?? { results: 0, specs: 0 };
      results.set(id, { results: entry.results + n, specs: entry.specs + 1 });
    }
  }
  const finished = rows.filter((row) => row[tool]?.stopped === false).length;
  console.log(`\n# ${tool}: results per rule over the ${finished} descriptions it finished`);
  console.log('rule | results | descriptions with any');
  for (const [id, entry] of [...results].sort((a, b) => b[1].results - a[1].results || a[0].localeCompare(b[0]))) {
    console.log(`${id} | ${entry.results} | ${entry.specs}`);
  }
}

if (!existsSync(corpus)) {
  console.error(`no corpus at ${corpus} (set LEAKPROOF_SPECS_DIR)`);
  process.exit(2);
}
if (!existsSync(TIME) || !existsSync(SPECTRAL)) {
  console.error(`bench/audit.ts needs GNU time at ${TIME} and the dev dependency @stoplight/spectral-cli (npm install)`);
  process.exit(2);
}
const all = corpusBySize();
const specs = chooseSpecs(all, process.argv.slice(2));
const versions = (): string => {
  const version = (name: string): string => (JSON.parse(readFileSync(join(import.meta.dirname, '..', 'node_modules', ...name.split('/'), 'package.json'), 'utf8')) as { version: string }).version;
  return `@stoplight/spectral-cli ${version('@stoplight/spectral-cli')}, @stoplight/spectral-owasp-ruleset ${version('@stoplight/spectral-owasp-ruleset')}`;
};
const load = (): string => loadavg().map((l) => l.toFixed(2)).join(' ');
const only = TOOLS.length === 1 ? `; ${TOOLS[0] ?? ''} only (BENCH_AUDIT_TOOLS)` : '';
console.log(`# Audit: leakproof audit against Spectral + OWASP ruleset; median of ${RUNS} fresh processes each, alternating; ${specs.length} descriptions${QUICK ? ' (quick)' : ''}${only}`);
console.log(`# node ${process.version}, ${versions()}, ${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, load average ${load()}`);
console.log('spec | size MB | operations | leakproof ms | spectral ms | spectral / leakproof time | leakproof peak MB | spectral peak MB | leakproof findings | spectral results');

const scratch = mkdtempSync(join(tmpdir(), 'leakproof-audit-bench-'));
const rows: Row[] = [];
try {
  for (const spec of specs) {
    const row = measure(spec, scratch);
    rows.push(row);
    const { leakproof, spectral } = row;
    const ratio = leakproof === undefined || spectral === undefined ? '-' : shown(spectral, (s) => `${(s.ms / leakproof.ms).toFixed(1)}x`);
    console.log([
      row.spec, row.sizeMb.toFixed(2), row.operations ?? '?', shown(leakproof, (r) => r.ms.toFixed(0)), shown(spectral, (r) => r.ms.toFixed(0)),
      ratio, shown(leakproof, (r) => r.peakMb.toFixed(0)), shown(spectral, (r) => r.peakMb.toFixed(0)),
      shown(leakproof, (r) => String(total(r.counts)), 'stopped'), shown(spectral, (r) => String(total(r.counts)), 'stopped'),
    ].join(' | '));
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
console.log(`# load average now ${load()}`);

// The time target is about the corpus's largest description, so it is judged only in a run that measured it.
const largest = rows.find((row) => row.spec === all[0]);
if (largest?.leakproof === undefined || largest.spectral === undefined) {
  console.log(`# target: >= ${TARGET.ratio}x faster than Spectral on the largest description (${all[0] ?? '?'}): not measured in this run`);
} else {
  const ratio = largest.spectral.ms / largest.leakproof.ms;
  const bound = largest.spectral.stopped ? `more than ${ratio.toFixed(1)}x (Spectral stopped at ${LIMIT_S} s)` : `${ratio.toFixed(1)}x`;
  console.log(`# target: >= ${TARGET.ratio}x faster than Spectral on the largest description (${largest.spec}): ${bound}, ${ratio >= TARGET.ratio ? 'met' : 'MISSED'}`);
}
if (TOOLS.includes('leakproof')) {
  const peak = rows.reduce((max, row) => Math.max(max, row.leakproof?.peakMb ?? 0), 0);
  const heaviest = rows.find((row) => row.leakproof?.peakMb === peak)?.spec ?? '';
  console.log(`# target: leakproof peak < ${TARGET.leakproofPeakMb} MB on every description: ${peak.toFixed(0)} MB at most (${heaviest}), ${peak < TARGET.leakproofPeakMb ? 'met' : 'MISSED'}`);
}
for (const tool of TOOLS) printConcerns(tool, rows);
