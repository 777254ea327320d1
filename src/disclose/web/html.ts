/**
 * Server-rendered HTML where every interpolated value is escaped unless it is itself `Html` made by
 * this tag: a reporter's title can never become markup. Pages are plain HTML forms that work
 * without JavaScript.
 *
 * @example
 * ```ts
 * html`<h1>${title}</h1>`          // title '<script>' renders as &lt;script&gt;
 * html`<ul>${items.map((i) => html`<li>${i}</li>`)}</ul>`
 * ```
 */

/** Markup that is already safe: only `html` makes it. */
export class Html {
  readonly text: string;
  constructor(text: string) {
    this.text = text;
  }
  toString(): string {
    return this.text;
  }
}

type Value = Html | string | number | boolean | null | undefined | readonly Value[];

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '`': '&#96;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"'`]/g, (c) => ESCAPES[c] ?? c);
}

function render(value: Value): string {
  if (value instanceof Html) return value.text;
  if (Array.isArray(value)) return value.map((v: Value) => render(v)).join('');
  if (value === null || value === undefined || value === false) return '';
  return escapeHtml(String(value));
}

export function html(strings: TemplateStringsArray, ...values: Value[]): Html {
  let out = strings[0] ?? '';
  for (let i = 0; i < values.length; i += 1) out += render(values[i]) + (strings[i + 1] ?? '');
  return new Html(out);
}
