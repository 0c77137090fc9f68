// MapState on the heap. With TTL every entry carries its own last-access time, as in Flink's
// TtlMapState (a Map<UK, TtlValue<UV>>): entries expire one by one, reads skip and remove expired
// ones, and with OnReadAndWrite `get`, `contains`, `top` and the iterations refresh what they return.
// A key's slot is a MapSlot: the entries, and once `top` has been asked for, a TopIndex kept up to
// date by every write, so the top entries are known without sorting the map (top-index.ts).
import { Cell, HeapState, type Slots, UNFINISHED } from './heap-state.js';
import { FIELD, HEAP_NUMBER, MAP_ENTRY, MAP_HEADER, OBJECT_HEADER, estimateBytes, keyBytes } from './size.js';
import { TopIndex } from './top-index.js';
import { expired } from './ttl.js';
import type { MapKey, MapState, SavedMap } from './types.js';

type Entries = Map<MapKey, Cell>;

class MapSlot {
  top: TopIndex | null = null;
  constructor(readonly m: Entries) {}
}

/** The slot object beside its Map. */
const SLOT_BYTES = MAP_HEADER + OBJECT_HEADER + 2 * FIELD;

const ENTRIES = 0;
const KEYS = 1;
const VALUES = 2;

export function validMapKey(k: unknown): k is MapKey {
  return typeof k === 'string' || (typeof k === 'number' && Number.isFinite(k)) || typeof k === 'boolean';
}

export class HeapMapState extends HeapState implements MapState {
  readonly kind = 'map';
  /** A Cell per entry, plus its boxed last-access time when there is a TTL. */
  private readonly cellBytes = OBJECT_HEADER + 3 * FIELD + (this.ttl > 0 ? HEAP_NUMBER : 0);
  /** The map being swept by the incremental cleanup, and where the sweep is in it. */
  private sweepOf: Entries | null = null;
  private sweepIt: MapIterator<MapKey> | null = null;
  /** The largest `n` asked of `top`: the size of the indexes kept. */
  private topCap = 0;

  get(k: MapKey): unknown {
    return this.live(k)?.v;
  }

  contains(k: MapKey): boolean {
    return this.live(k) !== undefined;
  }

  put(k: MapKey, v: unknown): void {
    if (!validMapKey(k)) this.fail(`map keys must be strings, finite numbers or booleans, not ${describe(k)}`);
    if (v === undefined) this.fail('map values cannot be undefined (use remove)');
    const now = this.ttl > 0 ? this.store.touch() : 0;
    const s = this.slotForWrite();
    this.write(s, k, s.m.get(k), v, now);
  }

  increment(k: MapKey, by: number = 1): number {
    if (!validMapKey(k)) this.fail(`map keys must be strings, finite numbers or booleans, not ${describe(k)}`);
    if (typeof by !== 'number' || !Number.isFinite(by)) this.fail(`increment needs a finite number, not ${describe(by)}`);
    const now = this.ttl > 0 ? this.store.touch() : 0;
    const s = this.slotForWrite();
    const c = s.m.get(k);
    let old = 0;
    if (c !== undefined && !(this.ttl > 0 && expired(c.t, this.ttl, now))) {
      if (typeof c.v !== 'number') this.fail(`increment: the value at ${JSON.stringify(k)} is not a number`);
      old = c.v;
    }
    const v = old + by;
    this.write(s, k, c, v, now);
    return v;
  }

  remove(k: MapKey): void {
    if (this.ttl > 0) this.store.touch();
    const s = this.current();
    const c = s?.m.get(k);
    if (c !== undefined) this.removeEntry(s!, k, c);
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
    for (const [k, c] of s.m) fn(c.v, k);
  }

  size(): number {
    const s = this.prepared();
    return s === undefined ? 0 : s.m.size;
  }

  top(n: number): [MapKey, number][] {
    if (!Number.isInteger(n) || n < 0) this.fail(`top needs a count (a whole number ≥ 0), not ${describe(n)}`);
    const now = this.ttl > 0 ? this.store.touch() : 0;
    let s = this.current();
    if (s === undefined || n === 0) return [];
    if (n > this.topCap) this.topCap = n;
    let x = s.top;
    if (x === null || x.cap < n) x = this.rebuild(s, now);
    else if (this.ttl > 0) {
      // Never return an expired entry: one expired among those asked for means a fresh ranking.
      const m = Math.min(n, x.cells.length);
      for (let i = 0; i < m; i++) {
        if (expired(x.cells[i]!.t, this.ttl, now)) {
          x = this.rebuild(s, now);
          break;
        }
      }
    }
    // The rebuild may have found every entry expired and dropped the slot.
    s = this.current();
    if (s === undefined || x === null) return [];
    const m = Math.min(n, x.cells.length);
    const out = new Array<[MapKey, number]>(m);
    for (let i = 0; i < m; i++) {
      const c = x.cells[i]!;
      if (this.refreshOnRead) c.t = now;
      out[i] = [x.keys[i]!, c.v as number];
    }
    return out;
  }

  /** Whether no unexpired entry is left; reads no value, so it refreshes nothing. */
  isEmpty(): boolean {
    if (this.ttl > 0) this.store.touch();
    const s = this.current();
    if (s === undefined) return true;
    if (this.ttl === 0) return false;
    const now = this.store.now();
    for (const [k, c] of s.m) {
      if (!expired(c.t, this.ttl, now)) return false;
      this.removeEntry(s, k, c);
    }
    return true;
  }

  clear(): void {
    if (this.ttl > 0) this.store.touch();
    const s = this.current();
    if (s === undefined) return;
    let bytes = SLOT_BYTES;
    for (const [k, c] of s.m) bytes += this.entryBytes(k, c.b);
    this.dropCurrent(bytes);
  }

  save(slot: unknown): SavedMap {
    const out: SavedMap = [];
    for (const [k, c] of (slot as MapSlot).m) out.push([k, c.v, c.t]);
    return out;
  }

  load(saved: unknown): [unknown, number] {
    const m: Entries = new Map();
    let bytes = SLOT_BYTES;
    for (const [k, v, t] of saved as SavedMap) {
      const b = estimateBytes(v);
      m.set(k, new Cell(v, this.ttl > 0 ? t : 0, b));
      bytes += this.entryBytes(k, b);
    }
    return [new MapSlot(m), bytes];
  }

  sweep(slots: Slots, slot: unknown, now: number, budget: number): number {
    const s = slot as MapSlot;
    const m = s.m;
    if (this.sweepOf !== m) {
      this.sweepOf = m;
      this.sweepIt = m.keys();
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
      const c = m.get(n.value)!;
      if (expired(c.t, this.ttl, now)) {
        m.delete(n.value);
        freed += this.entryBytes(n.value, c.b);
        if (s.top !== null && !s.top.removed(c)) s.top = null;
      } else {
        this.store.live(c.t + this.ttl);
      }
    }
    this.sweepOf = null;
    this.sweepIt = null;
    if (m.size === 0) this.store.dropAt(slots, this.slot, SLOT_BYTES + freed);
    else this.store.bytes -= freed;
    return budget;
  }

  private current(): MapSlot | undefined {
    return this.store.current()?.[this.slot] as MapSlot | undefined;
  }

  private slotForWrite(): MapSlot {
    const slots = this.store.currentForWrite();
    let s = slots[this.slot] as MapSlot | undefined;
    if (s === undefined) {
      s = new MapSlot(new Map());
      slots[this.slot] = s;
      this.store.bytes += SLOT_BYTES;
    }
    return s;
  }

  /** Write `v` at `k`, whose cell (looked up by the caller) is `c`. */
  private write(s: MapSlot, k: MapKey, c: Cell | undefined, v: unknown, now: number): void {
    const b = estimateBytes(v);
    let old: unknown;
    let cell: Cell;
    if (c === undefined) {
      cell = new Cell(v, now, b);
      s.m.set(k, cell);
      this.store.bytes += this.entryBytes(k, b);
    } else {
      this.store.bytes += b - c.b;
      // An expired entry being overwritten is new to a reader: out of the ranking first.
      if (this.ttl > 0 && expired(c.t, this.ttl, now)) {
        if (s.top !== null && !s.top.removed(c)) s.top = null;
      } else {
        old = c.v;
      }
      c.v = v;
      c.t = now;
      c.b = b;
      cell = c;
    }
    if (s.top !== null && !s.top.written(k, cell, old)) s.top = null;
  }

  /** The current key's slot after dropping its expired entries and refreshing the rest as read; undefined when none is left. */
  private prepared(): MapSlot | undefined {
    const now = this.ttl > 0 ? this.store.touch() : 0;
    const s = this.current();
    if (s === undefined || this.ttl === 0) return s;
    for (const [k, c] of s.m) {
      if (expired(c.t, this.ttl, now)) this.removeEntry(s, k, c);
      else if (this.refreshOnRead) c.t = now;
    }
    return this.current();
  }

  /** A fresh index of the current key's top `topCap` entries; expired entries met are removed. */
  private rebuild(s: MapSlot, now: number): TopIndex | null {
    s.top = null;
    const x = new TopIndex(this.topCap);
    for (const [k, c] of s.m) {
      if (this.ttl > 0 && expired(c.t, this.ttl, now)) {
        this.removeEntry(s, k, c);
        continue;
      }
      x.offer(k, c);
    }
    if (this.current() !== s) return null;
    s.top = x;
    return x;
  }

  /** The current key's unexpired entry for `k` (refreshed on read with OnReadAndWrite). */
  private live(k: MapKey): Cell | undefined {
    if (this.ttl === 0) return this.current()?.m.get(k);
    const now = this.store.touch();
    const s = this.current();
    const c = s?.m.get(k);
    if (c === undefined) return undefined;
    if (expired(c.t, this.ttl, now)) {
      this.removeEntry(s!, k, c);
      return undefined;
    }
    if (this.refreshOnRead) c.t = now;
    return c;
  }

  private collect(mode: number): unknown[] {
    const now = this.ttl > 0 ? this.store.touch() : 0;
    const s = this.current();
    if (s === undefined) return [];
    const out: unknown[] = [];
    for (const [k, c] of s.m) {
      if (this.ttl > 0) {
        if (expired(c.t, this.ttl, now)) {
          this.removeEntry(s, k, c);
          continue;
        }
        if (this.refreshOnRead) c.t = now;
      }
      out.push(mode === ENTRIES ? [k, c.v] : mode === KEYS ? k : c.v);
    }
    return out;
  }

  private removeEntry(s: MapSlot, k: MapKey, c: Cell): void {
    s.m.delete(k);
    if (s.top !== null && !s.top.removed(c)) s.top = null;
    const bytes = this.entryBytes(k, c.b);
    if (s.m.size === 0) this.dropCurrent(SLOT_BYTES + bytes);
    else this.store.bytes -= bytes;
  }

  private entryBytes(k: MapKey, b: number): number {
    return MAP_ENTRY + keyBytes(k) + this.cellBytes + b;
  }
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'an object' : `${typeof v} ${String(v)}`;
}
