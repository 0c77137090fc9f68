// The top entries of one key's map state, kept as the map changes, so `MapState.top(n)` answers
// without sorting the map. Entries rank by numeric value, largest first, ties by key ascending;
// entries whose value is not a number (or is NaN) do not rank.
//
// The index holds at most `cap` entries in rank order, each as its key, its value and the position
// of its entry in the map slot's arrays (heap-map.ts), so a write costs no lookup and no object.
// The values are copies kept beside the keys: ranking and answering `top` read only the index's
// own small arrays, never the map's value array, whose elements for one key's top entries sit far
// apart in a large map (a cache miss each, measured as most of `top`'s time).
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

export class TopIndex {
  readonly keys: MapKey[] = [];
  /** Each ranked entry's value (a copy of the map's). */
  readonly vs: number[] = [];
  /** Where each ranked entry sits in the map slot's arrays. */
  readonly at: number[] = [];
  complete = true;

  constructor(readonly cap: number) {}

  /** Offer entry `k` (at `i`, holding `v`) during a rebuild (the map's entries one by one; starts complete and empty). */
  offer(k: MapKey, i: number, v: unknown): void {
    if (!ranked(v)) return;
    const n = this.keys.length;
    if (n === this.cap) {
      this.complete = false;
      if (!before(v, k, this.vs[n - 1]!, this.keys[n - 1]!)) return;
      this.keys.pop();
      this.vs.pop();
      this.at.pop();
    }
    this.insert(k, i, v);
  }

  /**
   * Entry `k` (at `i`) was written and now holds `v`; `old` is its previous value, undefined when
   * it is new in the map. Returns false when the index can no longer tell the top and must be
   * rebuilt.
   */
  written(k: MapKey, i: number, v: unknown, old: unknown): boolean {
    const j = old === undefined ? -1 : this.at.indexOf(i);
    if (j >= 0) {
      if (!ranked(v)) return this.removeAt(j);
      this.reposition(j, k, v);
      // Grown or unchanged: still ahead of every outside entry. Shrunk: unless something in the
      // index still ranks after it, an outside entry might now beat it.
      return this.complete || v >= (old as number) || this.at[this.at.length - 1] !== i;
    }
    if (!ranked(v)) return true;
    const n = this.keys.length;
    if (n < this.cap) {
      if (this.complete) this.insert(k, i, v);
      // An incomplete index is full; n < cap only in a complete one.
      return true;
    }
    if (!before(v, k, this.vs[n - 1]!, this.keys[n - 1]!)) {
      this.complete = false;
      return true;
    }
    this.keys.pop();
    this.vs.pop();
    this.at.pop();
    this.complete = false;
    this.insert(k, i, v);
    return true;
  }

  /** The entry at `i` left the map (removed or expired); false when the index must be rebuilt. */
  removed(i: number): boolean {
    const j = this.at.indexOf(i);
    return j < 0 || this.removeAt(j);
  }

  private removeAt(j: number): boolean {
    this.keys.splice(j, 1);
    this.vs.splice(j, 1);
    this.at.splice(j, 1);
    return this.complete;
  }

  /** Move the entry ranked `j` to its place after its value changed. */
  private reposition(j: number, k: MapKey, v: number): void {
    const keys = this.keys;
    const vs = this.vs;
    const at = this.at;
    const i = at[j]!;
    while (j > 0 && before(v, k, vs[j - 1]!, keys[j - 1]!)) {
      keys[j] = keys[j - 1]!;
      vs[j] = vs[j - 1]!;
      at[j] = at[j - 1]!;
      j--;
    }
    while (j < keys.length - 1 && before(vs[j + 1]!, keys[j + 1]!, v, k)) {
      keys[j] = keys[j + 1]!;
      vs[j] = vs[j + 1]!;
      at[j] = at[j + 1]!;
      j++;
    }
    keys[j] = k;
    vs[j] = v;
    at[j] = i;
  }

  private insert(k: MapKey, i: number, v: number): void {
    const keys = this.keys;
    const vs = this.vs;
    const at = this.at;
    let j = keys.length;
    keys.push(k);
    vs.push(v);
    at.push(i);
    while (j > 0 && before(v, k, vs[j - 1]!, keys[j - 1]!)) {
      keys[j] = keys[j - 1]!;
      vs[j] = vs[j - 1]!;
      at[j] = at[j - 1]!;
      j--;
    }
    keys[j] = k;
    vs[j] = v;
    at[j] = i;
  }
}
