/**
 * The access log as newline-delimited JSON, one record a line, for a SIEM to collect: to standard
 * output, or appended to a file. A sink only: it keeps nothing to query.
 */
import type { FileHandle } from 'node:fs/promises';
import { open } from 'node:fs/promises';
import type { BatchOptions } from './batch-writer.ts';
import { BatchedSink } from './batch-writer.ts';
import type { AccessRecord } from './record.ts';

export class NdjsonAccessLog extends BatchedSink {
  /** The file appended to, or undefined for standard output. */
  readonly file: string | undefined;
  #handle: Promise<FileHandle> | undefined;

  constructor(file: string | undefined, options: BatchOptions = {}) {
    super((records) => this.#append(records.map(line).join('')), options);
    this.file = file;
  }

  protected async release(): Promise<void> {
    await (await this.#handle?.catch(() => undefined))?.close();
  }

  async #append(text: string): Promise<void> {
    if (this.file === undefined) {
      await writeToStdout(text);
      return;
    }
    // Opened on the first batch, and again after a failure, so that a file that comes back is written.
    const opening = (this.#handle ??= open(this.file, 'a'));
    try {
      await (await opening).appendFile(text);
    } catch (error) {
      this.#handle = undefined;
      await (await opening.catch(() => undefined))?.close().catch(() => undefined);
      throw error;
    }
  }
}

/** A record as one line; a missing view is written as null, so that every line has the same keys. */
function line(record: AccessRecord): string {
  return `${JSON.stringify({ ...record, view: record.view ?? null })}\n`;
}

function writeToStdout(text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    process.stdout.write(text, (error) => {
      if (error) reject(error);
      else resolve();
    });
  });
}
