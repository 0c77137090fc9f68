// One time domain's timers: the engine's heap (engine/heap.ts) ordered by (timestamp,
// registration order) plus an index by (key, timestamp), which is what makes a timer unique, as in
// Flink's HeapPriorityQueueSet behind InternalTimerServiceImpl. Deleting a timer only marks it
// dead in the heap (lazy deletion); the heap is rebuilt without the dead once they outnumber the
// live, so the usual "delete the old timeout, register a new one" per record keeps memory flat.
import { Heap } from '../heap.js';
import { FIELD, HEAP_NUMBER, MAP_ENTRY, MAP_HEADER, OBJECT_HEADER, keyBytes } from './size.js';
import type { Key } from './types.js';

export class Timer {
  dead = false;
  constructor(
    readonly key: Key,
    readonly ts: number,
    readonly seq: number,
  ) {}
}

/** A Timer object and its heap slot; the index entry and key are counted separately. */
const TIMER_BYTES = OBJECT_HEADER + 4 * FIELD + HEAP_NUMBER + FIELD;
const INDEX_BYTES = MAP_ENTRY;
const COMPACT_MIN = 64;

function before(a: Timer, b: Timer): boolean {
  return a.ts < b.ts || (a.ts === b.ts && a.seq < b.seq);
}

export class TimerQueue {
  private readonly heap = new Heap<Timer>(before);
  /** key → its only timer, or a map timestamp → timer once it has several. */
  private readonly index = new Map<Key, Timer | Map<number, Timer>>();
  private seq = 0;
  private live = 0;
  private indexBytes = 0;

  /** Live timers. */
  get size(): number {
    return this.live;
  }

  /** Register; false when the same (key, timestamp) is already registered. */
  add(key: Key, ts: number): boolean {
    const at = this.index.get(key);
    if (at instanceof Timer) {
      if (at.ts === ts) return false;
      const byTs = new Map<number, Timer>([[at.ts, at]]);
      this.index.set(key, byTs);
      this.indexBytes += MAP_HEADER + INDEX_BYTES;
    } else if (at !== undefined && at.has(ts)) {
      return false;
    }
    const t = new Timer(key, ts, this.seq++);
    const byTs = this.index.get(key);
    if (byTs === undefined) {
      this.index.set(key, t);
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
    const t = this.find(key, ts);
    if (t === undefined) return false;
    this.unindex(t);
    t.dead = true;
    this.live--;
    if (this.heap.size > COMPACT_MIN && this.heap.size > 2 * this.live) this.heap.removeWhere(isDead);
    return true;
  }

  /** Timestamp of the earliest live timer, or +Infinity. */
  peekTs(): number {
    this.skipDead();
    return this.heap.peek()?.ts ?? Infinity;
  }

  /** Remove and return the earliest live timer. */
  pop(): Timer | undefined {
    this.skipDead();
    const t = this.heap.pop();
    if (t === undefined) return undefined;
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
      .sort((a, b) => (before(a, b) ? -1 : 1))
      .map((t) => [t.key, t.ts]);
  }

  clear(): void {
    this.heap.clear();
    this.index.clear();
    this.live = 0;
    this.indexBytes = 0;
  }

  bytes(): number {
    return this.heap.size === 0 ? 0 : this.heap.size * TIMER_BYTES + this.indexBytes + MAP_HEADER;
  }

  private find(key: Key, ts: number): Timer | undefined {
    const at = this.index.get(key);
    if (at === undefined) return undefined;
    if (at instanceof Timer) return at.ts === ts ? at : undefined;
    return at.get(ts);
  }

  private unindex(t: Timer): void {
    const at = this.index.get(t.key)!;
    if (at instanceof Timer) {
      this.index.delete(t.key);
      this.indexBytes -= INDEX_BYTES + keyBytes(t.key);
      return;
    }
    at.delete(t.ts);
    this.indexBytes -= INDEX_BYTES;
    if (at.size === 1) {
      // Back to the compact form: one timer held directly.
      this.index.set(t.key, at.values().next().value!);
      this.indexBytes -= MAP_HEADER + INDEX_BYTES;
    }
  }

  private skipDead(): void {
    const h = this.heap;
    while (h.size > 0 && h.peek()!.dead) h.pop();
  }
}

function isDead(t: Timer): boolean {
  return t.dead;
}
