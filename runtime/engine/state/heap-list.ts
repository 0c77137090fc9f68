// ListState on the heap. With TTL every element carries its own last-access time, as in Flink's
// TtlListState (a List<TtlValue<T>>): elements expire one by one, `get` never returns an expired
// one, and with OnReadAndWrite a `get` refreshes every element it returns. Times sit in a
// parallel number array rather than in a wrapper object per element (8 bytes instead of ~40).
// Elements are appended with the clock's current time and a read refreshes all of them, so the
// expired elements are a prefix of the list: the cleanup drops it by moving `head`, and the arrays
// are compacted once half of them is dead, so dropping stays O(1) per element.
import { HeapState, type Slots } from './heap-state.js';
import { ARRAY_HEADER, FIELD, OBJECT_HEADER, estimateBytes } from './size.js';
import { expired } from './ttl.js';
import type { ListState, SavedList } from './types.js';

class ListSlot {
  constructor(
    public v: unknown[],
    public t: number[] | null,
    /** Elements before `head` are dead (expired); only with TTL. */
    public head: number,
    /** Capacity of the arrays, following V8's growth rule, for the byte count. */
    public cap: number,
    /** Everything this slot holds. */
    public bytes: number,
  ) {}
}

/** V8's JSObject::NewElementsCapacity: how an array grows when a push finds it full. */
function grown(cap: number): number {
  return cap + (cap >> 1) + 16;
}

export class HeapListState extends HeapState implements ListState {
  readonly kind = 'list';
  /** The slot object and its array headers. */
  private readonly fixed = OBJECT_HEADER + 5 * FIELD + ARRAY_HEADER * (this.ttl > 0 ? 2 : 1);
  /** Backing-store bytes per element of capacity: the value slot, and the time with TTL. */
  private readonly perCap = FIELD * (this.ttl > 0 ? 2 : 1);

  get(): unknown[] {
    if (this.ttl > 0) this.store.touch();
    const s = this.store.current()?.[this.slot] as ListSlot | undefined;
    if (s === undefined) return [];
    if (this.ttl === 0) return s.v.slice();
    const now = this.store.now();
    const t = s.t!;
    let dead = 0;
    for (let i = s.head; i < t.length; i++) if (expired(t[i]!, this.ttl, now)) dead++;
    if (dead === t.length - s.head) {
      this.dropCurrent(s.bytes);
      return [];
    }
    if (dead > 0) this.keepUnexpired(s, now, t.length - s.head - dead);
    if (this.refreshOnRead) for (let i = s.head; i < s.t!.length; i++) s.t![i] = now;
    return s.v.slice(s.head);
  }

  add(v: unknown): void {
    this.check(v);
    if (this.ttl > 0) this.store.touch();
    const s = this.slotForWrite();
    this.push(s, v, this.ttl > 0 ? this.store.now() : 0);
  }

  addAll(vs: readonly unknown[]): void {
    this.checkAll(vs);
    if (vs.length === 0) return;
    if (this.ttl > 0) this.store.touch();
    const s = this.slotForWrite();
    const now = this.ttl > 0 ? this.store.now() : 0;
    for (let i = 0; i < vs.length; i++) this.push(s, vs[i], now);
  }

  update(vs: readonly unknown[]): void {
    this.checkAll(vs);
    if (vs.length === 0) {
      this.clear();
      return;
    }
    if (this.ttl > 0) this.store.touch();
    const slots = this.store.currentForWrite();
    const old = slots[this.slot] as ListSlot | undefined;
    const s = this.build(vs.slice(), this.ttl > 0 ? new Array<number>(vs.length).fill(this.store.now()) : null);
    slots[this.slot] = s;
    this.store.bytes += s.bytes - (old === undefined ? 0 : old.bytes);
  }

  clear(): void {
    if (this.ttl > 0) this.store.touch();
    const s = this.store.current()?.[this.slot] as ListSlot | undefined;
    if (s !== undefined) this.dropCurrent(s.bytes);
  }

  save(slot: unknown): SavedList {
    const s = slot as ListSlot;
    return { v: s.v.slice(s.head), t: s.t === null ? null : s.t.slice(s.head) };
  }

  load(saved: unknown): [unknown, number] {
    const l = saved as SavedList;
    const t = this.ttl > 0 ? (l.t ?? new Array<number>(l.v.length).fill(0)).slice() : null;
    const s = this.build(l.v.slice(), t);
    return [s, s.bytes];
  }

  sweep(slots: Slots, slot: unknown, now: number, budget: number): number {
    const s = slot as ListSlot;
    const t = s.t!;
    let i = s.head;
    let freed = 0;
    for (; i < t.length; i++) {
      budget--;
      if (!expired(t[i]!, this.ttl, now)) break;
      freed += estimateBytes(s.v[i]);
      s.v[i] = undefined; // let the element go now; the slot itself goes at compaction
    }
    if (i === t.length) {
      this.store.dropAt(slots, this.slot, s.bytes);
    } else if (i > s.head) {
      s.head = i;
      this.resize(s, -freed);
      if (s.head * 2 >= t.length) this.compact(s);
    }
    return budget < 0 ? 0 : budget;
  }

  private slotForWrite(): ListSlot {
    const slots = this.store.currentForWrite();
    let s = slots[this.slot] as ListSlot | undefined;
    if (s === undefined) {
      s = new ListSlot([], this.ttl > 0 ? [] : null, 0, 0, this.fixed);
      slots[this.slot] = s;
      this.store.bytes += s.bytes;
    }
    return s;
  }

  private push(s: ListSlot, v: unknown, now: number): void {
    let d = estimateBytes(v);
    if (s.v.length === s.cap) {
      const cap = grown(s.cap);
      d += (cap - s.cap) * this.perCap;
      s.cap = cap;
    }
    s.v.push(v);
    if (s.t !== null) s.t.push(now);
    this.resize(s, d);
  }

  private build(v: unknown[], t: number[] | null): ListSlot {
    let bytes = this.fixed + v.length * this.perCap;
    for (let i = 0; i < v.length; i++) bytes += estimateBytes(v[i]);
    return new ListSlot(v, t, 0, v.length, bytes);
  }

  /** Rebuild without the expired elements (a read found some beyond the dead prefix). */
  private keepUnexpired(s: ListSlot, now: number, live: number): void {
    const v = new Array<unknown>(live);
    const t = new Array<number>(live);
    let j = 0;
    for (let i = s.head; i < s.t!.length; i++) {
      if (expired(s.t![i]!, this.ttl, now)) continue;
      v[j] = s.v[i];
      t[j++] = s.t![i]!;
    }
    const next = this.build(v, t);
    this.store.bytes += next.bytes - s.bytes;
    s.v = v;
    s.t = t;
    s.head = 0;
    s.cap = next.cap;
    s.bytes = next.bytes;
  }

  /** Drop the dead prefix from the arrays (they shrink to fit, as slice does). */
  private compact(s: ListSlot): void {
    s.v = s.v.slice(s.head);
    s.t = s.t!.slice(s.head);
    s.head = 0;
    this.resize(s, (s.v.length - s.cap) * this.perCap);
    s.cap = s.v.length;
  }

  private resize(s: ListSlot, d: number): void {
    s.bytes += d;
    this.store.bytes += d;
  }

  private check(v: unknown): void {
    if (v === undefined || v === null) this.fail('cannot add null or undefined to a list state');
  }

  private checkAll(vs: readonly unknown[]): void {
    if (!Array.isArray(vs)) this.fail('expected an array of values');
    for (let i = 0; i < vs.length; i++) this.check(vs[i]);
  }
}
