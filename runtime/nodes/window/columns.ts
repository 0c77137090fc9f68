// Binary columns for window checkpoints. A million keys saved as a million JS values (and a
// million small [value, count] arrays per aggregate) cost seconds of structuredClone, v8.serialize
// and garbage collection (bench/checkpoint.ts measured 13 s for 1M keys); the same state as one
// joined string plus a length column, and one Float64Array per accumulator, serializes at memcpy
// speed. Like Flink's RocksDB/heap snapshots, which write keys and values as serialized bytes
// rather than objects (KeyGroupsStateHandle), this is a copy independent of the live state, so
// it can be encoded and written after the sources go on.

/** V8's longest string on 64-bit (node:buffer constants.MAX_STRING_LENGTH; not imported: no Node API here). */
const MAX_STRING_LENGTH = 2 ** 29 - 24;

/** A column of keys: strings joined with their lengths, numbers in a Float64Array, otherwise values. */
export type KeyColumn =
  | { readonly t: 'str'; readonly text: string; readonly lens: Uint32Array }
  | { readonly t: 'num'; readonly v: Float64Array }
  | { readonly t: 'any'; readonly v: unknown[] };

/**
 * Encode one pane's keys. `maxText`: V8 refuses strings longer than MAX_STRING_LENGTH UTF-16 units
 * (2^29 - 24 on 64-bit), so `join` on a pane whose keys add up to more would throw "Invalid
 * string length" and fail every checkpoint of it; such a pane keeps its keys as separate strings.
 */
export function encodeKeys(keys: readonly unknown[], maxText: number = MAX_STRING_LENGTH): KeyColumn {
  const n = keys.length;
  let strings = true;
  let numbers = true;
  for (let i = 0; i < n && (strings || numbers); i++) {
    const t = typeof keys[i];
    if (t !== 'string') strings = false;
    if (t !== 'number') numbers = false;
  }
  if (n > 0 && strings) {
    const lens = new Uint32Array(n);
    let total = 0;
    for (let i = 0; i < n; i++) total += lens[i] = (keys[i] as string).length;
    // Past the limit the keys stay separate strings (immutable: the array copy is independent).
    if (total > maxText) return { t: 'any', v: keys.slice() };
    return { t: 'str', text: (keys as string[]).join(''), lens };
  }
  if (n > 0 && numbers) return { t: 'num', v: Float64Array.from(keys as number[]) };
  // Composite or mixed keys: values, deep-copied so the live ones stay untouched.
  return { t: 'any', v: structuredClone(keys as unknown[]) };
}

export function decodeKeys(c: KeyColumn): unknown[] {
  switch (c.t) {
    case 'str': {
      const out = new Array<string>(c.lens.length);
      let at = 0;
      for (let i = 0; i < c.lens.length; i++) {
        const end = at + c.lens[i]!;
        out[i] = c.text.slice(at, end);
        at = end;
      }
      if (at !== c.text.length) throw new Error(`key column holds ${c.text.length} characters, its lengths add up to ${at}`);
      return out;
    }
    case 'num':
      return Array.from(c.v);
    case 'any':
      return c.v;
    default:
      throw new Error(`unknown key column kind '${(c as { t: unknown }).t}'`);
  }
}

/** `src` cells at `slots`, in order: one accumulator column of a window. */
export function gather(src: Float64Array, slots: Int32Array): Float64Array {
  const out = new Float64Array(slots.length);
  for (let i = 0; i < slots.length; i++) out[i] = src[slots[i]!]!;
  return out;
}
