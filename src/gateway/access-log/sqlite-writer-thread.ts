/** The gateway's side of the SQLite writer thread (sqlite-worker.ts): batches out, outcomes back. */
import { once } from 'node:events';
import { extname } from 'node:path';
import { Worker } from 'node:worker_threads';
import { AccessLogStoreError, messageOf } from './errors.ts';
import type { AccessRecord } from './record.ts';

export interface WriterData {
  file: string;
  busyTimeoutMs: number | undefined;
}

export type WriterRequest = { type: 'write'; id: number; records: readonly AccessRecord[] } | { type: 'close' };

/** The outcome of one batch: `error` is set when nothing of it was stored. */
export interface WriterReply {
  id: number;
  error?: string;
}

// A checkout runs the TypeScript sources, the package the JavaScript built from them: the worker
// is whichever sits next to this module.
const WORKER = new URL(`./sqlite-worker${extname(import.meta.url)}`, import.meta.url);

interface Pending {
  resolve(): void;
  reject(error: Error): void;
}

export class SqliteWriterThread {
  readonly #data: WriterData;
  #worker: Worker | undefined;
  readonly #pending = new Map<number, Pending>();
  #nextId = 0;

  constructor(data: WriterData) {
    this.#data = data;
  }

  /** Resolves once the batch is committed; rejects with the store's error, the batch not stored. */
  write(records: readonly AccessRecord[]): Promise<void> {
    const worker = this.#worker ?? this.#start();
    const id = ++this.#nextId;
    // Held only while a batch is out, so an idle log never keeps the process alive.
    worker.ref();
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      worker.postMessage({ type: 'write', id, records } satisfies WriterRequest);
    });
  }

  async close(): Promise<void> {
    const worker = this.#worker;
    if (worker === undefined) return;
    this.#worker = undefined;
    const exited = once(worker, 'exit');
    // Held until it has closed the file, or the process could end first.
    worker.ref();
    worker.postMessage({ type: 'close' } satisfies WriterRequest);
    await exited;
  }

  #start(): Worker {
    const worker = new Worker(WORKER, { workerData: this.#data satisfies WriterData });
    worker.unref();
    worker.on('message', (reply: WriterReply) => {
      this.#settle(reply, worker);
    });
    worker.on('error', (error: unknown) => {
      this.#stopped(worker, messageOf(error));
    });
    worker.on('exit', (code) => {
      this.#stopped(worker, `it exited with code ${code}`);
    });
    this.#worker = worker;
    return worker;
  }

  #settle(reply: WriterReply, worker: Worker): void {
    const pending = this.#pending.get(reply.id);
    this.#pending.delete(reply.id);
    if (this.#pending.size === 0) worker.unref();
    if (reply.error === undefined) pending?.resolve();
    else pending?.reject(new AccessLogStoreError(`SQLite ${this.#data.file}: ${reply.error}`));
  }

  /** The thread is gone: its batches fail, to be tried again on a new thread. */
  #stopped(worker: Worker, reason: string): void {
    if (this.#worker === worker) this.#worker = undefined;
    const pending = [...this.#pending.values()];
    this.#pending.clear();
    for (const batch of pending) batch.reject(new AccessLogStoreError(`the SQLite writer thread stopped: ${reason}`));
  }
}
