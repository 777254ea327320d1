/**
 * One gate for every request of a scan: at most `concurrency` in flight, started no faster than
 * `rate` per second, and held back altogether while the server has asked us to wait (Retry-After).
 */
import type { Clock } from './clock.ts';

export type Release = () => void;

export class Throttle {
  readonly #clock: Clock;
  readonly #intervalMs: number;
  readonly #concurrency: number;
  #nextStart = Number.NEGATIVE_INFINITY;
  #inFlight = 0;
  readonly #waiting: (() => void)[] = [];

  constructor(clock: Clock, ratePerSecond: number, concurrency: number) {
    this.#clock = clock;
    this.#intervalMs = 1000 / ratePerSecond;
    this.#concurrency = concurrency;
  }

  /** Waits for a free slot and for the rate limit; call the returned function when done. */
  async acquire(): Promise<Release> {
    await this.#permit();
    try {
      await this.#turn();
    } catch (error) {
      this.#release();
      throw error;
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#release();
    };
  }

  /** No request starts before `time` (ms since the epoch): the server asked us to back off. */
  holdUntil(time: number): void {
    this.#nextStart = Math.max(this.#nextStart, time);
  }

  async #permit(): Promise<void> {
    if (this.#inFlight < this.#concurrency) {
      this.#inFlight += 1;
      return;
    }
    // The releasing request hands its place over, so the count stays right without a race.
    await new Promise<void>((resolve) => this.#waiting.push(resolve));
  }

  #release(): void {
    const next = this.#waiting.shift();
    if (next) next();
    else this.#inFlight -= 1;
  }

  /**
   * Start times are handed out in order, one interval apart, before anyone sleeps. A wait shorter
   * than a millisecond is not slept: timers cannot sleep less than one, which capped fast scans at
   * about 1,000 requests a second whatever the limit. The schedule still advances by an interval
   * per request, so the rate over time stays at the limit.
   */
  async #turn(): Promise<void> {
    const now = this.#clock.now();
    const start = Math.max(now, this.#nextStart);
    this.#nextStart = start + this.#intervalMs;
    if (start - now >= 1) await this.#clock.sleep(start - now);
  }
}
