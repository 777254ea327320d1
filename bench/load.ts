/**
 * Loading API descriptions: Leakproof's loader (positions, $refs, model) against the plain parser
 * of the same format with none of that, on the largest real descriptions. Median of RUNS runs,
 * each in a fresh process.  Run: npm run bench, or node bench/load.ts [NAME...] for the specs whose
 * file names contain one of the NAMEs (to measure some rows again).
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const corpus = process.env.LEAKPROOF_SPECS_DIR ?? join(import.meta.dirname, '..', '..', 'shared', 'specs');
const SPECS = ['github-api.github.com.json', 'cloudflare-openapi.json', 'stripe-spec3.json', 'kubernetes-swagger.json', 'linode-openapi.yaml', 'openai-openapi.yaml'];

interface Sample { ms: number; maxRssMb: number; operations: number }

function measure(mode: 'baseline' | 'leakproof', file: string): Sample {
  const samples = Array.from({ length: RUNS }, () =>
    JSON.parse(execFileSync(process.execPath, [join(import.meta.dirname, 'load-one.ts'), mode, file], { encoding: 'utf8' })) as Sample,
  );
  const median = (values: number[]): number => values.sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
  return { ms: median(samples.map((s) => s.ms)), maxRssMb: median(samples.map((s) => s.maxRssMb)), operations: samples[0]?.operations ?? 0 };
}

if (!existsSync(corpus)) {
  console.error(`no corpus at ${corpus} (set LEAKPROOF_SPECS_DIR)`);
  process.exit(2);
}
const load = (): string => loadavg().map((l) => l.toFixed(2)).join(' ');
console.log(`# Loading API descriptions: median of ${RUNS} fresh processes; node ${process.version}, ${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores, load average ${load()}`);
console.log('# baseline: the plain parser (JSON.parse / yaml parse) without positions, $refs or model');
console.log('spec | size MB | operations | baseline ms | leakproof ms | time ratio | baseline peak MB | leakproof peak MB');
const names = process.argv.slice(2);
for (const spec of SPECS.filter((file) => names.length === 0 || names.some((name) => file.includes(name)))) {
  const file = join(corpus, spec);
  const base = measure('baseline', file);
  const ours = measure('leakproof', file);
  const size = (execFileSync('stat', ['-c', '%s', file], { encoding: 'utf8' }).trim() as unknown as number) / 1e6;
  console.log([spec, size.toFixed(1), ours.operations, base.ms.toFixed(0), ours.ms.toFixed(0), `${(ours.ms / base.ms).toFixed(2)}x`, base.maxRssMb.toFixed(0), ours.maxRssMb.toFixed(0)].join(' | '));
}
console.log(`# load average now ${load()}`);
