/**
 * The HTML report's stylesheet, inlined into every report so the file stands alone. Readable on
 * screen and on paper; a severity is hidden by unticking its box (`:has`, no script).
 */
const SEVERITY_COLOURS = {
  critical: '#7f1d1d',
  high: '#b91c1c',
  medium: '#92400e',
  low: '#1e40af',
  info: '#374151',
} as const;

const severityRules = Object.entries(SEVERITY_COLOURS).map(([severity, colour]) => [
  `.severity-${severity} .badge { background: ${colour}; }`,
  `.finding.severity-${severity} { border-left-color: ${colour}; }`,
  `body:has(#show-${severity}:not(:checked)) section.severity-${severity} { display: none; }`,
].join('\n'));

export const HTML_STYLE = `
:root { color-scheme: light; font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; line-height: 1.45; color: #111827; background: #fff; }
body { max-width: 72rem; margin: 0 auto; padding: 1rem 1.5rem 3rem; }
h1 { font-size: 1.6rem; margin: 0.5rem 0 1rem; overflow-wrap: anywhere; }
h2 { font-size: 1.3rem; border-bottom: 1px solid #d1d5db; padding-bottom: 0.25rem; margin-top: 2rem; }
h3 { font-size: 1.1rem; margin: 0 0 0.5rem; overflow-wrap: anywhere; }
h4 { font-size: 0.95rem; margin: 1rem 0 0.25rem; }
code, pre { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; font-size: 0.85rem; }
pre { background: #f3f4f6; border: 1px solid #e5e7eb; border-radius: 4px; padding: 0.5rem 0.75rem; margin: 0; white-space: pre-wrap; overflow-wrap: anywhere; max-height: 24rem; overflow: auto; }
pre.curl { background: #111827; color: #f9fafb; max-height: none; }
table { border-collapse: collapse; margin: 1rem 0; }
caption { text-align: left; font-weight: 600; padding-bottom: 0.25rem; }
th, td { border: 1px solid #d1d5db; padding: 0.25rem 0.6rem; text-align: left; vertical-align: top; }
thead th { background: #f3f4f6; }
td { font-variant-numeric: tabular-nums; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 0.2rem 1rem; margin: 0.5rem 0; }
dl.facts dt { font-weight: 600; }
dl.facts dd { margin: 0; overflow-wrap: anywhere; }
.badge { display: inline-block; color: #fff; background: #374151; border-radius: 3px; padding: 0 0.4rem; font-size: 0.8rem; font-weight: 600; text-transform: uppercase; letter-spacing: 0.03em; vertical-align: middle; }
.verdict { font-size: 1.05rem; padding: 0.5rem 0.75rem; border-radius: 4px; }
.verdict.fail { background: #fef2f2; border: 1px solid #fecaca; }
.verdict.pass { background: #f0fdf4; border: 1px solid #bbf7d0; }
.filter { border: 1px solid #d1d5db; border-radius: 4px; margin: 1.5rem 0 0; }
.filter label { margin-right: 1rem; white-space: nowrap; }
.finding { border: 1px solid #e5e7eb; border-left: 6px solid #374151; border-radius: 4px; padding: 0.75rem 1rem; margin: 1rem 0; }
.message { white-space: pre-wrap; }
.prose { white-space: pre-line; }
.exchange { margin: 0.5rem 0 1rem; }
.exchange figcaption { font-size: 0.85rem; color: #374151; margin-bottom: 0.25rem; }
.pair { display: grid; grid-template-columns: repeat(auto-fit, minmax(20rem, 1fr)); gap: 0.5rem; }
.label { margin: 0 0 0.15rem; font-size: 0.8rem; font-weight: 600; color: #4b5563; }
.note { color: #6b7280; font-style: italic; }
footer { margin-top: 3rem; color: #6b7280; font-size: 0.85rem; }
${severityRules.join('\n')}
@media print {
  body { max-width: none; padding: 0; font-size: 10pt; }
  .filter { display: none; }
  pre { max-height: none; overflow: visible; }
  .finding { break-inside: avoid-page; }
  .badge { print-color-adjust: exact; -webkit-print-color-adjust: exact; }
  a[href]::after { content: " (" attr(href) ")"; font-size: 0.8em; }
}
`;

/** Added only to a report with a baseline, so that a report without one is as it always was. */
export const HTML_BASELINE_STYLE = `
.mark { display: inline-block; border: 1px solid; border-radius: 3px; padding: 0 0.4rem; font-size: 0.8rem; font-weight: 600; vertical-align: middle; }
.mark.new { color: #7f1d1d; background: #fef2f2; border-color: #fecaca; }
.mark.accepted { color: #374151; background: #f3f4f6; border-color: #d1d5db; }
ul.absent li { margin: 0.25rem 0; overflow-wrap: anywhere; }
`;
