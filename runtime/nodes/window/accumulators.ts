// The aggregates of one window node over a pool of slots: a slot is one key's accumulators in one
// window. Freed slots are reused, so columns stay as large as the most windows open at once.
import { type Aggregate, makeAggregate } from './aggregates.js';
import type { AggregateSpec } from './spec.js';

const INITIAL = 1024;

export class Accumulators {
  readonly aggs: readonly Aggregate[];
  private capacity = INITIAL;
  private next = 0;
  /** Stack of freed slots (Int32Array: 4 bytes a slot, since a closing window frees them all at once). */
  private free = new Int32Array(256);
  private nFree = 0;
  /** Arrival number of the prepared record: orders first/last/collect across merged windows. */
  private seq = 0;

  constructor(specs: Readonly<Record<string, AggregateSpec>>) {
    this.aggs = Object.entries(specs).map(([name, a]) => makeAggregate(name, a, INITIAL));
  }

  get live(): number {
    return this.next - this.nFree;
  }

  alloc(): number {
    let slot: number;
    if (this.nFree > 0) {
      slot = this.free[--this.nFree]!;
      // A closed window frees many slots at once; give the stack back as they are reused.
      if (this.nFree < this.free.length >> 2 && this.free.length > 256) this.free = this.free.slice(0, this.free.length >> 1);
    } else {
      slot = this.next++;
      if (slot >= this.capacity) {
        // 1.25× keeps the unused tail of the columns small (state bytes per key are reported).
        this.capacity = Math.ceil(this.capacity * 1.25);
        for (const a of this.aggs) a.grow(this.capacity);
      }
    }
    for (const a of this.aggs) a.reset(slot);
    return slot;
  }

  release(slot: number): void {
    for (const a of this.aggs) a.release(slot);
    if (this.nFree === this.free.length) {
      const free = new Int32Array(this.free.length * 2);
      free.set(this.free);
      this.free = free;
    }
    this.free[this.nFree++] = slot;
  }

  /** Read one record for every aggregate; an error message when a value is unusable. */
  prepare(rec: unknown): string | null {
    const seq = this.seq++;
    const aggs = this.aggs;
    for (let i = 0; i < aggs.length; i++) {
      const err = aggs[i]!.prepare(rec, seq);
      if (err !== null) return err;
    }
    return null;
  }

  add(slot: number): void {
    const aggs = this.aggs;
    for (let i = 0; i < aggs.length; i++) aggs[i]!.add(slot);
  }

  merge(dst: number, src: number): void {
    for (const a of this.aggs) a.merge(dst, src);
    this.release(src);
  }

  /** Write the results into `out`. */
  results(slot: number, out: Record<string, unknown>): Record<string, unknown> {
    for (const a of this.aggs) out[a.name] = a.result(slot);
    return out;
  }

  bytes(): number {
    let b = 0;
    for (const a of this.aggs) b += a.bytes(this.capacity);
    return b + this.free.byteLength;
  }

  save(slot: number): unknown[] {
    return this.aggs.map((a) => a.save(slot));
  }

  /**
   * Column-wise save for checkpoints: per aggregate, the saved values of `slots` in order (numeric
   * aggregates as Float64Arrays; columns.ts says why).
   */
  saveColumns(slots: Int32Array): unknown[] {
    return this.aggs.map((a) => a.saveColumn(slots));
  }

  /** Allocate `n` slots and fill them from `saveColumns` output; the slots, in the saved order. */
  loadColumns(n: number, cols: readonly unknown[]): Int32Array {
    if (cols.length !== this.aggs.length) throw new Error(`the checkpoint holds ${cols.length} aggregates, this window has ${this.aggs.length}`);
    const slots = new Int32Array(n);
    for (let i = 0; i < n; i++) slots[i] = this.alloc();
    this.aggs.forEach((a, i) => a.loadColumn(slots, cols[i]));
    return slots;
  }

  load(values: readonly unknown[]): number {
    const slot = this.alloc();
    this.aggs.forEach((a, i) => a.load(slot, values[i]));
    return slot;
  }

  get arrivals(): number {
    return this.seq;
  }

  set arrivals(n: number) {
    this.seq = n;
  }
}
