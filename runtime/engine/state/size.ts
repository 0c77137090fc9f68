// Approximate heap bytes of state, for the `state` figure of a node. Sizes are V8's on 64-bit
// Node without pointer compression (the default build), measured with `node --expose-gc`: an
// object is a 24-byte header plus 8 bytes a property, an array 48 bytes plus 8 an element, a
// string 16 bytes plus its characters rounded up to 8, a number outside the small-integer range
// a 16-byte box. Shared values (the same string in many records) are counted each time they are
// held, so the figure leans high; test/engine/state.test.ts checks it against the real heap.

export const OBJECT_HEADER = 24;
export const FIELD = 8;
/** JSArray (32) plus its backing store's header (16). */
export const ARRAY_HEADER = 48;
export const HEAP_NUMBER = 16;
/** One entry of a JavaScript Map, table slack included (measured: ~37 bytes at 200k entries). */
export const MAP_ENTRY = 37;
/** An empty Map with its initial table. */
export const MAP_HEADER = 186;

/** Values nested deeper than this are not counted (and cycles end). */
const MAX_DEPTH = 32;

/** Whether V8 stores `n` inline as a small integer (Smi) rather than as a boxed heap number. */
export function isSmallInt(n: number): boolean {
  return (n | 0) === n && !Object.is(n, -0);
}

export function stringBytes(s: string): number {
  return 16 + (((s.length + 7) >> 3) << 3);
}

/** Bytes of a key beyond the slot that holds it. */
export function keyBytes(k: unknown): number {
  if (typeof k === 'string') return stringBytes(k);
  if (typeof k === 'number') return isSmallInt(k) ? 0 : HEAP_NUMBER;
  return 0;
}

/** Bytes a JSON-like value holds beyond the slot that references it. */
export function estimateBytes(v: unknown): number {
  return estimate(v, 0);
}

function estimate(v: unknown, depth: number): number {
  switch (typeof v) {
    case 'string':
      return stringBytes(v);
    case 'number':
      return isSmallInt(v) ? 0 : HEAP_NUMBER;
    case 'bigint':
      return HEAP_NUMBER;
    case 'object': {
      if (v === null || depth >= MAX_DEPTH) return 0;
      if (Array.isArray(v)) {
        let s = ARRAY_HEADER + FIELD * v.length;
        // A numeric element sits unboxed in a double array or inline as a small integer.
        for (let i = 0; i < v.length; i++) {
          const e = v[i];
          if (typeof e !== 'number') s += estimate(e, depth + 1);
        }
        return s;
      }
      let s = OBJECT_HEADER;
      const o = v as Record<string, unknown>;
      for (const k in o) s += FIELD + estimate(o[k], depth + 1);
      return s;
    }
    default:
      return 0;
  }
}
