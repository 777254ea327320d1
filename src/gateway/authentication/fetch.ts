/**
 * Fetching the identity provider's documents (OIDC discovery, JWKS): one GET, a deadline, no
 * redirects (a redirect could hand key selection to another host), and failures worded for an
 * operator: what was asked, of which URL, and what happened.
 */

export interface FetchLimits {
  /** How long a fetch may take, in milliseconds. */
  readonly timeoutMs: number;
  /** Aborts fetches in flight when the authenticator is closed. */
  readonly signal: AbortSignal;
}

/** A fetch that got an answer, but not a 200. */
class UnexpectedAnswer extends Error {}

/**
 * GETs `url` and resolves with its response when it is a 200; otherwise rejects with an error
 * that names the status. The body of a refused answer is discarded so its connection is freed.
 *
 * @example
 * const response = await fetchOk('https://id.example.com/.well-known/jwks.json', { signal: AbortSignal.timeout(5000) });
 */
export async function fetchOk(url: string | URL, init: { readonly headers?: Headers; readonly signal: AbortSignal }): Promise<Response> {
  const response = await fetch(url, { method: 'GET', redirect: 'manual', signal: init.signal, ...(init.headers === undefined ? {} : { headers: init.headers }) });
  if (response.status === 200) return response;
  await response.body?.cancel();
  const redirect = response.status >= 300 && response.status < 400 ? ' (redirects are not followed)' : '';
  throw new UnexpectedAnswer(`it answered HTTP ${response.status}${redirect}`);
}

/**
 * GETs `url` and parses its JSON body, within the limits.
 *
 * @example
 * const document = await fetchJson('https://id.example.com/.well-known/openid-configuration', { timeoutMs: 5000, signal });
 */
export async function fetchJson(url: string | URL, limits: FetchLimits): Promise<unknown> {
  const signal = AbortSignal.any([AbortSignal.timeout(limits.timeoutMs), limits.signal]);
  const response = await fetchOk(url, { signal });
  try {
    return await response.json();
  } catch (cause) {
    if (signal.aborted) throw cause;
    throw new UnexpectedAnswer('its body is not JSON', { cause });
  }
}

function nameOf(error: unknown): string | undefined {
  return error instanceof Error || error instanceof DOMException ? error.name : undefined;
}

/**
 * What went wrong with a fetch, in a few words: the status, the deadline, or the network error
 * (undici's `fetch failed` hides it in `cause`, e.g. `connect ECONNREFUSED 127.0.0.1:8080`).
 *
 * @example
 * describeFetchFailure(error, 5000); // 'no answer within 5000 ms'
 */
export function describeFetchFailure(error: unknown, timeoutMs: number): string {
  const name = nameOf(error);
  if (name === 'TimeoutError' || (error instanceof Error && 'code' in error && error.code === 'ERR_JWKS_TIMEOUT')) return `no answer within ${timeoutMs} ms`;
  if (name === 'AbortError') return 'the authenticator was closed';
  if (!(error instanceof Error)) return String(error);
  const { cause } = error;
  // Only a network failure hides its story in `cause`; other causes may quote the body they failed on.
  if (error instanceof TypeError && cause instanceof Error) {
    const code = 'code' in cause && typeof cause.code === 'string' ? cause.code : undefined;
    return cause.message !== '' ? cause.message : (code ?? error.message);
  }
  return error.message;
}
