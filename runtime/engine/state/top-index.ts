// The top entries of one key's map state, kept as the map changes, so `MapState.top(n)` answers
// without sorting the map. Entries rank by numeric value, largest first, ties by key ascending;
// entries whose value is not a number (or is NaN) do not rank.
//
// The index holds at most `cap` entries in rank order, each as its key, its value and the position
// of its entry in the map slot's arrays (heap-map.ts), so a write costs no lookup and no object.
// The values are copies kept beside the keys: ranking and answering `top` read only the index's
// own small array, never the map's values, which for one key's top entries sit far apart in a
// large map (a cache miss each, measured as most of `top`'s time).
// Either it is `complete` (every ranked entry of the map is in it) or it is full and every ranked
// entry outside it ranks after its last entry. Writes keep that true in O(cap): a value that grows
// moves up, a new or grown outside entry that beats the last one takes its place. The one thing it
// cannot follow cheaply is an entry of a full, incomplete index that shrinks to last place, leaves
// the ranking (removed, expired, no longer a number): which outside entry comes next is unknown,
// so the index is dropped and the next `top` rebuilds it with one pass over the map. Counters that
// only grow (co-occurrence counts, views, scores) therefore never rebuild.
import type { MapKey } from './types.js';

/** Order of map keys for ties: by type (booleans, numbers, strings), then by value. */
export function keyBefore(a: MapKey, b: MapKey): boolean {
  const ta = typeof a;
  const tb = typeof b;
  if (ta === tb) return a < b;
  return typeRank(ta) < typeRank(tb);
}

function typeRank(t: string): number {
  return t === 'boolean' ? 0 : t === 'number' ? 1 : 2;
}

/** Whether a value takes part in the ranking. */
export function ranked(v: unknown): v is number {
  return typeof v === 'number' && v === v;
}

function before(v: number, k: MapKey, w: number, j: MapKey): boolean {
  return v > w || (v === w && keyBefore(k, j));
}

/** Elements per ranked entry in `TopIndex.e`: key, value, position. */
const W = 3;

export class TopIndex {
  /**
   * The ranked entries in rank order, three elements each: key, value (a copy of the map's),
   * position of the entry in the map slot's arrays. One array, so reading a key's top entries is
   * one short contiguous run of memory (three arrays were a cache miss each in a large run).
   */
  readonly e: unknown[] = [];
  /** Ranked entries held. */
  n = 0;
  complete = true;

  constructor(readonly cap: number) {}

  keyAt(j: number): MapKey {
    return this.e[j * W] as MapKey;
  }

  valueAt(j: number): number {
    return this.e[j * W + 1] as number;
  }

  /** Position in the map slot's arrays of the entry ranked `j`. */
  posAt(j: number): number {
    return this.e[j * W + 2] as number;
  }

  /** The map's positions moved (a compaction): entry at `i` is now at `to[i]`. */
  moved(to: Int32Array): void {
    const e = this.e;
    for (let j = 0; j < this.n; j++) e[j * W + 2] = to[e[j * W + 2] as number]!;
  }

  /** Offer entry `k` (at `i`, holding `v`) during a rebuild (the map's entries one by one; starts complete and empty). */
  offer(k: MapKey, i: number, v: unknown): void {
    if (!ranked(v)) return;
    const n = this.n;
    if (n === this.cap) {
      this.complete = false;
      if (!before(v, k, this.valueAt(n - 1), this.keyAt(n - 1))) return;
      this.n--;
    }
    this.insert(k, i, v);
  }

  /**
   * Entry `k` (at `i`) was written and now holds `v`; `old` is its previous value, undefined when
   * it is new in the map. Returns false when the index can no longer tell the top and must be
   * rebuilt.
   */
  written(k: MapKey, i: number, v: unknown, old: unknown): boolean {
    const j = old === undefined ? -1 : this.find(i);
    if (j >= 0) {
      if (!ranked(v)) return this.removeAt(j);
      this.reposition(j, k, i, v);
      // Grown or unchanged: still ahead of every outside entry. Shrunk: unless something in the
      // index still ranks after it, an outside entry might now beat it.
      return this.complete || v >= (old as number) || this.posAt(this.n - 1) !== i;
    }
    if (!ranked(v)) return true;
    const n = this.n;
    if (n < this.cap) {
      if (this.complete) this.insert(k, i, v);
      // An incomplete index is full; n < cap only in a complete one.
      return true;
    }
    if (!before(v, k, this.valueAt(n - 1), this.keyAt(n - 1))) {
      this.complete = false;
      return true;
    }
    this.n--;
    this.complete = false;
    this.insert(k, i, v);
    return true;
  }

  /** The entry at `i` left the map (removed or expired); false when the index must be rebuilt. */
  removed(i: number): boolean {
    const j = this.find(i);
    return j < 0 || this.removeAt(j);
  }

  /** Rank of the entry at position `i`, or -1. */
  private find(i: number): number {
    const e = this.e;
    for (let j = 0; j < this.n; j++) if (e[j * W + 2] === i) return j;
    return -1;
  }

  private removeAt(j: number): boolean {
    const e = this.e;
    const n = --this.n;
    for (let x = j * W; x < n * W; x++) e[x] = e[x + W];
    e.length = n * W;
    return this.complete;
  }

  /** Move the entry ranked `j` (key `k`, at `i`) to its place after its value changed to `v`. */
  private reposition(j: number, k: MapKey, i: number, v: number): void {
    const e = this.e;
    while (j > 0 && before(v, k, e[(j - 1) * W + 1] as number, e[(j - 1) * W] as MapKey)) {
      this.shift(j - 1, j);
      j--;
    }
    while (j < this.n - 1 && before(e[(j + 1) * W + 1] as number, e[(j + 1) * W] as MapKey, v, k)) {
      this.shift(j + 1, j);
      j++;
    }
    this.put(j, k, v, i);
  }

  /** A new entry, ranked into place; the index has room. */
  private insert(k: MapKey, i: number, v: number): void {
    const e = this.e;
    let j = this.n++;
    while (j > 0 && before(v, k, e[(j - 1) * W + 1] as number, e[(j - 1) * W] as MapKey)) {
      this.shift(j - 1, j);
      j--;
    }
    // Written up to the new last entry: the array is exactly n * W long again (an entry dropped
    // from the end to make room left its elements, now overwritten).
    this.put(j, k, v, i);
  }

  private shift(from: number, to: number): void {
    const e = this.e;
    e[to * W] = e[from * W];
    e[to * W + 1] = e[from * W + 1];
    e[to * W + 2] = e[from * W + 2];
  }

  private put(j: number, k: MapKey, v: number, i: number): void {
    const e = this.e;
    e[j * W] = k;
    e[j * W + 1] = v;
    e[j * W + 2] = i;
  }
}
