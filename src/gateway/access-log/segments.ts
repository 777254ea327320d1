/**
 * Segments: the stores' secondary keys start with the number of a block of consecutive records.
 *
 * Records arrive in time order but name people and principals in random order. An index on the
 * subject alone takes each batch's rows at random places across the whole table, so a batch of
 * 1,000 records dirties about one page per row, and SQLite spends its time writing those pages
 * back: measured here, ingest fell under 3,000 records/s by half a million records. With the
 * segment first, a batch lands inside the current segment's few hundred pages, and ingest stays
 * flat as the log grows. A query by subject or principal pays one index seek per segment instead
 * (about 2.7 µs each here), so larger segments answer faster and ingest slower: with 4,096
 * records a segment, who-read over ten million records spent 6.6 ms of CPU on its 2,442 seeks;
 * 16,384 cost 13% more CPU per record ingested in batches of 5,000, for a quarter of the seeks.
 */

/** Records per segment (see above). */
export const SEGMENT_RECORDS = 16_384;

export function segmentOf(recordId: number): number {
  return Math.floor(recordId / SEGMENT_RECORDS);
}

/** The time span of each segment a batch touched, to merge into the store's segment table. */
export class SegmentSpans {
  readonly #spans = new Map<number, { first: number; last: number }>();

  add(segment: number, time: number): void {
    const span = this.#spans.get(segment);
    if (span === undefined) this.#spans.set(segment, { first: time, last: time });
    else {
      span.first = Math.min(span.first, time);
      span.last = Math.max(span.last, time);
    }
  }

  entries(): [number, { first: number; last: number }][] {
    return [...this.#spans];
  }
}
