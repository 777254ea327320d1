/** `leakproof suggest FINDINGS.json`: a gateway policy draft that answers a scan's findings. */
import { writeFile } from 'node:fs/promises';
import { dirname, relative, resolve } from 'node:path';
import { loadConfig } from '../../core/config.ts';
import { ExitCode, UsageError } from '../../core/errors.ts';
import { loadApi } from '../../core/load.ts';
import { loadFindingsReport, suggestGatewayPolicy, visibilityOf } from '../../gateway/suggest.ts';
import type { Command } from '../command.ts';
import { parseCommandArgs } from '../command.ts';

const HELP = `Usage: leakproof suggest FINDINGS.json [--spec FILE] [--config FILE] [--output FILE]

Drafts the gateway policy that answers a scan's findings. FINDINGS.json is a report written by
'leakproof scan --format json'. Every operation with findings gets a policy, with a comment
naming the findings it answers:

  missing-authentication          allow: principal.authenticated
  bola, private-flag-bypass,      records and views: the owner sees everything, members what
  enumeration,                    scan.visibility makes public (private profiles: followers only),
  excessive-data-exposure         everyone else the card
  function-level-authorization    allow: an administrator role (adapt it)
  unrestricted-resource-consumption, mass-assignment
                                  request validation against the description (what to add to it)
  undocumented-endpoint           deny-by-default: only described routes are routed
  jwt-weakness                    the gateway verifies tokens itself

Other operations keep the default (members only). Authentication is left as a placeholder to
configure. Review the draft, then check it with 'leakproof gateway check --config FILE'.

Options:
  --spec FILE      The API description (default: the one the report names)
  --config FILE    Configuration whose scan.visibility says what is public by design (default:
                   leakproof.yaml here, if there is one); without it only owners see records
  --output FILE    Write the draft to FILE instead of stdout

Exit codes: 0 drafted, 2 bad usage, report, configuration or description.`;

export const suggestCommand: Command = {
  name: 'suggest',
  help: HELP,
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs('suggest', argv, {
      spec: { type: 'string' },
      config: { type: 'string' },
      output: { type: 'string' },
    }, true);
    const [file, ...extra] = positionals;
    if (file === undefined || extra.length > 0) throw new UsageError('suggest takes exactly one findings report', { hint: "see 'leakproof suggest --help'" });
    const report = await loadFindingsReport(file);
    const specPath = values.spec ?? report.summary.spec ?? undefined;
    if (specPath === undefined) throw new UsageError(`${file} names no API description: give --spec FILE`);
    const api = await loadApi(specPath);
    const config = await loadConfig(values.config);
    // The gateway reads paths relative to its configuration file: to where the draft goes.
    const spec = relative(values.output === undefined ? process.cwd() : dirname(resolve(values.output)), resolve(specPath));
    const { yaml, draft } = suggestGatewayPolicy(report, api, { spec, visibility: visibilityOf(config), personalData: config.personalData, reportName: file });
    if (values.output === undefined) io.out(yaml.replace(/\n$/, ''));
    else {
      await writeFile(values.output, yaml).catch((error: unknown) => {
        const code = (error as NodeJS.ErrnoException).code;
        const why = code === 'ENOENT' ? 'no such directory' : code === 'EACCES' ? 'permission denied' : String(code ?? error);
        throw new UsageError(`--output: cannot write ${values.output ?? ''}: ${why}`, { cause: error });
      });
      io.err(`Policies for ${draft.operations.length} operations written to ${values.output}; review them, then run 'leakproof gateway check --config ${values.output}'.`);
    }
    return ExitCode.Ok;
  },
};
