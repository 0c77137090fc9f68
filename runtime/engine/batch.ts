// Records move between operators in batches: parallel arrays, so that a filter or a keyBy never
// has to wrap or copy a user's record. Watermarks travel in-band with the batch they follow.
//
// Watermark encoding: `wm[i]` is the watermark in effect just before record i, and `wmEnd` the one
// after the batch. Dropping a record therefore never loses a watermark advance (the next record's
// `wm`, or `wmEnd`, is at least as high), which is what lets results be "as if the watermark
// advanced after every record" (pipeline-format.md, "Time") whatever the batch size.
// Batches are immutable once emitted: a fan-out hands the same arrays to every consumer.

export type Rec = Record<string, unknown>;

export interface Batch {
  readonly recs: readonly unknown[];
  /** Timestamp of each record: event time, or ingestion time without `eventTime`. */
  readonly ts: readonly number[];
  /** Key of each record, set by keyBy and preserved by stateless nodes; null when unkeyed. */
  readonly keys: readonly unknown[] | null;
  /** Watermark before each record; null when it does not change inside the batch. */
  readonly wm: readonly number[] | null;
  /** Watermark after the batch. */
  readonly wmEnd: number;
}

/** Flink's initial watermark (Long.MIN_VALUE) and final watermark (Long.MAX_VALUE). */
export const WM_MIN = -Infinity;
export const WM_MAX = Infinity;

export function watermarkOnly(wmEnd: number): Batch {
  return { recs: [], ts: [], keys: null, wm: null, wmEnd };
}

/** Growable parallel arrays for operators that build output batches record by record. */
export class BatchBuilder {
  recs: unknown[] = [];
  ts: number[] = [];
  keys: unknown[] | null;
  wm: number[] | null;

  constructor(keyed: boolean, withWm: boolean) {
    this.keys = keyed ? [] : null;
    this.wm = withWm ? [] : null;
  }

  get length(): number {
    return this.recs.length;
  }

  push(rec: unknown, ts: number, key: unknown, wm: number): void {
    this.recs.push(rec);
    this.ts.push(ts);
    if (this.keys !== null) this.keys.push(key);
    if (this.wm !== null) this.wm.push(wm);
  }

  build(wmEnd: number): Batch {
    return { recs: this.recs, ts: this.ts, keys: this.keys, wm: this.wm, wmEnd };
  }
}
