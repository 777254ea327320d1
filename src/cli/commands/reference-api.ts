/** `leakproof reference-api`: the embedded Peloton-like API, served for a person or another tool. */
import { once } from 'node:events';
import { ExitCode, UsageError } from '../../core/errors.ts';
import { MODES, SEEDED_CREDENTIALS, startReferenceApi } from '../../reference-api/index.ts';
import type { Mode } from '../../reference-api/index.ts';
import type { Command } from '../command.ts';
import { parseCommandArgs, parsePort } from '../command.ts';
import { listen } from '../listen.ts';

const HELP = `Usage: leakproof reference-api [--mode leaky|authonly|fixed] [--port N] [--host ADDRESS]

Runs the embedded reference API: a connected-fitness service that reproduces the 2021 Peloton leak.
  leaky     January 2021: profiles, search, bulk details and GraphQL answer without authentication
  authonly  the 2 February "fix": login required, but any member still reads any member
  fixed     owner, follower and private-profile rules enforced on the server
Its OpenAPI description is served at /openapi.yaml. Stop it with Ctrl-C.

Options:
  --mode MODE     leaky, authonly or fixed (default: leaky)
  --port N        port to listen on (default: 8080; 0 picks a free one)
  --host ADDRESS  address to listen on (default: 127.0.0.1)

Exit codes: 0 stopped, 2 bad option, 3 could not listen (e.g. port in use).`;

export const referenceApiCommand: Command = {
  name: 'reference-api',
  help: HELP,
  async run(argv, io) {
    const { values } = parseCommandArgs('reference-api', argv, {
      mode: { type: 'string', default: 'leaky' },
      port: { type: 'string' },
      host: { type: 'string', default: '127.0.0.1' },
    });
    const mode = values.mode as Mode;
    if (!MODES.includes(mode)) throw new UsageError(`--mode must be one of ${MODES.join(', ')}, not '${values.mode}'`);
    const port = parsePort(values.port, 8080);
    const api = await listen(`reference API on ${values.host}:${port}`, () => startReferenceApi({ mode, port, host: values.host }));
    io.out(`Reference API (${mode}) listening on ${api.url}`);
    io.out(`  description: ${api.url}/openapi.yaml`);
    io.out(`  members: ${SEEDED_CREDENTIALS.map((c) => `${c.username}/${c.password}`).join(', ')}`);
    io.out('Press Ctrl-C to stop.');
    const signal = await Promise.race([once(process, 'SIGINT'), once(process, 'SIGTERM')]);
    io.err(`\nStopping (${String(signal[0] ?? 'signal')})...`);
    await api.close();
    return ExitCode.Ok;
  },
};
