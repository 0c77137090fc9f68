// ListState on the heap. With TTL every element carries its own last-access time, as in Flink's
// TtlListState (a List<TtlValue<T>>): elements expire one by one, no read returns an expired one,
// and with OnReadAndWrite a read refreshes every element (as Flink's get() does). Times sit in a
// parallel number array rather than in a wrapper object per element (8 bytes instead of ~40).
// Elements are appended with the clock's current time and a read refreshes all of them, so the
// expired elements are a prefix of the list (`sorted`; only a clock that goes back breaks it, and
// then reads fall back to a full pass): dropping them, like `keepLast`, moves `head`, and the
// arrays are compacted once half of them is dead, so dropping stays O(1) per element.
// Reads that do not copy (`size`, `at`, `forEach`) make a loop over the list cost no allocation.
import { HeapState, type Slots } from './heap-state.js';
import { ARRAY_HEADER, FIELD, OBJECT_HEADER, estimateBytes } from './size.js';
import { expired } from './ttl.js';
import type { ListState, SavedList } from './types.js';

class ListSlot {
  /** Times are non-decreasing from `head` on (so the expired elements are a prefix). */
  sorted = true;
  /** With OnReadAndWrite: the time every element was last refreshed to by a read (-Infinity: none). */
  readAt = -Infinity;
  /**
   * A time at which no element was expired (-Infinity: none known). Elements are only added at
   * the current time or refreshed, so at that same time none can be, and a loop of `at(i)` in one
   * record (time is frozen per batch) checks expiry once, not per call.
   */
  liveAt = -Infinity;
  constructor(
    public v: unknown[],
    public t: number[] | null,
    /** Elements before `head` are gone (expired or dropped by keepLast). */
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

function isSorted(t: number[], from: number): boolean {
  for (let i = from + 1; i < t.length; i++) if (t[i]! < t[i - 1]!) return false;
  return true;
}

export class HeapListState extends HeapState implements ListState {
  readonly kind = 'list';
  /** The slot object and its array headers. */
  private readonly fixed = OBJECT_HEADER + 7 * FIELD + ARRAY_HEADER * (this.ttl > 0 ? 2 : 1);
  /** Backing-store bytes per element of capacity: the value slot, and the time with TTL. */
  private readonly perCap = FIELD * (this.ttl > 0 ? 2 : 1);

  get(): unknown[] {
    const s = this.live(true);
    return s === undefined ? [] : s.v.slice(s.head);
  }

  size(): number {
    const s = this.live(true);
    return s === undefined ? 0 : s.v.length - s.head;
  }

  at(i: number): unknown {
    if (!Number.isInteger(i)) this.fail(`at needs a whole number, not ${JSON.stringify(i) ?? String(i)}`);
    const s = this.live(true);
    if (s === undefined) return undefined;
    const n = s.v.length - s.head;
    const j = i < 0 ? n + i : i;
    return j >= 0 && j < n ? s.v[s.head + j] : undefined;
  }

  forEach(fn: (value: unknown, index: number) => void): void {
    if (typeof fn !== 'function') this.fail('forEach needs a function');
    const s = this.live(true);
    if (s === undefined) return;
    // The list as it was when the loop began, even if `fn` changes it.
    const v = s.v;
    const head = s.head;
    const end = v.length;
    for (let i = head; i < end; i++) {
      const x = v[i];
      if (x !== undefined) fn(x, i - head);
    }
  }

  add(v: unknown): void {
    this.check(v);
    const now = this.ttl > 0 ? this.store.touch() : 0;
    this.push(this.slotForWrite(), v, now);
  }

  addAll(vs: readonly unknown[]): void {
    this.checkAll(vs);
    if (vs.length === 0) return;
    const now = this.ttl > 0 ? this.store.touch() : 0;
    const s = this.slotForWrite();
    for (let i = 0; i < vs.length; i++) this.push(s, vs[i], now);
  }

  update(vs: readonly unknown[]): void {
    this.checkAll(vs);
    if (vs.length === 0) {
      this.clear();
      return;
    }
    const now = this.ttl > 0 ? this.store.touch() : 0;
    const slots = this.store.currentForWrite();
    const old = slots[this.slot] as ListSlot | undefined;
    const s = this.build(vs.slice(), this.ttl > 0 ? new Array<number>(vs.length).fill(now) : null);
    slots[this.slot] = s;
    this.store.bytes += s.bytes - (old === undefined ? 0 : old.bytes);
  }

  keepLast(n: number): void {
    if (!Number.isInteger(n) || n < 0) this.fail(`keepLast needs a count (a whole number ≥ 0), not ${JSON.stringify(n) ?? String(n)}`);
    const s = this.live(false);
    if (s === undefined) return;
    const drop = s.v.length - s.head - n;
    if (drop <= 0) return;
    if (n === 0) {
      this.dropCurrent(s.bytes);
      return;
    }
    this.dropHead(s, s.head + drop);
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
    for (; i < t.length; i++) {
      budget--;
      if (!expired(t[i]!, this.ttl, now)) break;
    }
    if (i === t.length) {
      this.store.dropAt(slots, this.slot, s.bytes);
    } else {
      if (i > s.head) this.dropHead(s, i);
      // The earliest expiry left here, for the backend's quiet period.
      let first = t[s.head]!;
      if (!s.sorted) for (let j = s.head + 1; j < s.t!.length; j++) first = Math.min(first, s.t![j]!);
      this.store.live(first + this.ttl);
    }
    return budget < 0 ? 0 : budget;
  }

  /**
   * The current key's slot with its expired elements gone (and, for a read under OnReadAndWrite,
   * the rest refreshed); undefined when it holds none.
   */
  private live(read: boolean): ListSlot | undefined {
    if (this.ttl === 0) return this.store.current()?.[this.slot] as ListSlot | undefined;
    const now = this.store.touch();
    const s = this.store.current()?.[this.slot] as ListSlot | undefined;
    if (s === undefined) return undefined;
    if (s.liveAt === now) {
      if (read && this.refreshOnRead && s.readAt !== now) this.refreshAll(s, now);
      return s;
    }
    const t = s.t!;
    if (s.sorted) {
      let i = s.head;
      while (i < t.length && expired(t[i]!, this.ttl, now)) i++;
      if (i === t.length) {
        this.dropCurrent(s.bytes);
        return undefined;
      }
      if (i > s.head) this.dropHead(s, i);
    } else {
      let dead = 0;
      for (let i = s.head; i < t.length; i++) if (expired(t[i]!, this.ttl, now)) dead++;
      if (dead === t.length - s.head) {
        this.dropCurrent(s.bytes);
        return undefined;
      }
      if (dead > 0) this.keepUnexpired(s, now, t.length - s.head - dead);
    }
    s.liveAt = now;
    if (read && this.refreshOnRead && s.readAt !== now) this.refreshAll(s, now);
    return s;
  }

  /** OnReadAndWrite: a read refreshes every element. */
  private refreshAll(s: ListSlot, now: number): void {
    const tt = s.t!;
    for (let i = s.head; i < tt.length; i++) tt[i] = now;
    s.readAt = now;
    s.sorted = true;
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
    if (s.t !== null) {
      const t = s.t;
      if (t.length > s.head && now < t[t.length - 1]!) s.sorted = false;
      if (now < s.liveAt) s.liveAt = -Infinity; // a clock that went back
      t.push(now);
    }
    this.resize(s, d);
  }

  private build(v: unknown[], t: number[] | null): ListSlot {
    let bytes = this.fixed + v.length * this.perCap;
    for (let i = 0; i < v.length; i++) bytes += estimateBytes(v[i]);
    const s = new ListSlot(v, t, 0, v.length, bytes);
    if (t !== null) s.sorted = isSorted(t, 0);
    return s;
  }

  /** Drop the elements before `to` (expired, or beyond what keepLast keeps). */
  private dropHead(s: ListSlot, to: number): void {
    let freed = 0;
    for (let i = s.head; i < to; i++) {
      freed += estimateBytes(s.v[i]);
      s.v[i] = undefined; // let the element go now; the slot itself goes at compaction
    }
    s.head = to;
    this.resize(s, -freed);
    if (s.head * 2 >= s.v.length) this.compact(s);
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
    s.sorted = next.sorted;
  }

  /** Drop the dead prefix from the arrays (they shrink to fit, as slice does). */
  private compact(s: ListSlot): void {
    s.v = s.v.slice(s.head);
    if (s.t !== null) s.t = s.t.slice(s.head);
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
