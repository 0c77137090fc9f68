// One side's buffered records for one key: Flink's IntervalJoinOperator keeps them in a
// MapState<timestamp, List<record>>; here two parallel arrays sorted by timestamp (records of
// equal timestamp in arrival order), so a probe is a binary search plus a scan of the matches,
// and cleanup cuts a prefix. Event time mostly arrives in order, so inserting is mostly a push.

/** Compact the arrays once this many leading slots are dead and they are at least half of them. */
const COMPACT_MIN = 32;

export class SideBuffer {
  ts: number[] = [];
  recs: unknown[] = [];
  /** First live slot: slots before it were cleaned up. */
  head = 0;
  /**
   * One past the last live slot. Slots from here to the arrays' length are spare: an emptied
   * buffer starts again at slot 0 and keeps its arrays' storage (a key's buffers empty and refill
   * all the time, and new storage for each refill would be most of the garbage the join makes).
   */
  end = 0;
  /** Cleanup time queued for this buffer, or NaN when none is queued. */
  scheduled = Number.NaN;

  get size(): number {
    return this.end - this.head;
  }

  /** Insert keeping timestamp order; returns the index it went to. */
  add(t: number, rec: unknown): number {
    const ts = this.ts;
    const n = this.end;
    if (n === this.head || ts[n - 1]! <= t) {
      if (n === this.head) {
        this.head = 0;
        this.end = 0;
      }
      const at = this.end++;
      if (at < ts.length) {
        ts[at] = t;
        this.recs[at] = rec;
      } else {
        ts.push(t);
        this.recs.push(rec);
      }
      return at;
    }
    // After the last entry ≤ t, so equal timestamps keep arrival order.
    let lo = this.head;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (ts[mid]! <= t) lo = mid + 1;
      else hi = mid;
    }
    ts.length = n;
    this.recs.length = n;
    ts.splice(lo, 0, t);
    this.recs.splice(lo, 0, rec);
    this.end = n + 1;
    return lo;
  }

  /** Index of the first live entry with timestamp ≥ t. */
  lowerBound(t: number): number {
    const ts = this.ts;
    let lo = this.head;
    let hi = this.end;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (ts[mid]! < t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Drop every entry with timestamp ≤ t; returns how many went. */
  dropThrough(t: number): number {
    const ts = this.ts;
    const start = this.head;
    const end = this.end;
    let h = start;
    while (h < end && ts[h]! <= t) h++;
    // Release the records (the slots stay for reuse).
    for (let i = start; i < h; i++) this.recs[i] = undefined;
    if (h === end) {
      this.head = 0;
      this.end = 0;
      return h - start;
    }
    this.head = h;
    if (h >= COMPACT_MIN && h * 2 >= end) {
      this.ts = ts.slice(h, end);
      this.recs = this.recs.slice(h, end);
      this.head = 0;
      this.end = end - h;
    }
    return h - start;
  }

  /** The live entries as [timestamp, record] pairs, oldest first (snapshots). */
  entries(): [number, unknown][] {
    const out: [number, unknown][] = [];
    for (let i = this.head; i < this.end; i++) out.push([this.ts[i]!, this.recs[i]]);
    return out;
  }
}

/** A queued cleanup of one side of one key. */
export interface Cleanup {
  readonly kb: KeyBuffers;
  readonly side: 0 | 1;
}

/** A key's two buffers. */
export class KeyBuffers {
  readonly left = new SideBuffer();
  readonly right = new SideBuffer();
  /** The queue entries for each side, made once (entries carry no time of their own). */
  readonly cleanups: readonly [Cleanup, Cleanup] = [
    { kb: this, side: 0 },
    { kb: this, side: 1 },
  ];

  constructor(public key: unknown) {}

  side(s: 0 | 1): SideBuffer {
    return s === 0 ? this.left : this.right;
  }
}
