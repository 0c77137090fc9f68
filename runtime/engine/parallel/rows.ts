// Rows of a columnar snapshot, picked and concatenated when keyed state moves between instances
// (rescale.ts). A snapshot column is a typed array or an array with one cell per row, or an object
// of such columns (a window aggregate's { v, n }); nothing else is guessed at.
import { type KeyColumn, decodeKeys, encodeKeys } from '../../nodes/window/columns.js';

type Typed = Float64Array | Float32Array | Int32Array | Uint32Array | Uint8Array | Int16Array | Uint16Array | Int8Array;

function isTyped(c: unknown): c is Typed {
  return ArrayBuffer.isView(c) && !(c instanceof DataView);
}

/** The rows `idx` of a column, in that order. */
export function pickRows(col: unknown, idx: readonly number[]): unknown {
  if (isTyped(col)) {
    const out = new (col.constructor as new (n: number) => Typed)(idx.length);
    for (let i = 0; i < idx.length; i++) out[i] = col[idx[i]!]!;
    return out;
  }
  if (Array.isArray(col)) return idx.map((i) => col[i]);
  if (col !== null && typeof col === 'object') return Object.fromEntries(Object.entries(col).map(([k, v]) => [k, pickRows(v, idx)]));
  throw new Error(`a snapshot column of an unknown shape (${typeof col})`);
}

/** Columns of the same shape, one after the other. */
export function concatRows(cols: readonly unknown[]): unknown {
  const first = cols[0];
  if (cols.length === 1) return first;
  if (isTyped(first)) {
    const n = cols.reduce<number>((s, c) => s + (c as Typed).length, 0);
    const out = new (first.constructor as new (n: number) => Typed)(n);
    let at = 0;
    for (const c of cols) {
      out.set(c as Typed & ArrayLike<number>, at);
      at += (c as Typed).length;
    }
    return out;
  }
  if (Array.isArray(first)) return (cols as unknown[][]).flat(1);
  if (first !== null && typeof first === 'object') {
    return Object.fromEntries(Object.keys(first).map((k) => [k, concatRows(cols.map((c) => (c as Record<string, unknown>)[k]))]));
  }
  throw new Error(`a snapshot column of an unknown shape (${typeof first})`);
}

/** Keys of a key column and the indexes of those `keep` accepts. */
export function keptKeys(c: KeyColumn, keep: (key: unknown) => boolean): { keys: unknown[]; idx: number[] } {
  const all = decodeKeys(c);
  const keys: unknown[] = [];
  const idx: number[] = [];
  for (let i = 0; i < all.length; i++) {
    if (!keep(all[i])) continue;
    keys.push(all[i]);
    idx.push(i);
  }
  return { keys, idx };
}

export { encodeKeys };
