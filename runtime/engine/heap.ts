// The one binary min-heap of the engine: timers (state/timer-queue.ts), window firings
// (MinHeap below) and CEP's partial matches all sit in it.
//
// The sift steps are those of java.util.PriorityQueue (siftUp stops at an equal parent, siftDown
// prefers the left child on a tie and stops at an equal child), iteration is array order, and
// bulk removal compacts the survivors in array order and re-heapifies (JDK 11+ bulkRemove). CEP
// needs exactly that: Flink's NFA keeps partial and completed matches in PriorityQueues ordered
// by their first event, and which of two equal entries comes out first decides, under a skip
// strategy, which match wins; mimicking the algorithm makes those ties come out as in Flink.

export class Heap<T> {
  private a: T[] = [];

  /** @param before strict order: true when `x` must come out before `y` */
  constructor(private readonly before: (x: T, y: T) => boolean) {}

  get size(): number {
    return this.a.length;
  }

  /** The entries in array order (java.util.PriorityQueue's iteration order). Do not modify. */
  get items(): readonly T[] {
    return this.a;
  }

  peek(): T | undefined {
    return this.a[0];
  }

  push(v: T): void {
    const a = this.a;
    const before = this.before;
    let i = a.length;
    a.push(v);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = a[parent]!;
      if (!before(v, p)) break;
      a[i] = p;
      i = parent;
    }
    a[i] = v;
  }

  pop(): T | undefined {
    const a = this.a;
    if (a.length === 0) return undefined;
    const top = a[0]!;
    const last = a.pop()!;
    if (a.length > 0) this.siftDown(0, last);
    return top;
  }

  /** Remove every entry `drop` accepts; false (and no reordering) when there was none. */
  removeWhere(drop: (v: T) => boolean): boolean {
    const a = this.a;
    const n = a.length;
    let w = 0;
    for (let i = 0; i < n; i++) {
      const v = a[i]!;
      if (!drop(v)) a[w++] = v;
    }
    if (w === n) return false;
    a.length = w;
    // Floyd's heapify, O(n).
    for (let i = (w >> 1) - 1; i >= 0; i--) this.siftDown(i, a[i]!);
    return true;
  }

  clear(): void {
    this.a = [];
  }

  private siftDown(i: number, v: T): void {
    const a = this.a;
    const before = this.before;
    const n = a.length;
    const half = n >> 1;
    while (i < half) {
      let c = 2 * i + 1;
      const r = c + 1;
      if (r < n && before(a[r]!, a[c]!)) c = r;
      if (!before(a[c]!, v)) break;
      a[i] = a[c]!;
      i = c;
    }
    a[i] = v;
  }
}

interface Entry<T> {
  p: number;
  seq: number;
  v: T;
}

function earlier<T>(x: Entry<T>, y: Entry<T>): boolean {
  return x.p < y.p || (x.p === y.p && x.seq < y.seq);
}

/**
 * Values ordered by a numeric priority, ties broken by insertion order, so timers and window
 * firings due at the same time come out in a reproducible order.
 */
export class MinHeap<T> {
  private readonly h = new Heap<Entry<T>>(earlier);
  private seq = 0;

  get size(): number {
    return this.h.size;
  }

  /** Priority of the smallest entry, or +Infinity when empty. */
  peekPriority(): number {
    return this.h.peek()?.p ?? Infinity;
  }

  peek(): T | undefined {
    return this.h.peek()?.v;
  }

  /** Returns the entry's place in the insertion order, for `pushAt` to give it back after a restore. */
  push(p: number, v: T): number {
    const seq = this.seq++;
    this.h.push({ p, seq, v });
    return seq;
  }

  /**
   * An entry restored from a snapshot with the place `push` gave it: entries of one priority come
   * out in the order they were first pushed, whatever order they are restored in.
   */
  pushAt(p: number, seq: number, v: T): void {
    this.h.push({ p, seq, v });
    if (seq >= this.seq) this.seq = seq + 1;
  }

  pop(): T | undefined {
    return this.h.pop()?.v;
  }

  /** Drop the entries whose value `drop` accepts (e.g. superseded ones), keeping the order of the rest. */
  removeWhere(drop: (v: T) => boolean): void {
    this.h.removeWhere((e) => drop(e.v));
  }

  /** Every entry, in no particular order (snapshots). */
  entries(): { priority: number; value: T }[] {
    return this.h.items.map((e) => ({ priority: e.p, value: e.v }));
  }

  clear(): void {
    this.h.clear();
  }
}
