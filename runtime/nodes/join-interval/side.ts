// One side's buffered records, for every key at once. Flink's IntervalJoinOperator keeps a
// MapState<timestamp, List<record>> per key; here the records of all keys share slots, and each
// key (by a small integer id, see key-ids.ts) owns a singly linked list of slots sorted by
// timestamp (equal timestamps in arrival order). A key holds few records at a time, so a list walk
// costs what a binary search would, and nothing is allocated per record or per key.
//
// The join is bound by cache misses, not arithmetic, so the layout puts what one step reads
// together: a slot's timestamp and next-slot link share 16 bytes of one buffer (a Float64Array
// and an Int32Array over it), and both sides' list ends of a key share 16 bytes of `KeyEnds`.
// A probe walks from the head past the records below the interval and emits until the first above
// it; cleanup cuts a prefix, since the records that expire are the oldest.

const NONE = -1;

/** Per key id, both sides' first and last slots: [left head, left tail, right head, right tail]. */
export class KeyEnds {
  a = new Int32Array(4 * 1024).fill(NONE);

  /** Make room for key ids below `n`. */
  ensure(n: number): void {
    if (4 * n <= this.a.length) return;
    let cap = this.a.length;
    while (cap < 4 * n) cap *= 2;
    const a = new Int32Array(cap).fill(NONE);
    a.set(this.a);
    this.a = a;
  }

  /** True when neither side holds a record under `id`. */
  empty(id: number): boolean {
    return this.a[4 * id]! < 0 && this.a[4 * id + 2]! < 0;
  }

  clear(): void {
    this.a.fill(NONE);
  }
}

export class JoinSide {
  /** Per slot, over one buffer: event time at f64[2s], the next slot of the same key (later or equal timestamp) at i32[4s + 2]. */
  f64 = new Float64Array(2 * 1024);
  i32 = new Int32Array(this.f64.buffer);
  /** Per slot: the record. */
  recs: unknown[] = [];
  /** Slots ever used; those below it and not in a list are on the free stack. */
  private top = 0;
  /**
   * Freed slots, a stack in a column of its own: taking one reads this column's top, not a link
   * in the freed slot itself (a cache miss per record when the free list ran through the slots).
   */
  private free = new Int32Array(1024);
  private freeCount = 0;
  /** Records held. */
  records = 0;
  /** Keys holding at least one record. */
  keys = 0;

  constructor(
    /** Cleanup delay after a record's timestamp (IntervalJoinOperator's cleanup timer offset). */
    readonly delay: number,
    /** List ends of every key, shared with the other side. */
    readonly ends: KeyEnds,
    /** This side's offset in a key's ends: 0 (left) or 2 (right). */
    readonly at: 0 | 2,
  ) {}

  /** First slot of the key's list, or NONE. */
  head(id: number): number {
    return this.ends.a[4 * id + this.at]!;
  }

  /** Buffer `rec` at `t` under key `id`, after the key's records with timestamp ≤ t. */
  add(id: number, t: number, rec: unknown): void {
    const s = this.alloc();
    const f64 = this.f64;
    const i32 = this.i32;
    const ends = this.ends.a;
    const e = 4 * id + this.at;
    f64[2 * s] = t;
    this.recs[s] = rec;
    this.records++;
    const h = ends[e]!;
    if (h === NONE) {
      i32[4 * s + 2] = NONE;
      ends[e] = s;
      ends[e + 1] = s;
      this.keys++;
      return;
    }
    const last = ends[e + 1]!;
    if (f64[2 * last]! <= t) {
      i32[4 * s + 2] = NONE;
      i32[4 * last + 2] = s;
      ends[e + 1] = s;
      return;
    }
    // Out of order: somewhere before the tail.
    if (t < f64[2 * h]!) {
      i32[4 * s + 2] = h;
      ends[e] = s;
      return;
    }
    let p = h;
    while (f64[2 * i32[4 * p + 2]!]! <= t) p = i32[4 * p + 2]!;
    i32[4 * s + 2] = i32[4 * p + 2]!;
    i32[4 * p + 2] = s;
  }

  /**
   * Drop the key's records whose cleanup time (ts + delay) is ≤ `wm`; true when that emptied
   * the key's list (it held records before).
   */
  cut(id: number, wm: number): boolean {
    const ends = this.ends.a;
    const e = 4 * id + this.at;
    let s = ends[e]!;
    if (s === NONE) return false;
    const f64 = this.f64;
    const i32 = this.i32;
    const recs = this.recs;
    const delay = this.delay;
    if (this.freeCount + this.records > this.free.length) this.growFree();
    const free = this.free;
    let fc = this.freeCount;
    let n = 0;
    while (s !== NONE && f64[2 * s]! + delay <= wm) {
      const after = i32[4 * s + 2]!;
      recs[s] = undefined;
      free[fc++] = s;
      s = after;
      n++;
    }
    this.freeCount = fc;
    if (n === 0) return false;
    this.records -= n;
    ends[e] = s;
    if (s !== NONE) return false;
    ends[e + 1] = NONE;
    this.keys--;
    return true;
  }

  /** The key's records as [timestamp, record] pairs, oldest first (snapshots). */
  entries(id: number): [number, unknown][] {
    const out: [number, unknown][] = [];
    for (let s = this.head(id); s !== NONE; s = this.i32[4 * s + 2]!) out.push([this.f64[2 * s]!, this.recs[s]]);
    return out;
  }

  /** Forget every record (the shared key ends are cleared by their owner). */
  clear(): void {
    this.recs = [];
    this.top = 0;
    this.freeCount = 0;
    this.records = 0;
    this.keys = 0;
  }

  private alloc(): number {
    if (this.freeCount > 0) return this.free[--this.freeCount]!;
    if (2 * this.top === this.f64.length) {
      const f64 = new Float64Array(this.f64.length * 2);
      new Uint8Array(f64.buffer).set(new Uint8Array(this.f64.buffer));
      this.f64 = f64;
      this.i32 = new Int32Array(f64.buffer);
    }
    return this.top++;
  }

  private growFree(): void {
    let cap = this.free.length * 2;
    while (cap < this.freeCount + this.records) cap *= 2;
    const free = new Int32Array(cap);
    free.set(this.free.subarray(0, this.freeCount));
    this.free = free;
  }
}
