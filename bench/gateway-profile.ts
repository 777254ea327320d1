/**
 * Where a profiled process spent its time, from the `.cpuprofile` that `node --cpu-prof` writes:
 * self time summed by where the code lives (a file of ours, a package, a Node internal module,
 * or V8's own entries such as the garbage collector), and the functions with the most self time.
 * Used by `BENCH_PROFILE=DIR node bench/gateway.ts`; the same files open in Chrome DevTools.
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Where code lives, short: `src/gateway/views.ts`, `undici`, `node:net`, `(garbage collector)`. */
function placeOf(frame: ProfileNode['callFrame']): string {
  const { url, functionName } = frame;
  const inPackage = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
  if (inPackage?.[1] !== undefined) return inPackage[1];
  const ours = /\/((?:src|bench)\/.*)$/.exec(url);
  if (ours?.[1] !== undefined) return ours[1];
  if (url !== '') return url;
  // V8's own entries carry their name in parentheses; the rest is native code (JSON, Buffer, sockets) called from JavaScript.
  return functionName.startsWith('(') ? functionName : '(native)';
}

/** Lines of text: the `top` places and functions by share of the sampled time. */
export function summarizeProfile(file: string, top = 15): string[] {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const places = new Map<string, number>();
  const functions = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, index) => {
    const node = nodes.get(id);
    const delta = profile.timeDeltas[index] ?? 0;
    if (!node) return;
    total += delta;
    const place = placeOf(node.callFrame);
    places.set(place, (places.get(place) ?? 0) + delta);
    const name = node.callFrame.url === '' ? node.callFrame.functionName || place : `${node.callFrame.functionName || '(anonymous)'} ${place}:${node.callFrame.lineNumber + 1}`;
    functions.set(name, (functions.get(name) ?? 0) + delta);
  });
  const ranked = (counts: Map<string, number>): string => [...counts].sort((a, b) => b[1] - a[1]).slice(0, top).map(([name, time]) => `${((100 * time) / total).toFixed(1)}% ${name}`).join(', ');
  return [`sampled ${(total / 1e6).toFixed(1)} s`, `by place: ${ranked(places)}`, `by function: ${ranked(functions)}`];
}
