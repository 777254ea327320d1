/** Putting a credential into a request, and recognising a request that carried it. */
import type { OutgoingRequest } from '../http/request.ts';
import { withCookie, withHeader, withQuery } from '../http/request.ts';
import type { TokenPlacement } from './config.ts';

export function place(request: OutgoingRequest, placement: TokenPlacement, token: string): OutgoingRequest {
  switch (placement.as) {
    case 'bearer':
      return withHeader(request, 'authorization', `Bearer ${token}`);
    case 'header':
      return withHeader(request, placement.header, placement.scheme === undefined ? token : `${placement.scheme} ${token}`);
    case 'cookie':
      return withCookie(request, `${placement.cookie}=${token}`);
    case 'query':
      return withQuery(request, placement.parameter, token);
  }
}

/** Whether `request` was sent with `token`: tells a stale refusal from one of the current token. */
export function carries(request: OutgoingRequest, token: string): boolean {
  const { href } = request.url;
  return (
    href.includes(token) ||
    href.includes(encodeURIComponent(token)) ||
    Object.values(request.headers).some((value) => value.includes(token))
  );
}
