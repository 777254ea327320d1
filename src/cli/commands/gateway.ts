/** `leakproof gateway`: run the policy-enforcing proxy; `leakproof gateway check`: only validate. */
import cluster from 'node:cluster';
import { watch } from 'node:fs';
import { availableParallelism } from 'node:os';
import { once } from 'node:events';
import { loadConfig } from '../../core/config.ts';
import { ExitCode, LeakproofError, UsageError } from '../../core/errors.ts';
import { prepareGateway, startGateway } from '../../gateway/index.ts';
import type { Command } from '../command.ts';
import { parseCommandArgs, parsePort } from '../command.ts';
import { checkClusterable, joinCluster, runPrimary } from '../gateway-cluster.ts';
import { listen } from '../listen.ts';

const HELP = `Usage: leakproof gateway [check] [--config FILE] [--port N] [--host ADDRESS] [--upstream URL] [--workers N]

Runs a reverse proxy in front of an existing API that enforces what the API forgot: only the
operations of its description are routed (404 for the rest), callers are authenticated (JWT
against a JWKS or OIDC issuer, API keys), requests are validated, each operation's CEL policy
decides who may call it, and on the way back, which records and which fields each caller may
see. Everything it cannot decide on is refused: upstream down (502), slow (504), or answering
something it cannot parse (502).

'leakproof gateway check' loads and compiles the configuration (CEL conditions included) and
stops: exit 0 when it would start.

The configuration is read again on SIGHUP and whenever its file changes. A new configuration
that does not load or compile is refused with the reason on stderr, and the running one stays.
With gateway.admin set, Prometheus metrics are at /metrics and a health check at /healthz on
the admin port.

Options:
  --config FILE     Configuration with a gateway section (default: leakproof.yaml here)
  --port N          Port to listen on (overrides gateway.listen.port; 0 picks a free one)
  --host ADDRESS    Address to listen on (overrides gateway.listen.host; default 127.0.0.1)
  --upstream URL    The API behind the gateway (overrides gateway.upstream.url)
  --admin-port N    Port of the admin server (overrides gateway.admin.port, when configured)
  --workers N       Gateway processes sharing the port, or auto for one per core (default 1);
                    rate limits and enumeration detection then need gateway.counters (Redis)

Exit codes: 0 stopped (or, for check, valid), 2 bad usage or configuration, 3 could not start.`;

export const gatewayCommand: Command = {
  name: 'gateway',
  help: HELP,
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs('gateway', argv, {
      config: { type: 'string' },
      port: { type: 'string' },
      host: { type: 'string' },
      upstream: { type: 'string' },
      'admin-port': { type: 'string' },
      workers: { type: 'string' },
    }, true);
    const [verb, ...extra] = positionals;
    if ((verb !== undefined && verb !== 'check') || extra.length > 0) throw new UsageError(`unknown gateway subcommand '${positionals.join(' ')}'`, { hint: "see 'leakproof gateway --help'" });
    const config = await loadConfig(values.config);
    const flags = {
      port: values.port === undefined ? undefined : parsePort(values.port, 8081),
      adminPort: values['admin-port'] === undefined ? undefined : parsePort(values['admin-port'], 9091),
      host: values.host,
      upstream: values.upstream,
    };
    const workers = parseWorkers(values.workers);
    const prepared = await prepareGateway(config, flags);
    if (verb === 'check') {
      await prepared.upstream.close();
      const own = [...prepared.policies.values()].filter((p) => p.allow.source !== 'false').length;
      io.out(`${config.file ?? 'configuration'}: valid. ${prepared.api.operations.length} operations routed, ${own} with a policy that can allow a call; upstream ${prepared.settings.upstream.url}.`);
      return ExitCode.Ok;
    }
    checkClusterable(prepared, workers);
    if (workers > 1 && cluster.isPrimary) return runPrimary(prepared, workers, io);
    const gateway = await listen(`gateway on ${prepared.settings.listen.host}:${prepared.settings.listen.port}`, () => startGateway(prepared, { admin: cluster.isPrimary }));
    if (cluster.isWorker) joinCluster(gateway.metrics.registry, gateway.url);
    else {
      io.out(`Gateway listening on ${gateway.url}, in front of ${prepared.settings.upstream.url}`);
      if (gateway.adminUrl !== undefined) io.out(`  metrics: ${gateway.adminUrl}/metrics, health: ${gateway.adminUrl}/healthz`);
      io.out('Press Ctrl-C to stop; SIGHUP or a change to the file reloads the configuration.');
    }
    const reload = (why: string): void => {
      loadConfig(values.config)
        .then((next) => gateway.reload(next))
        .then(
          () => { io.err(`Configuration reloaded (${why}).`); },
          (error: unknown) => { io.err(`Configuration not reloaded (${why}), the running one stays: ${error instanceof LeakproofError ? error.format() : String(error)}`); },
        );
    };
    const onHangup = (): void => { reload('SIGHUP'); };
    process.on('SIGHUP', onHangup);
    let pending: NodeJS.Timeout | undefined;
    // Editors write a file in several steps: wait for the last one before reading it.
    const watcher = config.file === undefined ? undefined : watch(config.file, () => {
      clearTimeout(pending);
      pending = setTimeout(() => { reload('file changed'); }, 200);
    });
    const signal = await Promise.race([once(process, 'SIGINT'), once(process, 'SIGTERM')]);
    if (cluster.isPrimary) io.err(`\nStopping (${String(signal[0] ?? 'signal')})...`);
    process.off('SIGHUP', onHangup);
    watcher?.close();
    clearTimeout(pending);
    await gateway.close();
    // The channel to the primary would keep a worker alive after its gateway has stopped.
    if (cluster.isWorker) process.disconnect();
    return ExitCode.Ok;
  },
};

/** `--workers N`, or `auto` for one per core. */
function parseWorkers(value: string | undefined): number {
  if (value === undefined) return 1;
  if (value === 'auto') return availableParallelism();
  const workers = Number(value);
  if (!/^\d+$/.test(value) || workers < 1 || workers > 256) throw new UsageError(`--workers must be a whole number from 1 to 256, or auto, not '${value}'`);
  return workers;
}
