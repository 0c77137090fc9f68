// MapState on the heap. With TTL every entry carries its own last-access time, as in Flink's
// TtlMapState (a Map<UK, TtlValue<UV>>): entries expire one by one, reads skip and remove expired
// ones, and with OnReadAndWrite `get`, `contains`, `top` and the iterations refresh what they return.
//
// A key's slot is a MapSlot: a JavaScript Map from user key to the position of the entry in
// arrays, rather than a Map to one object per entry, so an entry costs its Map entry and a few
// array elements: no object per entry and no boxed time, a write of an existing entry allocates
// nothing, and the garbage collector has a few arrays to trace where it had an object per entry.
// While every value of the slot is a number (counters, scores: the usual map state), the values
// and last-access times sit interleaved in one double array, `d` = [value, time, value, time, …]:
// a write reads and writes one cache line for both (a miss each in a large map when they were two
// arrays), and the collector skips the array, which holds no pointers. The first value that is
// not a number moves the values to a tagged array `v` (with `b`, the bytes each was counted for),
// `d` keeping the times alone; when the last such value goes, they move back.
// Positions of removed entries are reused. Once `top` has been asked for, a TopIndex kept up to
// date by every write knows the top entries without sorting the map (top-index.ts).
//
// With TTL a slot also keeps `since`, a time no entry's last access is older than: while it has
// not expired, no entry of the slot can have, and a read or write skips the entry's time for the
// expiry check. Writes lower it; a full cleanup pass over the slot raises it to the oldest time
// it saw, so in an endless run the shortcut keeps working.
import { HeapState, type Slots, UNFINISHED } from './heap-state.js';
import { ARRAY_HEADER, FIELD, MAP_ENTRY, MAP_HEADER, OBJECT_HEADER, estimateBytes, keyBytes } from './size.js';
import { TopIndex } from './top-index.js';
import { expired } from './ttl.js';
import type { MapKey, MapState, SavedMap } from './types.js';

class MapSlot {
  top: TopIndex | null = null;
  /** User key → position of its entry. */
  readonly m = new Map<MapKey, number>();
  /**
   * Doubles, `w` per position. With every value a number: the value, then the last-access time
   * with TTL. Otherwise the last-access time alone with TTL (w = 1), nothing without (w = 0).
   */
  d: number[] = [];
  w: number;
  /** Values while some value is not a number (null while all are: they are in `d`); undefined at a free position. */
  v: unknown[] | null = null;
  /** With `v`: the bytes each value was counted for. */
  b: number[] | null = null;
  /** Positions in use or free: entries plus `free`. */
  end = 0;
  /** Entries whose value is not a number: `v` goes again when none is left. */
  others = 0;
  /** Free positions, reused before the arrays grow. */
  readonly free: number[] = [];
  /** With TTL: no entry was last accessed before this time (a lower bound; Infinity when empty). */
  since = Infinity;

  constructor(ttl: boolean) {
    this.w = ttl ? 2 : 1;
  }
}

/** The value at position `i` of `s`. */
function valueAt(s: MapSlot, i: number): unknown {
  const v = s.v;
  return v === null ? s.d[i * s.w] : v[i];
}

/** The last-access time at position `i` of `s` (with TTL: the last double of the position). */
function timeAt(s: MapSlot, i: number): number {
  const w = s.w;
  return s.d[i * w + w - 1]!;
}

/**
 * Free positions at which a slot's arrays are compacted, when they also outnumber the entries:
 * a map that shrank (removals, expiry) must give its memory back, as the Map it replaced did.
 */
const COMPACT_MIN = 64;

/** The slot object (10 fields), its Map and its arrays `d` and `free` (`v` and `b` are counted when made). */
const SLOT_BYTES = OBJECT_HEADER + 10 * FIELD + MAP_HEADER + 2 * ARRAY_HEADER;

const ENTRIES = 0;
const KEYS = 1;
const VALUES = 2;

export function validMapKey(k: unknown): k is MapKey {
  return typeof k === 'string' || (typeof k === 'number' && Number.isFinite(k)) || typeof k === 'boolean';
}

/** Bytes of a number value beyond its element in a tagged array (estimateBytes for numbers, inlined). */
function numberBytes(v: number): number {
  return (v | 0) === v && !Object.is(v, -0) ? 0 : 16;
}

export class HeapMapState extends HeapState implements MapState {
  readonly kind = 'map';
  /** Array elements per entry: value, and the time with TTL (the bytes array's is added with `v`). */
  private readonly perEntry = FIELD * (this.ttl > 0 ? 2 : 1);
  /** The map being swept by the incremental cleanup, and where the sweep is in it. */
  private sweepOf: MapSlot | null = null;
  private sweepIt: MapIterator<MapKey> | null = null;
  /** The oldest last-access time the sweep of `sweepOf` has seen or written since it began. */
  private sweepMin = Infinity;
  /** The largest `n` asked of `top`: the size of the indexes kept. */
  private topCap = 0;

  get(k: MapKey): unknown {
    const s = this.current();
    if (s === undefined) return undefined;
    const i = this.live(s, k);
    return i < 0 ? undefined : valueAt(s, i);
  }

  contains(k: MapKey): boolean {
    const s = this.current();
    return s !== undefined && this.live(s, k) >= 0;
  }

  put(k: MapKey, v: unknown): void {
    if (!validMapKey(k)) this.fail(`map keys must be strings, finite numbers or booleans, not ${describe(k)}`);
    if (v === undefined) this.fail('map values cannot be undefined (use remove)');
    const now = this.ttl > 0 ? this.store.touch() : 0;
    const s = this.slotForWrite();
    const i = s.m.get(k);
    if (i === undefined) this.insert(s, k, v, estimateBytes(v), now);
    else this.overwrite(s, k, i, v, estimateBytes(v), now);
  }

  increment(k: MapKey, by: number = 1): number {
    if (!validMapKey(k)) this.fail(`map keys must be strings, finite numbers or booleans, not ${describe(k)}`);
    if (typeof by !== 'number' || !Number.isFinite(by)) this.fail(`increment needs a finite number, not ${describe(by)}`);
    const ttl = this.ttl;
    const now = ttl > 0 ? this.store.touch() : 0;
    const s = this.slotForWrite();
    const i = s.m.get(k);
    if (i === undefined) {
      // From 0, as documented: 0 + by, which is 0 (not -0) for by = -0.
      const v = 0 + by;
      this.insert(s, k, v, numberBytes(v), now);
      return v;
    }
    if (s.v === null) {
      // Every value a number: the value and its time in one place of `d`, written in place.
      const d = s.d;
      const p = i * s.w;
      const dead = ttl > 0 && this.mayExpire(s, now) && expired(d[p + 1]!, ttl, now);
      if (!dead) {
        const old = d[p]!;
        const v = old + by;
        d[p] = v;
        if (ttl > 0) {
          d[p + 1] = now;
          if (now < s.since) s.since = now;
          if (s === this.sweepOf && now < this.sweepMin) this.sweepMin = now;
        }
        if (s.top !== null && !s.top.written(k, i, v, old)) s.top = null;
        return v;
      }
    }
    const old = valueAt(s, i);
    let v = 0 + by;
    if (ttl === 0 || !this.mayExpire(s, now) || !expired(timeAt(s, i), ttl, now)) {
      if (typeof old !== 'number') this.fail(`increment: the value at ${JSON.stringify(k)} is not a number`);
      v = old + by;
    }
    this.overwrite(s, k, i, v, numberBytes(v), now);
    return v;
  }

  remove(k: MapKey): void {
    if (this.ttl > 0) this.store.touch();
    const s = this.current();
    if (s === undefined) return;
    const i = s.m.get(k);
    if (i !== undefined) this.removeEntry(s, k, i);
  }

  entries(): [MapKey, unknown][] {
    return this.collect(ENTRIES) as [MapKey, unknown][];
  }

  keys(): MapKey[] {
    return this.collect(KEYS) as MapKey[];
  }

  values(): unknown[] {
    return this.collect(VALUES);
  }

  forEach(fn: (value: unknown, key: MapKey) => void): void {
    if (typeof fn !== 'function') this.fail('forEach needs a function');
    const s = this.prepared();
    if (s === undefined) return;
    // The value is read at its position as the loop comes to it: `fn` may write (and move the
    // values between `d` and `v`) or remove (and compact the arrays) on the way.
    for (const [k, i] of s.m) fn(valueAt(s, i), k);
  }

  size(): number {
    const s = this.prepared();
    return s === undefined ? 0 : s.m.size;
  }

  top(n: number): [MapKey, number][] {
    if (!Number.isInteger(n) || n < 0) this.fail(`top needs a count (a whole number ≥ 0), not ${describe(n)}`);
    const ttl = this.ttl;
    const now = ttl > 0 ? this.store.touch() : 0;
    let s = this.current();
    if (s === undefined || n === 0) return [];
    if (n > this.topCap) this.topCap = n;
    let x = s.top;
    if (x === null || x.cap < n) x = this.rebuild(s, now);
    else if (ttl > 0 && this.mayExpire(s, now)) {
      // Never return an expired entry: one expired among those asked for means a fresh ranking.
      const m = Math.min(n, x.n);
      for (let j = 0; j < m; j++) {
        if (expired(timeAt(s, x.posAt(j)), ttl, now)) {
          x = this.rebuild(s, now);
          break;
        }
      }
    }
    // The rebuild may have found every entry expired and dropped the slot.
    s = this.current();
    if (s === undefined || x === null) return [];
    const m = Math.min(n, x.n);
    const out = new Array<[MapKey, number]>(m);
    for (let j = 0; j < m; j++) out[j] = [x.keyAt(j), x.valueAt(j)];
    if (this.refreshOnRead) for (let j = 0; j < m; j++) this.touched(s, x.posAt(j), now);
    return out;
  }

  /** Whether no unexpired entry is left; reads no value, so it refreshes nothing. */
  isEmpty(): boolean {
    if (this.ttl > 0) this.store.touch();
    const s = this.current();
    if (s === undefined) return true;
    if (this.ttl === 0) return false;
    const now = this.store.now();
    for (const [k, i] of s.m) {
      if (!expired(timeAt(s, i), this.ttl, now)) return false;
      this.removeEntry(s, k, i);
    }
    return true;
  }

  clear(): void {
    if (this.ttl > 0) this.store.touch();
    const s = this.current();
    if (s === undefined) return;
    let bytes = slotBytes(s);
    for (const [k, i] of s.m) bytes += this.entryBytes(s, k, bytesAt(s, i));
    this.dropCurrent(bytes);
  }

  save(slot: unknown): SavedMap {
    const s = slot as MapSlot;
    const out: SavedMap = [];
    const ttl = this.ttl > 0;
    for (const [k, i] of s.m) out.push([k, valueAt(s, i), ttl ? timeAt(s, i) : 0]);
    return out;
  }

  load(saved: unknown): [unknown, number] {
    const ttl = this.ttl > 0;
    const s = new MapSlot(ttl);
    let bytes = SLOT_BYTES;
    for (const [k, v, t] of saved as SavedMap) {
      const b = estimateBytes(v);
      if (typeof v !== 'number' && s.others++ === 0) bytes += this.toTagged(s);
      const i = s.end++;
      s.m.set(k, i);
      this.append(s, v, b, t);
      if (ttl && t < s.since) s.since = t;
      bytes += this.entryBytes(s, k, b);
    }
    return [s, bytes];
  }

  sweep(slots: Slots, slot: unknown, now: number, budget: number): number {
    const s = slot as MapSlot;
    const m = s.m;
    if (this.sweepOf !== s) {
      this.sweepOf = s;
      this.sweepIt = m.keys();
      this.sweepMin = Infinity;
    }
    const it = this.sweepIt!;
    let freed = 0;
    for (;;) {
      if (budget <= 0) {
        this.store.bytes -= freed;
        return UNFINISHED;
      }
      const n = it.next();
      if (n.done === true) break;
      budget--;
      const k = n.value;
      const i = m.get(k)!;
      const t = timeAt(s, i);
      if (expired(t, this.ttl, now)) {
        freed += this.entryBytes(s, k, bytesAt(s, i));
        this.release(s, k, i);
      } else {
        this.store.live(t + this.ttl);
        if (t < this.sweepMin) this.sweepMin = t;
      }
    }
    // Every entry's time has been seen (or written, see `touched`) since the pass began.
    s.since = this.sweepMin;
    this.sweepOf = null;
    this.sweepIt = null;
    if (m.size === 0) this.store.dropAt(slots, this.slot, slotBytes(s) + freed);
    else {
      this.store.bytes -= freed;
      this.compact(s);
    }
    return budget;
  }

  private current(): MapSlot | undefined {
    return this.store.current()?.[this.slot] as MapSlot | undefined;
  }

  private slotForWrite(): MapSlot {
    const slots = this.store.currentForWrite();
    let s = slots[this.slot] as MapSlot | undefined;
    if (s === undefined) {
      s = new MapSlot(this.ttl > 0);
      slots[this.slot] = s;
      this.store.bytes += SLOT_BYTES;
    }
    return s;
  }

  /** A new entry `k` → `v` (counted as `b` bytes), written at `now`. */
  private insert(s: MapSlot, k: MapKey, v: unknown, b: number, now: number): void {
    if (typeof v !== 'number' && s.others++ === 0) this.store.bytes += this.toTagged(s);
    let i: number;
    if (s.free.length > 0) {
      i = s.free.pop()!;
      this.write(s, i, v, b);
    } else {
      i = s.end++;
      this.append(s, v, b, now);
    }
    if (this.ttl > 0) this.touched(s, i, now);
    s.m.set(k, i);
    this.store.bytes += this.entryBytes(s, k, b);
    if (s.top !== null && !s.top.written(k, i, v, undefined)) s.top = null;
  }

  /** Write `v` (counted as `b` bytes) over the entry of `k` at `i`. */
  private overwrite(s: MapSlot, k: MapKey, i: number, v: unknown, b: number, now: number): void {
    const was = valueAt(s, i);
    let old = was;
    // An expired entry being overwritten is new to a reader: out of the ranking first.
    if (this.ttl > 0 && this.mayExpire(s, now) && expired(timeAt(s, i), this.ttl, now)) {
      if (s.top !== null && !s.top.removed(i)) s.top = null;
      old = undefined;
    }
    if (typeof v !== 'number' && typeof was === 'number' && s.others++ === 0) this.store.bytes += this.toTagged(s);
    this.store.bytes += (s.v === null ? 0 : b) - bytesAt(s, i);
    this.write(s, i, v, b);
    if (typeof v === 'number' && typeof was !== 'number' && --s.others === 0) this.store.bytes -= this.toDoubles(s);
    if (this.ttl > 0) this.touched(s, i, now);
    if (s.top !== null && !s.top.written(k, i, v, old)) s.top = null;
  }

  /** Value `v` (counted as `b` bytes) at position `i`, which exists. */
  private write(s: MapSlot, i: number, v: unknown, b: number): void {
    if (s.v === null) s.d[i * s.w] = v as number;
    else {
      s.v[i] = v;
      s.b![i] = b;
    }
  }

  /** A new last position with value `v` (counted as `b` bytes) and time `t` (with TTL). */
  private append(s: MapSlot, v: unknown, b: number, t: number): void {
    if (s.v === null) s.d.push(v as number);
    else {
      s.v.push(v);
      s.b!.push(b);
    }
    if (this.ttl > 0) s.d.push(t);
  }

  /** The current key's slot after dropping its expired entries and refreshing the rest as read; undefined when none is left. */
  private prepared(): MapSlot | undefined {
    const now = this.ttl > 0 ? this.store.touch() : 0;
    const s = this.current();
    if (s === undefined || this.ttl === 0) return s;
    for (const [k, i] of s.m) {
      if (expired(timeAt(s, i), this.ttl, now)) this.removeEntry(s, k, i);
      else if (this.refreshOnRead) this.touched(s, i, now);
    }
    return this.current();
  }

  /** A fresh index of the current key's top `topCap` entries; expired entries met are removed. */
  private rebuild(s: MapSlot, now: number): TopIndex | null {
    // The index being built is the slot's already, so a compaction on the way (an expired entry
    // removed) moves its positions too; it holds no expired entry, so a removal leaves it be.
    const x = new TopIndex(this.topCap);
    s.top = x;
    for (const [k, i] of s.m) {
      if (this.ttl > 0 && expired(timeAt(s, i), this.ttl, now)) {
        this.removeEntry(s, k, i);
        continue;
      }
      x.offer(k, i, valueAt(s, i));
    }
    if (this.current() !== s) return null;
    s.top = x;
    return x;
  }

  /** Position of the current key's unexpired entry for `k` in `s` (refreshed on read with OnReadAndWrite), or -1. */
  private live(s: MapSlot, k: MapKey): number {
    if (this.ttl === 0) return s.m.get(k) ?? -1;
    const now = this.store.touch();
    // The cleanup step may have dropped the slot.
    if (this.current() !== s) return -1;
    const i = s.m.get(k);
    if (i === undefined) return -1;
    if (this.mayExpire(s, now) && expired(timeAt(s, i), this.ttl, now)) {
      this.removeEntry(s, k, i);
      return -1;
    }
    if (this.refreshOnRead) this.touched(s, i, now);
    return i;
  }

  private collect(mode: number): unknown[] {
    const now = this.ttl > 0 ? this.store.touch() : 0;
    const s = this.current();
    if (s === undefined) return [];
    const out: unknown[] = [];
    for (const [k, i] of s.m) {
      if (this.ttl > 0) {
        if (expired(timeAt(s, i), this.ttl, now)) {
          this.removeEntry(s, k, i);
          continue;
        }
        if (this.refreshOnRead) this.touched(s, i, now);
      }
      out.push(mode === ENTRIES ? [k, valueAt(s, i)] : mode === KEYS ? k : valueAt(s, i));
    }
    return out;
  }

  /** Remove entry `k` at `i` from the current key's slot `s`; the slot goes when it is empty. */
  private removeEntry(s: MapSlot, k: MapKey, i: number): void {
    const bytes = this.entryBytes(s, k, bytesAt(s, i));
    this.release(s, k, i);
    if (s.m.size === 0) this.dropCurrent(slotBytes(s) + bytes);
    else {
      this.store.bytes -= bytes;
      this.compact(s);
    }
  }

  /**
   * With more free positions than entries (and at least COMPACT_MIN), move the entries to the
   * front of the same arrays and cut them. The arrays stay the same objects and the Map its order,
   * so an iteration under way (forEach, whose callback may remove) reads on from the new positions;
   * the top index is moved along.
   */
  private compact(s: MapSlot): void {
    const free = s.free.length;
    if (free < COMPACT_MIN || free <= s.m.size) return;
    const w = s.w;
    const d = s.d.slice();
    const v = s.v === null ? null : s.v.slice();
    const b = s.b === null ? null : s.b.slice();
    const to = new Int32Array(s.end);
    let p = 0;
    for (const [k, i] of s.m) {
      for (let j = 0; j < w; j++) s.d[p * w + j] = d[i * w + j]!;
      if (v !== null) {
        s.v![p] = v[i];
        s.b![p] = b![i]!;
      }
      s.m.set(k, p);
      to[i] = p++;
    }
    s.d.length = p * w;
    if (s.v !== null) {
      s.v.length = p;
      s.b!.length = p;
    }
    s.end = p;
    s.free.length = 0;
    const x = s.top;
    if (x !== null) x.moved(to);
  }

  /** Take entry `k` at `i` out of the map, the ranking and the arrays (its position is reused). */
  private release(s: MapSlot, k: MapKey, i: number): void {
    s.m.delete(k);
    if (s.top !== null && !s.top.removed(i)) s.top = null;
    s.free.push(i);
    if (s.v === null) return;
    const was = s.v[i];
    s.v[i] = undefined;
    s.b![i] = 0;
    if (typeof was !== 'number' && --s.others === 0) this.store.bytes -= this.toDoubles(s);
  }

  /** Whether an entry of `s` can have expired at `now` (with TTL): its oldest possible time has. */
  private mayExpire(s: MapSlot, now: number): boolean {
    return expired(s.since, this.ttl, now);
  }

  /** Entry `i` of `s` was accessed at `now` (with TTL): its time, the slot's bound, a sweep's. */
  private touched(s: MapSlot, i: number, now: number): void {
    const w = s.w;
    s.d[i * w + w - 1] = now;
    if (now < s.since) s.since = now;
    if (s === this.sweepOf && now < this.sweepMin) this.sweepMin = now;
  }

  /** Bytes entry `k` of `s` holds, its value counted as `b` (a number in `d` holds none beyond its element). */
  private entryBytes(s: MapSlot, k: MapKey, b: number): number {
    return MAP_ENTRY + keyBytes(k) + this.perEntry + (s.v === null ? 0 : FIELD + b);
  }

  /**
   * A value that is not a number is about to be written into `s`, whose values are all numbers in
   * `d`: move them to `v` (and their bytes to `b`), leaving `d` the times. Returns the bytes added.
   */
  private toTagged(s: MapSlot): number {
    if (s.v !== null) return 0;
    const ttl = this.ttl > 0;
    const n = s.end;
    const d = s.d;
    const v = new Array<unknown>(n).fill(undefined);
    const b = new Array<number>(n).fill(0);
    const t: number[] = [];
    let bytes = 2 * ARRAY_HEADER;
    for (const i of s.m.values()) {
      const x = d[i * s.w]!;
      v[i] = x;
      b[i] = numberBytes(x);
      bytes += FIELD + b[i]!;
    }
    if (ttl) for (let i = 0; i < n; i++) t.push(d[2 * i + 1]!);
    s.v = v;
    s.b = b;
    s.d = t;
    s.w = ttl ? 1 : 0;
    return bytes;
  }

  /** The last value of `s` that is not a number is gone: the numbers back into `d`. Returns the bytes freed. */
  private toDoubles(s: MapSlot): number {
    const v = s.v;
    if (v === null) return 0;
    const ttl = this.ttl > 0;
    const n = s.end;
    const old = s.d;
    const d: number[] = [];
    let bytes = 2 * ARRAY_HEADER;
    for (let i = 0; i < n; i++) {
      const x = v[i];
      d.push(typeof x === 'number' ? x : 0);
      if (ttl) d.push(old[i]!);
    }
    for (const i of s.m.values()) bytes += FIELD + s.b![i]!;
    s.v = null;
    s.b = null;
    s.d = d;
    s.w = ttl ? 2 : 1;
    return bytes;
  }
}

/** Bytes the value at `i` was counted for beyond its element (a number in `d`: none). */
function bytesAt(s: MapSlot, i: number): number {
  return s.b === null ? 0 : s.b[i]!;
}

/** The slot's own bytes: the slot, its Map and arrays, and `v` and `b` while they exist. */
function slotBytes(s: MapSlot): number {
  return SLOT_BYTES + (s.v === null ? 0 : 2 * ARRAY_HEADER);
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'an object' : `${typeof v} ${String(v)}`;
}
