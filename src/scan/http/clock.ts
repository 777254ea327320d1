/**
 * Time as the client sees it, so that tests can drive rate limits, retry delays and token expiry
 * without waiting. Request timeouts use real timers: they guard real sockets.
 */
import { setTimeout as delay } from 'node:timers/promises';

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => delay(ms),
};
