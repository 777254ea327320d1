/** Words for a credential request that did not give credentials, from its redacted exchange. */
import type { Exchange } from '../exchange.ts';
import { IdentityError } from './errors.ts';

const EXCERPT_LENGTH = 200;

function excerpt(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > EXCERPT_LENGTH ? `${flat.slice(0, EXCERPT_LENGTH)}…` : flat;
}

/** `what` names the step: `login`, `token request`. `problem` says what was missing, if it answered. */
export function credentialFailure(identity: string, what: string, exchange: Exchange, problem: string | undefined, hint: string): IdentityError {
  const { method, url } = exchange.request;
  const request = `${method} ${url}`;
  const { response } = exchange;
  if (response === undefined) {
    return new IdentityError(`identity '${identity}': ${what} failed: ${request} got no answer (${exchange.error ?? 'no response'})`, {
      hint: 'check that the target is up and that the URL is right',
    });
  }
  const body = excerpt(response.text);
  const answered = `${request} answered ${response.status}${body === '' ? '' : `: ${body}`}`;
  return new IdentityError(`identity '${identity}': ${what} failed: ${problem === undefined ? answered : `${problem} (${answered})`}`, { hint });
}

export function isSuccess(status: number): boolean {
  return status >= 200 && status < 300;
}
