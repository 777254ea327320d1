/**
 * One measurement, in a fresh process so that timings and peak memory are its own:
 *   node bench/load-one.ts baseline|leakproof FILE
 * baseline = the plain parser alone (JSON.parse, or yaml's parse), no positions, no model.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { loadApi } from '../src/core/load.ts';

const [mode, file] = process.argv.slice(2);
if (file === undefined || (mode !== 'baseline' && mode !== 'leakproof')) throw new Error('usage: load-one.ts baseline|leakproof FILE');
const started = performance.now();
let operations: number;
if (mode === 'baseline') {
  const text = readFileSync(file, 'utf8');
  const root = (file.endsWith('.json') ? JSON.parse(text) : parse(text)) as { paths?: Record<string, object> };
  operations = Object.values(root.paths ?? {}).reduce((n, item) => n + Object.keys(item).length, 0);
} else {
  operations = (await loadApi(file)).operations.length;
}
const ms = performance.now() - started;
process.stdout.write(JSON.stringify({ ms, maxRssMb: process.resourceUsage().maxRSS / 1024, operations }));
