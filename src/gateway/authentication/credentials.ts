/**
 * Reading the credentials a request carries, before any of them is checked. Anything ambiguous is
 * refused rather than guessed at: two Authorization headers, several credentials in one, or a
 * bearer token beside an API key could each make the gateway and the upstream disagree on who is
 * calling.
 */
import type { RequestHeaders } from './principal.ts';

export type Credentials =
  | { readonly kind: 'none' }
  | { readonly kind: 'bearer'; readonly token: string }
  | { readonly kind: 'apiKey'; readonly key: string }
  | { readonly kind: 'invalid'; readonly reason: string };

/** Real tokens are a few hundred bytes to a few KiB; a bigger one is an attack on the parser. */
const MAX_CREDENTIAL_LENGTH = 8 * 1024;

/** RFC 6750 §2.1: the characters of a bearer token (`token68`). */
const TOKEN68 = /^[A-Za-z0-9\-._~+/]+=*$/;

type HeaderValue = string | readonly string[] | undefined;

function invalid(reason: string): Credentials {
  return { kind: 'invalid', reason };
}

/** The header's one value, `undefined` when absent, or a refusal when it was sent more than once. */
function onlyValue(value: HeaderValue, name: string): { readonly value: string | undefined } | Credentials {
  if (value === undefined || typeof value === 'string') return { value };
  if (value.length > 1) return invalid(`the ${name} header was sent ${value.length} times`);
  return { value: value[0] };
}

function bearer(header: string): Credentials {
  // node:http joins a repeated header with ", ", and RFC 9110 lists credentials with commas.
  if (header.includes(',')) return invalid('the Authorization header holds several credentials');
  const space = header.indexOf(' ');
  const scheme = space === -1 ? header : header.slice(0, space);
  if (scheme.toLowerCase() !== 'bearer') return invalid('the Authorization scheme is not Bearer');
  const token = space === -1 ? '' : header.slice(space + 1).trim();
  if (token === '') return invalid('the Authorization header has no token');
  if (token.length > MAX_CREDENTIAL_LENGTH) return invalid(`the bearer token is longer than ${MAX_CREDENTIAL_LENGTH} characters`);
  if (!TOKEN68.test(token)) return invalid('the bearer token is malformed (not one token68)');
  return { kind: 'bearer', token };
}

function apiKey(key: string): Credentials {
  if (key === '') return invalid('the API key header is empty');
  if (key.includes(',')) return invalid('the API key header holds several keys');
  if (key.length > MAX_CREDENTIAL_LENGTH) return invalid(`the API key is longer than ${MAX_CREDENTIAL_LENGTH} characters`);
  return { kind: 'apiKey', key };
}

/**
 * The credentials of a request: a bearer token, an API key (read only when `apiKeyHeader` is
 * given), none, or a reason to refuse. Reasons never repeat what the client sent.
 *
 * @example
 * readCredentials({ authorization: 'Bearer eyJ…' }, 'x-api-key'); // { kind: 'bearer', token: 'eyJ…' }
 * readCredentials({ authorization: 'Basic YWxp…' }, undefined);     // { kind: 'invalid', reason: '…not Bearer' }
 */
export function readCredentials(headers: RequestHeaders, apiKeyHeader: string | undefined): Credentials {
  const authorization = onlyValue(headers.authorization, 'Authorization');
  if (!('value' in authorization)) return authorization;
  const key = onlyValue(apiKeyHeader === undefined ? undefined : headers[apiKeyHeader], 'API key');
  if (!('value' in key)) return key;
  if (authorization.value !== undefined && key.value !== undefined) return invalid('both a bearer token and an API key were sent');
  if (authorization.value !== undefined) return bearer(authorization.value);
  if (key.value !== undefined) return apiKey(key.value);
  return { kind: 'none' };
}
