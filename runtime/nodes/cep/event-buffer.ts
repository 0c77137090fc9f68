// Records waiting for the watermark (Flink's elementQueueState), handed out in timestamp order,
// ties in arrival order. Most records arrive in timestamp order: those go to a queue of parallel
// arrays (no allocation, no heap work); only a record older than one already waiting goes to the
// engine's heap. Draining merges the two.
import { Heap } from '../../engine/heap.js';
import type { Key } from '../../engine/state/types.js';

export interface Buffered {
  readonly ts: number;
  readonly arrival: number;
  readonly key: Key;
  readonly rec: unknown;
}

const arrivedBefore = (x: Buffered, y: Buffered) => x.ts < y.ts || (x.ts === y.ts && x.arrival < y.arrival);

export class EventBuffer {
  private ts: number[] = [];
  private arrival: number[] = [];
  private keys: Key[] = [];
  private recs: unknown[] = [];
  private head = 0;
  private newest = -Infinity;
  private readonly behind = new Heap<Buffered>(arrivedBefore);
  private arrivals = 0;
  /** The record `next` handed out. */
  outTs = 0;
  outKey: Key = null;
  outRec: unknown = undefined;

  get size(): number {
    return this.ts.length - this.head + this.behind.size;
  }

  /** Arrival counter, for snapshots. */
  get arrived(): number {
    return this.arrivals;
  }

  push(ts: number, key: Key, rec: unknown): void {
    const a = this.arrivals++;
    if (ts >= this.newest) {
      this.newest = ts;
      this.ts.push(ts);
      this.arrival.push(a);
      this.keys.push(key);
      this.recs.push(rec);
    } else {
      this.behind.push({ ts, arrival: a, key, rec });
    }
  }

  /** Take the earliest record if its timestamp is ≤ `upTo` (into outTs, outKey, outRec). */
  next(upTo: number): boolean {
    const h = this.head;
    const inQueue = h < this.ts.length;
    const b = this.behind.peek();
    if (inQueue && (b === undefined || this.ts[h]! < b.ts || (this.ts[h] === b.ts && this.arrival[h]! < b.arrival))) {
      if (this.ts[h]! > upTo) return false;
      this.outTs = this.ts[h]!;
      this.outKey = this.keys[h]!;
      this.outRec = this.recs[h];
      this.recs[h] = undefined;
      this.head = h + 1;
      this.compact();
      return true;
    }
    if (b === undefined || b.ts > upTo) return false;
    this.behind.pop();
    this.outTs = b.ts;
    this.outKey = b.key;
    this.outRec = b.rec;
    return true;
  }

  /**
   * Everything waiting as columns, for a snapshot: the in-order queue, then the records that
   * arrived behind it (`load` orders them again by arrival). The arrays are fresh; the records
   * are the live ones.
   */
  columns(): { ts: Float64Array; arrival: Float64Array; keys: Key[]; recs: unknown[] } {
    const q = this.ts.length - this.head;
    const behind = this.behind.items;
    const n = q + behind.length;
    const ts = new Float64Array(n);
    const arrival = new Float64Array(n);
    const keys = new Array<Key>(n);
    const recs = new Array<unknown>(n);
    for (let i = 0; i < q; i++) {
      const j = this.head + i;
      ts[i] = this.ts[j]!;
      arrival[i] = this.arrival[j]!;
      keys[i] = this.keys[j]!;
      recs[i] = this.recs[j];
    }
    for (let i = 0; i < behind.length; i++) {
      const b = behind[i]!;
      ts[q + i] = b.ts;
      arrival[q + i] = b.arrival;
      keys[q + i] = b.key;
      recs[q + i] = b.rec;
    }
    return { ts, arrival, keys, recs };
  }

  /** Replace the contents (a restored snapshot); `arrivals` continues the arrival counter. */
  load(entries: readonly Buffered[], arrivals: number): void {
    this.clearAll();
    for (const e of [...entries].sort((x, y) => x.arrival - y.arrival)) {
      if (e.ts >= this.newest) {
        this.newest = e.ts;
        this.ts.push(e.ts);
        this.arrival.push(e.arrival);
        this.keys.push(e.key);
        this.recs.push(e.rec);
      } else {
        this.behind.push(e);
      }
    }
    this.arrivals = arrivals;
  }

  /** Visit every waiting record (state figures). */
  forEachRecord(fn: (rec: unknown) => void): void {
    for (let i = this.head; i < this.recs.length; i++) fn(this.recs[i]);
    for (const b of this.behind.items) fn(b.rec);
  }

  private clearAll(): void {
    this.ts = [];
    this.arrival = [];
    this.keys = [];
    this.recs = [];
    this.head = 0;
    this.newest = -Infinity;
    this.behind.clear();
  }

  /** Drop the consumed front of the queue once it is most of it, so memory stays flat. */
  private compact(): void {
    const h = this.head;
    const n = this.ts.length;
    if (h === n) {
      this.newest = -Infinity;
      this.ts.length = 0;
      this.arrival.length = 0;
      this.keys.length = 0;
      this.recs.length = 0;
      this.head = 0;
    } else if (h > 1024 && h * 2 > n) {
      this.ts = this.ts.slice(h);
      this.arrival = this.arrival.slice(h);
      this.keys = this.keys.slice(h);
      this.recs = this.recs.slice(h);
      this.head = 0;
    }
  }
}
