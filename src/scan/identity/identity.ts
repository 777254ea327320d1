/**
 * Who the scanner is when it sends a request: anonymous, user A, user B, an admin. An identity
 * obtains its credentials through the scan client (so that logging in respects scope and budget),
 * adds them to each request, renews them when they expire or are refused, and names the values
 * that must never appear in a report.
 */
import type { ScanClient } from '../http/client.ts';
import type { OutgoingRequest } from '../http/request.ts';

export type Role = 'user' | 'admin';

export interface Identity {
  /** Unique in a scan; `anonymous` is the identity without credentials. */
  readonly name: string;
  /** What the identity is allowed to do in the API, as the configuration declares it. */
  readonly role?: Role | undefined;
  /** Object ids the identity owns, by kind, e.g. `{ user: ['a1b2'] }`: the victims of BOLA probes. */
  readonly owns?: Readonly<Record<string, readonly string[]>> | undefined;
  /**
   * Obtains credentials when there are none or they are about to expire; does nothing otherwise,
   * so the client calls it before every request. Throws `IdentityError` when a login fails.
   */
  authenticate(client: ScanClient): Promise<void>;
  /** A copy of the request carrying the identity's credentials. */
  apply(request: OutgoingRequest): OutgoingRequest;
  /** Every secret value the identity holds or has held: the client redacts them from exchanges. */
  secrets(): readonly string[];
  /**
   * The server answered 401 to `refused`. Renews the credentials, at most once for a given set of
   * credentials however many requests were refused with it (without `refused`, renews regardless);
   * returns whether the request is worth sending again (false when the identity cannot renew, e.g.
   * a static token). Throws `IdentityError` when renewing fails.
   */
  onUnauthorized(client: ScanClient, refused?: OutgoingRequest): Promise<boolean>;
}
