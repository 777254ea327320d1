/** The caller without credentials: what the researcher was in January 2021. */
import type { OutgoingRequest } from '../http/request.ts';
import type { Identity } from './identity.ts';

export const ANONYMOUS_NAME = 'anonymous';

/**
 * Sends requests as they are. The client treats a request without an identity the same way, so
 * anonymous is always there whether configured or not.
 */
export const anonymous: Identity = Object.freeze({
  name: ANONYMOUS_NAME,
  role: undefined,
  owns: undefined,
  authenticate: () => Promise.resolve(),
  apply: (request: OutgoingRequest) => request,
  secrets: () => [],
  onUnauthorized: () => Promise.resolve(false),
});
