/**
 * Text made safe for XML 1.0 and HTML. Findings carry response bodies an attacker may control, so
 * every piece of text goes through here on its way into a JUnit or HTML report.
 */

/**
 * Characters XML 1.0 forbids (C0 controls but tab, newline and carriage return; U+FFFE and U+FFFF;
 * unpaired surrogates), plus DEL and C1 controls, which HTML treats as parse errors.
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const UNWRITABLE = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
  '\r': '&#13;',
  '\n': '&#10;',
  '\t': '&#9;',
};

/** `\u0000`: what a forbidden character becomes, so a reader still sees that it was there. */
function visible(character: string): string {
  return `\\u${character.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;
}

/**
 * Escapes element content. Quotes stay readable (they end nothing here), newlines and tabs stay,
 * and `\r` becomes a reference so parsers do not turn it into a newline.
 */
export function escapeText(text: string): string {
  return text.replace(UNWRITABLE, visible).replace(/[&<>\r]/g, (c) => ENTITIES[c] ?? c);
}

/** Escapes an attribute value; newlines and tabs become references so they survive normalisation. */
export function escapeAttribute(text: string): string {
  return text.replace(UNWRITABLE, visible).replace(/[&<>"'\r\n\t]/g, (c) => ENTITIES[c] ?? c);
}
