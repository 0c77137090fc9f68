// One side's buffered records, for every key at once. Flink's IntervalJoinOperator keeps a
// MapState<timestamp, List<record>> per key; here the records of all keys share slots in typed
// columns (timestamp, next slot) plus one record array, and each key (by a small integer id, see
// key-ids.ts) owns a singly linked list of slots sorted by timestamp (equal timestamps in arrival
// order). A key holds few records at a time, so a list walk costs what a binary search would,
// and nothing is allocated per record or per key: no per-key arrays to grow, copy and collect.
// A probe walks from the head past the records below the interval and emits until the first above
// it; cleanup cuts a prefix, since the records that expire are the oldest.

const NONE = -1;

export class JoinSide {
  /** Per slot: event time. */
  ts = new Float64Array(1024);
  /** Per slot: the next slot of the same key (later or equal timestamp), or the next free slot. */
  next = new Int32Array(1024);
  /** Per slot: the record. */
  recs: unknown[] = [];
  /** Slots ever used; those below it and not in a list are on the free list. */
  private top = 0;
  private free = NONE;
  /** Per key id: first and last slot of its list, NONE when it holds nothing. */
  head = new Int32Array(1024).fill(NONE);
  tail = new Int32Array(1024).fill(NONE);
  /** Records held. */
  records = 0;
  /** Keys holding at least one record. */
  keys = 0;

  constructor(
    /** Cleanup delay after a record's timestamp (IntervalJoinOperator's cleanup timer offset). */
    readonly delay: number,
  ) {}

  /** Make room for key ids below `n`. */
  ensureKeys(n: number): void {
    if (n <= this.head.length) return;
    let cap = this.head.length * 2;
    while (cap < n) cap *= 2;
    const h = new Int32Array(cap).fill(NONE);
    const t = new Int32Array(cap).fill(NONE);
    h.set(this.head);
    t.set(this.tail);
    this.head = h;
    this.tail = t;
  }

  /** Buffer `rec` at `t` under key `id`, after the key's records with timestamp ≤ t. */
  add(id: number, t: number, rec: unknown): void {
    const s = this.alloc();
    this.ts[s] = t;
    this.recs[s] = rec;
    this.records++;
    const ts = this.ts;
    const next = this.next;
    const h = this.head[id]!;
    if (h === NONE) {
      next[s] = NONE;
      this.head[id] = s;
      this.tail[id] = s;
      this.keys++;
      return;
    }
    const last = this.tail[id]!;
    if (ts[last]! <= t) {
      next[s] = NONE;
      next[last] = s;
      this.tail[id] = s;
      return;
    }
    // Out of order: somewhere before the tail.
    if (t < ts[h]!) {
      next[s] = h;
      this.head[id] = s;
      return;
    }
    let p = h;
    while (ts[next[p]!]! <= t) p = next[p]!;
    next[s] = next[p]!;
    next[p] = s;
  }

  /**
   * Drop the key's records whose cleanup time (ts + delay) is ≤ `wm`; true when that emptied
   * the key's list (it held records before).
   */
  cut(id: number, wm: number): boolean {
    let s = this.head[id]!;
    if (s === NONE) return false;
    const ts = this.ts;
    const next = this.next;
    const recs = this.recs;
    const delay = this.delay;
    let n = 0;
    while (s !== NONE && ts[s]! + delay <= wm) {
      const after = next[s]!;
      recs[s] = undefined;
      next[s] = this.free;
      this.free = s;
      s = after;
      n++;
    }
    if (n === 0) return false;
    this.records -= n;
    this.head[id] = s;
    if (s !== NONE) return false;
    this.tail[id] = NONE;
    this.keys--;
    return true;
  }

  /** The key's records as [timestamp, record] pairs, oldest first (snapshots). */
  entries(id: number): [number, unknown][] {
    const out: [number, unknown][] = [];
    for (let s = this.head[id]!; s !== NONE; s = this.next[s]!) out.push([this.ts[s]!, this.recs[s]]);
    return out;
  }

  clear(): void {
    this.recs = [];
    this.top = 0;
    this.free = NONE;
    this.head.fill(NONE);
    this.tail.fill(NONE);
    this.records = 0;
    this.keys = 0;
  }

  private alloc(): number {
    const f = this.free;
    if (f !== NONE) {
      this.free = this.next[f]!;
      return f;
    }
    if (this.top === this.ts.length) {
      const ts = new Float64Array(this.top * 2);
      const next = new Int32Array(this.top * 2);
      ts.set(this.ts);
      next.set(this.next);
      this.ts = ts;
      this.next = next;
    }
    return this.top++;
  }
}
