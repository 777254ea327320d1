/**
 * The gateway's access log: whose personal data went to whom. The gateway writes one record per
 * response that carried personal data; `leakproof logs` asks who read a person, who read the most
 * people, and how many people one principal read.
 */
export type { AccessLogOptions, StoreTarget } from './open.ts';
export { describeStore, openAccessLog, openAccessLogStore, parseStoreTarget } from './open.ts';
export { parseSince } from './since.ts';
export type { BatchOptions } from './batch-writer.ts';
export type { AccessLogSink, AccessLogStats, AccessLogStore, AccessRecord, Decision, ReaderCount, ReaderRow, SubjectCount } from './record.ts';
export { DECISIONS, MAX_ID_LENGTH } from './record.ts';
export { AccessLogDroppedError, AccessLogFormatError, AccessLogNotFoundError, AccessLogStoreError } from './errors.ts';
export { NdjsonAccessLog } from './ndjson.ts';
export { PostgresAccessLog } from './postgres.ts';
export { SqliteAccessLog } from './sqlite.ts';
