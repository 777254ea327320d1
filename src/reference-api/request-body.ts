/**
 * Reads a JSON request body, refusing it as soon as it passes the size limit rather than after
 * buffering it: a body limit that reads everything first limits nothing.
 */
import type { IncomingMessage } from 'node:http';
import { ApiError, badRequest } from './api-error.ts';

export const BODY_LIMIT_BYTES = 64 * 1024;

function payloadTooLarge(): ApiError {
  return new ApiError(413, 'payload_too_large', `The request body is larger than ${BODY_LIMIT_BYTES} bytes.`, {
    connection: 'close',
  });
}

/**
 * Stops keeping chunks once the limit is passed but goes on draining them, so that the 413 can be
 * written on a socket that is still readable; the `connection: close` header then ends it.
 */
function readText(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const refuse = (): void => {
      request.removeAllListeners('data');
      request.resume();
      reject(payloadTooLarge());
    };
    if (Number(request.headers['content-length'] ?? 0) > BODY_LIMIT_BYTES) {
      refuse();
      return;
    }
    const chunks: Buffer[] = [];
    let received = 0;
    request.on('data', (chunk: Buffer) => {
      received += chunk.length;
      if (received > BODY_LIMIT_BYTES) refuse();
      else chunks.push(chunk);
    });
    request.on('end', () => {
      resolve(Buffer.concat(chunks).toString('utf8'));
    });
    request.on('error', reject);
  });
}

export async function readJsonBody(request: IncomingMessage): Promise<unknown> {
  const text = await readText(request);
  if (text.trim() === '') throw badRequest('A JSON request body is required.');
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw badRequest(`The request body is not valid JSON: ${(error as Error).message}`);
  }
}
