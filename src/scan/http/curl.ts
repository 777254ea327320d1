/**
 * A shell line that reproduces an exchange's request, for a finding's evidence. Secrets are
 * already redacted in the exchange; here each `[REDACTED]` becomes a shell variable named after
 * the identity and the place it stood (`$ALICE_TOKEN`, `$ALICE_PASSWORD`, `$ALICE_X_API_KEY`), so the reader
 * sets the variables and runs the line.
 */
import type { Exchange } from '../exchange.ts';
import { REDACTED } from './redaction.ts';

export interface CurlOptions {
  /** `$VARIABLE` (the default): secrets as shell variables; `[REDACTED]`: left as the marker. */
  secretsAs?: '$VARIABLE' | '[REDACTED]';
}

/** The request headers curl sets itself, or that would be wrong when replayed. */
const LEFT_OUT = new Set(['host', 'content-length', 'connection']);

function quote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

function variableName(...parts: string[]): string {
  const name = parts
    .join('_')
    .toUpperCase()
    .replace(/[^A-Z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
  return /^[0-9]/.test(name) ? `_${name}` : name;
}

/**
 * Quotes `text` for the shell with every marker replaced by `"$NAME"`. The name is the key just
 * before the marker (`token=`, `"password":"`, `sid=`), else `fallback`.
 */
function quoteWithVariables(text: string, prefix: string, fallback: string): string {
  const pieces = text.split(REDACTED);
  let result = quote(pieces[0] ?? '');
  for (let index = 1; index < pieces.length; index += 1) {
    const before = pieces[index - 1] ?? '';
    const key = /([A-Za-z0-9_.-]+)=$/.exec(before)?.[1] ?? /"([A-Za-z0-9_.-]+)"\s*:\s*"$/.exec(before)?.[1] ?? fallback;
    result += `"$${variableName(prefix, key)}"${quote(pieces[index] ?? '')}`;
  }
  // '' pieces around variables are noise: 'a'"$X"'' → 'a'"$X"
  return result.replace(/(?<=")''|''(?=")/g, '');
}

/**
 * @example
 * ```ts
 * toCurl(exchange, { secretsAs: '$VARIABLE' });
 * // curl -sS -X POST 'http://127.0.0.1:8080/stats/workouts/details' -H 'authorization: Bearer '"$ALICE_TOKEN" ...
 * ```
 */
export function toCurl(exchange: Exchange, options: CurlOptions = {}): string {
  const { request } = exchange;
  const asVariables = (options.secretsAs ?? '$VARIABLE') === '$VARIABLE';
  const word = (text: string, fallback: string): string => (asVariables ? quoteWithVariables(text, exchange.identity, fallback) : quote(text));
  const parts = ['curl', '-sS'];
  if (request.method === 'HEAD') parts.push('--head');
  else if (request.method !== 'GET') parts.push('-X', request.method);
  parts.push(word(request.url, 'secret'));
  for (const [name, value] of Object.entries(request.headers)) {
    if (!LEFT_OUT.has(name)) parts.push('-H', word(`${name}: ${value}`, name.endsWith('authorization') ? 'token' : name));
  }
  if (request.body !== undefined) parts.push('--data-raw', word(request.body, 'secret'));
  return parts.join(' ');
}
