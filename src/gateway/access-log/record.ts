/**
 * What the gateway's access log holds and how it is read: one record per response that carried
 * personal data, so that "whose data went to whom?" has an answer after the fact.
 */

/** What the gateway did with a response: passed it whole, removed items or fields, or refused it. */
export type Decision = 'allow' | 'filtered' | 'deny';

export const DECISIONS: readonly Decision[] = ['allow', 'filtered', 'deny'];

/** One response that carried personal data. */
export interface AccessRecord {
  /** When the response was sent, in ms since the epoch. */
  time: number;
  requestId: string;
  /** `anonymous`, or the authenticated subject or API key name. */
  principal: string;
  /** The API description's operation id. */
  operation: string;
  method: string;
  path: string;
  status: number;
  /** Ids of the people whose data the response carried. */
  subjects: string[];
  /** The personal-data fields sent, e.g. `['age', 'location']`. */
  fields: string[];
  /** The named view applied, e.g. `public` or `owner`. */
  view: string | undefined;
  /**
   * A `deny` record names the people whose data was asked for and withheld: the queries below count
   * only `allow` and `filtered` records, the ones whose data actually left.
   */
  decision: Decision;
}

/** A principal that received a subject's data. */
export interface ReaderRow {
  principal: string;
  /** Responses that carried the subject's data to this principal. */
  records: number;
  /** Every personal-data field of those responses, sorted. */
  fields: string[];
  first: number;
  last: number;
}

/** A principal ranked by the number of distinct people whose data it received. */
export interface ReaderCount {
  principal: string;
  subjects: number;
  records: number;
  first: number;
  last: number;
}

/** How many people's data one principal received. `first` and `last` are absent when it received none. */
export interface SubjectCount {
  principal: string;
  subjects: number;
  records: number;
  first?: number;
  last?: number;
}

/** What a sink has done so far, for metrics. */
export interface AccessLogStats {
  /** Records accepted and not yet written. */
  queued: number;
  written: number;
  /** Records lost: the queue was full while the store failed, the record was malformed, or the log was closed. */
  dropped: number;
  /** Batches that failed to write and were kept for another attempt. */
  failedWrites: number;
}

/** Where the gateway writes its records. `write` never throws and never waits on the store. */
export interface AccessLogSink {
  write(record: AccessRecord): void;
  /** Resolves once every record written before the call is stored; rejects if the store fails (the records stay queued). */
  flush(): Promise<void>;
  /** Stores what is queued, then releases the store. Rejects, naming how many, if some records could not be stored. */
  close(): Promise<void>;
  stats(): AccessLogStats;
}

/** A sink that can also answer the three questions of an investigation. */
export interface AccessLogStore extends AccessLogSink {
  /** The principals that received this subject's data, most responses first. */
  whoRead(subject: string, options?: { since?: number; limit?: number }): Promise<ReaderRow[]>;
  /** The principals that received the data of the most distinct people since a time. */
  topReaders(options: { since: number; limit?: number }): Promise<ReaderCount[]>;
  /** How many distinct people's data one principal received. */
  subjectCount(principal: string, options?: { since?: number }): Promise<SubjectCount>;
}

/** The longest principal or subject id stored: an OpenID Connect `sub` is at most 255 characters too. */
export const MAX_ID_LENGTH = 255;

/**
 * Why a record cannot be stored, or undefined when it can. Checked on `write`, so that one bad
 * record is dropped and reported alone instead of failing every attempt at its batch.
 */
export function recordProblem(record: AccessRecord): string | undefined {
  if (!Number.isSafeInteger(record.time)) return 'time must be whole ms since the epoch';
  for (const key of ['requestId', 'principal', 'operation', 'method', 'path'] as const) {
    if (typeof record[key] !== 'string') return `${key} must be a string`;
  }
  if (!Number.isInteger(record.status) || record.status < 0 || record.status > 999) return 'status must be an HTTP status code';
  if (!isStringArray(record.subjects)) return 'subjects must be an array of strings';
  if (!isStringArray(record.fields)) return 'fields must be an array of strings';
  if (record.view !== undefined && typeof record.view !== 'string') return 'view must be a string or undefined';
  if (!DECISIONS.includes(record.decision)) return `decision must be one of ${DECISIONS.join(', ')}`;
  if ([record.principal, ...record.subjects].some((id) => id.length > MAX_ID_LENGTH)) return `principal and subject ids must be at most ${MAX_ID_LENGTH} characters`;
  return undefined;
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}
