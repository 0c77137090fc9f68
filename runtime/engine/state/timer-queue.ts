// One time domain's timers: the engine's heap (engine/heap.ts) ordered by (timestamp,
// registration order) plus an index by (key, timestamp), which is what makes a timer unique, as in
// Flink's HeapPriorityQueueSet behind InternalTimerServiceImpl.
//
// Deleting a timer only marks it dead in the heap (lazy deletion). The usual pattern, "delete the
// key's timeout, register a later one" on every record, then reuses the dead timer instead of
// pushing a new one: it takes the new time and registration order but keeps its place in the
// heap, which is earlier; when it reaches the top there it is pushed again at its real place.
// A timeout moved on every record so costs a field write per record and one heap push per time
// it surfaces, not a push and a new object per record. The heap is rebuilt without the dead once
// they outnumber the live, so memory stays flat.
import { Heap } from '../heap.js';
import { FIELD, HEAP_NUMBER, MAP_ENTRY, MAP_HEADER, OBJECT_HEADER, keyBytes } from './size.js';
import type { Key } from './types.js';

export class Timer {
  dead = false;
  /** Where the timer sits in the heap: `ts` and `seq` when it was pushed (earlier, if it was reused since). */
  at: number;
  atSeq: number;
  constructor(
    readonly key: Key,
    /** When it fires. */
    public ts: number,
    /** Registration order, for ties. */
    public seq: number,
  ) {
    this.at = ts;
    this.atSeq = seq;
  }
}

/** A Timer object and its heap slot; the index entry and key are counted separately. */
const TIMER_BYTES = OBJECT_HEADER + 6 * FIELD + 2 * HEAP_NUMBER + FIELD;
const INDEX_BYTES = MAP_ENTRY;
const COMPACT_MIN = 64;
/** No key: `lastKey` before any lookup. */
const NO_KEY: unique symbol = Symbol('no key');

function before(a: Timer, b: Timer): boolean {
  return a.at < b.at || (a.at === b.at && a.atSeq < b.atSeq);
}

function firesBefore(a: Timer, b: Timer): boolean {
  return a.ts < b.ts || (a.ts === b.ts && a.seq < b.seq);
}

export class TimerQueue {
  private readonly heap = new Heap<Timer>(before);
  /**
   * key → its only timer, or a map timestamp → timer once it has several. A key's only timer
   * stays here when deleted (dead, still in the heap), so the next registration can reuse it.
   */
  private readonly index = new Map<Key, Timer | Map<number, Timer>>();
  /**
   * The last key looked up in `index` and what it held: "delete the key's timeout, register a
   * later one" looks the same key up three times per record, in a map as large as the key space.
   */
  private lastKey: Key | typeof NO_KEY = NO_KEY;
  private lastAt: Timer | Map<number, Timer> | undefined = undefined;
  private seq = 0;
  private live = 0;
  private indexBytes = 0;

  /** Live timers. */
  get size(): number {
    return this.live;
  }

  /** Register; false when the same (key, timestamp) is already registered. */
  add(key: Key, ts: number): boolean {
    const at = this.lookup(key);
    if (at instanceof Timer) {
      if (at.dead) {
        if (at.at <= ts) {
          // Reuse: it fires at `ts` in this registration's order; it is pushed again when it surfaces.
          at.dead = false;
          at.ts = ts;
          at.seq = this.seq++;
          this.live++;
          return true;
        }
        // Due earlier than the dead one's place: a new timer; the dead one goes when it surfaces.
        this.drop(key);
        this.indexBytes -= INDEX_BYTES + keyBytes(key);
      } else {
        if (at.ts === ts) return false;
        const byTs = new Map<number, Timer>([[at.ts, at]]);
        this.put(key, byTs);
        this.indexBytes += MAP_HEADER + INDEX_BYTES;
      }
    } else if (at !== undefined && at.has(ts)) {
      return false;
    }
    const t = new Timer(key, ts, this.seq++);
    const byTs = this.lookup(key);
    if (byTs === undefined) {
      this.put(key, t);
      this.indexBytes += INDEX_BYTES + keyBytes(key);
    } else {
      (byTs as Map<number, Timer>).set(ts, t);
      this.indexBytes += INDEX_BYTES;
    }
    this.heap.push(t);
    this.live++;
    return true;
  }

  /** Delete; false when there was no such timer. */
  delete(key: Key, ts: number): boolean {
    const at = this.lookup(key);
    if (at === undefined) return false;
    if (at instanceof Timer) {
      if (at.dead || at.ts !== ts) return false;
      at.dead = true; // stays indexed, for reuse
    } else {
      const t = at.get(ts);
      if (t === undefined) return false;
      this.unindex(t);
      t.dead = true;
    }
    this.live--;
    if (this.heap.size > COMPACT_MIN && this.heap.size > 2 * this.live) this.compact();
    return true;
  }

  /** Timestamp of the earliest live timer, or +Infinity. */
  peekTs(): number {
    return this.settle()?.ts ?? Infinity;
  }

  /** Remove and return the earliest live timer. */
  pop(): Timer | undefined {
    const t = this.settle();
    if (t === undefined) return undefined;
    this.heap.pop();
    this.unindex(t);
    this.live--;
    return t;
  }

  /** Latest live timestamp, or -Infinity (a full scan; used once, at the end of time). */
  maxTs(): number {
    let m = -Infinity;
    for (const t of this.heap.items) if (!t.dead && t.ts > m) m = t.ts;
    return m;
  }

  /** Live timers as [key, timestamp], in firing order. */
  saved(): [Key, number][] {
    return this.heap.items
      .filter((t) => !t.dead)
      .sort((a, b) => (firesBefore(a, b) ? -1 : 1))
      .map((t) => [t.key, t.ts]);
  }

  clear(): void {
    this.heap.clear();
    this.index.clear();
    this.lastKey = NO_KEY;
    this.lastAt = undefined;
    this.live = 0;
    this.indexBytes = 0;
  }

  bytes(): number {
    return this.heap.size === 0 ? 0 : this.heap.size * TIMER_BYTES + this.indexBytes + MAP_HEADER;
  }

  /**
   * The earliest live timer, at the top of the heap: dead ones there are dropped, and reused ones
   * (whose place is earlier than their time) pushed again at their time.
   */
  private settle(): Timer | undefined {
    const h = this.heap;
    for (;;) {
      const t = h.peek();
      if (t === undefined) return undefined;
      if (t.dead) {
        h.pop();
        this.forget(t);
      } else if (t.at !== t.ts || t.atSeq !== t.seq) {
        h.pop();
        t.at = t.ts;
        t.atSeq = t.seq;
        h.push(t);
      } else {
        return t;
      }
    }
  }

  /** A dead timer left the heap: drop it from the index if it is still there, waiting for reuse. */
  private forget(t: Timer): void {
    if (this.lookup(t.key) !== t) return;
    this.drop(t.key);
    this.indexBytes -= INDEX_BYTES + keyBytes(t.key);
  }

  private compact(): void {
    for (const t of this.heap.items) if (t.dead) this.forget(t);
    this.heap.removeWhere(isDead);
  }

  private lookup(key: Key): Timer | Map<number, Timer> | undefined {
    if (key === this.lastKey) return this.lastAt;
    const at = this.index.get(key);
    this.lastKey = key;
    this.lastAt = at;
    return at;
  }

  private put(key: Key, at: Timer | Map<number, Timer>): void {
    this.index.set(key, at);
    this.lastKey = key;
    this.lastAt = at;
  }

  private drop(key: Key): void {
    this.index.delete(key);
    if (key === this.lastKey) this.lastAt = undefined;
  }

  private unindex(t: Timer): void {
    const at = this.lookup(t.key)!;
    if (at instanceof Timer) {
      this.drop(t.key);
      this.indexBytes -= INDEX_BYTES + keyBytes(t.key);
      return;
    }
    at.delete(t.ts);
    this.indexBytes -= INDEX_BYTES;
    if (at.size === 1) {
      // Back to the compact form: one timer held directly.
      this.put(t.key, at.values().next().value!);
      this.indexBytes -= MAP_HEADER + INDEX_BYTES;
    }
  }
}

function isDead(t: Timer): boolean {
  return t.dead;
}
