/**
 * Who is calling. A route's access level and the mode's rules decide whether an anonymous caller
 * is let through; a token that is present but invalid is refused everywhere it is read.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { unauthorized } from './api-error.ts';
import type { Access, Service } from './route.ts';
import type { Person } from './seed.ts';

const BEARER = /^Bearer +([A-Za-z0-9._~+/-]+=*) *$/i;

function mayCallAnonymously(access: Access, service: Service): boolean {
  return access === 'anyone' || (access === 'incident' && service.rules.anonymousReads);
}

export async function identify(service: Service, headers: IncomingHttpHeaders, access: Access): Promise<Person | undefined> {
  // Logging in with a stale token still in the client's headers must work.
  if (access === 'anyone') return undefined;
  const header = headers.authorization;
  if (header === undefined) {
    if (mayCallAnonymously(access, service)) return undefined;
    throw unauthorized();
  }
  const token = BEARER.exec(header)?.[1];
  const personId = token === undefined ? undefined : await service.tokens.verify(token);
  const person = personId === undefined ? undefined : service.community.findById(personId);
  if (person === undefined) throw unauthorized('The bearer token is invalid or expired: log in again.');
  return person;
}
