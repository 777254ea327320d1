/**
 * The public advisories: a list, and each advisory as a page. A page is read from the CSAF document
 * of the revision as it went out, never from the case as it is now, so that it says what was
 * published and nothing staff have written since.
 */
import type { PublishedAdvisory } from '../model.ts';
import type { DiscloseSettings } from '../settings.ts';
import type { Html } from './html.ts';
import { html } from './html.ts';
import { page, prose, severityBadge, when } from './layout.ts';

/** What a page shows of a published CSAF document. */
export interface AdvisoryView {
  title: string;
  severity: string | null;
  cvss: { vector: string; score: number } | null;
  summary: string | null;
  /** The vulnerability's notes (description, impact, assessment, CVSS v4.0), in order. */
  notes: { title: string; text: string }[];
  affected: string[];
  fixed: string[];
  remediation: string | null;
  credits: string[];
  history: { number: string; date: string; summary: string }[];
}

interface CsafNote { title?: string; text?: string; category?: string }
interface CsafProduct { product?: { product_id?: string; name?: string }; branches?: CsafProduct[] }
interface CsafDocument {
  document?: { title?: string; aggregate_severity?: { text?: string }; notes?: CsafNote[]; tracking?: { revision_history?: { number?: string; date?: string; summary?: string }[] } };
  product_tree?: { branches?: CsafProduct[] };
  vulnerabilities?: {
    notes?: CsafNote[];
    product_status?: { known_affected?: string[]; fixed?: string[] };
    remediations?: { details?: string }[];
    scores?: { cvss_v3?: { vectorString?: string; baseScore?: number } }[];
    acknowledgments?: { names?: string[] }[];
  }[];
}

/**
 * The parts of a CSAF document a page shows. The document is one Leakproof made and validated
 * when it was published; a member it lacks is left out of the page.
 */
export function advisoryView(csaf: string): AdvisoryView {
  const doc = JSON.parse(csaf) as CsafDocument;
  const vulnerability = doc.vulnerabilities?.[0];
  const names = productNames(doc.product_tree?.branches ?? []);
  const named = (ids: string[] | undefined) => (ids ?? []).map((id) => names.get(id) ?? id);
  const score = vulnerability?.scores?.[0]?.cvss_v3;
  return {
    title: doc.document?.title ?? '',
    severity: doc.document?.aggregate_severity?.text ?? null,
    cvss: score?.vectorString === undefined || score.baseScore === undefined ? null : { vector: score.vectorString, score: score.baseScore },
    summary: doc.document?.notes?.find((n) => n.category === 'summary')?.text ?? null,
    notes: (vulnerability?.notes ?? []).flatMap((n) => (n.text === undefined ? [] : [{ title: n.title ?? '', text: n.text }])),
    affected: named(vulnerability?.product_status?.known_affected),
    fixed: named(vulnerability?.product_status?.fixed),
    remediation: vulnerability?.remediations?.[0]?.details ?? null,
    credits: (vulnerability?.acknowledgments ?? []).flatMap((a) => a.names ?? []),
    history: (doc.document?.tracking?.revision_history ?? []).map((r) => ({ number: r.number ?? '', date: r.date ?? '', summary: r.summary ?? '' })),
  };
}

function productNames(branches: CsafProduct[], into = new Map<string, string>()): Map<string, string> {
  for (const branch of branches) {
    if (branch.product?.product_id !== undefined && branch.product.name !== undefined) into.set(branch.product.product_id, branch.product.name);
    productNames(branch.branches ?? [], into);
  }
  return into;
}

export function advisoriesPage(settings: DiscloseSettings, advisories: { published: PublishedAdvisory; view: AdvisoryView }[]): Html {
  return page({ title: 'Security advisories', organization: settings.organization }, html`
<h1>Security advisories</h1>
<p>The vulnerabilities reported to ${settings.organization} that are fixed and disclosed, the most recently revised first. Each is also published as a CSAF 2.0 document: <a href="/.well-known/csaf/provider-metadata.json">provider metadata</a>.</p>
${advisories.length === 0 ? html`<p>No advisory has been published yet.</p>` : html`
<table>
<thead><tr><th>Advisory</th><th>Title</th><th>Severity</th><th>Published</th><th>Revised</th></tr></thead>
<tbody>${advisories.map(({ published: p, view }) => html`<tr><td><a href="/advisories/${p.reference}">${p.reference}</a></td><td>${view.title}</td><td>${severityBadge(view.severity)}</td><td>${when(p.initialAt)}</td><td>${p.revision > 1 ? html`${when(p.currentAt)} (revision ${p.revision})` : '—'}</td></tr>`)}</tbody>
</table>`}`);
}

export function advisoryPage(settings: DiscloseSettings, published: PublishedAdvisory, view: AdvisoryView): Html {
  const base = `/advisories/${published.reference}`;
  return page({ title: published.reference, organization: settings.organization }, html`
<h1>${published.reference}: ${view.title}</h1>
<p>${severityBadge(view.severity)}${view.cvss === null ? '' : html` <span class="meta">CVSS 3.1 ${view.cvss.score.toFixed(1)}, <code>${view.cvss.vector}</code></span>`}</p>
<p class="meta">Published ${when(published.initialAt)}${published.revision > 1 ? html` · revision ${published.revision}, ${when(published.currentAt)}` : ''} · <a href="${base}.json">CSAF 2.0 (JSON)</a> · <a href="${base}.md">Markdown</a></p>
${view.summary === null ? '' : prose(view.summary)}
${view.notes.map((n) => html`<h2>${n.title}</h2>${prose(n.text)}`)}
<h2>Affected and fixed</h2>
<ul>${view.affected.map((name) => html`<li>Affected: ${name}</li>`)}${view.fixed.map((name) => html`<li>Fixed: ${name}</li>`)}</ul>
${view.remediation === null ? '' : html`<h2>Remediation</h2>${prose(view.remediation)}`}
${view.credits.length === 0 ? '' : html`<h2>Credit</h2><p>${settings.organization} thanks ${view.credits.join(', ')} for reporting this vulnerability.</p>`}
<h2>Revisions</h2>
<table>
<thead><tr><th>Revision</th><th>Date</th><th>What changed</th><th>Document</th></tr></thead>
<tbody>${view.history.map((r) => html`<tr><td>${r.number}</td><td>${r.date}</td><td>${r.summary}</td><td><a href="${base}.json?revision=${r.number}">JSON</a> · <a href="${base}.md?revision=${r.number}">Markdown</a></td></tr>`)}</tbody>
</table>`);
}

/** A CSAF directory's listing (requirement 14): its entries as links, for people and crawlers. */
export function directoryListing(settings: DiscloseSettings, path: string, entries: string[]): Html {
  return page({ title: path, organization: settings.organization }, html`
<h1>Index of ${path}</h1>
<ul>${entries.map((entry) => html`<li><a href="${path}${entry}">${entry}</a></li>`)}</ul>`);
}
