/**
 * Reading a response body within the scan's limits: at most `maxBytes` are kept (past them the
 * rest is not read, and the connection is dropped), and JSON is parsed when it says or looks like
 * JSON.
 */

export interface ReadBody {
  text: string;
  truncated: boolean;
}

/** A body's chunks as they arrive, kept up to `maxBytes`. */
export class CappedBody {
  readonly #maxBytes: number;
  readonly #chunks: Buffer[] = [];
  #size = 0;
  #truncated = false;

  constructor(maxBytes: number) {
    this.#maxBytes = maxBytes;
  }

  /** Keeps what fits of `chunk`; false once the body is over the cap and the rest must not be read. */
  add(chunk: Buffer): boolean {
    const room = this.#maxBytes - this.#size;
    if (chunk.length > room) {
      this.#chunks.push(chunk.subarray(0, room));
      this.#size = this.#maxBytes;
      this.#truncated = true;
      return false;
    }
    this.#chunks.push(chunk);
    this.#size += chunk.length;
    return true;
  }

  read(): ReadBody {
    // Most bodies arrive in one chunk: decoding it directly saves a copy.
    const [only] = this.#chunks;
    const bytes = this.#chunks.length === 1 && only !== undefined ? only : Buffer.concat(this.#chunks, this.#size);
    // A cut inside a multi-byte character decodes to U+FFFD: the text is evidence, not data.
    return { text: bytes.toString('utf8'), truncated: this.#truncated };
  }
}

function looksLikeJson(contentType: string | undefined, text: string): boolean {
  if (contentType !== undefined && /^application\/(?:[\w.+-]+\+)?json\b/i.test(contentType.trim())) return true;
  return /^\s*[[{]/.test(text);
}

/** Parsed JSON, or undefined for a body that is not JSON (or was cut short). */
export function parseJson(contentType: string | undefined, text: string, truncated: boolean): unknown {
  if (truncated || !looksLikeJson(contentType, text)) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
