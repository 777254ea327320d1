/** `leakproof demo`: the Peloton incident replayed against the embedded reference API. */
import { ExitCode } from '../../core/errors.ts';
import { replayIncident } from '../../demo/incident.ts';
import { renderReplay } from '../../demo/render.ts';
import type { Command } from '../command.ts';
import { parseCommandArgs } from '../command.ts';

const HELP = `Usage: leakproof demo [--json]

Replays the 2021 Peloton API leak with nothing to set up. It starts the embedded reference API in
each stage of the incident (leaky, the auth-only "fix", fixed), sends the incident's requests as an
anonymous caller, a newly signed-up member and the owner, and shows what each one got of a private
rider's data. Everything runs on 127.0.0.1 and stops when the demo ends.

Options:
  --json   Print the measured outcomes as JSON instead of the table

Exit codes: 0 done, 3 the reference API could not start.`;

export const demoCommand: Command = {
  name: 'demo',
  summary: 'Replay the 2021 Peloton leak against the embedded reference API',
  help: HELP,
  async run(argv, io) {
    const { values } = parseCommandArgs('demo', argv, { json: { type: 'boolean' } });
    const replay = await replayIncident((mode) => {
      if (io.interactive) io.err(io.colors.dim(`Replaying the incident against the reference API in ${mode} mode...`));
    });
    if (values.json) {
      io.out(JSON.stringify({ victim: replay.victim.username, rows: replay.rows.map((r) => ({ route: r.probe.name, method: r.probe.method, path: r.probe.path, caller: r.caller, outcomes: r.outcomes })) }, null, 2));
    } else {
      renderReplay(replay, io);
    }
    return ExitCode.Ok;
  },
};
