/** What staff see: sign-in, the case list, a case with its clocks, thread, evidence and actions, users, one's account. */
import type { Deadline } from '../clocks.ts';
import { MIN_PASSWORD_LENGTH } from '../credentials.ts';
import { callersAsked } from '../gate.ts';
import type { Action } from '../lifecycle.ts';
import type { AdvisoryRevision, Case, Message, User, Verification } from '../model.ts';
import type { ProgrammeMetrics } from '../metrics.ts';
import { AGE_BUCKETS, formatSpan } from '../metrics.ts';
import { EXPLOITED, ROLES, SEVERITIES, TRIAGES } from '../model.ts';
import type { DiscloseSettings } from '../settings.ts';
import type { TrailEvent } from '../store/trail.ts';
import type { Html } from './html.ts';
import { html } from './html.ts';
import { errorNote, page, prose, severityBadge, stateBadge, when } from './layout.ts';

export function loginPage(settings: DiscloseSettings, csrf: string, error?: string): Html {
  const sso = settings.oidc ? html`<p><a id="oidc" href="/login/oidc">Sign in with ${settings.oidc.label}</a></p>` : '';
  return page({ title: 'Sign in', organization: settings.organization }, html`
<h1>Staff sign-in</h1>
${errorNote(error)}
<form method="post" action="/login">
<input type="hidden" name="_csrf" value="${csrf}">
<label for="email">Email</label><input id="email" name="email" type="email" autocomplete="username">
<label for="password">Password</label><input id="password" name="password" type="password" autocomplete="current-password">
<button type="submit">Sign in</button>
</form>
${sso}`);
}

export interface CaseRow {
  c: Case;
  /** The most pressing clock, if any runs. */
  next: Deadline | undefined;
}

export function casesPage(settings: DiscloseSettings, user: User, csrf: string, rows: CaseRow[], filter: { open: boolean }): Html {
  return page({ title: 'Cases', organization: settings.organization, user, csrf }, html`
<h1>Cases</h1>
<p>${filter.open ? html`Open cases · <a href="/cases?all=1">all cases</a>` : html`All cases · <a href="/cases">open cases</a>`}</p>
<table><thead><tr><th>Case</th><th>Title</th><th>State</th><th>Severity</th><th>Received</th><th>Next deadline</th></tr></thead><tbody>
${rows.map(({ c, next }) => html`<tr><td><a href="/cases/${c.id}">${c.reference}</a></td><td>${c.title}</td><td>${stateBadge(c)}</td><td>${severityBadge(c.severity)}</td><td>${when(c.receivedAt)}</td><td>${next ? deadlineText(next) : '—'}</td></tr>`)}
</tbody></table>
${rows.length === 0 ? html`<p>No cases.</p>` : ''}`);
}

function deadlineText(d: Deadline): Html {
  return html`<span class="${d.status === 'ok' ? '' : d.status}">${d.clock} ${d.status === 'overdue' ? 'overdue since' : 'due'} ${when(d.dueAt)}</span>`;
}

/** The case's advisory: its published revisions, and whether the case changed since the latest. */
export interface AdvisoryView {
  revisions: AdvisoryRevision[];
  changed: boolean;
}

export interface CaseView {
  c: Case;
  /** Only for a resolved or disclosed case. */
  advisory: AdvisoryView | undefined;
  thread: Message[];
  verifications: Verification[];
  deadlines: Deadline[];
  events: TrailEvent[];
  staff: User[];
  actions: Action[];
  error?: string | undefined;
}

export function casePage(settings: DiscloseSettings, user: User, csrf: string, view: CaseView): Html {
  const { c } = view;
  const name = (id: number | null) => view.staff.find((u) => u.id === id)?.name ?? '—';
  return page({ title: c.reference, organization: settings.organization, user, csrf }, html`
<h1>${c.reference}: ${c.title}</h1>
<p>${stateBadge(c)} ${severityBadge(c.severity)} ${c.score === null ? '' : html`<span class="meta">${c.score.toFixed(1)} ${c.cvss40 ?? c.cvss31}</span>`} · owner: ${name(c.ownerId)} · version ${c.version}</p>
${errorNote(view.error)}
${view.deadlines.length > 0 ? html`<h2>Clocks</h2><table><tbody>${view.deadlines.map((d) => html`<tr><td>${d.clock}</td><td>${deadlineText(d)}</td><td class="meta">started ${when(d.startedAt)}</td></tr>`)}</tbody></table>` : ''}
<h2>Actions</h2>
<div class="actions">${view.actions.map((action) => actionForm(c, action, csrf, view.staff))}</div>
${view.advisory === undefined ? '' : advisorySection(c, view.advisory, name)}
<h2>Report</h2>
<p><strong>Asset:</strong> ${c.asset}<br><strong>Reporter:</strong> ${c.contact ?? 'anonymous'} · received ${when(c.receivedAt)} · credit: ${c.credit === null ? 'none (the reporter has not asked to be credited)' : c.credit}</p>
<h3>Description</h3>${prose(c.description)}
<h3>Steps to reproduce</h3>${prose(c.steps)}
<h3>Impact</h3>${prose(c.impact)}
<h3>Probe</h3>${c.probe === null ? html`<p>None: the gate cannot verify a fix until one is attached.</p>` : html`<p><code>${c.probe.check}</code> on <code>${c.probe.finding.route}</code> (${c.probe.operation})</p><pre>${c.probe.curl}</pre>`}
<h3>Assessment</h3>
<p>Operations: ${c.assessment.operations.join(', ') || '—'} · data: ${c.assessment.dataClasses.join(', ') || '—'} · people affected: ${c.assessment.peopleAffected ?? 'unknown'} · exploited: ${c.assessment.exploited}${c.assessment.evidence === null ? '' : html` · evidence: <code>${c.assessment.evidence}</code>`}</p>
<h2>Verification</h2>
${view.verifications.length === 0 ? html`<p>Not verified yet.</p>` : html`<table><thead><tr><th>When</th><th>Verdict</th><th>Why</th><th>Target</th><th>Asked</th></tr></thead><tbody>${view.verifications.map((v) => html`<tr><td>${when(v.at)}</td><td>${v.verdict}</td><td>${v.reason}</td><td>${v.target ?? '—'}</td><td>${callersAsked(v.evidence).map((asked) => html`${asked}<br>`)}</td></tr>`)}</tbody></table>`}
<h2>Thread</h2>
${view.thread.map((m) => html`<div class="message${m.internal ? ' internal' : ''}"><div class="meta">${m.author === 'staff' ? name(m.userId) : m.author} · ${when(m.at)}${m.internal ? ' · internal note' : ''}</div>${prose(m.body)}</div>`)}
<h2>History</h2>
<table><tbody>${view.events.map((e) => html`<tr><td class="meta">#${e.seq}</td><td>${when(e.at)}</td><td>${e.action}</td><td>${e.actor.startsWith('user:') ? name(Number(e.actor.slice(5))) : e.actor}</td></tr>`)}</tbody></table>`);
}

function advisorySection(c: Case, advisory: AdvisoryView, name: (id: number | null) => string): Html {
  const { revisions, changed } = advisory;
  const latest = revisions.at(-1);
  const links = (query: string) => html`<a href="/cases/${c.id}/advisory.json${query}">CSAF 2.0</a> · <a href="/cases/${c.id}/advisory.md${query}">Markdown</a>`;
  if (latest === undefined) return html`<h2>Advisory</h2><p>Not published. Draft: ${links('')}</p>`;
  return html`<h2>Advisory</h2>
<p>Published, revision ${latest.number}: ${links('')}${changed ? html` · <strong>the case changed since revision ${latest.number}</strong>: publish a new revision to say so` : ''}</p>
<table><thead><tr><th>Revision</th><th>Published</th><th>By</th><th>Summary</th><th>As published</th></tr></thead><tbody>
${revisions.map((r) => html`<tr><td>${r.number}</td><td>${when(r.at)}</td><td>${name(r.userId)}</td><td>${r.summary}</td><td>${links(`?revision=${String(r.number)}`)}</td></tr>`)}
</tbody></table>`;
}

function actionForm(c: Case, action: Action, csrf: string, staff: User[]): Html {
  const form = (title: string, fields: Html, button: string) => html`<form method="post" action="/cases/${c.id}/${action}">
<input type="hidden" name="_csrf" value="${csrf}"><input type="hidden" name="version" value="${c.version}">
<strong>${title}</strong>${fields}<button type="submit">${button}</button></form>`;
  switch (action) {
    case 'acknowledge':
      return form('Acknowledge', html`<label for="ack-note">Note to the reporter (optional)</label><textarea id="ack-note" name="note"></textarea>`, 'Acknowledge');
    case 'triage':
      return form('Triage', html`<label for="triage">Decision</label><select id="triage" name="triage">${TRIAGES.map((t) => html`<option>${t}</option>`)}</select>
<label for="cvss31">CVSS 3.1 vector</label><input id="cvss31" name="cvss31" value="${c.cvss31 ?? ''}" placeholder="CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N">
<label for="cvss40">CVSS 4.0 vector</label><input id="cvss40" name="cvss40" value="${c.cvss40 ?? ''}">
<label for="duplicateOf">Duplicate of (case number)</label><input id="duplicateOf" name="duplicateOf">
<label for="triage-note">Note to the reporter (optional)</label><textarea id="triage-note" name="note"></textarea>`, 'Record triage');
    case 'assign':
      return form('Assign', html`<label for="owner">Owner</label><select id="owner" name="owner"><option value="">nobody</option>${staff.filter((u) => !u.disabled && u.role !== 'viewer').map((u) => html`<option value="${u.id}" ${u.id === c.ownerId ? 'selected' : ''}>${u.name} (${u.role})</option>`)}</select>`, 'Assign');
    case 'assess':
      return form('Impact and scope', html`<label for="operations">Affected operations (one per line)</label><textarea id="operations" name="operations">${c.assessment.operations.join('\n')}</textarea>
<label for="dataClasses">Data classes (comma-separated)</label><input id="dataClasses" name="dataClasses" value="${c.assessment.dataClasses.join(', ')}">
<label for="peopleAffected">People affected</label><input id="peopleAffected" name="peopleAffected" value="${c.assessment.peopleAffected ?? ''}">
<label for="exploited">Exploited</label><select id="exploited" name="exploited">${EXPLOITED.map((e) => html`<option ${e === c.assessment.exploited ? 'selected' : ''}>${e}</option>`)}</select>
<label for="evidence">Evidence (access-log query)</label><input id="evidence" name="evidence" value="${c.assessment.evidence ?? ''}" placeholder="leakproof logs top-readers --since 90d">`, 'Save assessment');
    case 'attach-probe':
      return form('Attach a probe', html`<label for="probe">Probe JSON (leakproof scan --probes)</label><textarea id="probe" name="probe"></textarea>`, 'Attach');
    case 'start-fix':
      return form('Start fixing', html``, 'Start fixing');
    case 'submit-fix':
      return form('Submit the fix', html`<label for="fix-note">What changed (internal)</label><textarea id="fix-note" name="note"></textarea>`, 'Submit for verification');
    case 'verify':
      return form('Verification gate', html`<p class="meta">Retests the probe against the deployed fix as anonymous, an unrelated member and a low-privilege member.</p>`, 'Run the retest');
    case 'override':
      return form('Override the gate (admin)', html`<label for="override-reason">Written reason</label><textarea id="override-reason" name="reason"></textarea>`, 'Resolve without a passing retest');
    case 'disclose':
      return form('Disclose', html`<p class="meta">Marks the case publicly disclosed, without publishing an advisory.</p>`, 'Disclose');
    case 'publish-advisory':
      return form('Publish the advisory', html`<p class="meta">${c.state === 'resolved' ? 'Publishes the first revision and discloses the case.' : 'Publishes a new revision with the case as it is now.'}</p>
<label for="advisory-summary">What this revision says (default for the first: Initial release.)</label><input id="advisory-summary" name="summary" maxlength="1000">`, 'Publish');
    case 'message':
      return form('Message', html`<label for="message">Text</label><textarea id="message" name="message"></textarea>
<label><input type="checkbox" name="internal" value="1"> Internal note (the reporter does not see it)</label>`, 'Send');
    case 'contest':
    case 'credit':
      return html``;
  }
}

export function usersPage(settings: DiscloseSettings, user: User, csrf: string, users: User[], error?: string): Html {
  return page({ title: 'Users', organization: settings.organization, user, csrf }, html`
<h1>Users</h1>
${errorNote(error)}
<table><thead><tr><th>Name</th><th>Email</th><th>Role</th><th>Status</th><th></th></tr></thead><tbody>
${users.map((u) => memberRow(u, user, csrf))}
</tbody></table>
<p class="meta">Disabling an account ends its sessions and API tokens at once; enabling it again brings none back. A new role applies from the member's next request. The tracker keeps at least one active admin.</p>
<h2>Add a user</h2>
<form method="post" action="/users">
<input type="hidden" name="_csrf" value="${csrf}">
<label for="name">Name</label><input id="name" name="name">
<label for="email">Email</label><input id="email" name="email" type="email">
<label for="role">Role</label><select id="role" name="role">${ROLES.map((r) => html`<option>${r}</option>`)}</select>
<label for="password">Initial password (at least ${MIN_PASSWORD_LENGTH} characters)</label><input id="password" name="password" type="password" autocomplete="new-password">
<button type="submit">Add user</button>
</form>`);
}

/**
 * A member's row: a form to change their role, and Reset password and Disable for an active
 * account, or Enable for a disabled one. One's own row has none: another admin changes it.
 */
function memberRow(member: User, admin: User, csrf: string): Html {
  const status = member.disabled ? 'disabled' : 'active';
  if (member.id === admin.id) return html`<tr><td>${member.name} (you)</td><td>${member.email}</td><td>${member.role}</td><td>${status}</td><td></td></tr>`;
  const form = (action: string, fields: Html) => html`<form method="post" action="/users/${member.id}/${action}" class="inline"><input type="hidden" name="_csrf" value="${csrf}">${fields}</form>`;
  const role = form('role', html`<select name="role" aria-label="Role of ${member.name}">${ROLES.map((r) => html`<option ${r === member.role ? 'selected' : ''}>${r}</option>`)}</select> <button>Change role</button>`);
  const actions = member.disabled ? form('enable', html`<button>Enable</button>`) : html`${form('reset-password', html`<button>Reset password</button>`)}
${form('disable', html`<button>Disable</button>`)}`;
  return html`<tr><td>${member.name}</td><td>${member.email}</td><td>${role}</td><td>${status}</td><td>${actions}</td></tr>`;
}

/** A reset password, shown to the admin this once: only its hash is kept. */
export function passwordResetPage(settings: DiscloseSettings, user: User, csrf: string, member: User, password: string): Html {
  return page({ title: 'Password reset', organization: settings.organization, user, csrf }, html`
<h1>Password reset</h1>
<p class="notice">New password for ${member.name} (${member.email}): <code id="new-password">${password}</code></p>
<p>It is shown only now: give it to them over a channel you trust, and ask them to change it on their account page. Their sessions have ended; their API tokens still work.</p>
<p><a href="/users">Back to users</a></p>`);
}

/** One's own account, with the form to change one's password. */
export function accountPage(settings: DiscloseSettings, user: User, csrf: string, outcome: { error?: string | undefined; changed?: boolean } = {}): Html {
  return page({ title: 'Account', organization: settings.organization, user, csrf }, html`
<h1>Your account</h1>
<p>${user.name} · ${user.email} · ${user.role}</p>
${outcome.changed ? html`<p class="notice" role="status">Your password was changed. Your other sessions have ended; your API tokens still work.</p>` : ''}
${errorNote(outcome.error)}
<h2>Change your password</h2>
<form method="post" action="/account">
<input type="hidden" name="_csrf" value="${csrf}">
<label for="currentPassword">Current password</label><input id="currentPassword" name="currentPassword" type="password" autocomplete="current-password">
<label for="newPassword">New password (at least ${MIN_PASSWORD_LENGTH} characters)</label><input id="newPassword" name="newPassword" type="password" autocomplete="new-password">
<label for="repeatPassword">New password again</label><input id="repeatPassword" name="repeatPassword" type="password" autocomplete="new-password">
<button type="submit">Change password</button>
</form>`);
}

/** A page that lists thousands of late cases helps nobody start on the worst. */
export const OVERDUE_SHOWN = 100;

export function metricsPage(settings: DiscloseSettings, user: User, csrf: string, metrics: ProgrammeMetrics): Html {
  const columns = [...SEVERITIES, 'unscored'] as const;
  return page({ title: 'Metrics', organization: settings.organization, user, csrf }, html`
<h1>Programme metrics</h1>
<p><strong>${metrics.open}</strong> open cases · median time to acknowledge <strong>${formatSpan(metrics.medianMs.acknowledge)}</strong>, to assess <strong>${formatSpan(metrics.medianMs.assess)}</strong>, to fix <strong>${formatSpan(metrics.medianMs.fix)}</strong></p>
<h2>Open cases by age and severity</h2>
<table><thead><tr><th>Age</th>${columns.map((s) => html`<th>${s}</th>`)}</tr></thead><tbody>
${AGE_BUCKETS.map((b) => html`<tr><td>${b.label}</td>${columns.map((s) => html`<td>${metrics.byAge[b.label]?.[s] ?? 0}</td>`)}</tr>`)}
</tbody></table>
<h2>Past a clock (${metrics.overdue.length})</h2>
${metrics.overdue.length > OVERDUE_SHOWN ? html`<p>The ${OVERDUE_SHOWN} most overdue; the API's <code>GET /api/v1/metrics</code> lists them all.</p>` : ''}
${metrics.overdue.length === 0 ? html`<p>None.</p>` : html`<table><thead><tr><th>Case</th><th>Title</th><th>Overdue</th></tr></thead><tbody>
${metrics.overdue.slice(0, OVERDUE_SHOWN).map(({ c, deadlines }) => html`<tr><td><a href="/cases/${c.id}">${c.reference}</a></td><td>${c.title}</td><td class="overdue">${deadlines.map((d) => `${d.clock} (due ${when(d.dueAt)})`).join(', ')}</td></tr>`)}
</tbody></table>`}`);
}
