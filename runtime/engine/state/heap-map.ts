// MapState on the heap. With TTL every entry carries its own last-access time, as in Flink's
// TtlMapState (a Map<UK, TtlValue<UV>>): entries expire one by one, reads skip and remove expired
// ones, and with OnReadAndWrite `get`, `contains` and the iterations refresh what they return.
import { Cell, HeapState, type Slots, UNFINISHED } from './heap-state.js';
import { FIELD, HEAP_NUMBER, MAP_ENTRY, MAP_HEADER, OBJECT_HEADER, estimateBytes, keyBytes } from './size.js';
import { expired } from './ttl.js';
import type { MapKey, MapState, SavedMap } from './types.js';

type Entries = Map<MapKey, Cell>;

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

  get(k: MapKey): unknown {
    return this.live(k)?.v;
  }

  contains(k: MapKey): boolean {
    return this.live(k) !== undefined;
  }

  put(k: MapKey, v: unknown): void {
    if (!validMapKey(k)) this.fail(`map keys must be strings, finite numbers or booleans, not ${describe(k)}`);
    if (v === undefined) this.fail('map values cannot be undefined (use remove)');
    if (this.ttl > 0) this.store.touch();
    const b = estimateBytes(v);
    const now = this.ttl > 0 ? this.store.now() : 0;
    const slots = this.store.currentForWrite();
    let m = slots[this.slot] as Entries | undefined;
    if (m === undefined) {
      m = new Map();
      slots[this.slot] = m;
      this.store.bytes += MAP_HEADER;
    }
    const c = m.get(k);
    if (c === undefined) {
      m.set(k, new Cell(v, now, b));
      this.store.bytes += this.entryBytes(k, b);
    } else {
      this.store.bytes += b - c.b;
      c.v = v;
      c.t = now;
      c.b = b;
    }
  }

  remove(k: MapKey): void {
    if (this.ttl > 0) this.store.touch();
    const m = this.current();
    const c = m?.get(k);
    if (c !== undefined) this.removeEntry(m!, k, c);
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

  /** Whether no unexpired entry is left; reads no value, so it refreshes nothing. */
  isEmpty(): boolean {
    if (this.ttl > 0) this.store.touch();
    const m = this.current();
    if (m === undefined) return true;
    if (this.ttl === 0) return false;
    const now = this.store.now();
    for (const [k, c] of m) {
      if (!expired(c.t, this.ttl, now)) return false;
      this.removeEntry(m, k, c);
    }
    return true;
  }

  clear(): void {
    if (this.ttl > 0) this.store.touch();
    const m = this.current();
    if (m === undefined) return;
    let bytes = MAP_HEADER;
    for (const [k, c] of m) bytes += this.entryBytes(k, c.b);
    this.dropCurrent(bytes);
  }

  save(slot: unknown): SavedMap {
    const out: SavedMap = [];
    for (const [k, c] of slot as Entries) out.push([k, c.v, c.t]);
    return out;
  }

  load(saved: unknown): [unknown, number] {
    const m: Entries = new Map();
    let bytes = MAP_HEADER;
    for (const [k, v, t] of saved as SavedMap) {
      const b = estimateBytes(v);
      m.set(k, new Cell(v, this.ttl > 0 ? t : 0, b));
      bytes += this.entryBytes(k, b);
    }
    return [m, bytes];
  }

  sweep(slots: Slots, slot: unknown, now: number, budget: number): number {
    const m = slot as Entries;
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
      }
    }
    this.sweepOf = null;
    this.sweepIt = null;
    if (m.size === 0) this.store.dropAt(slots, this.slot, MAP_HEADER + freed);
    else this.store.bytes -= freed;
    return budget;
  }

  private current(): Entries | undefined {
    return this.store.current()?.[this.slot] as Entries | undefined;
  }

  /** The current key's unexpired entry for `k` (refreshed on read with OnReadAndWrite). */
  private live(k: MapKey): Cell | undefined {
    if (this.ttl > 0) this.store.touch();
    const m = this.current();
    const c = m?.get(k);
    if (c === undefined || this.ttl === 0) return c;
    const now = this.store.now();
    if (expired(c.t, this.ttl, now)) {
      this.removeEntry(m!, k, c);
      return undefined;
    }
    if (this.refreshOnRead) c.t = now;
    return c;
  }

  private collect(mode: number): unknown[] {
    if (this.ttl > 0) this.store.touch();
    const m = this.current();
    if (m === undefined) return [];
    const out: unknown[] = [];
    const now = this.ttl > 0 ? this.store.now() : 0;
    for (const [k, c] of m) {
      if (this.ttl > 0) {
        if (expired(c.t, this.ttl, now)) {
          this.removeEntry(m, k, c);
          continue;
        }
        if (this.refreshOnRead) c.t = now;
      }
      out.push(mode === ENTRIES ? [k, c.v] : mode === KEYS ? k : c.v);
    }
    return out;
  }

  private removeEntry(m: Entries, k: MapKey, c: Cell): void {
    m.delete(k);
    const bytes = this.entryBytes(k, c.b);
    if (m.size === 0) this.dropCurrent(MAP_HEADER + bytes);
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
