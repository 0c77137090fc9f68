// The interval join's queue of pending cleanups (IntervalJoinOperator's cleanup timers, one per
// key and side). Records mostly arrive in event-time order and each side's cleanup delay is fixed,
// so cleanup times mostly arrive in order too: those go to a plain FIFO (two parallel arrays, no
// allocation per entry), and only an entry earlier than the FIFO's last one goes to a heap. A cut
// emits nothing, so the order between entries due at or before one watermark does not matter;
// what matters is that every entry ≤ the watermark is taken, which `nextDue` / `take` guarantee.
import { MinHeap } from '../../engine/heap.js';
import type { Cleanup } from './buffer.js';

/** Compact the FIFO once this many leading slots are taken and they are at least half of it. */
const COMPACT_MIN = 1024;

export class CleanupQueue {
  private dues: number[] = [];
  private entries: (Cleanup | undefined)[] = [];
  private head = 0;
  private readonly late = new MinHeap<Cleanup>();
  /** Due time of the entry `take` returned last. */
  takenAt = Number.NaN;

  get size(): number {
    return this.dues.length - this.head + this.late.size;
  }

  push(due: number, c: Cleanup): void {
    const n = this.dues.length;
    if (n === this.head || this.dues[n - 1]! <= due) {
      this.dues.push(due);
      this.entries.push(c);
    } else {
      this.late.push(due, c);
    }
  }

  /** The earliest due time queued, or +Infinity when empty. */
  nextDue(): number {
    const f = this.head < this.dues.length ? this.dues[this.head]! : Infinity;
    const h = this.late.peekPriority();
    return f <= h ? f : h;
  }

  /** Remove and return the earliest entry (call only when `size > 0`); its time is in `takenAt`. */
  take(): Cleanup {
    const f = this.head < this.dues.length ? this.dues[this.head]! : Infinity;
    if (f <= this.late.peekPriority()) {
      const c = this.entries[this.head]!;
      this.entries[this.head] = undefined;
      this.takenAt = f;
      this.head++;
      this.compact();
      return c;
    }
    this.takenAt = this.late.peekPriority();
    return this.late.pop()!;
  }

  clear(): void {
    this.dues = [];
    this.entries = [];
    this.head = 0;
    this.late.clear();
  }

  private compact(): void {
    const h = this.head;
    if (h === this.dues.length) {
      this.dues.length = 0;
      this.entries.length = 0;
      this.head = 0;
    } else if (h >= COMPACT_MIN && h * 2 >= this.dues.length) {
      this.dues = this.dues.slice(h);
      this.entries = this.entries.slice(h);
      this.head = 0;
    }
  }
}
