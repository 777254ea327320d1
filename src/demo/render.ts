/** The incident replay as a before/after table a person reads in a terminal (or a log). */
import type { Io } from '../cli/io.ts';
import type { Mode } from '../reference-api/index.ts';
import { MODES, PLANTED_FLAWS, SEED } from '../reference-api/index.ts';
import { SEVERITIES } from '../scan/index.ts';
import type { Caller, IncidentReplay, Outcome, PersonalField, ReplayRow } from './incident.ts';
import { PROBES } from './incident.ts';
import type { ModeScan } from './scan-modes.ts';
import type { FixVerification } from './verify-fix.ts';
import type { GatewayFix } from './gateway-fix.ts';

const MODE_HEADINGS: Record<Mode, string> = {
  leaky: 'Jan 2021: leaky',
  authonly: '2 Feb "fix": authonly',
  fixed: 'fixed',
};

type Tone = 'leak' | 'safe' | 'own' | 'plain';
interface Cell {
  text: string;
  tone: Tone;
}

export function describeOutcome(outcome: Outcome, caller: Caller): Cell {
  const { status, victimFields, victimListed, othersExposed } = outcome;
  if (status === 401 || status === 403 || status === 404) return { text: `refused (${status})`, tone: 'safe' };
  if (status >= 400) return { text: `error (${status})`, tone: 'plain' };
  const others = othersExposed > 0 ? `, +${othersExposed} others` : '';
  if (caller === 'owner') return { text: `her own data (${victimFields.length})${others}`, tone: othersExposed > 0 ? 'leak' : 'own' };
  if (victimFields.length > 0) return { text: `LEAKS ${victimFields.length} fields${others}`, tone: 'leak' };
  if (othersExposed > 0) return { text: `LEAKS${others}`, tone: 'leak' };
  return { text: victimListed ? 'public card only' : 'not shown', tone: 'safe' };
}

export function renderReplay(replay: IncidentReplay, io: Io): void {
  const { bold, dim, red, green } = io.colors;
  const paint = (cell: Cell): string => (cell.tone === 'leak' ? red(bold(cell.text)) : cell.tone === 'safe' ? green(cell.text) : cell.text);
  const victim = replay.victim.username;
  const callerLabel: Record<Caller, string> = { anonymous: 'anonymous', member: 'a member who just signed up', owner: `${victim} herself` };

  const cells = replay.rows.map((row) => MODES.map((mode) => describeOutcome(row.outcomes[mode], row.caller)));
  const first = Math.max(...Object.values(callerLabel).map((l) => l.length + 2)) + 2;
  const widths = MODES.map((mode, i) => Math.max(MODE_HEADINGS[mode].length, ...cells.map((row) => row[i]?.text.length ?? 0)) + 3);
  const line = (label: string, texts: string[], painted: string[]): string =>
    label.padEnd(first) + painted.map((p, i) => p + ' '.repeat(Math.max(0, (widths[i] ?? 0) - (texts[i]?.length ?? 0)))).join('').trimEnd();

  io.out(bold('Leakproof demo: the 2021 Peloton API leak, replayed'));
  io.out('');
  io.out(`${victim} keeps her profile private. Three callers ask the reference API about her, at each stage`);
  io.out('of the incident, over real HTTP. What did each of them get?');
  io.out('');
  io.out(bold(line('', MODES.map((m) => MODE_HEADINGS[m]), MODES.map((m) => MODE_HEADINGS[m]))));
  for (const probe of PROBES) {
    io.out(`${bold(probe.name)}  ${dim(`${probe.method} ${probe.path.replace(replay.victim.id, '{id}')}`)}`);
    replay.rows.forEach((row, r) => {
      if (row.probe !== probe) return;
      const rowCells = cells[r] ?? [];
      io.out(line(`  ${callerLabel[row.caller]}`, rowCells.map((c) => c.text), rowCells.map(paint)));
    });
  }
  io.out('');
  for (const sentence of findings(replay)) for (const wrapped of wrap(sentence, 100)) io.out(wrapped);
  io.out('');
}

/** The scans of every mode: counts per severity, the February findings, and where the reports are. */
export function renderScans(scans: readonly ModeScan[], io: Io): void {
  const { bold, dim, red, green } = io.colors;
  const [first] = scans;
  if (!first) return;
  io.out('');
  io.out(bold(`Now automatically: leakproof scan, as ${first.summary.identities.join(', ')}`));
  for (const { mode, findings, summary } of scans) {
    const counts = [...SEVERITIES].reverse().map((severity) => [severity, findings.filter((f) => f.severity === severity).length] as const).filter(([, n]) => n > 0);
    const text = findings.length === 0 ? 'no findings' : `${findings.length} findings: ${counts.map(([severity, n]) => `${n} ${severity}`).join(', ')}`;
    io.out(`  ${mode.padEnd(9)} ${findings.length === 0 ? green(text) : red(text)}${dim(`  (${summary.requests} requests, ${(summary.durationMs / 1000).toFixed(1)} s)`)}`);
  }
  const february = scans.find((s) => s.mode === 'authonly');
  if (february && february.findings.length > 0) {
    io.out('');
    io.out('What the 2 February "fix" left open, as the scan reports it (most severe first):');
    for (const finding of february.findings.slice(0, 6)) io.out(`  ${finding.severity.padEnd(8)} ${finding.checkId.padEnd(30)} ${finding.title}`);
    if (february.findings.length > 6) io.out(dim(`  ... and ${february.findings.length - 6} more in the report`));
  }
  io.out('');
  io.out(`HTML reports: ${scans.map((s) => s.report).join('\n              ')}`);
  const counts = MODES.map((mode) => `${PLANTED_FLAWS.filter((f) => f.mode === mode).length} in ${mode}`).join(', ');
  io.out(dim(`Planted flaws, the ground truth the scan is scored against: ${counts} (src/reference-api/flaws.ts).`));
}

/** The fix without touching the app: the suggested policy in a gateway in front of the February API. */
export function renderGatewayFix(fix: GatewayFix | undefined, io: Io): void {
  if (!fix) return;
  const { bold, dim, red, green } = io.colors;
  io.out('');
  io.out(bold('Fixing it in a day without touching the app: leakproof suggest, then leakproof gateway'));
  io.out(`January's ${fix.findings} findings became a gateway policy for ${fix.operations} operations. In front of the February API:`);
  const verdict = fix.scan.findings === 0 ? green('no findings') : red(`${fix.scan.findings} findings`);
  io.out(`  the same scan, through the gateway   ${verdict}${dim(`  (${fix.scan.requests} requests)`)}`);
  io.out(`  erin reads her own profile           all ${fix.fields.owner} fields`);
  io.out(`  a stranger reads erin's profile      ${fix.fields.stranger} fields: the public card`);
  io.out('The access log answers "whose data went to whom?". Who received erin\'s record through the gateway:');
  for (const { reader, records, fields } of fix.readers) {
    io.out(`  ${reader.padEnd(8)} ${String(records).padStart(3)} answers   ${list(fields.filter((f) => f !== 'id'), 8)}`);
  }
  io.out(dim(`Policy: ${fix.policy}`));
  io.out(dim(`Access log: leakproof logs who-read ${fix.readers.length > 0 ? seededIdOf('erin') : 'ID'} --store ${fix.accessLog}`));
}

function list(items: readonly string[], limit: number): string {
  return items.length <= limit ? items.join(', ') : `${items.slice(0, limit).join(', ')} and ${items.length - limit} more`;
}

function seededIdOf(username: string): string {
  return SEED.people.find((p) => p.username === username)?.id ?? username;
}

/** The verification gate: January's probe tried against both fixes; only the real one passes. */
export function renderVerification(verification: FixVerification | undefined, io: Io): void {
  if (verification) renderRetests(verification, io);
}

/** Where to go from here: the same steps by hand. */
export function renderExplore(io: Io): void {
  const { dim } = io.colors;
  io.out('');
  io.out(dim('Explore it yourself: leakproof reference-api --mode authonly, then'));
  io.out(dim('  leakproof scan --config src/reference-api/leakproof.yaml --probes probes --format html --output report.html'));
  io.out(dim('  leakproof retest probes/FILE.json --config src/reference-api/leakproof.yaml'));
  io.out(dim('  leakproof gateway --config src/reference-api/gateway.yaml    (then scan --target http://127.0.0.1:8081)'));
  io.out(dim('  leakproof disclose init --email you@example.com && leakproof disclose serve    (then open http://127.0.0.1:8090)'));
}

function renderRetests(verification: FixVerification, io: Io): void {
  const { bold, dim, red, green, yellow } = io.colors;
  const paint = { pass: green, fail: red, inconclusive: yellow };
  const { disclosure } = verification;
  io.out('');
  io.out(bold('Closing the report only when the fix holds: leakproof disclose'));
  io.out(`January's finding "${verification.finding.title}"`);
  io.out(`was filed with its probe as ${bold(disclosure.reference)} in a disclosure tracker, scored ${disclosure.severity} (CVSS ${disclosure.score.toFixed(1)}) and assigned.`);
  io.out('Each fix went through the verification gate, which retests the probe as anonymous and as every member:');
  for (const { mode, result } of verification.retests) {
    const head = `  ${mode.padEnd(9)} ${paint[result.verdict](bold(result.verdict.toUpperCase().padEnd(12)))} `;
    const [first = '', ...rest] = wrap(result.reason, 100 - 25);
    io.out(head + first);
    for (const line of rest) io.out(' '.repeat(25) + line.trimStart());
  }
  for (const line of wrap(`The case went ${disclosure.states.join(' → ')}.`, 100)) io.out(line);
  io.out(`Audit trail: ${String(disclosure.trail.events)} events, ${disclosure.trail.verified ? 'hash chain verified' : red('hash chain BROKEN')}. Published advisory: ${disclosure.advisory}`);
  io.out(dim(`Probe: ${verification.probe}`));
  io.out(dim(`Open the case: leakproof disclose init --email you@example.com --store sqlite:${disclosure.store}`));
  io.out(dim(`  (an admin account for you), then leakproof disclose serve --store sqlite:${disclosure.store}`));
  io.out(dim(`  It serves the advisory to everyone at /advisories/${disclosure.reference}, and to aggregators as a CSAF 2.0 provider.`));
}

/** The story the table tells, in sentences built from what the replay measured. */
function findings(replay: IncidentReplay): string[] {
  const victim = replay.victim;
  const fieldsOf = (mode: Mode, caller: Caller): Set<PersonalField> =>
    new Set(replay.rows.filter((r) => r.caller === caller).flatMap((r) => r.outcomes[mode].victimFields));
  const rowsLeaking = (mode: Mode, caller: Caller): ReplayRow[] => replay.rows.filter((r) => r.caller === caller && r.outcomes[mode].victimFields.length > 0);
  const sentences: string[] = [];

  const anonymous = fieldsOf('leaky', 'anonymous');
  if (anonymous.size > 0) {
    const values = [...anonymous].map((field) => `${field} ${String(victim[field])}`).join(', ');
    sentences.push(`January 2021: without logging in, anyone could read ${victim.username}'s ${values}.`);
  }
  const widest = replay.rows
    .filter((r) => r.caller === 'anonymous' && r.outcomes.leaky.othersExposed > 0)
    .sort((a, b) => b.outcomes.leaky.othersExposed - a.outcomes.leaky.othersExposed)[0];
  if (widest) {
    const { othersExposed, victimFields } = widest.outcomes.leaky;
    sentences.push(`One ${widest.probe.name.toLowerCase()} request gave anyone the ${victimFields.join(', ')} of ${othersExposed} more riders at once.`);
  }

  const refusedAnonymous = rowsLeaking('authonly', 'anonymous').length === 0;
  const memberRows = rowsLeaking('authonly', 'member');
  if (refusedAnonymous && memberRows.length > 0) {
    sentences.push(
      `2 February: anonymous callers were refused, but anyone can sign up, and any member still read her data on ${memberRows.length} of ${PROBES.length} routes.`,
    );
  }
  const memberFixed = fieldsOf('fixed', 'member');
  const ownerFixed = fieldsOf('fixed', 'owner');
  if (memberFixed.size === 0 && ownerFixed.size > 0) {
    sentences.push(`Fixed: the server decides what each caller may see. A stranger gets the public card; ${victim.username} still gets all ${ownerFixed.size} of her fields.`);
  }
  return sentences;
}

/** Breaks a sentence into lines of at most `width` characters, at spaces. */
function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let current = '';
  for (const word of text.split(' ')) {
    if (current !== '' && current.length + 1 + word.length > width) {
      lines.push(current);
      current = `  ${word}`;
    } else {
      current = current === '' ? word : `${current} ${word}`;
    }
  }
  return [...lines, current];
}
