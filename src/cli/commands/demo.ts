/** `leakproof demo`: the Peloton incident replayed against the embedded reference API. */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ExitCode } from '../../core/errors.ts';
import { replayIncident } from '../../demo/incident.ts';
import { renderReplay, renderScans } from '../../demo/render.ts';
import { scanEveryMode } from '../../demo/scan-modes.ts';
import type { Command } from '../command.ts';
import { parseCommandArgs } from '../command.ts';

const HELP = `Usage: leakproof demo [--json] [--report-dir DIR]

Replays the 2021 Peloton API leak with nothing to set up. It starts the embedded reference API in
each stage of the incident (leaky, the auth-only "fix", fixed), sends the incident's requests as an
anonymous caller, a newly signed-up member and the owner, and shows what each one got of a private
rider's data. Then it scans each stage with leakproof scan and writes an HTML report per stage.
Everything runs on 127.0.0.1 and stops when the demo ends.

Options:
  --json             Print the measured outcomes and findings as JSON instead of the tables
  --report-dir DIR   Where to write the HTML reports (default: a leakproof-demo folder in the temp directory)

Exit codes: 0 done, 3 the reference API could not start.`;

export const demoCommand: Command = {
  name: 'demo',
  summary: 'Replay the 2021 Peloton leak against the embedded reference API',
  help: HELP,
  async run(argv, io) {
    const { values } = parseCommandArgs('demo', argv, { json: { type: 'boolean' }, 'report-dir': { type: 'string' } });
    const progress = (what: string) => (mode: string) => {
      if (io.interactive) io.err(io.colors.dim(`${what} the reference API in ${mode} mode...`));
    };
    const replay = await replayIncident(progress('Replaying the incident against'));
    const scans = await scanEveryMode(values['report-dir'] ?? join(tmpdir(), 'leakproof-demo'), progress('Scanning'));
    if (values.json) {
      io.out(JSON.stringify({
        victim: replay.victim.username,
        rows: replay.rows.map((r) => ({ route: r.probe.name, method: r.probe.method, path: r.probe.path, caller: r.caller, outcomes: r.outcomes })),
        scans: scans.map((s) => ({ mode: s.mode, report: s.report, requests: s.summary.requests, findings: s.findings.map((f) => ({ checkId: f.checkId, severity: f.severity, operation: f.operation?.id, title: f.title })) })),
      }, null, 2));
    } else {
      renderReplay(replay, io);
      renderScans(scans, io);
    }
    return ExitCode.Ok;
  },
};
