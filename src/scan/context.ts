/**
 * What checks are handed: the API, the people the scan knows (its identities, with what the
 * configuration says about their privacy), the visibility rules, and every observation made.
 */
import type { ApiModel, Operation } from '../core/model.ts';
import type { Classifier } from '../core/personal-data/index.ts';
import type { Exchange } from './exchange.ts';
import type { CheckDescription, Finding } from './finding.ts';
import type { Forgery } from './jwt.ts';
import type { OperationRole } from './plan.ts';

/** An identity as a data subject: whose records the scan can recognise. */
export interface Person {
  /** Identity name. */
  name: string;
  /** The id the API knows them by, learnt from a self operation or declared. */
  id: string;
  /** Their username, when their own record shows it: search probes start from its first letter. */
  username: string | undefined;
  role: 'user' | 'admin';
  /** Their profile is private: only followers (and they) may see more than the private view. */
  private: boolean;
  /** Identity names allowed to see their private profile. */
  followers: ReadonlySet<string>;
}

export interface Visibility {
  /** Fields any authenticated caller may see of a public profile (public by design). */
  public: ReadonlySet<string>;
  /** Fields anyone may see of a private profile. */
  privateVisible: ReadonlySet<string>;
  /** The field that marks a record as a private profile, e.g. `is_profile_private`. */
  privateFlag: string | undefined;
}

/** One request of the scan and why it was sent. */
export interface Observation {
  operation: Operation;
  role: OperationRole['kind'] | 'probe';
  /** Identity that sent it (`anonymous` for none). */
  caller: string;
  /** Whose id the request named, for subject, bulk and search requests. */
  subject: string | undefined;
  /**
   * `owner`: the subject asking about themselves (twice, to tell volatile fields); `cross`: anyone
   * else asking about them; `list`: a search or bulk call; `oversized`: a bulk call past any sane
   * limit; `discovery`: learning the API's shape (GraphQL introspection), judged by no check;
   * `write`: a change in writes mode, judged only through its `Assignment`.
   */
  purpose: 'owner' | 'cross' | 'list' | 'oversized' | 'discovery' | 'write';
  exchange: Exchange;
}

export interface ScanContext {
  api: ApiModel;
  classifier: Classifier;
  people: ReadonlyMap<string, Person>;
  visibility: Visibility;
  observations: readonly Observation[];
  /**
   * Requests to routes the description does not name (version-prefixed twins of documented
   * ones), each with the documented operation it mirrors: only the undocumented-endpoint check
   * judges these.
   */
  inventory: readonly { observation: Observation; mirrors: Operation }[];
  /** Attempts, in writes mode, to set a privileged property of the caller's own record. */
  assignments: readonly Assignment[];
  /** Each identity's JWT, guessed at offline and forged: judged only by the JWT check. */
  tokens: readonly TokenProbe[];
}

export interface TokenProbe {
  identity: string;
  operation: Operation;
  /** The HS256 secret, when it is in the built-in list of weak ones. */
  guessedSecret: string | undefined;
  /** The identity's own answer with its genuine token. */
  genuine: Observation;
  /** The same request with forged tokens. */
  forgeries: { kind: Forgery; observation: Observation }[];
}

/** One attempt to set a property the caller should not control, and what the record said after. */
export interface Assignment {
  operation: Operation;
  caller: string;
  property: string;
  before: unknown;
  sent: unknown;
  /** The property as the caller's own record showed it afterwards; undefined if it could not be read. */
  after: unknown;
  /** The write, then the read-back. */
  observations: Observation[];
}

export interface Check extends CheckDescription {
  run(context: ScanContext): Finding[];
  /**
   * Why what the scan saw of `operation` cannot show this flaw to be absent, or undefined when it
   * can. A retest calls a fix verified only when the flaw is not found and this says nothing is
   * missing: a refusal to everyone, the owner included, proves a broken target, not a fix.
   */
  undecided(context: ScanContext, operation: Operation): string | undefined;
}

/** Fields another caller may see of the subject's record, by design (the owner sees everything). */
export function allowedFor(caller: string, subject: Person, visibility: Visibility): ReadonlySet<string> {
  if (subject.private && !subject.followers.has(caller)) return visibility.privateVisible;
  return visibility.public;
}

export function isSuccess(exchange: Exchange): boolean {
  const status = exchange.response?.status ?? 0;
  return status >= 200 && status < 300;
}
