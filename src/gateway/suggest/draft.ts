/**
 * From findings to a policy draft, decided before anything is written: which operations get a
 * policy, what each condition and view is, and the notes that explain them. Each check maps to
 * what the gateway does about it: a function-level rule, object-level rules and views, request
 * validation, deny-by-default, or authentication.
 */
import type { ApiModel, Operation } from '../../core/model.ts';
import { allowsAnonymous } from '../../core/model.ts';
import type { Classifier } from '../../core/personal-data/index.ts';
import { propertiesOf } from '../../core/personal-data/schema-walk.ts';
import type { PolicyConfig } from '../config.ts';
import type { Records } from './records.ts';
import { member, RecordReader } from './records.ts';
import type { FindingsReport, ReportedFinding } from './report.ts';
import { requestLimitNote, requestSchemaNote } from './requests.ts';

/** What is public by design: the `scan.visibility` section of the configuration. */
export interface Visibility {
  /** Fields any member may see of a public profile. */
  public: string[];
  private: { flag: string | undefined; visible: string[] };
}

export interface DraftOperation {
  id: string;
  /** `checkId: title` of each finding the policy answers. */
  answers: string[];
  policy: PolicyConfig;
  /** Why the policy is what it is, and what is left to the reader. */
  notes: string[];
}

export interface DraftEntry<T> {
  name: string;
  value: T;
  note: string;
}

export interface Draft {
  /** Notes for the authentication section (JWT weaknesses). */
  authentication: string[];
  lookups: DraftEntry<{ path: string; select: string; as: 'caller' }>[];
  views: DraftEntry<string[]>[];
  /** Notes for the default policy (routes the description lacks). */
  denied: string[];
  operations: DraftOperation[];
  /** Findings this draft does not answer, and why. */
  unanswered: string[];
}

export interface DraftOptions {
  classifier: Classifier;
  /** Undefined when no configuration says what is public: then only owners see people's records. */
  visibility: Visibility | undefined;
}

const ANYONE = 'true';
const MEMBERS = 'principal.authenticated';
const ADMINISTRATORS = "'admin' in principal.roles";
/** Checks answered by object-level rules on people's records. */
const OBJECT_LEVEL = new Set(['bola', 'private-flag-bypass', 'enumeration', 'excessive-data-exposure']);
/** Checks answered by the operation's policy; the others are answered elsewhere in the file. */
const OPERATION_CHECKS = new Set([...OBJECT_LEVEL, 'missing-authentication', 'function-level-authorization', 'unrestricted-resource-consumption', 'mass-assignment']);

/**
 * @example
 * ```ts
 * const draft = draftPolicy(report, api, { classifier: createClassifier(), visibility });
 * draft.operations.map((o) => o.id); // ['getUser', 'searchUsers', ...]
 * ```
 */
export function draftPolicy(report: FindingsReport, api: ApiModel, options: DraftOptions): Draft {
  const drafting = new Drafting(api, options);
  const described = new Set(api.operations.map((o) => o.id));
  const byOperation = new Map<string, ReportedFinding[]>();
  for (const finding of report.findings) {
    const id = finding.operation?.id;
    if (finding.checkId === 'jwt-weakness') drafting.authentication.push(answer(finding));
    else if (finding.checkId === 'undocumented-endpoint' && id !== undefined && !described.has(id)) drafting.denied.push(answer(finding));
    else if (id === undefined || !described.has(id)) drafting.unanswered.push(`${answer(finding)} (${id === undefined ? 'on no operation' : `${id} is not in ${api.file}`})`);
    else if (!OPERATION_CHECKS.has(finding.checkId)) drafting.unanswered.push(`${answer(finding)} (leakproof suggest does not know this check)`);
    else byOperation.set(id, [...(byOperation.get(id) ?? []), finding]);
  }
  const operations = api.operations.flatMap((operation) => drafting.operation(operation, byOperation.get(operation.id) ?? []) ?? []);
  return { ...drafting.result(), operations };
}

function answer(finding: ReportedFinding): string {
  return `${finding.checkId}: ${finding.title}`;
}

/** The state of one draft: views and lookups are added the first time a rule needs them. */
class Drafting {
  readonly authentication: string[] = [];
  readonly denied: string[] = [];
  readonly unanswered: string[] = [];
  readonly #lookups = new Map<string, DraftEntry<{ path: string; select: string; as: 'caller' }>>();
  readonly #views = new Map<string, DraftEntry<string[]>>();
  readonly #api: ApiModel;
  readonly #reader: RecordReader;
  readonly #classifier: Classifier;
  readonly #visibility: Visibility | undefined;

  constructor(api: ApiModel, options: DraftOptions) {
    this.#api = api;
    this.#reader = new RecordReader(api, options.classifier);
    this.#classifier = options.classifier;
    this.#visibility = options.visibility;
  }

  result(): Omit<Draft, 'operations'> {
    return { authentication: this.authentication, lookups: [...this.#lookups.values()], views: [...this.#views.values()], denied: this.denied, unanswered: this.unanswered };
  }

  /** The policy of one operation; undefined when the default serves it. */
  operation(operation: Operation, findings: readonly ReportedFinding[]): DraftOperation | undefined {
    const open = allowsAnonymous(operation);
    if (findings.length === 0) {
      if (!open) return undefined;
      return { id: operation.id, answers: [], policy: { allow: ANYONE }, notes: ['Open to anyone by the description (no security requirement); the default admits members only.'] };
    }
    const checks = new Set(findings.map((f) => f.checkId));
    const notes: string[] = [];
    const policy: PolicyConfig = { allow: open && !checks.has('missing-authentication') ? ANYONE : MEMBERS };
    if (checks.has('function-level-authorization')) {
      policy.allow = ADMINISTRATORS;
      notes.push(
        "allow: an administrators' operation. Adapt the condition to how your callers carry roles: authentication.jwt.rolesClaim names the token's claim " +
          "(API keys have their own roles); without one, every caller, administrators too, is refused.",
      );
    }
    if ([...checks].some((c) => OBJECT_LEVEL.has(c))) this.#objectLevel(operation, policy, notes, checks.has('function-level-authorization'));
    if (checks.has('excessive-data-exposure')) notes.push('Fields the response schema does not declare are stripped from every answer, whatever the views.');
    if (checks.has('unrestricted-resource-consumption')) notes.push(requestLimitNote(operation, this.#api));
    const assignments = findings.filter((f) => f.checkId === 'mass-assignment');
    if (assignments.length > 0) notes.push(requestSchemaNote(operation, assignments.flatMap((f) => f.evidence.fields)));
    return { id: operation.id, answers: [...new Set(findings.map(answer))], policy, notes };
  }

  #objectLevel(operation: Operation, policy: PolicyConfig, notes: string[], administrators: boolean): void {
    if (administrators) {
      notes.push('No object-level rules: administrators are meant to see every record of this operation.');
      return;
    }
    const records = this.#reader.recordsOf(operation);
    if (records.kind === 'other') {
      notes.push(`No object-level rules: the records at ${records.where} are not about one person (${records.why}). Write a show condition if they should be filtered.`);
      return;
    }
    policy.records = records.where;
    if (records.where === 'deep') notes.push('records: deep, every object with an id in the answer is taken for a person, so that no alias or nesting hides one.');
    policy.views = records.kind === 'person' ? this.#personRules(records, notes) : this.#ownedRules(records, notes);
    if (records.numericIds) {
      notes.push('The ids are numbers and principal.sub is text, so conditions compare string(...) of them; a lookup answers numbers: check its membership test against real tokens.');
    }
    if (policy.views.length === 1) notes.push('Only the owner sees these records: add rules for other audiences (scan.visibility in the configuration says what is public by design).');
  }

  /** Owner first, then who may see a public or followed profile, then what anyone may see. */
  #personRules(records: Extract<Records, { kind: 'person' }>, notes: string[]): NonNullable<PolicyConfig['views']> {
    const key = records.numericIds ? 'string(resource.id)' : 'resource.id';
    const rules: NonNullable<PolicyConfig['views']> = [{ when: `${key} == principal.sub`, view: '*' }];
    const visibility = this.#visibility;
    if (!visibility) return rules;
    const flag = visibility.private.flag;
    const memberView = this.#view('member', ['id', ...visibility.public], 'scan.visibility.public: what any member may see of a public profile (id: the record\'s key).');
    if (memberView) rules.push(flag === undefined ? { view: memberView } : { when: this.#visible(`resource${member(flag)}`, key, notes), view: memberView });
    const cardView = flag === undefined ? undefined : this.#view('card', ['id', ...visibility.private.visible], 'scan.visibility.private.visible: what anyone may see of a private profile.');
    if (cardView) rules.push({ view: cardView });
    return rules;
  }

  /** The owner gets the whole record; others, when they may see the owner, its impersonal fields. */
  #ownedRules(records: Extract<Records, { kind: 'owned' }>, notes: string[]): NonNullable<PolicyConfig['views']> {
    const owner = `resource${member(records.owner)}`;
    const key = records.numericIds ? `string(${owner})` : owner;
    const rules: NonNullable<PolicyConfig['views']> = [{ when: `${key} == principal.sub`, view: '*' }];
    const visibility = this.#visibility;
    if (!visibility) return rules;
    const name = kebab(records.name ?? 'record');
    const fields = propertiesOf(records.schema)
      .filter((p) => p.name === 'id' || p.name === records.owner || visibility.public.includes(p.name) || this.#classifier.classifyField(p.name, p.schema, { personLike: false }) === undefined)
      .map((p) => p.name);
    const view = this.#view(name, fields, `What others may see of a ${name}: its fields that are not personal, and those scan.visibility.public makes public.`);
    if (!view) return rules;
    const flag = visibility.private.flag;
    if (flag === undefined) return [...rules, { view }];
    const profile = this.#profileLookup();
    if (!profile) {
      notes.push(`Others are not shown these records: whether their owner's profile is private (${flag}) takes a GET of one person by id, and the description has none.`);
      return rules;
    }
    return [...rules, { when: this.#visible(`${profile}(${key})[0]${member(flag)}`, key, notes), view }];
  }

  /** "Not private, or the caller follows": the second half only when the API lists followers. */
  #visible(flagged: string, key: string, notes: string[]): string {
    const operation = this.#reader.followersOperation();
    if (!operation) {
      notes.push('Private profiles are shown to their owner only: the description has no followers operation to tell who else may see them.');
      return `!${flagged}`;
    }
    if (!this.#lookups.has('followers')) {
      const records = this.#reader.recordsOf(operation);
      const select = records.where === '$' || records.where === 'deep' ? '$..id' : `${records.where}.id`;
      this.#lookups.set('followers', {
        name: 'followers',
        value: { path: operation.path, select, as: 'caller' },
        note: `Who follows a person, from ${operation.method} ${operation.path} (${operation.id}), asked as the caller so that it never sees more than they could. Check the select JSONPath against a real answer: it must list the followers' ids.`,
      });
    }
    return `!${flagged} || principal.sub in followers(${key})`;
  }

  /** The name of the lookup that answers one person by id, or undefined when the API has none. */
  #profileLookup(): string | undefined {
    if (this.#lookups.has('profile')) return 'profile';
    const operation = this.#reader.profileOperation();
    if (!operation) return undefined;
    this.#lookups.set('profile', {
      name: 'profile',
      value: { path: operation.path, select: '$', as: 'caller' },
      note: `One person, from ${operation.method} ${operation.path} (${operation.id}), asked as the caller: whether the owner of a record keeps a private profile.`,
    });
    return 'profile';
  }

  /**
   * Registers a view, or finds the same one registered before; undefined when it would show
   * nothing but the key. Two record kinds may want one name for different fields: the second
   * gets a number.
   */
  #view(name: string, fields: string[], note: string): string | undefined {
    const value = [...new Set(fields)];
    if (value.length <= 1) return undefined;
    for (let n = 1; ; n++) {
      const candidate = n === 1 ? name : `${name}-${n}`;
      const existing = this.#views.get(candidate);
      if (existing && existing.value.join() !== value.join()) continue;
      if (!existing) this.#views.set(candidate, { name: candidate, value, note });
      return candidate;
    }
  }
}

function kebab(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1-$2').replace(/[^A-Za-z0-9]+/g, '-').toLowerCase();
}
