/**
 * One request the scanner sent and what came back: what checks decide from. Checks never touch a
 * socket; they are handed exchanges.
 */
import type { HttpMethod } from '../core/model.ts';

export interface ExchangeRequest {
  method: HttpMethod;
  /** Full URL, query included. */
  url: string;
  /** Header names lower-case. Secrets are redacted before an exchange leaves the client. */
  headers: Record<string, string>;
  /** The body as sent (JSON text, form text), if any. */
  body: string | undefined;
}

export interface ExchangeResponse {
  status: number;
  /** Header names lower-case; repeated headers joined with ", ". */
  headers: Record<string, string>;
  /** Parsed JSON when the body was JSON, else undefined. */
  json: unknown;
  /** The raw body as text, cut at the client's response size limit. */
  text: string;
  /** True when the body was cut at the size limit. */
  truncated: boolean;
}

export interface Exchange {
  /** Sequence number in the scan, for evidence and ordering. */
  id: number;
  /** Identity name (`anonymous` for none). */
  identity: string;
  /** Operation id in the API model, or undefined for a request outside it (login, discovery). */
  operationId: string | undefined;
  request: ExchangeRequest;
  /** Undefined when no response arrived (timeout, connection refused): see `error`. */
  response: ExchangeResponse | undefined;
  /** What went wrong when there is no response, e.g. `timeout after 10000 ms`. */
  error: string | undefined;
  startedAt: string;
  durationMs: number;
}
