/**
 * Reading a response body within the scan's limits: at most `maxBytes` are kept (the rest is
 * not read, and the connection is dropped), and JSON is parsed when it says or looks like JSON.
 */
import type { Readable } from 'node:stream';

export interface ReadBody {
  text: string;
  truncated: boolean;
}

export async function readCapped(body: Readable, maxBytes: number): Promise<ReadBody> {
  const chunks: Buffer[] = [];
  let size = 0;
  let truncated = false;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    const room = maxBytes - size;
    if (chunk.length > room) {
      chunks.push(chunk.subarray(0, room));
      size = maxBytes;
      truncated = true;
      break;
    }
    chunks.push(chunk);
    size += chunk.length;
  }
  if (truncated) body.destroy();
  // A cut inside a multi-byte character decodes to U+FFFD: the text is evidence, not data.
  return { text: Buffer.concat(chunks, size).toString('utf8'), truncated };
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
