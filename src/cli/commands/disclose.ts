/** `leakproof disclose`: the vulnerability-disclosure tracker: init, serve, token, reset-password, sweep, verify-log. */
import { once } from 'node:events';
import { loadConfig } from '../../core/config.ts';
import { ExitCode, UsageError } from '../../core/errors.ts';
import type { Role, User } from '../../disclose/model.ts';
import { ROLES } from '../../disclose/model.ts';
import { startDiscloseService } from '../../disclose/service.ts';
import { discloseSettings } from '../../disclose/settings.ts';
import { buildDiscloseApp } from '../../disclose/web/app.ts';
import { newPassword } from '../../disclose/credentials.ts';
import type { Command } from '../command.ts';
import { parseCommandArgs, parsePort } from '../command.ts';
import { listen } from '../listen.ts';

const HELP = `Usage: leakproof disclose init --email EMAIL [--name NAME] [--config FILE] [--store STORE]
       leakproof disclose serve [--port N] [--host HOST] [--config FILE] [--store STORE]
       leakproof disclose token --email EMAIL [--label TEXT] [--config FILE] [--store STORE]
       leakproof disclose reset-password --email EMAIL [--config FILE] [--store STORE]
       leakproof disclose sweep [--config FILE] [--store STORE]
       leakproof disclose verify-log [--config FILE] [--store STORE]

A self-hosted vulnerability-disclosure tracker: a public report form and API, security.txt,
a private tracking link for each reporter, triage with CVSS, clocks with reminders and escalation,
and a verification gate that resolves a case only when its probe, retested against the fix,
no longer reaches the data.

  init            create the database and the first admin account; prints the password once
  serve           run the web service (pages and the JSON API at /api/v1, described at
                  /api/v1/openapi.json) and the clock sweep, every minute
  token           create an API token for a staff account (Authorization: Bearer TOKEN)
  reset-password  give a staff account a new password, printed once, and end its sessions;
                  its API tokens keep working (for an admin who is locked out)
  sweep           run the clock sweep and the digest once, now (for cron, instead of serve's)
  verify-log      check the hash chain of the audit trail; exit 1 if any event was altered

Options:
  --config FILE  Configuration with a 'disclose' section (default: leakproof.yaml here, if any)
  --store STORE  sqlite:PATH or postgres://USER@HOST:PORT/DB[?schema=NAME] (overrides
                 disclose.store; default: leakproof-disclose.db here)
  --port N       Port to listen on (default: 8090); --host HOST (default: 127.0.0.1)
  --email, --name, --role, --label   The account (init: an admin) or the token's label

Exit codes: 0 done, 1 the audit trail does not verify, 2 bad usage or configuration (no
active account for token or reset-password), 3 the store or the port could not be used.`;

const VERBS = ['init', 'serve', 'token', 'reset-password', 'sweep', 'verify-log'] as const;

export const discloseCommand: Command = {
  name: 'disclose',
  help: HELP,
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs('disclose', argv, {
      config: { type: 'string' },
      store: { type: 'string' },
      port: { type: 'string' },
      host: { type: 'string' },
      email: { type: 'string' },
      name: { type: 'string' },
      role: { type: 'string' },
      label: { type: 'string' },
    }, true);
    const [verb, ...extra] = positionals;
    if (!(VERBS as readonly (string | undefined)[]).includes(verb) || extra.length > 0) throw new UsageError(`disclose needs one of ${VERBS.join(', ')}`, { hint: "see 'leakproof disclose --help'" });
    const config = await loadConfig(values.config);
    const settings = discloseSettings(config);
    const service = await startDiscloseService(config, { store: values.store, onProblem: (message) => { io.err(message); } });
    try {
      switch (verb) {
        case 'init': {
          const email = values.email;
          if (email === undefined) throw new UsageError('init needs --email for the first admin account');
          const role = (values.role ?? 'admin') as Role;
          if (!ROLES.includes(role)) throw new UsageError(`--role must be one of ${ROLES.join(', ')}`);
          const password = newPassword();
          const user = await service.tracker.staff.createUser({ email, name: values.name ?? email.split('@')[0] ?? email, role, password });
          io.out(`Tracker ready in ${service.tracker.database.label}.`);
          io.out(`Created ${user.role} ${user.email}, password: ${password}`);
          io.out(`Start it with 'leakproof disclose serve' and sign in at ${settings.publicUrl}/login. Keep the password: it is shown only now.`);
          return ExitCode.Ok;
        }
        case 'token': {
          const user = await activeAccount(service, values.email);
          io.out(await service.tracker.staff.createApiToken(user, values.label ?? 'cli'));
          return ExitCode.Ok;
        }
        case 'reset-password': {
          const { user, password } = await service.tracker.staff.resetPassword((await activeAccount(service, values.email)).id);
          io.out(`New password for ${user.role} ${user.email}: ${password}`);
          io.out(`Their sessions have ended; their API tokens still work. Sign in at ${settings.publicUrl}/login and change it on the account page. It is shown only now.`);
          return ExitCode.Ok;
        }
        case 'sweep': {
          const now = service.tracker.now();
          const swept = await service.sweeper.sweep(now);
          const mails = await service.sweeper.digest(now);
          io.out(`${swept.cases} open cases; ${swept.created.length} new reminders and escalations; ${mails} digest mails sent.`);
          return ExitCode.Ok;
        }
        case 'verify-log': {
          const check = await service.tracker.verifyTrail();
          if (check.broken) {
            io.out(`The audit trail does NOT verify: event ${check.broken.seq}: ${check.broken.reason}. ${check.events} events before it check.`);
            return ExitCode.Findings;
          }
          io.out(`The audit trail verifies: ${check.events} events, head ${check.head}.`);
          io.out('Keep the head somewhere else: a trail rewritten from its first event on would verify too, but not to the same head.');
          return ExitCode.Ok;
        }
        default:
          return await serve(service, values, io);
      }
    } finally {
      await service.close();
    }
  },
};

/** The active account with the email of `--email`. */
async function activeAccount(service: Awaited<ReturnType<typeof startDiscloseService>>, email: string | undefined): Promise<User> {
  const user = (await service.tracker.staff.users()).find((u) => u.email === email?.trim().toLowerCase() && !u.disabled);
  if (!user) throw new UsageError(`no active account ${email ?? '(give --email)'}`);
  return user;
}

async function serve(service: Awaited<ReturnType<typeof startDiscloseService>>, values: { port?: string | undefined; host?: string | undefined }, io: Parameters<Command['run']>[1]): Promise<number> {
  const port = parsePort(values.port, 8090);
  const host = values.host ?? '127.0.0.1';
  const app = await buildDiscloseApp(service);
  const address = await listen(`tracker on ${host}:${String(port)}`, () => app.listen({ port, host }));
  if (!service.settings.publicUrlConfigured) service.settings.publicUrl = address;
  service.startClock();
  const users = await service.tracker.staff.users();
  io.out(`Tracker listening on ${address} (store: ${service.tracker.database.label})`);
  io.out(`  report form: ${address}/report · security.txt: ${address}/.well-known/security.txt · API: ${address}/api/v1/openapi.json`);
  if (users.length === 0) io.out("  no staff account yet: run 'leakproof disclose init --email YOU@EXAMPLE.COM'");
  io.out('Press Ctrl-C to stop.');
  const signal = await Promise.race([once(process, 'SIGINT'), once(process, 'SIGTERM')]);
  io.err(`\nStopping (${String(signal[0] ?? 'signal')})...`);
  await app.close();
  return ExitCode.Ok;
}
