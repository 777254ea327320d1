/**
 * OpenID Connect Discovery 1.0: the issuer's configuration document names its JWKS. The document
 * must name the very issuer it was fetched for (§4.3), or an attacker who can answer at that URL
 * could point the gateway at keys of their own.
 */
import { AuthenticationSetupError } from './errors.ts';
import type { FetchLimits } from './fetch.ts';
import { describeFetchFailure, fetchJson } from './fetch.ts';

/** §4: the issuer without its trailing slash, then `/.well-known/openid-configuration`. */
function discoveryUrl(issuer: string): string {
  return `${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`;
}

function setupError(url: string, problem: string, cause?: unknown): AuthenticationSetupError {
  return new AuthenticationSetupError(`OIDC discovery failed: GET ${url}: ${problem}`, {
    hint: 'check gateway.authentication.jwt.issuer, or give jwt.jwksUrl to skip discovery',
    cause,
  });
}

/**
 * Fetches the issuer's discovery document and returns its `jwks_uri`. Rejects with
 * `AuthenticationSetupError` naming the URL and the problem.
 *
 * @example
 * const jwksUrl = await discoverJwksUrl('https://id.example.com', { timeoutMs: 5000, signal });
 */
export async function discoverJwksUrl(issuer: string, limits: FetchLimits): Promise<URL> {
  const url = discoveryUrl(issuer);
  let document: unknown;
  try {
    document = await fetchJson(url, limits);
  } catch (error) {
    throw setupError(url, describeFetchFailure(error, limits.timeoutMs), error);
  }
  if (typeof document !== 'object' || document === null || Array.isArray(document)) throw setupError(url, 'the document is not a JSON object');
  const { issuer: named, jwks_uri: jwksUri } = document as Record<string, unknown>;
  if (named !== issuer) throw setupError(url, `the document names the issuer ${JSON.stringify(named)}, not ${JSON.stringify(issuer)}`);
  if (typeof jwksUri !== 'string' || !URL.canParse(jwksUri)) throw setupError(url, 'the document has no jwks_uri URL');
  const jwksUrl = new URL(jwksUri);
  if (jwksUrl.protocol !== 'https:' && jwksUrl.protocol !== 'http:') throw setupError(url, `its jwks_uri is not an http(s) URL: ${jwksUri}`);
  return jwksUrl;
}
