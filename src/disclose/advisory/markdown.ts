/**
 * A resolved case as a Markdown advisory, for a security page, a changelog or a mail. Everything
 * the reporter wrote is escaped: a title or description must print as text, never as HTML, a link
 * or a heading of the page it is published on.
 */
import type { Case } from '../model.ts';
import { scoreVector } from '../severity.ts';
import type { AdvisoryInput } from './input.ts';
import type { AdvisoryTracking } from './input.ts';
import { advisoryFacts, advisoryTracking, isoDate, nonEmpty } from './input.ts';

/**
 * The case as a Markdown advisory: severity and vectors, what is affected and fixed, the
 * description, impact and remediation, the timeline and, when the reporter consented, the credit.
 *
 * @example
 * ```ts
 * const text = markdownAdvisory({ case: resolved, publisher, revisions: [{ number: 1, at: Date.now(), summary: 'Initial release.' }], now: Date.now() });
 * // "# VR-0001: Unauthenticated access to riders' profiles\n\n…"
 * ```
 * @throws {AdvisoryError} when the case is not resolved, or the publisher's namespace is not a URL.
 */
export function markdownAdvisory(input: AdvisoryInput): string {
  const facts = advisoryFacts(input);
  const tracking = advisoryTracking(input);
  const c = input.case;
  const sections = [
    `# ${c.reference}: ${inline(facts.title)}`,
    [
      `- **Version:** ${versionLine(tracking)}`,
      `- **Severity:** ${severityLine(c)}`,
      ...vectorLines(c),
      `- **Product:** ${inline(facts.product)}`,
      `- **Affected:** ${inline(facts.affected)}`,
      `- **Fixed:** ${inline(facts.fixed)}`,
      `- **Publisher:** ${inline(input.publisher.name)}`,
    ].join('\n'),
    section('Summary', facts.summary),
    section('Description', c.description),
    section('Impact', c.impact),
    section('Remediation', facts.remediation),
    `## Timeline\n\n${timeline(c, tracking)}`,
    facts.credit === null ? null : `## Credit\n\n${inline(input.publisher.name)} thanks ${inline(facts.credit)} for reporting this vulnerability.`,
    tracking.status === 'draft' ? null : `## Revisions\n\n${tracking.history.map((r) => `- ${r.number} (${isoDate(r.at)}): ${inline(r.summary)}`).join('\n')}`,
  ];
  return `${sections.filter((s) => s !== null).join('\n\n')}\n`;
}

function severityLine(c: Case): string {
  if (c.severity === null) return 'not scored';
  const name = `${c.severity.charAt(0).toUpperCase()}${c.severity.slice(1)}`;
  return c.score === null ? name : `${name} (${c.score.toFixed(1)})`;
}

/** Each vector re-validated: what goes between backticks must be a vector and nothing else. */
function vectorLines(c: Case): string[] {
  return [c.cvss40, c.cvss31].flatMap((vector) => {
    if (vector === null) return [];
    const v = scoreVector(vector);
    return [`- **CVSS ${v.version}:** \`${v.vector}\` (${v.score.toFixed(1)}, ${v.severity})`];
  });
}

function section(title: string, text: string): string | null {
  const body = nonEmpty(text);
  return body === undefined ? null : `## ${title}\n\n${block(body)}`;
}

function versionLine(tracking: AdvisoryTracking): string {
  if (tracking.status === 'draft') return 'draft, not published';
  return `${tracking.version} (${isoDate(tracking.currentAt)})`;
}

function timeline(c: Case, tracking: AdvisoryTracking): string {
  const published = tracking.status === 'final' ? tracking.initialAt : null;
  const rows: [string, number | null, string][] = [
    ['Received', c.receivedAt, 'not recorded'],
    ['Acknowledged', c.acknowledgedAt, 'not recorded'],
    ['Fixed', c.resolvedAt, 'not recorded'],
    ['Disclosed', c.disclosedAt ?? published, 'not yet'],
  ];
  return rows.map(([what, at, otherwise]) => `- ${what}: ${at === null ? otherwise : isoDate(at)}`).join('\n');
}

/**
 * Markdown punctuation gets a backslash and HTML's specials become entities, in one pass so that
 * no escape is itself escaped. The punctuation covers what a span can start with (emphasis, code,
 * links, images, the `scheme:` and `www.` of autolinks) and, for a line, list numbers; `-`, `+`
 * and `=` only open a block at the start of a line (lists, rules, setext headings), so only there.
 */
function escape(text: string): string {
  const escaped = text.replace(/[\\`*_{}[\]()#.!|~:&<>]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : `\\${c}`));
  return /^[-+=]/.test(escaped) ? `\\${escaped}` : escaped;
}

/** Reporter text inside a line (a heading, a list item): newlines would end it, so they are spaces. */
function inline(text: string): string {
  return escape(text.replace(/\s+/g, ' ').trim());
}

/** Reporter text as paragraphs: its line breaks are kept, its indentation (a code block) is not. */
function block(text: string): string {
  return text.split(/\r?\n/).map((line) => escape(line.trim())).join('\n');
}
