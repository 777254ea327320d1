/**
 * Personal data of whoever a caller names: operations that take someone's id (or a list of ids, or
 * a search) and return that person's data to any member. Authentication without object-level
 * authorization: what Peloton's 2 February 2021 "fix" shipped.
 */
import { allowsAnonymous } from '../../core/model.ts';
import type { Operation } from '../../core/model.ts';
import type { Severity } from '../../scan/finding.ts';
import { SEVERITIES, severityRank } from '../../scan/finding.ts';
import type { PersonDoor } from '../operations.ts';
import { beyondCard, byHarm, fieldNames, harmOf } from '../personal-data.ts';
import type { AuditContext, AuditRule, RuleResult } from '../rule.ts';
import { label, listed, where } from './phrases.ts';

const DOOR_ORDER: readonly PersonDoor['kind'][] = ['id', 'ids', 'search'];
const NAMING: Record<PersonDoor['kind'], string> = { id: 'by their id', ids: 'by a list of ids', search: 'by searching' };

export const personalDataById: AuditRule = {
  id: 'personal-data-by-id',
  title: 'Personal data of anyone a caller names',
  owasp: 'API1:2023',
  cwe: 'CWE-639',
  severity: 'high',
  exposure: true,
  description:
    'The operation takes a person\'s id (or a list of ids, or a search query) from the caller and returns personal data ' +
    'beyond the public card, and any authenticated caller may call it. Nothing in the description ties the record to ' +
    'the caller. On 2 February 2021 Peloton required a login and nothing more; anyone can sign up, so every rider\'s age, ' +
    'gender, location and weight stayed one request away.',
  remediation:
    'Decide on the server, for every record, who the caller is to its owner: the owner gets the full record, others ' +
    'only what the owner made visible (and nothing of a private profile), and say so in the description (separate ' +
    'response schemas per audience). Require a scope for operations that serve other people\'s data. If the server ' +
    'already does this, record it with `x-leakproof-ignore: [personal-data-by-id]` and an `x-leakproof-ignore-reason`.',
  helpUrl: 'https://owasp.org/API-Security/editions/2023/en/0xa1-broken-object-level-authorization/',
  run(context) {
    return context.operations.flatMap((operation) => judge(context, operation));
  },
};

function judge(context: AuditContext, operation: Operation): RuleResult[] {
  const { reading, api } = context;
  const anonymous = allowsAnonymous(operation);
  if (!anonymous && !reading.openToAnyMember(operation)) return [];
  const doors = reading.doors(operation);
  const door = DOOR_ORDER.map((kind) => doors.find((d) => d.kind === kind)).find((d) => d !== undefined);
  if (!door || reading.isAuthenticationFlow(operation)) return [];
  const personal = byHarm(beyondCard(context.personalData.returned(operation)));
  if (personal.length === 0) return [];
  const names = fieldNames(personal);
  const who = anonymous ? 'anyone' : 'any member';
  const signUp = reading.signUp();
  const flag = personal.find((f) => f.category === 'privacy-preference');
  return [{
    operation,
    location: door.location,
    severity: anonymous ? raise(harmOf(personal)) : harmOf(personal),
    title: `${label(operation)} gives ${who} another person's ${listed(names, 4)} ${NAMING[door.kind]}`,
    message:
      `${anonymous ? 'Anyone, without credentials,' : `Any authenticated caller (${requirements(operation)}, no scope)`} may call ` +
      `${label(operation)} naming someone else in its ${door.label}${where(door.location, api.file)}, and its successful ` +
      `response carries their ${listed(personal.map((f) => `${f.path}${where(f.location, api.file)}`), 8)}. ` +
      'Nothing in the description ties the record to the caller.' +
      (!anonymous && signUp ? ` Anyone can become a member: ${label(signUp)} is open to all.` : '') +
      (flag ? ` The records carry ${flag.name}: the server, not the client, must withhold what a private profile hides.` : ''),
    fields: personal.map((f) => f.path),
  }];
}

function requirements(operation: Operation): string {
  return operation.security.map((r) => Object.keys(r).join(' + ')).join(' or ');
}

/** No credentials at all makes the same data one step worse. */
function raise(severity: Severity): Severity {
  return SEVERITIES[Math.min(SEVERITIES.length - 1, severityRank(severity) + 1)] ?? 'critical';
}
