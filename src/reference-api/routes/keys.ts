/**
 * The public key that verifies this instance's session tokens, at the path identity providers use
 * (RFC 8414, OpenID Connect). It is infrastructure, not part of the API: the OpenAPI document does
 * not describe it, and a gateway in front of the API reads it to verify tokens itself.
 */
import type { Route } from '../route.ts';

export const JWKS_PATH = '/.well-known/jwks.json';

export const keyRoutes: readonly Route[] = [
  {
    method: 'GET',
    path: JWKS_PATH,
    operationId: undefined,
    access: 'anyone',
    takesBody: false,
    handle: (call) => ({ body: call.service.tokens.keySet }),
  },
];
