/** `leakproof logs`: ask the gateway's access log whose personal data went to whom. */
import { ExitCode, UsageError } from '../../core/errors.ts';
import type { AccessLogStore, ReaderCount, ReaderRow, SubjectCount } from '../../gateway/access-log/index.ts';
import { describeStore, openAccessLogStore, parseSince } from '../../gateway/access-log/index.ts';
import type { Command } from '../command.ts';
import { parseCommandArgs } from '../command.ts';
import type { Io } from '../io.ts';

const DEFAULT_STORE = 'leakproof-access.db';

const HELP = `Usage: leakproof logs who-read SUBJECT [--since WHEN] [--limit N] [--store STORE] [--json]
       leakproof logs top-readers --since WHEN [--limit N] [--store STORE] [--json]
       leakproof logs subject-count PRINCIPAL [--since WHEN] [--store STORE] [--json]

Asks the gateway's access log, which holds one record per response that carried personal data,
whose data went to whom. Records of responses the gateway denied do not count: that data did not
leave.

  who-read SUBJECT         the principals that received this person's data: how many responses,
                           which fields, first and last time
  top-readers --since WHEN the principals that received the data of the most distinct people
  subject-count PRINCIPAL  how many distinct people's data this principal received

Options:
  --store STORE  The log: an SQLite file (default: ${DEFAULT_STORE} here) or sqlite:PATH,
                 or postgres://USER@HOST:PORT/DATABASE[?schema=NAME] (default schema: leakproof)
  --since WHEN   Only records since WHEN: a duration back from now (15m, 24h, 7d, 1h30m) or an
                 ISO date (2026-11-24, 2026-11-24T10:00Z; UTC unless a zone is given)
  --limit N      At most N principals (default: 50)
  --json         Print the answer as JSON, times as ISO 8601

Exit codes: 0 answered (an empty answer too), 2 bad usage, or no access log at STORE,
3 the store could not be read.`;

type Query = 'who-read' | 'top-readers' | 'subject-count';

const QUERIES: readonly Query[] = ['who-read', 'top-readers', 'subject-count'];

const DEFAULT_LIMIT = 50;

export const logsCommand: Command = {
  name: 'logs',
  help: HELP,
  async run(argv, io) {
    const request = parseRequest(argv);
    const log = await openAccessLogStore(request.store);
    try {
      await answer(log, request, io);
    } finally {
      await log.close();
    }
    return ExitCode.Ok;
  },
};

interface Request {
  query: Query;
  /** The SUBJECT or PRINCIPAL; empty for top-readers. */
  argument: string;
  store: string;
  since: number | undefined;
  limit: number;
  json: boolean;
}

/** How an answer is printed: where from, since when, how many rows, and for whom. */
type Answer = Pick<Request, 'since' | 'limit' | 'json'> & { store: string };

function parseRequest(argv: string[]): Request {
  const { values, positionals } = parseCommandArgs('logs', argv, {
    store: { type: 'string', default: DEFAULT_STORE },
    since: { type: 'string' },
    limit: { type: 'string' },
    json: { type: 'boolean' },
  }, true);
  const [query, argument, ...extra] = positionals;
  if (!isQuery(query)) throw new UsageError(query === undefined ? 'logs needs a query' : `unknown logs query '${query}'`, { hint: `queries: ${QUERIES.join(', ')}; see 'leakproof logs --help'` });
  const takesArgument = query !== 'top-readers';
  if (extra.length > 0 || (argument !== undefined) !== takesArgument) {
    throw new UsageError(takesArgument ? `logs ${query} takes exactly one ${query === 'who-read' ? 'SUBJECT' : 'PRINCIPAL'}` : 'logs top-readers takes no argument besides its options', { hint: "see 'leakproof logs --help'" });
  }
  if (query === 'top-readers' && values.since === undefined) throw new UsageError('logs top-readers needs --since', { hint: 'for example --since 24h' });
  const since = values.since === undefined ? undefined : parseSince(values.since);
  return { query, argument: argument ?? '', store: values.store, since, limit: parseLimit(values.limit), json: values.json === true };
}

async function answer(log: AccessLogStore, request: Request, io: Io): Promise<void> {
  const { query, argument, since, limit } = request;
  const shown: Answer = { ...request, store: describeStore(request.store) };
  // One more than asked, so that the answer can say there are more.
  if (query === 'who-read') printReaders(argument, await log.whoRead(argument, { since, limit: limit + 1 }), shown, io);
  else if (query === 'top-readers') printTopReaders(await log.topReaders({ since: since ?? 0, limit: limit + 1 }), shown, io);
  else printSubjectCount(await log.subjectCount(argument, { since }), shown, io);
}

function isQuery(value: string | undefined): value is Query {
  return QUERIES.includes(value as Query);
}

function parseLimit(value: string | undefined): number {
  if (value === undefined) return DEFAULT_LIMIT;
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new UsageError(`--limit must be a whole number of at least 1, not '${value}'`);
  return Number(value);
}

function printReaders(subject: string, rows: ReaderRow[], answer: Answer, io: Io): void {
  const shown = rows.slice(0, answer.limit);
  if (answer.json) {
    io.out(JSON.stringify({ subject, since: isoTime(answer.since), readers: shown.map((row) => ({ ...row, first: isoTime(row.first), last: isoTime(row.last) })), truncated: rows.length > shown.length }, null, 2));
    return;
  }
  if (shown.length === 0) {
    io.out(`No principal received personal data of '${subject}'${window(answer)}.`);
    return;
  }
  io.out(`Principals that received personal data of '${subject}'${window(answer)}:`);
  table(io, ['principal', 'responses', 'first', 'last', 'fields'], shown.map((row) => [row.principal, String(row.records), stamp(row.first), stamp(row.last), row.fields.join(', ')]), [1]);
  footer(io, shown.length, rows.length > shown.length);
}

function printTopReaders(rows: ReaderCount[], answer: Answer, io: Io): void {
  const shown = rows.slice(0, answer.limit);
  if (answer.json) {
    io.out(JSON.stringify({ since: isoTime(answer.since), readers: shown.map((row) => ({ ...row, first: isoTime(row.first), last: isoTime(row.last) })), truncated: rows.length > shown.length }, null, 2));
    return;
  }
  if (shown.length === 0) {
    io.out(`No principal received personal data${window(answer)}.`);
    return;
  }
  io.out(`Principals by the number of people whose data they received${window(answer)}:`);
  table(io, ['principal', 'people', 'responses', 'first', 'last'], shown.map((row) => [row.principal, String(row.subjects), String(row.records), stamp(row.first), stamp(row.last)]), [1, 2]);
  footer(io, shown.length, rows.length > shown.length);
}

function printSubjectCount(count: SubjectCount, answer: Answer, io: Io): void {
  if (answer.json) {
    io.out(JSON.stringify({ ...count, since: isoTime(answer.since), first: isoTime(count.first), last: isoTime(count.last) }, null, 2));
    return;
  }
  if (count.first === undefined || count.last === undefined) {
    io.out(`'${count.principal}' received no personal data${window(answer)}.`);
    return;
  }
  io.out(`'${count.principal}' received personal data of ${plural(count.subjects, 'person', 'people')} in ${plural(count.records, 'response')}${window(answer)}, from ${stamp(count.first)} to ${stamp(count.last)}.`);
}

function window(answer: Answer): string {
  return `${answer.since === undefined ? '' : ` since ${stamp(answer.since)}`} (${answer.store})`;
}

function footer(io: Io, shown: number, more: boolean): void {
  io.out(more ? `\nThe first ${plural(shown, 'principal')}; there are more (raise --limit).` : `\n${plural(shown, 'principal')}.`);
}

/** Columns padded to their widest cell; the columns in `right` (counts) aligned right. */
function table(io: Io, header: string[], rows: string[][], right: number[]): void {
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: string[]): string => cells.map((cell, i) => (i === cells.length - 1 ? cell : right.includes(i) ? cell.padStart(widths[i] ?? 0) : cell.padEnd(widths[i] ?? 0))).join('  ');
  io.out(`  ${io.colors.bold(line(header))}`);
  for (const row of rows) io.out(`  ${line(row)}`);
}

function plural(n: number, noun: string, nouns = `${noun}s`): string {
  return `${n} ${n === 1 ? noun : nouns}`;
}

/** A time for people: UTC, to the second. */
function stamp(time: number): string {
  return new Date(time).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** A time for programs: ISO 8601 to the ms, or null. */
function isoTime(time: number | undefined): string | null {
  return time === undefined ? null : new Date(time).toISOString();
}
