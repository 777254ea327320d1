/** `leakproof demo`: the Peloton incident replayed against the embedded reference API. */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ExitCode } from '../../core/errors.ts';
import { replayIncident } from '../../demo/incident.ts';
import { fixWithGateway } from '../../demo/gateway-fix.ts';
import { renderExplore, renderGatewayFix, renderReplay, renderScans, renderVerification } from '../../demo/render.ts';
import { scanEveryMode } from '../../demo/scan-modes.ts';
import { verifyFixes } from '../../demo/verify-fix.ts';
import type { Command } from '../command.ts';
import { parseCommandArgs } from '../command.ts';

const HELP = `Usage: leakproof demo [--json] [--report-dir DIR]

Replays the 2021 Peloton API leak with nothing to set up. It starts the embedded reference API in
each stage of the incident (leaky, the auth-only "fix", fixed), sends the incident's requests as an
anonymous caller, a newly signed-up member and the owner, and shows what each one got of a private
rider's data. Then it scans each stage with leakproof scan and writes an HTML report per stage.
Then it files January's headline finding, with its probe, as a report in an embedded disclosure
tracker and puts both fixes through its verification gate: the February "fix" is refused, the
real one resolves the case. Last, it turns January's findings
into a gateway policy (leakproof suggest), puts the gateway in front of the February API, and
scans through it. Everything runs on 127.0.0.1 and stops when the demo ends.

Options:
  --json             Print the measured outcomes and findings as JSON instead of the tables
  --report-dir DIR   Where to write the HTML reports and the probe (default: a leakproof-demo folder in the temp directory)

Exit codes: 0 done, 3 the reference API could not start.`;

export const demoCommand: Command = {
  name: 'demo',
  help: HELP,
  async run(argv, io) {
    const { values } = parseCommandArgs('demo', argv, { json: { type: 'boolean' }, 'report-dir': { type: 'string' } });
    const progress = (what: string) => (mode: string) => {
      io.status(`${what} the reference API in ${mode} mode...`);
    };
    const replay = await replayIncident(progress('Replaying the incident against'));
    const reportDir = values['report-dir'] ?? join(tmpdir(), 'leakproof-demo');
    const scans = await scanEveryMode(reportDir, progress('Scanning'));
    const verification = await verifyFixes(scans, reportDir, progress('Verifying a fix, through the disclosure tracker\'s gate, against'));
    io.status('Putting a gateway with the suggested policy in front of the reference API in authonly mode...');
    const gatewayFix = await fixWithGateway(scans, reportDir);
    io.status(undefined);
    if (values.json) {
      io.out(JSON.stringify({
        victim: replay.victim.username,
        rows: replay.rows.map((r) => ({ route: r.probe.name, method: r.probe.method, path: r.probe.path, caller: r.caller, outcomes: r.outcomes })),
        scans: scans.map((s) => ({ mode: s.mode, report: s.report, requests: s.summary.requests, findings: s.findings.map((f) => ({ checkId: f.checkId, severity: f.severity, operation: f.operation?.id, title: f.title })) })),
        gateway: gatewayFix ?? null,
        verification: verification ? { probe: verification.probe, finding: verification.finding.title, case: verification.disclosure, retests: verification.retests.map(({ mode, result }) => ({ mode, verdict: result.verdict, reason: result.reason })) } : null,
      }, null, 2));
    } else {
      renderReplay(replay, io);
      renderScans(scans, io);
      renderVerification(verification, io);
      renderGatewayFix(gatewayFix, io);
      renderExplore(io);
    }
    return ExitCode.Ok;
  },
};
