/**
 * The scanner's HTTP client: the only way a scan reaches the network, safe for production by
 * default (scoped, read-only, rate-limited, budgeted, redacting).
 *
 * @example
 * ```ts
 * import { createScanClient, toCurl } from './http/index.ts';
 * const client = createScanClient({ target: 'http://127.0.0.1:8080', rateLimit: 5 });
 * const exchange = await client.send({ method: 'GET', path: '/api/user/search/a' });
 * console.log(toCurl(exchange));
 * await client.close();
 * ```
 */
export type { Clock } from './clock.ts';
export { systemClock } from './clock.ts';
export type { CredentialResponse, ScanClient, ScanClientOptions, ScanStats } from './client.ts';
export { createScanClient } from './client.ts';
export type { CurlOptions } from './curl.ts';
export { toCurl } from './curl.ts';
export { BudgetError, SafetyError, ScopeError } from './errors.ts';
export { REDACTED } from './redaction.ts';
export type { OutgoingRequest, QueryValue, SendRequest } from './request.ts';
export { withCookie, withHeader, withQuery } from './request.ts';
export type { RetryOptions } from './retry.ts';
