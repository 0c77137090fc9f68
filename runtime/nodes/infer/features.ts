// Feature expressions → one row-major tensor per batch. Column by column in a tight loop: a plain
// field name reads the field directly (no call), anything else is the compiled expression. A value
// that is not a finite number (or boolean) marks its row bad with a reason; the row is zero-filled
// so the batch still runs in one model call, and its record goes to `errors`.
import { compileExpression } from '../../expr/index.js';

const FIELD = /^[A-Za-z_$][\w$]*$/;

export interface Feature {
  readonly src: string;
  readonly field: string | null;
  readonly fn: (rec: unknown) => unknown;
}

export function compileFeatures(srcs: readonly string[]): Feature[] {
  return srcs.map((src) => {
    const t = src.trim();
    return { src, field: FIELD.test(t) && t !== 'null' && t !== 'true' && t !== 'false' ? t : null, fn: compileExpression(src) as (rec: unknown) => unknown };
  });
}

export type NumericArray = Float32Array | Float64Array | Int32Array | BigInt64Array;
export type ElementType = 'float32' | 'float64' | 'int32' | 'int64';

export function allocate(type: ElementType, n: number): NumericArray {
  switch (type) {
    case 'float64': return new Float64Array(n);
    case 'int32': return new Int32Array(n);
    case 'int64': return new BigInt64Array(n);
    default: return new Float32Array(n);
  }
}

function describe(v: unknown): string {
  if (v === undefined) return 'missing';
  if (v === null) return 'null';
  return `${typeof v} ${JSON.stringify(v)?.slice(0, 40)}`;
}

/**
 * Fills `out` (rows × features.length, row-major) from `recs[from..to)`. Returns the bad rows'
 * reasons by row index (null when every row is good).
 */
export function fillTensor(features: readonly Feature[], recs: readonly unknown[], from: number, to: number, out: NumericArray): Map<number, string> | null {
  const width = features.length;
  let bad: Map<number, string> | null = null;
  const fail = (row: number, f: Feature, v: unknown) => {
    bad ??= new Map();
    if (!bad.has(row)) bad.set(row, `feature ${JSON.stringify(f.src)} is not a number (${describe(v)})`);
  };
  const big = out instanceof BigInt64Array;
  for (let j = 0; j < width; j++) {
    const f = features[j]!;
    const field = f.field;
    for (let i = from, at = j; i < to; i++, at += width) {
      let v: unknown;
      if (field !== null) v = (recs[i] as Record<string, unknown>)[field];
      else {
        try {
          v = f.fn(recs[i]);
        } catch (err) {
          bad ??= new Map();
          if (!bad.has(i - from)) bad.set(i - from, `feature ${JSON.stringify(f.src)}: ${err instanceof Error ? err.message : String(err)}`);
          continue;
        }
      }
      if (typeof v === 'number' && v - v === 0) {
        if (big) (out as BigInt64Array)[at] = BigInt(Math.trunc(v));
        else (out as Float32Array)[at] = v;
      } else if (typeof v === 'boolean') {
        if (big) (out as BigInt64Array)[at] = v ? 1n : 0n;
        else (out as Float32Array)[at] = v ? 1 : 0;
      } else fail(i - from, f, v);
    }
  }
  return bad;
}
