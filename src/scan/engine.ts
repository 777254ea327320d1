/**
 * A scan, the way the 2021 researcher worked by hand: log in as several people, learn who each
 * one is, ask for each person's data as its owner (twice), as nobody, and as everyone else, then
 * let the checks compare what came back. Requests go through the ScanClient, which enforces
 * scope, safe methods, rate and budget; the checks never touch a socket.
 */
import { createHash } from 'node:crypto';
import type { ApiModel, Operation } from '../core/model.ts';
import type { Classifier } from '../core/personal-data/index.ts';
import { CHECKS } from './checks/index.ts';
import { OVERSIZED_BULK } from './checks/unrestricted-resource-consumption.ts';
import { privilegedProperties, tamperedValue } from './assignment.ts';
import type { Assignment, Check, Observation, Person, ScanContext, TokenProbe, Visibility } from './context.ts';
import { isSuccess } from './context.ts';
import type { Finding } from './finding.ts';
import { severityRank } from './finding.ts';
import type { ScanClient, SendRequest } from './http/index.ts';
import type { Identity } from './identity/index.ts';
import type { OperationRole, PlannedOperation } from './plan.ts';
import { fillPath } from './plan.ts';
import { INTROSPECTION_QUERY, probesFromIntrospection } from './graphql.ts';
import { undocumentedVariants } from './inventory.ts';
import { decodeJwt, forgeries, guessSecret } from './jwt.ts';
import { recordsWithId } from './records.ts';

/** What the configuration says about an identity as a person. */
export interface SubjectFacts {
  /** The id the API knows them by, when no self operation tells. */
  id?: string | undefined;
  /** Their profile is private (otherwise read from the private flag in their own record). */
  private?: boolean | undefined;
  /** Identities they allow to see their private profile. */
  followers?: readonly string[] | undefined;
}

export interface ScanSetup {
  api: ApiModel;
  classifier: Classifier;
  client: ScanClient;
  /** The configured identities; anonymous is added by the engine. */
  identities: readonly Identity[];
  subjects: Readonly<Record<string, SubjectFacts>>;
  visibility: Visibility;
  plan: readonly PlannedOperation[];
  /** The checks to run (default: all). Phases that only one check judges run only with it. */
  checks?: readonly Check[];
  /**
   * Operation ids to probe, when not all (a retest). Identities still learn who they are through
   * every "who am I" operation.
   */
  focus?: ReadonlySet<string>;
  /** Told what the scan is doing, for a progress display. */
  onProgress?: (message: string, step: number, steps: number) => void;
}

export interface ScanResult {
  findings: Finding[];
  observations: Observation[];
  people: Person[];
  /** Operations not sent, and why. */
  skipped: { operation: Operation; reason: string }[];
  /** What the checks were handed: a retest asks them whether it was enough to decide. */
  context: ScanContext;
}

const ANONYMOUS = 'anonymous';

export async function runScan(setup: ScanSetup): Promise<ScanResult> {
  const { client, plan } = setup;
  const observations: Observation[] = [];
  const skipped: ScanResult['skipped'] = plan.filter((p) => !p.sendable).map((p) => ({ operation: p.operation, reason: p.skipped ?? 'not sendable' }));
  const sendable = plan.filter((p) => p.sendable);
  const identities = new Map(setup.identities.map((identity) => [identity.name, identity]));

  const observe = async (planned: PlannedOperation, role: Observation['role'], caller: string, request: Omit<SendRequest, 'method' | 'identity' | 'operationId'>, purpose: Observation['purpose'], subject?: string): Promise<Observation> => {
    const exchange = await client.send({ ...request, method: planned.operation.method, identity: identities.get(caller), operationId: planned.operation.id } as SendRequest);
    const observation: Observation = { operation: planned.operation, role, caller, subject, purpose, exchange };
    observations.push(observation);
    return observation;
  };

  const checks = setup.checks ?? CHECKS;
  const judged = (id: string): boolean => checks.some((check) => check.id === id);
  const focused = setup.focus === undefined ? sendable : sendable.filter((p) => setup.focus?.has(p.operation.id));
  const reads = focused.filter((p) => !p.roles.some((r) => r.kind === 'self-update'));
  const writes = judged('mass-assignment') ? focused.filter((p) => p.roles.some((r) => r.kind === 'self-update')) : [];
  // Logins, discovery, each read, the inventory, each write, the tokens.
  const steps = 2 + reads.length + 1 + writes.length + 1;
  let step = 0;
  const onProgress = (message: string): void => setup.onProgress?.(message, step++, steps);

  onProgress(`authenticating ${setup.identities.length} identities`);
  for (const identity of setup.identities) await identity.authenticate(client);

  onProgress('learning who each identity is');
  const people = await discoverPeople(setup, sendable, observe);
  const callers = [ANONYMOUS, ...setup.identities.map((i) => i.name)];

  for (const planned of reads) {
    onProgress(`probing ${planned.operation.method} ${planned.operation.path}`);
    if (planned.roles.length === 0) {
      const path = fillPath(planned.operation, {});
      if (path === undefined || planned.operation.method !== 'GET') skipped.push({ operation: planned.operation, reason: 'no role the scanner probes, or parameters it cannot fill' });
      else for (const caller of callers) await observe(planned, 'probe', caller, { path }, 'cross');
      continue;
    }
    for (const role of planned.roles) await probe(planned, role, people, callers, observe);
  }

  onProgress('looking for routes the description leaves out');
  const inventory = judged('undocumented-endpoint') ? await probeInventory(focused, sendable, people, client, identities) : [];
  // Writes come last, so that a role the scan manages to escalate cannot change what the reads saw.
  const assignments: Assignment[] = [];
  for (const planned of writes) {
    onProgress(`trying mass assignment on ${planned.operation.method} ${planned.operation.path}`);
    assignments.push(...(await tryMassAssignment(planned, sendable, people, observe)));
  }
  onProgress('testing the identities\' tokens');
  const tokens = judged('jwt-weakness') ? await probeTokens(focused, people, client, identities, observations) : [];
  const context: ScanContext = { api: setup.api, classifier: setup.classifier, people: new Map(people.map((p) => [p.name, p])), visibility: setup.visibility, observations, inventory, assignments, tokens };
  const findings = checks.flatMap((check) => check.run(context));
  findings.sort((a, b) => severityRank(b.severity) - severityRank(a.severity) || (a.operation?.path ?? '').localeCompare(b.operation?.path ?? '') || a.checkId.localeCompare(b.checkId));
  return { findings, observations, people, skipped, context };
}

type Observe = (planned: PlannedOperation, role: Observation['role'], caller: string, request: Omit<SendRequest, 'method' | 'identity' | 'operationId'>, purpose: Observation['purpose'], subject?: string) => Promise<Observation>;

/** Each identity's own record, from the operations that answer "who am I", and the configuration. */
async function discoverPeople(setup: ScanSetup, sendable: readonly PlannedOperation[], observe: Observe): Promise<Person[]> {
  const selves = sendable.filter((p) => p.roles.some((r) => r.kind === 'self'));
  const people: Person[] = [];
  for (const identity of setup.identities) {
    const facts = setup.subjects[identity.name] ?? {};
    let record: Record<string, unknown> | undefined;
    for (const planned of selves) {
      const path = fillPath(planned.operation, {});
      if (path === undefined) continue;
      const observation = await observe(planned, 'self', identity.name, { path }, 'owner', identity.name);
      if (isSuccess(observation.exchange)) record = recordsWithId(observation.exchange.response?.json)[0];
      if (record) break;
    }
    const ownId = record?.id;
    const id = facts.id ?? (typeof ownId === 'string' || typeof ownId === 'number' ? String(ownId) : undefined);
    if (id === undefined) continue;
    const flag = setup.visibility.privateFlag;
    people.push({
      name: identity.name,
      id,
      role: identity.role ?? 'user',
      private: facts.private ?? (flag !== undefined && record?.[flag] === true),
      followers: new Set(facts.followers ?? []),
      username: typeof record?.username === 'string' ? record.username : undefined,
    });
  }
  return people;
}

async function probe(planned: PlannedOperation, role: OperationRole, people: readonly Person[], callers: readonly string[], observe: Observe): Promise<void> {
  const { operation } = planned;
  if (role.kind === 'subject') {
    for (const subject of people) {
      const request = subjectRequest(operation, role.parameter.name, role.parameter.in, subject.id);
      if (!request) continue;
      await observe(planned, 'subject', subject.name, request, 'owner', subject.name);
      await observe(planned, 'subject', subject.name, request, 'owner', subject.name);
      for (const caller of callers) if (caller !== subject.name) await observe(planned, 'subject', caller, request, 'cross', subject.name);
    }
  } else if (role.kind === 'bulk') {
    const path = fillPath(operation, {});
    if (path === undefined) return;
    for (const subject of people) {
      const request = { path, json: { [role.property]: [subject.id] } };
      await observe(planned, 'bulk', subject.name, request, 'owner', subject.name);
      await observe(planned, 'bulk', subject.name, request, 'owner', subject.name);
      for (const caller of callers) if (caller !== subject.name) await observe(planned, 'bulk', caller, request, 'cross', subject.name);
    }
    const everyone = people.map((p) => p.id);
    for (const caller of callers) await observe(planned, 'bulk', caller, { path, json: { [role.property]: everyone } }, 'list');
    const member = people.find((p) => p.role !== 'admin')?.name ?? ANONYMOUS;
    await observe(planned, 'bulk', member, { path, json: { [role.property]: oversizedIds(everyone) } }, 'oversized');
  } else if (role.kind === 'search') {
    for (const prefix of searchPrefixes(people)) {
      const request = subjectRequest(operation, role.parameter.name, role.parameter.in, prefix);
      if (!request) continue;
      for (const caller of callers) await observe(planned, 'search', caller, request, 'list');
    }
  } else if (role.kind === 'graphql') {
    await probeGraphql(planned, people, callers, observe);
  } else if (role.kind === 'admin') {
    const path = fillPath(operation, {});
    if (path === undefined) return;
    for (const caller of callers) await observe(planned, 'admin', caller, { path }, 'cross');
  } else if (role.kind === 'self') {
    // Identities asked it while learning who they are; a caller with no credentials must be refused.
    const path = fillPath(operation, {});
    if (path !== undefined) await observe(planned, 'self', ANONYMOUS, { path }, 'cross');
  }
}

/** Introspects once (as a member where there is one), then probes each query field it found. */
async function probeGraphql(planned: PlannedOperation, people: readonly Person[], callers: readonly string[], observe: Observe): Promise<void> {
  const path = fillPath(planned.operation, {});
  if (path === undefined) return;
  const member = people.find((p) => p.role !== 'admin')?.name ?? ANONYMOUS;
  const introspection = await observe(planned, 'graphql', member, { path, json: { query: INTROSPECTION_QUERY } }, 'discovery');
  const probes = probesFromIntrospection(introspection.exchange.response?.json);
  for (const probe of probes.subjects) {
    for (const subject of people) {
      const request = { path, json: { query: probe.query, variables: { value: probe.argumentType.startsWith('Int') ? Number(subject.id) : subject.id } } };
      await observe(planned, 'graphql', subject.name, request, 'owner', subject.name);
      await observe(planned, 'graphql', subject.name, request, 'owner', subject.name);
      for (const caller of callers) if (caller !== subject.name) await observe(planned, 'graphql', caller, request, 'cross', subject.name);
    }
  }
  for (const probe of probes.searches) {
    for (const prefix of searchPrefixes(people)) {
      for (const caller of callers) await observe(planned, 'graphql', caller, { path, json: { query: probe.query, variables: { value: prefix } } }, 'list');
    }
  }
}

/**
 * For each identity holding a JWT: guess its HS256 secret offline, then send its own "who am I"
 * request with forged tokens (unsigned, signature removed, expired when the secret is known).
 */
async function probeTokens(sendable: readonly PlannedOperation[], people: readonly Person[], client: ScanClient, identities: ReadonlyMap<string, Identity>, observations: readonly Observation[]): Promise<TokenProbe[]> {
  const self = sendable.find((p) => p.roles.some((r) => r.kind === 'self'));
  const path = self ? fillPath(self.operation, {}) : undefined;
  if (!self || path === undefined) return [];
  const probes: TokenProbe[] = [];
  for (const person of people) {
    const genuine = observations.find((o) => o.operation === self.operation && o.caller === person.name && isSuccess(o.exchange));
    const jwt = (identities.get(person.name)?.secrets() ?? []).map(decodeJwt).find((decoded) => decoded !== undefined);
    if (!genuine || !jwt) continue;
    const guessedSecret = guessSecret(jwt);
    const forged = [];
    for (const { kind, token } of forgeries(jwt, guessedSecret)) {
      const exchange = await client.send({ method: 'GET', path, headers: { authorization: `Bearer ${token}` }, operationId: self.operation.id });
      forged.push({ kind, observation: { operation: self.operation, role: 'self' as const, caller: `${person.name} (forged)`, subject: person.name, purpose: 'discovery' as const, exchange } });
    }
    probes.push({ identity: person.name, operation: self.operation, guessedSecret, genuine, forgeries: forged });
  }
  return probes;
}

/**
 * In writes mode, on one member's own record: for each property it should not control, send a
 * changed value, read the record back, then put the old value back.
 */
async function tryMassAssignment(planned: PlannedOperation, sendable: readonly PlannedOperation[], people: readonly Person[], observe: Observe): Promise<Assignment[]> {
  const reader = sendable.find((p) => p.operation.method === 'GET' && p.operation.path === planned.operation.path);
  const member = people.find((p) => p.role !== 'admin');
  const path = fillPath(planned.operation, {});
  if (!reader || !member || path === undefined) return [];
  const read = async (): Promise<[Observation, Record<string, unknown> | undefined]> => {
    const observation = await observe(reader, 'self', member.name, { path }, 'owner', member.name);
    const json = observation.exchange.response?.json;
    return [observation, isSuccess(observation.exchange) && json !== null && typeof json === 'object' && !Array.isArray(json) ? (json as Record<string, unknown>) : undefined];
  };
  const [, record] = await read();
  if (!record) return [];
  const schema = reader.operation.responses.find((r) => r.status.startsWith('2'))?.content[0]?.schema;
  const assignments: Assignment[] = [];
  for (const property of privilegedProperties(record, schema)) {
    const before = record[property];
    const sent = tamperedValue(property, before);
    const write = await observe(planned, 'self-update', member.name, { path, json: { [property]: sent } }, 'write', member.name);
    const [reread, after] = await read();
    assignments.push({ operation: planned.operation, caller: member.name, property, before, sent, after: after?.[property], observations: [write, reread] });
    if (isSuccess(write.exchange)) await observe(planned, 'self-update', member.name, { path, json: { [property]: before } }, 'write', member.name);
  }
  return assignments;
}

/**
 * Asks version-prefixed twins of each documented subject route for the first identity's record,
 * as anonymous and as another member (a twin that serves only its owner leaks nothing).
 */
async function probeInventory(focused: readonly PlannedOperation[], sendable: readonly PlannedOperation[], people: readonly Person[], client: ScanClient, identities: ReadonlyMap<string, Identity>): Promise<ScanContext['inventory']> {
  const [subject, other] = people;
  if (!subject) return [];
  const documented = new Set(sendable.map((p) => `${p.operation.method} ${p.operation.path}`));
  const inventory: { observation: Observation; mirrors: Operation }[] = [];
  for (const planned of focused) {
    const role = planned.roles.find((r) => r.kind === 'subject');
    if (role?.kind !== 'subject' || role.parameter.in !== 'path' || planned.operation.method !== 'GET') continue;
    for (const template of undocumentedVariants(planned.operation, documented)) {
      const operation: Operation = { ...planned.operation, id: `${planned.operation.method} ${template}`, operationId: undefined, path: template, location: planned.operation.location };
      const path = fillPath(operation, { [role.parameter.name]: subject.id });
      if (path === undefined) continue;
      for (const caller of [ANONYMOUS, ...(other ? [other.name] : [])]) {
        const exchange = await client.send({ method: 'GET', path, identity: identities.get(caller) });
        inventory.push({ observation: { operation, role: 'probe', caller, subject: subject.name, purpose: 'discovery', exchange }, mirrors: planned.operation });
      }
    }
  }
  return inventory;
}

/** One-letter prefixes of the identities' usernames: what a scraper tries first. */
function searchPrefixes(people: readonly Person[]): string[] {
  const prefixes = [...new Set(people.map((p) => p.username?.slice(0, 1)).filter((p): p is string => p !== undefined && p !== ''))];
  return prefixes.length > 0 ? prefixes : ['a'];
}

function subjectRequest(operation: Operation, name: string, where: string, value: string): { path: string; query?: Record<string, string> } | undefined {
  if (where === 'path') {
    const path = fillPath(operation, { [name]: value });
    return path === undefined ? undefined : { path };
  }
  const path = fillPath(operation, {});
  return path === undefined ? undefined : { path, query: { [name]: value } };
}

/** The known ids padded to OVERSIZED_BULK with ids of the same shape that name nobody. */
function oversizedIds(known: readonly string[]): string[] {
  const hex = known.length > 0 && known.every((id) => /^[0-9a-f]+$/i.test(id));
  const numeric = known.length > 0 && known.every((id) => /^\d+$/.test(id));
  const filler = Array.from({ length: Math.max(0, OVERSIZED_BULK - known.length) }, (_, index) => {
    if (numeric) return String(10_000_000 + index);
    const digest = createHash('sha256').update(`leakproof:nobody:${index}`).digest('hex');
    return hex ? digest.slice(0, known[0]?.length ?? 32) : `leakproof-nobody-${index}`;
  });
  // The known ids come last: only a server that reads past any sane cap answers them.
  return [...filler, ...known];
}
