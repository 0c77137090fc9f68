// The top entries of one key's map state, kept as the map changes, so `MapState.top(n)` answers
// without sorting the map. Entries rank by numeric value, largest first, ties by key ascending;
// entries whose value is not a number (or is NaN) do not rank.
//
// The index holds at most `cap` entries in rank order. Either it is `complete` (every ranked entry
// of the map is in it) or it is full and every ranked entry outside it ranks after its last entry.
// Writes keep that true in O(cap): a value that grows moves up, a new or grown outside entry that
// beats the last one takes its place. The one thing it cannot follow cheaply is an entry of a full,
// incomplete index that shrinks to last place, leaves the ranking (removed, expired, no longer a
// number): which outside entry comes next is unknown, so the index is dropped and the next `top`
// rebuilds it with one pass over the map. Counters that only grow (co-occurrence counts, views,
// scores) therefore never rebuild.
import type { Cell } from './heap-state.js';
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
  readonly cells: Cell[] = [];
  complete = true;

  constructor(readonly cap: number) {}

  /** Offer an entry during a rebuild (the map's entries one by one; starts complete and empty). */
  offer(k: MapKey, c: Cell): void {
    const v = c.v;
    if (!ranked(v)) return;
    const n = this.keys.length;
    if (n === this.cap) {
      this.complete = false;
      if (!before(v, k, this.cells[n - 1]!.v as number, this.keys[n - 1]!)) return;
      this.keys.pop();
      this.cells.pop();
    }
    this.insert(k, c, v);
  }

  /**
   * Entry `k` (cell `c`, now holding its new value; `old` its previous value, undefined when it is
   * new in the map) was written. Returns false when the index can no longer tell the top and must
   * be rebuilt.
   */
  written(k: MapKey, c: Cell, old: unknown): boolean {
    const v = c.v;
    const at = old === undefined ? -1 : this.cells.indexOf(c);
    if (at >= 0) {
      if (!ranked(v)) return this.removeAt(at);
      this.reposition(at, k, v);
      // Grown or unchanged: still ahead of every outside entry. Shrunk: unless something in the
      // index still ranks after it, an outside entry might now beat it.
      return this.complete || v >= (old as number) || this.cells[this.cells.length - 1] !== c;
    }
    if (!ranked(v)) return true;
    const n = this.keys.length;
    if (n < this.cap) {
      if (this.complete) this.insert(k, c, v);
      // An incomplete index is full; n < cap only in a complete one.
      return true;
    }
    const last = this.cells[n - 1]!;
    if (!before(v, k, last.v as number, this.keys[n - 1]!)) {
      this.complete = false;
      return true;
    }
    this.keys.pop();
    this.cells.pop();
    this.complete = false;
    this.insert(k, c, v);
    return true;
  }

  /** Entry `c` left the map (removed or expired); false when the index must be rebuilt. */
  removed(c: Cell): boolean {
    const at = this.cells.indexOf(c);
    return at < 0 || this.removeAt(at);
  }

  private removeAt(at: number): boolean {
    this.keys.splice(at, 1);
    this.cells.splice(at, 1);
    return this.complete;
  }

  /** Move the entry at `at` to its place after its value changed. */
  private reposition(at: number, k: MapKey, v: number): void {
    const keys = this.keys;
    const cells = this.cells;
    const c = cells[at]!;
    let i = at;
    while (i > 0 && before(v, k, cells[i - 1]!.v as number, keys[i - 1]!)) {
      keys[i] = keys[i - 1]!;
      cells[i] = cells[i - 1]!;
      i--;
    }
    while (i < keys.length - 1 && before(cells[i + 1]!.v as number, keys[i + 1]!, v, k)) {
      keys[i] = keys[i + 1]!;
      cells[i] = cells[i + 1]!;
      i++;
    }
    keys[i] = k;
    cells[i] = c;
  }

  private insert(k: MapKey, c: Cell, v: number): void {
    const keys = this.keys;
    const cells = this.cells;
    let i = keys.length;
    keys.push(k);
    cells.push(c);
    while (i > 0 && before(v, k, cells[i - 1]!.v as number, keys[i - 1]!)) {
      keys[i] = keys[i - 1]!;
      cells[i] = cells[i - 1]!;
      i--;
    }
    keys[i] = k;
    cells[i] = c;
  }
}
