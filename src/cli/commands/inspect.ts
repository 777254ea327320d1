/** `leakproof inspect SPEC`: what Leakproof understood of an API description. */
import { loadConfig } from '../../core/config.ts';
import { ExitCode } from '../../core/errors.ts';
import { loadApi } from '../../core/load.ts';
import { formatLocation } from '../../core/location.ts';
import type { ApiModel, Diagnostic, Operation } from '../../core/model.ts';
import { allowsAnonymous } from '../../core/model.ts';
import { UsageError } from '../../core/errors.ts';
import type { Classifier, PersonalField, ResponsePersonalData } from '../../core/personal-data/index.ts';
import { componentNames, createClassifier, personalDataReturned } from '../../core/personal-data/index.ts';
import type { Command } from '../command.ts';
import { parseCommandArgs } from '../command.ts';
import type { Io } from '../io.ts';

const HELP = `Usage: leakproof inspect SPEC [--config FILE] [--json] [--strict]

Loads an API description (OpenAPI 3.0, 3.1 or Swagger 2.0; JSON or YAML; local $refs and other
files) and prints its operations with their security and where each is defined, then the personal
data each operation returns. Problems in the description are printed to stderr as
file:line:column: severity code: message.

Options:
  --config FILE  Configuration (default: leakproof.yaml in this directory, if there is one)
  --json         Print the model as JSON
  --strict       Exit 2 when the description has errors (e.g. a $ref that points at nothing)

Exit codes: 0 loaded, 2 unreadable or invalid description (or errors with --strict).`;

export const inspectCommand: Command = {
  name: 'inspect',
  help: HELP,
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs('inspect', argv, { json: { type: 'boolean' }, strict: { type: 'boolean' }, config: { type: 'string' } }, true);
    const [spec, ...extra] = positionals;
    if (spec === undefined || extra.length > 0) throw new UsageError('inspect takes exactly one API description file', { hint: "see 'leakproof inspect --help'" });
    const config = await loadConfig(values.config);
    const api = await loadApi(spec, { strict: values.strict === true });
    for (const diagnostic of api.diagnostics) io.err(formatDiagnostic(diagnostic));
    const personal = personalData(api, createClassifier(config.personalData));
    if (values.json) io.out(JSON.stringify(toJson(api, personal), null, 2));
    else printSummary(api, personal, io);
    const failed = values.strict === true && api.diagnostics.some((d) => d.severity === 'error');
    return failed ? ExitCode.Usage : ExitCode.Ok;
  },
};

export function formatDiagnostic(diagnostic: Diagnostic): string {
  const where = diagnostic.location ? `${formatLocation(diagnostic.location)}: ` : '';
  return `${where}${diagnostic.severity} ${diagnostic.code}: ${diagnostic.message}`;
}

function securityLabel(op: Operation): string {
  if (op.security.length === 0) return 'none';
  const alternatives = op.security.map((r) => Object.keys(r).join('+') || 'anonymous');
  return alternatives.join(' | ') + (allowsAnonymous(op) && !alternatives.includes('anonymous') ? ' | anonymous' : '');
}

type PersonalData = Map<Operation, ResponsePersonalData[]>;

function personalData(api: ApiModel, classifier: Classifier): PersonalData {
  const names = componentNames(api);
  return new Map(api.operations.map((op) => [op, personalDataReturned(op, classifier, names)]));
}

/** What a reader should see first: the data whose leak harms most. */
const SENSITIVITY_ORDER: readonly string[] = ['special', 'financial', 'credential', 'demographic', 'contact', 'location', 'identifier', 'online-identifier', 'behavioural', 'preference'];

function bySensitivity(fields: readonly PersonalField[]): PersonalField[] {
  const rank = (f: PersonalField): number => {
    const index = SENSITIVITY_ORDER.indexOf(f.sensitivity);
    return index === -1 ? SENSITIVITY_ORDER.length : index;
  };
  return [...fields].sort((a, b) => rank(a) - rank(b));
}

/** At most `limit` names, then how many more. */
function listed(names: string[], limit: number): string {
  return names.length <= limit ? names.join(', ') : `${names.slice(0, limit).join(', ')} (+${names.length - limit} more)`;
}

function printSummary(api: ApiModel, personal: PersonalData, io: Io): void {
  const { bold, dim } = io.colors;
  const format = { 'openapi-3.0': 'OpenAPI 3.0', 'openapi-3.1': 'OpenAPI 3.1', 'swagger-2.0': 'Swagger 2.0' }[api.format];
  io.out(bold(`${api.title ?? 'Untitled API'}${api.version ? ` ${api.version}` : ''}`) + dim(` — ${format} (${api.file})`));
  const webhooks = api.webhooks.length > 0 ? `, ${count(api.webhooks.length, 'webhook')}` : '';
  io.out(`${count(api.operations.length, 'operation')}${webhooks}, ${count(api.securitySchemes.size, 'security scheme')}, ${count(api.schemas.size, 'named schema')}`);
  const rows = api.operations.map((op) => [op.method, op.path, op.id === `${op.method} ${op.path}` ? '' : op.id, securityLabel(op), op.location ? formatLocation(op.location) : '']);
  const widths = [0, 1, 2, 3].map((i) => Math.max(0, ...rows.map((row) => (row[i] ?? '').length)));
  io.out('');
  for (const row of rows) io.out(`  ${row.map((cell, i) => (i < 4 ? cell.padEnd(widths[i] ?? 0) : dim(cell))).join('  ')}`);
  const returning = api.operations.filter((op) => (personal.get(op) ?? []).length > 0);
  io.out('');
  io.out(returning.length === 0 ? 'No operation declares a response with personal data.' : `Personal data in successful responses (${returning.length} of ${api.operations.length} operations):`);
  const idWidth = Math.max(0, ...returning.map((op) => op.id.length));
  for (const op of returning) {
    for (const { status, fields } of personal.get(op) ?? []) io.out(`  ${op.id.padEnd(idWidth)}  ${status}  ${listed(bySensitivity(fields).map((f) => f.path), 8)}`);
  }
  const errors = api.diagnostics.filter((d) => d.severity === 'error').length;
  if (api.diagnostics.length > 0) io.out(`\n${count(errors, 'error')} and ${count(api.diagnostics.length - errors, 'warning')} in the description (listed on stderr).`);
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

function toJson(api: ApiModel, personal: PersonalData): unknown {
  return {
    file: api.file,
    format: api.format,
    specVersion: api.specVersion,
    title: api.title,
    version: api.version,
    servers: api.servers.map((s) => s.url),
    securitySchemes: [...api.securitySchemes.values()].map(({ name, type, scheme, in: where, parameterName }) => ({ name, type, scheme, in: where, parameterName })),
    operations: api.operations.map((op) => ({
      id: op.id,
      method: op.method,
      path: op.path,
      security: op.security,
      allowsAnonymous: allowsAnonymous(op),
      parameters: op.parameters.map((p) => ({ name: p.name, in: p.in, required: p.required })),
      responses: op.responses.map((r) => r.status),
      personalData: (personal.get(op) ?? []).map(({ status, fields }) => ({
        status,
        fields: fields.map((f) => ({ path: f.path, category: f.category, sensitivity: f.sensitivity, reason: f.reason })),
      })),
      location: op.location,
    })),
    diagnostics: api.diagnostics,
  };
}
