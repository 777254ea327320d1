/** What reporters see: the policy, the report form, the receipt with the tracking link, and the case page. */
import { PROVIDER_METADATA_PATH } from '../advisory/index.ts';
import type { Case, Message } from '../model.ts';
import type { DiscloseSettings } from '../settings.ts';
import type { Html } from './html.ts';
import { html } from './html.ts';
import { errorNote, page, prose, severityBadge, stateBadge, when } from './layout.ts';

export function homePage(settings: DiscloseSettings): Html {
  return page({ title: 'Security', organization: settings.organization }, html`
<h1>Report a security vulnerability</h1>
<p>If you found a flaw in ${settings.organization}'s services, especially one that exposes people's personal data, tell us here. You do not need an account, and you may stay anonymous.</p>
<p><a href="/report">Report a vulnerability</a> · <a href="/policy">Our disclosure policy</a> · <a href="/advisories">Published advisories</a> · <a href="/.well-known/security.txt">security.txt</a> · <a href="/api/v1/openapi.json">API</a></p>`);
}

export function policyPage(settings: DiscloseSettings): Html {
  return page({ title: 'Disclosure policy', organization: settings.organization }, html`
<h1>Vulnerability disclosure policy</h1>
${settings.policy.split(/\n\s*\n/).map((paragraph) => html`<p>${paragraph.trim()}</p>`)}`);
}

export type ReportValues = Partial<Record<'title' | 'asset' | 'description' | 'steps' | 'impact' | 'contact' | 'probe' | 'credit', string>>;

export function reportForm(settings: DiscloseSettings, csrf: string, values: ReportValues = {}, error?: string): Html {
  const field = (name: keyof ReportValues, label: string, hint: string, multiline = false) => html`
<label for="${name}">${label}</label><span class="meta">${hint}</span>
${multiline ? html`<textarea id="${name}" name="${name}">${values[name] ?? ''}</textarea>` : html`<input id="${name}" name="${name}" value="${values[name] ?? ''}">`}`;
  return page({ title: 'Report a vulnerability', organization: settings.organization }, html`
<h1>Report a vulnerability</h1>
${errorNote(error)}
<form method="post" action="/report" enctype="multipart/form-data">
<input type="hidden" name="_csrf" value="${csrf}">
${field('title', 'Title', 'One line: what is wrong.')}
${field('asset', 'Affected asset or endpoint', 'For example api.example.com, or POST /stats/workouts/details.')}
${field('description', 'Description', 'What the flaw is.', true)}
${field('steps', 'Steps to reproduce', 'Requests, in order, that show it.', true)}
${field('impact', 'Impact', 'What an attacker gains; whose data is exposed.', true)}
${field('contact', 'Your email (optional)', 'Leave empty to stay anonymous; you can still follow the case with your private link.')}
${field('credit', 'Credit me as (optional)', 'The name to thank you by in the public advisory, once the flaw is fixed. Leave empty for no credit; you can change this later.')}
${field('probe', 'Reproduction as a Leakproof probe (optional)', 'The JSON of a file written by leakproof scan --probes: we retest it before calling the flaw fixed.', true)}
<label for="probeFile">…or the probe file itself</label><input id="probeFile" name="probeFile" type="file" accept="application/json,.json">
<button type="submit">Send report</button>
</form>`);
}

export function reportReceived(settings: DiscloseSettings, c: Case, link: string): Html {
  return page({ title: 'Report received', organization: settings.organization }, html`
<h1>Thank you: ${c.reference} received</h1>
<p class="notice">This is your private link to follow the case, read our updates and reply. <strong>Keep it: it is shown only once</strong>, and it is the only way in${c.contact === null ? '' : ' (we have also sent it to your email)'}.</p>
<p><a id="tracking-link" href="${link}">${link}</a></p>`);
}

export interface TrackView {
  c: Case;
  thread: Message[];
  token: string;
  csrf: string;
  canContest: boolean;
  error?: string | undefined;
}

export function trackPage(settings: DiscloseSettings, view: TrackView): Html {
  const { c, token, csrf } = view;
  const base = `/track/${token}`;
  return page({ title: c.reference, organization: settings.organization }, html`
<h1>${c.reference}: ${c.title}</h1>
<p>${stateBadge(c)} ${c.severity === null ? '' : severityBadge(c.severity)} <span class="meta">received ${when(c.receivedAt)}</span></p>
${errorNote(view.error)}
<h2>Updates</h2>
${view.thread.map((m) => html`<div class="message"><div class="meta">${m.author === 'reporter' ? 'You' : m.author === 'system' ? settings.organization : `${settings.organization} security team`} · ${when(m.at)}</div>${prose(m.body)}</div>`)}
<form method="post" action="${base}/reply">
<input type="hidden" name="_csrf" value="${csrf}">
<label for="reply">Reply</label><textarea id="reply" name="message"></textarea>
<button type="submit">Send reply</button>
</form>
<form method="post" action="${base}/credit">
<input type="hidden" name="_csrf" value="${csrf}">
<label for="credit">Credit me as</label><span class="meta">${c.credit === null ? 'You are not credited. Give a name to be thanked by in the public advisory.' : 'The public advisory thanks you by this name. Empty it to withdraw.'}</span>
<input id="credit" name="credit" maxlength="100" value="${c.credit ?? ''}">
<button type="submit">Save</button>
</form>
${view.canContest ? html`
<form method="post" action="${base}/contest">
<input type="hidden" name="_csrf" value="${csrf}">
<label for="reason">Contest this outcome</label><span class="meta">If the flaw is not fixed, or our assessment is wrong, say why: the case reopens.</span>
<textarea id="reason" name="reason"></textarea>
<button type="submit">Contest</button>
</form>` : ''}
<h2>Your report</h2>
<p><strong>Asset:</strong> ${c.asset}</p>
<h3>Description</h3>${prose(c.description)}
<h3>Steps to reproduce</h3>${prose(c.steps)}
<h3>Impact</h3>${prose(c.impact)}`);
}

/** RFC 9116: Contact and Expires are required; Canonical names where this file lives; CSAF (CSAF 2.0 requirement 8) where the advisories are. */
export function securityTxt(settings: DiscloseSettings, now: number): string {
  const s = settings.securityTxt;
  const expires = new Date(now + s.expiresInDays * 86_400_000);
  expires.setUTCHours(0, 0, 0, 0);
  const lines = [
    ...(s.contact.length > 0 ? s.contact : [`${settings.publicUrl}/report`]).map((contact) => `Contact: ${contact}`),
    `Expires: ${expires.toISOString().replace('.000Z', 'Z')}`,
    ...(s.encryption ? [`Encryption: ${s.encryption}`] : []),
    ...(s.acknowledgments ? [`Acknowledgments: ${s.acknowledgments}`] : []),
    `Preferred-Languages: ${s.preferredLanguages.join(', ')}`,
    `Canonical: ${settings.publicUrl}/.well-known/security.txt`,
    `Policy: ${settings.publicUrl}/policy`,
    ...(s.hiring ? [`Hiring: ${s.hiring}`] : []),
    `CSAF: ${settings.publicUrl}${PROVIDER_METADATA_PATH}`,
  ];
  return `${lines.join('\n')}\n`;
}
