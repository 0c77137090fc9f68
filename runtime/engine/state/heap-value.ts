// ValueState on the heap; with TTL the value carries its last-access time (Flink's TtlValueState
// over TtlValue): an expired value reads as absent and is removed on that read.
import { Cell, HeapState, type Slots } from './heap-state.js';
import { FIELD, HEAP_NUMBER, OBJECT_HEADER, estimateBytes } from './size.js';
import { expired } from './ttl.js';
import type { SavedValue, ValueState } from './types.js';

export class HeapValueState extends HeapState implements ValueState {
  readonly kind = 'value';
  /** A Cell, plus the boxed last-access time when there is a TTL. */
  private readonly fixed = OBJECT_HEADER + 3 * FIELD + (this.ttl > 0 ? HEAP_NUMBER : 0);

  value(): unknown {
    const ttl = this.ttl;
    const now = ttl > 0 ? this.store.touch() : 0;
    const slots = this.store.current();
    if (slots === undefined) return undefined;
    const c = slots[this.slot] as Cell | undefined;
    if (c === undefined) return undefined;
    if (ttl > 0) {
      if (expired(c.t, ttl, now)) {
        this.dropCurrent(this.fixed + c.b);
        return undefined;
      }
      if (this.refreshOnRead) c.t = now;
    }
    return c.v;
  }

  update(v: unknown): void {
    if (v === undefined || v === null) {
      this.clear();
      return;
    }
    const t = this.ttl > 0 ? this.store.touch() : 0;
    const bytes = estimateBytes(v);
    const slots = this.store.currentForWrite();
    const c = slots[this.slot] as Cell | undefined;
    if (c === undefined) {
      slots[this.slot] = new Cell(v, t, bytes);
      this.store.bytes += this.fixed + bytes;
    } else {
      this.store.bytes += bytes - c.b;
      c.v = v;
      c.t = t;
      c.b = bytes;
    }
  }

  clear(): void {
    if (this.ttl > 0) this.store.touch();
    const c = this.store.current()?.[this.slot] as Cell | undefined;
    if (c !== undefined) this.dropCurrent(this.fixed + c.b);
  }

  save(slot: unknown): SavedValue {
    const c = slot as Cell;
    return { v: c.v, t: c.t };
  }

  load(saved: unknown): [unknown, number] {
    const s = saved as SavedValue;
    const b = estimateBytes(s.v);
    return [new Cell(s.v, s.t, b), this.fixed + b];
  }

  sweep(slots: Slots, slot: unknown, now: number, budget: number): number {
    const c = slot as Cell;
    if (expired(c.t, this.ttl, now)) this.store.dropAt(slots, this.slot, this.fixed + c.b);
    else this.store.live(c.t + this.ttl);
    return budget > 1 ? budget - 1 : 0;
  }
}
