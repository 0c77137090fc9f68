// Feature expressions → one row-major tensor per batch. The fill loop is generated once per
// feature list (like the expression compiler): record by record, each feature a statement of its
// own, so a plain field name is a property read with its own inline cache (`r["f0"]`, one record
// shape → one hidden-class check) and anything else is one call of the compiled expression — no
// per-record closure, no keyed lookup by a variable name. A value that is not a finite number (or
// boolean) marks its row bad with a reason (a null record reads as one without fields); the row
// is zero-filled so the batch still runs in one model call, and its record goes to `errors`.
import { compileExpression } from '../../expr/index.js';

const FIELD = /^[A-Za-z_$][\w$]*$/;

export interface Feature {
  readonly src: string;
  readonly field: string | null;
  readonly fn: (rec: unknown) => unknown;
}

export type NumericArray = Float32Array | Float64Array | Int32Array | BigInt64Array;
export type ElementType = 'float32' | 'float64' | 'int32' | 'int64';

type Fill = (recs: readonly unknown[], from: number, to: number, out: NumericArray, fns: readonly ((rec: unknown) => unknown)[], note: Note) => Map<number, string> | null;
type Note = (bad: Map<number, string> | null, row: number, feature: number, v: unknown, err: unknown) => Map<number, string>;

/** A feature list compiled to one fill loop per element kind (numbers, or BigInt for int64). */
export class FeatureSet {
  readonly width: number;
  private readonly fns: ((rec: unknown) => unknown)[];
  private fillNumber: Fill | null = null;
  private fillBig: Fill | null = null;
  private readonly note: Note;

  constructor(readonly features: readonly Feature[]) {
    this.width = features.length;
    this.fns = features.map((f) => f.fn);
    this.note = (bad, row, j, v, err) => {
      const m = bad ?? new Map<number, string>();
      if (!m.has(row)) {
        const src = JSON.stringify(features[j]!.src);
        m.set(row, err !== undefined ? `feature ${src}: ${err instanceof Error ? err.message : String(err)}` : `feature ${src} is not a number (${describe(v)})`);
      }
      return m;
    };
  }

  /**
   * Fills `out` (rows × width, row-major, from index 0) from `recs[from..to)`. Returns the bad
   * rows' reasons by row index (null when every row is good).
   */
  fill(recs: readonly unknown[], from: number, to: number, out: NumericArray): Map<number, string> | null {
    const big = out instanceof BigInt64Array;
    const f = big ? (this.fillBig ??= generate(this.features, true)) : (this.fillNumber ??= generate(this.features, false));
    return f(recs, from, to, out, this.fns, this.note);
  }
}

function generate(features: readonly Feature[], big: boolean): Fill {
  const w = features.length;
  const store = (at: string, j: number) =>
    big
      ? `if (typeof v === 'number' && v - v === 0) out[${at}] = BigInt(Math.trunc(v)); else if (typeof v === 'boolean') out[${at}] = v ? 1n : 0n; else { out[${at}] = 0n; bad = note(bad, i - from, ${j}, v, undefined); }`
      : `if (typeof v === 'number' && v - v === 0) out[${at}] = v; else if (typeof v === 'boolean') out[${at}] = v ? 1 : 0; else { out[${at}] = 0; bad = note(bad, i - from, ${j}, v, undefined); }`;
  const lines = features.map((f, j) => {
    const read = f.field !== null ? `v = r[${JSON.stringify(f.field)}];` : `try { v = fns[${j}](r); } catch (err) { bad = note(bad, i - from, ${j}, undefined, err); v = 0; }`;
    return `    ${read}\n    ${store(`at + ${j}`, j)}`;
  });
  const src = `let bad = null;\n  for (let i = from, at = 0; i < to; i++, at += ${w}) {\n    const r = recs[i] ?? {};\n    let v;\n${lines.join('\n')}\n  }\n  return bad;`;
  // Generated from field names (quoted with JSON.stringify) and indexes only, never from record data.
  return new Function('recs', 'from', 'to', 'out', 'fns', 'note', src) as Fill;
}

export function compileFeatures(srcs: readonly string[]): FeatureSet {
  return new FeatureSet(
    srcs.map((src) => {
      const t = src.trim();
      return { src, field: FIELD.test(t) && t !== 'null' && t !== 'true' && t !== 'false' && t !== 'undefined' ? t : null, fn: compileExpression(src) as (rec: unknown) => unknown };
    }),
  );
}

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
  if (typeof v === 'number') return String(v); // NaN, Infinity: JSON.stringify would say null
  return `${typeof v} ${JSON.stringify(v)?.slice(0, 40)}`;
}

/** Fills `out` from `recs[from..to)` with the set's features (see FeatureSet.fill). */
export function fillTensor(set: FeatureSet, recs: readonly unknown[], from: number, to: number, out: NumericArray): Map<number, string> | null {
  return set.fill(recs, from, to, out);
}
