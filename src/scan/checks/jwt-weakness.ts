/** JWT weaknesses: forged tokens accepted, or a secret anyone can guess. */
import type { Check } from '../context.ts';
import { isSuccess } from '../context.ts';
import { buildFinding } from '../evidence.ts';
import type { Forgery } from '../jwt.ts';
import { recordsOf } from '../records.ts';

const FORGERY_TITLES: Record<Forgery, string> = {
  'alg-none': 'accepts unsigned tokens (alg: none)',
  'stripped-signature': 'accepts tokens whose signature was removed',
  expired: 'accepts expired tokens',
};

export const jwtWeakness: Check = {
  id: 'jwt-weakness',
  title: 'Weak JWT validation',
  owasp: 'API2:2023',
  cwe: 'CWE-347',
  severity: 'critical',
  description:
    'The API accepted a token it should have refused (unsigned, with its signature removed, or expired), or its tokens ' +
    'are signed with a secret from a short list of well-known ones. Anyone can then mint a token for any user.',
  remediation:
    'Verify every token with a maintained library, pinning the accepted algorithms (never none), requiring exp and checking it, ' +
    'and sign with a long random secret or, better, an asymmetric key kept out of the code.',
  helpUrl: 'https://owasp.org/API-Security/editions/2023/en/0xa2-broken-authentication/',
  undecided(context, operation) {
    const probe = context.tokens.find((t) => t.operation.id === operation.id);
    if (!probe) return `no identity holds a JWT that works on ${operation.method} ${operation.path} (configure a login or bearer identity whose token is a JWT)`;
    return probe.forgeries.every((f) => f.observation.exchange.response !== undefined) ? undefined : 'not every forged token got an answer';
  },
  run(context) {
    const findings = [];
    for (const probe of context.tokens) {
      const person = context.people.get(probe.identity);
      if (!person) continue;
      const { operation } = probe;
      if (probe.guessedSecret !== undefined) {
        const hint = `${probe.guessedSecret.slice(0, 1)}${'*'.repeat(Math.max(0, probe.guessedSecret.length - 1))}`;
        findings.push(
          buildFinding({
            check: jwtWeakness,
            operation,
            title: `Tokens are signed with a guessable HS256 secret (${hint})`,
            message: `${probe.identity}'s token verifies with a ${probe.guessedSecret.length}-character secret from Leakproof's list of well-known ones; the scan guessed it offline, without a request.`,
            observations: [probe.genuine],
            fields: [],
            subjects: [probe.identity],
            identity: ['weak-secret'],
          }),
        );
      }
      for (const { kind, observation } of probe.forgeries) {
        const accepted = isSuccess(observation.exchange) && recordsOf(observation.exchange.response?.json, person.id).length > 0;
        if (!accepted) continue;
        findings.push(
          buildFinding({
            check: jwtWeakness,
            operation,
            severity: kind === 'expired' ? 'high' : 'critical',
            title: `${operation.method} ${operation.path} ${FORGERY_TITLES[kind]}`,
            message: `A token forged from ${probe.identity}'s (${kind}) got HTTP ${observation.exchange.response?.status ?? 0} and ${probe.identity}'s own record.`,
            observations: [observation],
            fields: [],
            subjects: [probe.identity],
            identity: [kind],
          }),
        );
      }
    }
    return findings;
  },
};
