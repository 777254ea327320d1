/**
 * The report a person opens in a browser, mails or prints: one self-contained HTML file with the
 * summary, and every finding with its explanation, reproduction and evidence.
 *
 * It makes no requests and runs no script (its Content-Security-Policy forbids both), and every
 * piece of text is escaped: evidence holds response bodies that an attacker may have written.
 * Filtering by severity is done with checkboxes and CSS alone. Under a baseline, each finding is
 * marked new or accepted, the summary counts both, and the accepted findings this run did not
 * report get a section of their own.
 */
import { formatLocation } from '../../core/location.ts';
import type { BaselineEntry } from '../baseline.ts';
import type { Exchange } from '../exchange.ts';
import type { CheckDescription, Finding, ScanSummary, Severity } from '../finding.ts';
import type { ReportBaseline } from './findings.ts';
import {
  SEVERITIES_DESCENDING, acceptedFingerprints, checkIndex, countBySeverity, failingFindings, formatCount, formatDuration,
  groupBy, operationLabel, plural, reportedCheckIds, sortFindings,
} from './findings.ts';
import { escapeAttribute, escapeText } from './markup.ts';
import { HTML_BASELINE_STYLE, HTML_STYLE } from './html-style.ts';

/** Bodies are cut to this many characters in the HTML; the JSON report keeps them whole. */
export const HTML_BODY_LIMIT = 4096;

const CONTENT_SECURITY_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'";

const SEVERITY_LABEL: Record<Severity, string> = { critical: 'Critical', high: 'High', medium: 'Medium', low: 'Low', info: 'Info' };

const NEW_MARK = '<span class="mark new">new</span>';
const ACCEPTED_MARK = '<span class="mark accepted">accepted</span>';

/**
 * @example
 * ```ts
 * await writeFile('leakproof.html', writeHtmlReport(findings, summary));
 * ```
 */
export function writeHtmlReport(findings: readonly Finding[], summary: ScanSummary, baseline?: ReportBaseline): string {
  const sorted = sortFindings(findings);
  const checks = checkIndex(summary);
  const accepted = baseline === undefined ? undefined : acceptedFingerprints(baseline);
  const title = `Leakproof ${summary.kind} report${summary.target === undefined ? '' : `: ${summary.target}`}`;
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${escapeAttribute(CONTENT_SECURITY_POLICY)}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeText(title)}</title>`,
    `<style>${HTML_STYLE}${baseline === undefined ? '' : HTML_BASELINE_STYLE}</style>`,
    '</head>',
    '<body>',
    '<header>',
    `<h1>${escapeText(title)}</h1>`,
    '</header>',
    '<main>',
    summarySection(sorted, summary, baseline),
    checksSection(sorted, summary),
    ...(sorted.length === 0
      ? ['<section aria-labelledby="findings"><h2 id="findings">Findings</h2><p>No findings.</p></section>']
      : [filterControls(sorted), ...groupBy(sorted, (f) => f.severity).map((g) => severitySection(g.key as Severity, g.items, checks, accepted))]),
    ...(baseline && baseline.fixed.length > 0 ? [absentSection(baseline.fixed)] : []),
    '</main>',
    `<footer><p>Written by ${escapeText(summary.tool.name)} ${escapeText(summary.tool.version)}.</p></footer>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

function summarySection(findings: Finding[], summary: ScanSummary, baseline: ReportBaseline | undefined): string {
  const counts = countBySeverity(findings);
  const failing = failingFindings(findings, summary, baseline).length;
  const noun = baseline ? 'new finding' : 'finding';
  const facts: [string, string][] = [
    ['Target', summary.target === undefined ? '' : `<code>${escapeText(summary.target)}</code>`],
    ['API description', summary.spec === undefined ? '' : `<code>${escapeText(summary.spec)}</code>`],
    ['Started', `<time datetime="${escapeAttribute(summary.startedAt)}">${escapeText(readableTime(summary.startedAt))}</time>`],
    ['Duration', escapeText(formatDuration(summary.durationMs))],
    ['Requests', summary.kind === 'scan' ? escapeText(formatCount(summary.requests)) : ''],
    ['Operations', escapeText(formatCount(summary.operations))],
    ['Identities', escapeText(summary.identities.join(', '))],
    ['Fails at', `${escapeText(summary.failOn)} and above`],
    ['Baseline', baseline?.file === undefined ? '' : `<code>${escapeText(baseline.file)}</code>`],
  ];
  const verdict = failing > 0
    ? `<p class="verdict fail"><strong>Fails:</strong> ${escapeText(plural(failing, noun))} at or above ${escapeText(summary.failOn)}.</p>`
    : `<p class="verdict pass"><strong>Passes:</strong> nothing${baseline ? ' new' : ''} at or above ${escapeText(summary.failOn)}.</p>`;
  const rows = SEVERITIES_DESCENDING.map(
    (s) => `<tr class="severity-${s}"><th scope="row"><span class="badge">${SEVERITY_LABEL[s]}</span></th><td>${counts[s]}</td></tr>`,
  );
  return [
    '<section aria-labelledby="summary">',
    '<h2 id="summary">Summary</h2>',
    verdict,
    '<dl class="facts">',
    ...facts.filter(([, value]) => value !== '').map(([name, value]) => `<dt>${name}</dt><dd>${value}</dd>`),
    '</dl>',
    '<table class="counts">',
    '<caption>Findings by severity</caption>',
    '<thead><tr><th scope="col">Severity</th><th scope="col">Findings</th></tr></thead>',
    `<tbody>${rows.join('')}</tbody>`,
    `<tfoot><tr><th scope="row">Total</th><td>${findings.length}</td></tr></tfoot>`,
    '</table>',
    ...(baseline ? [baselineTable(findings, baseline)] : []),
    '</section>',
  ].join('\n');
}

function baselineTable(findings: Finding[], baseline: ReportBaseline): string {
  const accepted = acceptedFingerprints(baseline);
  const known = findings.filter((f) => accepted.has(f.fingerprint)).length;
  const rows: [string, number][] = [
    [NEW_MARK, findings.length - known],
    [ACCEPTED_MARK, known],
    ['accepted, no longer found', baseline.fixed.length],
  ];
  return [
    '<table class="counts">',
    '<caption>Findings against the baseline</caption>',
    `<tbody>${rows.map(([name, n]) => `<tr><th scope="row">${name}</th><td>${n}</td></tr>`).join('')}</tbody>`,
    '</table>',
  ].join('\n');
}

function checksSection(findings: Finding[], summary: ScanSummary): string {
  const checks = checkIndex(summary);
  const rows = reportedCheckIds(findings, summary).map((id) => {
    const check = checks.get(id);
    const found = findings.filter((f) => f.checkId === id).length;
    return [
      '<tr>',
      `<th scope="row">${escapeText(check?.title ?? id)} <code>${escapeText(id)}</code></th>`,
      `<td>${escapeText(check?.owasp ?? '')}</td>`,
      `<td>${escapeText(check?.cwe ?? '')}</td>`,
      `<td>${escapeText(check?.severity ?? '')}</td>`,
      `<td>${found}</td>`,
      '</tr>',
    ].join('');
  });
  return [
    '<section aria-labelledby="checks">',
    '<h2 id="checks">Checks</h2>',
    '<table class="checks">',
    '<thead><tr><th scope="col">Check</th><th scope="col">OWASP API 2023</th><th scope="col">CWE</th><th scope="col">Severity</th><th scope="col">Findings</th></tr></thead>',
    `<tbody>${rows.join('\n')}</tbody>`,
    '</table>',
    '</section>',
  ].join('\n');
}

/** Checkboxes that hide a severity through CSS (`:has`), so filtering needs no script. */
function filterControls(findings: Finding[]): string {
  const counts = countBySeverity(findings);
  const boxes = SEVERITIES_DESCENDING.filter((s) => counts[s] > 0).map(
    (s) => `<label><input type="checkbox" id="show-${s}" checked> ${SEVERITY_LABEL[s]} (${counts[s]})</label>`,
  );
  return `<fieldset class="filter"><legend>Show findings of severity</legend>${boxes.join(' ')}</fieldset>`;
}

function severitySection(
  severity: Severity, findings: Finding[], checks: ReadonlyMap<string, CheckDescription>, accepted: ReadonlySet<string> | undefined,
): string {
  return [
    `<section class="severity severity-${severity}" aria-labelledby="severity-${severity}">`,
    `<h2 id="severity-${severity}">${SEVERITY_LABEL[severity]} <span class="count">(${plural(findings.length, 'finding')})</span></h2>`,
    ...findings.map((f) => findingArticle(f, checks.get(f.checkId), baselineMark(f, accepted))),
    '</section>',
  ].join('\n');
}

/** Accepted findings this run did not report: what to prune from the baseline once they are fixed. */
function absentSection(entries: readonly BaselineEntry[]): string {
  const items = entries.map((entry) => [
    '<li>',
    entry.operation === null ? 'API-wide' : `<code>${escapeText(entry.operation)}</code>`,
    `: ${escapeText(entry.title)} <code>${escapeText(entry.checkId)}</code>`,
    '</li>',
  ].join(''));
  return [
    '<section aria-labelledby="absent">',
    `<h2 id="absent">No longer found <span class="count">(${plural(entries.length, 'accepted finding')})</span></h2>`,
    '<p>The baseline accepts these, and this run did not report them: they were fixed, or not tested this time.</p>',
    `<ul class="absent">${items.join('\n')}</ul>`,
    '</section>',
  ].join('\n');
}

/** Under a baseline (`accepted` holds the fingerprints it accepts), whether a finding is new; nothing without one. */
function baselineMark(finding: Finding, accepted: ReadonlySet<string> | undefined): string {
  if (accepted === undefined) return '';
  return accepted.has(finding.fingerprint) ? ` ${ACCEPTED_MARK}` : ` ${NEW_MARK}`;
}

function findingArticle(finding: Finding, check: CheckDescription | undefined, mark: string): string {
  const { evidence, operation } = finding;
  const checkLine = check
    ? `${escapeText(check.title)} (<code>${escapeText(check.id)}</code>), ${escapeText(check.owasp)}, ${escapeText(check.cwe)}`
    : `<code>${escapeText(finding.checkId)}</code>`;
  const facts: [string, string][] = [
    ['Operation', operation
      ? `<code>${escapeText(operationLabel(finding) ?? '')}</code> ${escapeText(operation.id)}`
      : 'API-wide'],
    ['Check', checkLine],
    ['Location', finding.location ? `<code>${escapeText(formatLocation(finding.location))}</code>` : ''],
    ['Fields', escapeText(evidence.fields.join(', '))],
    ['Subjects', escapeText(evidence.subjects.join(', '))],
    ['Fingerprint', `<code>${escapeText(finding.fingerprint)}</code>`],
  ];
  return [
    `<article class="finding severity-${finding.severity}">`,
    `<h3><span class="badge">${SEVERITY_LABEL[finding.severity]}</span>${mark} ${escapeText(finding.title)}</h3>`,
    '<dl class="facts">',
    ...facts.filter(([, value]) => value !== '').map(([name, value]) => `<dt>${name}</dt><dd>${value}</dd>`),
    '</dl>',
    finding.message === '' ? '' : `<p class="message">${escapeText(finding.message)}</p>`,
    ...(check ? explanation(check) : []),
    ...(evidence.curl === '' ? [] : ['<h4>Reproduce</h4>', `<pre class="curl"><code>${escapeText(evidence.curl)}</code></pre>`]),
    ...(evidence.exchanges.length === 0 ? [] : ['<h4>Evidence</h4>', ...evidence.exchanges.map(exchangeFigure)]),
    '</article>',
  ].filter((line) => line !== '').join('\n');
}

function explanation(check: CheckDescription): string[] {
  const more = /^https?:\/\//i.test(check.helpUrl)
    ? `<p class="more"><a href="${escapeAttribute(check.helpUrl)}">More about ${escapeText(check.title)}</a></p>`
    : '';
  return [
    '<h4>Why it matters</h4>',
    `<p class="prose">${escapeText(check.description)}</p>`,
    '<h4>What to do</h4>',
    `<p class="prose">${escapeText(check.remediation)}</p>`,
    more,
  ];
}

function exchangeFigure(exchange: Exchange): string {
  const { request, response } = exchange;
  const caption = [
    `#${exchange.id}`,
    `as ${exchange.identity}`,
    exchange.operationId,
    response ? `HTTP ${response.status}` : 'no response',
    formatDuration(exchange.durationMs),
  ].filter((part) => part !== undefined).join(' · ');
  const requestText = [`${request.method} ${request.url}`, ...headerLines(request.headers), ...bodyLines(request.body)].join('\n');
  const responseText = response
    ? [`HTTP ${response.status}`, ...headerLines(response.headers), ...bodyLines(displayBody(response.json, response.text))].join('\n')
    : `No response: ${exchange.error ?? 'unknown error'}`;
  const truncated = response?.truncated === true
    ? '<p class="note">The scanner kept only the start of this response (its size limit).</p>'
    : '';
  return [
    '<figure class="exchange">',
    `<figcaption>${escapeText(caption)}</figcaption>`,
    '<div class="pair">',
    `<div><p class="label">Request</p><pre><code>${excerpt(requestText)}</code></pre></div>`,
    `<div><p class="label">Response</p><pre><code>${excerpt(responseText)}</code></pre>${truncated}</div>`,
    '</div>',
    '</figure>',
  ].join('\n');
}

function headerLines(headers: Record<string, string>): string[] {
  return Object.keys(headers).sort().map((name) => `${name}: ${headers[name] ?? ''}`);
}

function bodyLines(body: string | undefined): string[] {
  return body === undefined || body === '' ? [] : ['', body];
}

/** JSON bodies indented for reading; anything else as it came. */
function displayBody(json: unknown, text: string): string {
  return json === undefined ? text : JSON.stringify(json, null, 2);
}

/** The escaped start of `text`, never splitting a surrogate pair, and how much was left out. */
function excerpt(text: string): string {
  if (text.length <= HTML_BODY_LIMIT) return escapeText(text);
  const end = /[\uD800-\uDBFF]/.test(text.charAt(HTML_BODY_LIMIT - 1)) ? HTML_BODY_LIMIT - 1 : HTML_BODY_LIMIT;
  const left = text.length - end;
  return `${escapeText(text.slice(0, end))}\n<span class="note">… ${escapeText(formatCount(left))} more characters (the JSON report has them all)</span>`;
}

/** `2021-01-20 10:00:00 UTC`, or the text as given when it is not a date. */
function readableTime(iso: string): string {
  const time = Date.parse(iso);
  return Number.isNaN(time) ? iso : `${new Date(time).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}
