/**
 * The queue between the gateway and a store. `write` only appends to memory; batches go to the
 * store by size or after a delay, one at a time so that records are stored in the order written.
 * A failed batch stays at the head of the queue and is tried again with a growing delay, while the
 * queue keeps accepting records up to a bound; past it, new records are dropped and counted.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { LeakproofError } from '../../core/errors.ts';
import { AccessLogDroppedError, AccessLogStoreError, messageOf } from './errors.ts';
import type { AccessLogSink, AccessLogStats, AccessRecord } from './record.ts';
import { recordProblem } from './record.ts';

export interface BatchOptions {
  /** A batch is written as soon as this many records are queued (default 1,000). */
  batchSize?: number;
  /**
   * The most records one batch takes when more are queued (default 5,000): when the store falls
   * behind, fewer and larger transactions rewrite fewer pages per record and let it catch up.
   */
  maxBatchSize?: number;
  /** The longest a record waits for its batch to fill (default 200 ms). */
  maxDelayMs?: number;
  /** The most records held while the store fails; beyond it new records are dropped and counted (default 100,000). */
  maxQueued?: number;
  /** The first wait before trying a failed batch again; it doubles up to `maxRetryDelayMs` (defaults 100 ms and 10 s). */
  retryDelayMs?: number;
  maxRetryDelayMs?: number;
  /** How long `close` keeps trying a failing store before it gives up on the queued records (default 10 s). */
  closeTimeoutMs?: number;
  /**
   * Told about every failed batch and every record dropped. The log never throws into the gateway;
   * this is where its trouble shows. Defaults to a process warning.
   */
  onError?: (error: LeakproofError) => void;
}

/** Stores one batch, all or nothing; throws when the store fails. */
export type WriteBatch = (records: readonly AccessRecord[]) => Promise<void>;

interface Waiter {
  /** Resolved once this many records have been written. */
  target: number;
  resolve(): void;
  reject(error: unknown): void;
}

const DEFAULTS = { batchSize: 1000, maxBatchSize: 5000, maxDelayMs: 200, maxQueued: 100_000, retryDelayMs: 100, maxRetryDelayMs: 10_000, closeTimeoutMs: 10_000 };

export class BatchWriter {
  readonly #writeBatch: WriteBatch;
  readonly #options: typeof DEFAULTS;
  readonly #onError: (error: LeakproofError) => void;
  #queue: AccessRecord[] = [];
  #head = 0;
  #accepted = 0;
  #written = 0;
  #dropped = 0;
  #failedWrites = 0;
  #writing = false;
  /** The pending start of the next batch. */
  #timer: { cancel(): void } | undefined;
  /** Non-zero while the store is failing: the wait before the next attempt. */
  #retryDelay = 0;
  /** Whether the drops of the current overflow, or of writes after close, have been reported. */
  #overflowReported = false;
  #closedReported = false;
  #closing: Promise<void> | undefined;
  #waiters: Waiter[] = [];

  constructor(writeBatch: WriteBatch, options: BatchOptions = {}) {
    this.#writeBatch = writeBatch;
    const { onError, ...rest } = options;
    this.#options = { ...DEFAULTS, ...definedOnly(rest) };
    this.#onError = errorReporter(onError);
  }

  write(record: AccessRecord): void {
    if (this.#closing) {
      this.#drop(1, 'the access log is closed', !this.#closedReported);
      this.#closedReported = true;
      return;
    }
    const problem = recordProblem(record);
    if (problem !== undefined) {
      this.#drop(1, `a malformed record was not logged: ${problem}`, true);
      return;
    }
    if (this.#queued >= this.#options.maxQueued) {
      this.#drop(1, `the queue holds ${this.#options.maxQueued} records the store has not taken: new records are dropped until it recovers`, !this.#overflowReported);
      this.#overflowReported = true;
      return;
    }
    this.#queue.push(record);
    this.#accepted += 1;
    this.#schedule();
  }

  flush(): Promise<void> {
    if (this.#queued === 0) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.#waiters.push({ target: this.#accepted, resolve, reject });
      // The caller asked for now: skip the wait for the batch to fill, and any wait before a retry.
      if (!this.#writing) this.#startSoon(0);
    });
  }

  /** Writes what is queued, trying a failing store again until `closeTimeoutMs`; then drops and reports the rest. */
  close(): Promise<void> {
    this.#closing ??= this.#drain();
    return this.#closing;
  }

  stats(): AccessLogStats {
    return { queued: this.#queued, written: this.#written, dropped: this.#dropped, failedWrites: this.#failedWrites };
  }

  get #queued(): number {
    return this.#queue.length - this.#head;
  }

  async #drain(): Promise<void> {
    const deadline = Date.now() + this.#options.closeTimeoutMs;
    for (;;) {
      try {
        await this.flush();
        this.#clearTimer();
        return;
      } catch (error) {
        const wait = Math.min(this.#retryDelay || this.#options.retryDelayMs, deadline - Date.now());
        if (wait <= 0) {
          this.#clearTimer();
          throw this.#abandon(error);
        }
        await sleep(wait);
      }
    }
  }

  /** Gives up on every queued record when the log is closed and the store still fails. */
  #abandon(cause: unknown): AccessLogDroppedError {
    const lost = this.#queued;
    this.#queue = [];
    this.#head = 0;
    this.#dropped += lost;
    const error = new AccessLogDroppedError(`${lost} access records could not be stored before the log was closed: ${messageOf(cause)}`, lost);
    this.#report(error);
    return error;
  }

  #schedule(): void {
    if (this.#writing || this.#retryDelay > 0) return;
    if (this.#queued >= this.#options.batchSize) this.#startSoon(0);
    else if (this.#timer === undefined && this.#queued > 0) this.#startSoon(this.#options.maxDelayMs);
  }

  /** Starts the next batch after `delay` ms; never from inside `write`, so the caller never waits on the store. */
  #startSoon(delay: number, { keepAlive } = { keepAlive: true }): void {
    this.#clearTimer();
    const start = (): void => void this.#writeNext();
    if (delay === 0) {
      // Not setTimeout(0), which waits at least a millisecond: measured, 10% of the ingest rate
      // when the store is behind and batches follow each other.
      const immediate = setImmediate(start);
      this.#timer = { cancel: () => { clearImmediate(immediate); } };
      return;
    }
    const timeout = setTimeout(start, delay);
    if (!keepAlive) timeout.unref();
    this.#timer = { cancel: () => { clearTimeout(timeout); } };
  }

  #clearTimer(): void {
    this.#timer?.cancel();
    this.#timer = undefined;
  }

  async #writeNext(): Promise<void> {
    this.#timer = undefined;
    if (this.#writing || this.#queued === 0) return;
    this.#writing = true;
    const batch = this.#queue.slice(this.#head, this.#head + Math.max(this.#options.batchSize, this.#options.maxBatchSize));
    try {
      await this.#writeBatch(batch);
      this.#written += batch.length;
      this.#head += batch.length;
      this.#compact();
      this.#retryDelay = 0;
      this.#overflowReported = false;
      this.#settleWaiters();
    } catch (error) {
      this.#failedWrites += 1;
      this.#retryDelay = Math.min(this.#retryDelay * 2 || this.#options.retryDelayMs, this.#options.maxRetryDelayMs);
      this.#report(new AccessLogStoreError(`could not store ${batch.length} access records (${this.#queued} queued, kept for another attempt in ${this.#retryDelay} ms): ${messageOf(error)}`, { cause: error }));
      this.#rejectWaiters(error);
    } finally {
      this.#writing = false;
    }
    // A store that stays down must not keep a finished process alive for ever: `close` is what waits for it.
    if (this.#retryDelay > 0) this.#startSoon(this.#retryDelay, { keepAlive: false });
    else if (this.#waiters.length > 0) this.#startSoon(0);
    else this.#schedule();
  }

  #compact(): void {
    if (this.#head > 1024 && this.#head * 2 > this.#queue.length) {
      this.#queue = this.#queue.slice(this.#head);
      this.#head = 0;
    }
  }

  #settleWaiters(): void {
    const [done, waiting] = partition(this.#waiters, (waiter) => waiter.target <= this.#written);
    this.#waiters = waiting;
    for (const waiter of done) waiter.resolve();
  }

  #rejectWaiters(error: unknown): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const waiter of waiters) waiter.reject(error);
  }

  #drop(count: number, reason: string, report: boolean): void {
    this.#dropped += count;
    if (report) this.#report(new AccessLogDroppedError(reason, count));
  }

  #report(error: LeakproofError): void {
    this.#onError(error);
  }
}

/** `onError`, or a process warning without one; never throws, so a store's failure never becomes the gateway's crash. */
export function errorReporter(onError: BatchOptions['onError']): (error: LeakproofError) => void {
  return (error) => {
    try {
      if (onError) onError(error);
      else process.emitWarning(error.message, { type: 'LeakproofAccessLog', code: error.code });
    } catch {
      // The handler's own failure has nowhere better to go than the failure it was reporting.
    }
  };
}

function definedOnly<T extends object>(values: T): Partial<T> {
  return Object.fromEntries(Object.entries(values).filter(([, value]) => value !== undefined)) as Partial<T>;
}

function partition<T>(items: readonly T[], test: (item: T) => boolean): [T[], T[]] {
  const yes: T[] = [];
  const no: T[] = [];
  for (const item of items) (test(item) ? yes : no).push(item);
  return [yes, no];
}

/**
 * A sink whose records go through a {@link BatchWriter}: what every store shares. A store gives
 * how one batch is written, and how it lets go of its file, connection or thread once the queue
 * is drained.
 */
export abstract class BatchedSink implements AccessLogSink {
  readonly #batches: BatchWriter;

  protected constructor(writeBatch: WriteBatch, options: BatchOptions) {
    this.#batches = new BatchWriter(writeBatch, options);
  }

  write(record: AccessRecord): void {
    this.#batches.write(record);
  }

  flush(): Promise<void> {
    return this.#batches.flush();
  }

  async close(): Promise<void> {
    try {
      await this.#batches.close();
    } finally {
      await this.release();
    }
  }

  stats(): AccessLogStats {
    return this.#batches.stats();
  }

  /** Called once by `close`, after the last batch, even when it failed. */
  protected abstract release(): Promise<void>;
}
