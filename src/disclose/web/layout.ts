/** The page frame, the stylesheet, and small pieces every page uses. */
import type { Case, User } from '../model.ts';
import type { Html } from './html.ts';
import { html } from './html.ts';

export interface Frame {
  title: string;
  organization: string;
  /** The signed-in staff member, for the staff navigation. */
  user?: User | undefined;
  /** The CSRF token for forms on the page (the sign-out form too). */
  csrf?: string | undefined;
}

export function page(frame: Frame, body: Html): Html {
  const nav = frame.user
    ? html`<nav><a href="/cases">Cases</a> <a href="/metrics">Metrics</a>${frame.user.role === 'admin' ? html` <a href="/users">Users</a>` : ''} <a href="/account">Account</a>
        <form method="post" action="/logout" class="inline"><input type="hidden" name="_csrf" value="${frame.csrf}"><button>Sign out ${frame.user.name}</button></form></nav>`
    : html`<nav><a href="/report">Report a vulnerability</a> <a href="/policy">Policy</a> <a href="/advisories">Advisories</a></nav>`;
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${frame.title} · ${frame.organization} security</title><link rel="stylesheet" href="/assets/style.css"></head>
<body><header><a class="brand" href="/">${frame.organization} security</a>${nav}</header>
<main>${body}</main></body></html>`;
}

/** Dates as people read them in a tracker: day and UTC time. */
export function when(ms: number | null): string {
  if (ms === null) return '—';
  return new Date(ms).toISOString().replace('T', ' ').slice(0, 16) + ' UTC';
}

export function stateBadge(c: Pick<Case, 'state' | 'triage'>): Html {
  const label = c.state === 'triaged' && c.triage !== null && c.triage !== 'valid' ? `closed: ${c.triage}` : c.state;
  return html`<span class="badge state-${c.state}">${label}</span>`;
}

export function severityBadge(severity: string | null): Html {
  return severity === null ? html`<span class="badge">unscored</span>` : html`<span class="badge sev-${severity}">${severity}</span>`;
}

/** Plain text kept as written: line breaks shown, nothing interpreted. */
export function prose(text: string): Html {
  return html`<div class="prose">${text}</div>`;
}

export function errorNote(message: string | undefined): Html {
  return message === undefined ? html`` : html`<p class="error" role="alert">${message}</p>`;
}

export const STYLESHEET = `
:root { color-scheme: light dark; --line: #8884; --accent: #2458d6; }
body { font: 16px/1.5 system-ui, sans-serif; margin: 0; }
header { display: flex; gap: 1.5rem; align-items: center; padding: .75rem 1.5rem; border-bottom: 1px solid var(--line); flex-wrap: wrap; }
header nav { display: flex; gap: 1rem; align-items: center; flex-wrap: wrap; }
.brand { font-weight: 600; text-decoration: none; }
main { max-width: 62rem; margin: 1.5rem auto; padding: 0 1.5rem; }
label { display: block; margin-top: 1rem; font-weight: 600; }
input[type=text], input[type=email], input[type=password], input:not([type]), textarea, select { width: 100%; box-sizing: border-box; font: inherit; padding: .4rem; }
textarea { min-height: 7rem; }
button { font: inherit; padding: .4rem 1rem; margin-top: .75rem; cursor: pointer; }
form.inline { display: inline; } form.inline button { margin: 0; }
table { border-collapse: collapse; width: 100%; } th, td { text-align: left; padding: .35rem .5rem; border-bottom: 1px solid var(--line); vertical-align: top; }
.badge { display: inline-block; padding: 0 .5rem; border-radius: .75rem; border: 1px solid var(--line); font-size: .85rem; }
.sev-critical { background: #b00020; color: #fff; } .sev-high { background: #d9480f; color: #fff; } .sev-medium { background: #f59f00; } .sev-low { background: #74c0fc; }
.error { border-left: 4px solid #b00020; padding: .5rem 1rem; background: #b0002018; }
.notice { border-left: 4px solid var(--accent); padding: .5rem 1rem; background: #2458d618; }
.overdue { color: #b00020; font-weight: 600; } .due-soon { color: #d9480f; }
.prose { white-space: pre-wrap; overflow-wrap: anywhere; }
.message { border: 1px solid var(--line); border-radius: .5rem; padding: .5rem 1rem; margin: .5rem 0; }
.message.internal { border-style: dashed; }
.meta { color: #888; font-size: .9rem; }
code, pre { overflow-wrap: anywhere; white-space: pre-wrap; }
.actions { display: grid; gap: 1rem; grid-template-columns: repeat(auto-fit, minmax(18rem, 1fr)); }
.actions form { border: 1px solid var(--line); border-radius: .5rem; padding: .75rem 1rem; }
`;
