// Records held by a checkpoint, as columns. A snapshot must not change when a record it holds is
// later changed in place downstream, so it needs its own copy; structuredClone of half a million
// records costs over a second on the operator's thread (it allocates every object anew). Records
// of one stream mostly share one flat shape, and their field values are primitives, which are
// immutable: copying such a record is reading its fields into a column, with no object made. Only
// records with nested values or of another prototype are deep-copied. The idea of Flink's
// columnar / POJO serializers: the field names once per type, then the values.

/** At most this many shapes per snapshot; records of further shapes are deep-copied instead. */
const MAX_SHAPES = 64;

export interface RecordColumns {
  readonly n: number;
  /** Field names of each shape, in the records' own order. */
  readonly shapes: string[][];
  /** Per record: its shape, or -1 for a record kept whole in `other`. */
  readonly shape: Int32Array;
  /** Per shape, per field, the values of that shape's records in order. */
  readonly cols: unknown[][][];
  /** Deep copies of the records no shape takes, in order. */
  readonly other: unknown[];
}

function primitive(v: unknown): boolean {
  const t = typeof v;
  return v === null || (t !== 'object' && t !== 'function' && t !== 'symbol');
}

/**
 * Append `r`'s values to the shape's columns if it has exactly the shape's fields, in that order,
 * all primitive; otherwise leave the columns as they were and return false. `for…in` reads the
 * fields through V8's enum cache: no array of names is made per record.
 */
function take(r: object, keys: readonly string[], cols: unknown[][]): boolean {
  let j = 0;
  for (const k in r) {
    const v = (r as Record<string, unknown>)[k];
    if (j === keys.length || k !== keys[j] || !primitive(v)) {
      for (let u = 0; u < j; u++) cols[u]!.pop();
      return false;
    }
    cols[j]!.push(v);
    j++;
  }
  if (j === keys.length) return true;
  for (let u = 0; u < j; u++) cols[u]!.pop();
  return false;
}

function flatKeys(r: unknown): string[] | null {
  if (typeof r !== 'object' || r === null || Object.getPrototypeOf(r) !== Object.prototype) return null;
  const keys = Object.keys(r);
  // An own '__proto__' field would set the prototype when assigned on decode: kept whole.
  for (const k of keys) if (k === '__proto__' || !primitive((r as Record<string, unknown>)[k])) return null;
  // for…in would also list inherited enumerable fields, and `take` must see what Object.keys sees.
  let j = 0;
  for (const _ in r) j++;
  return j === keys.length ? keys : null;
}

/** A copy of `recs` independent of them, as columns; `decodeRecords` gives the records back. */
export function encodeRecords(recs: readonly unknown[]): RecordColumns {
  const n = recs.length;
  const shapes: string[][] = [];
  const cols: unknown[][][] = [];
  const shape = new Int32Array(n);
  const whole: unknown[] = [];
  let last = -1;
  for (let i = 0; i < n; i++) {
    const r = recs[i];
    let s = -1;
    if (typeof r === 'object' && r !== null && Object.getPrototypeOf(r) === Object.prototype) {
      if (last >= 0 && take(r, shapes[last]!, cols[last]!)) s = last;
      else {
        for (let j = 0; j < shapes.length && s < 0; j++) if (j !== last && take(r, shapes[j]!, cols[j]!)) s = j;
        if (s < 0 && shapes.length < MAX_SHAPES) {
          const keys = flatKeys(r);
          if (keys !== null) {
            const c = keys.map((): unknown[] => []);
            if (take(r, keys, c)) {
              s = shapes.length;
              shapes.push(keys);
              cols.push(c);
            }
          }
        }
      }
    }
    shape[i] = s;
    if (s < 0) whole.push(r);
    else last = s;
  }
  return { n, shapes, shape, cols, other: whole.length === 0 ? whole : structuredClone(whole) };
}

export function decodeRecords(c: RecordColumns): unknown[] {
  const out = new Array<unknown>(c.n);
  const at = new Int32Array(c.shapes.length);
  let o = 0;
  for (let i = 0; i < c.n; i++) {
    const s = c.shape[i]!;
    if (s < 0) {
      if (o >= c.other.length) throw new Error('record columns: fewer whole records than the shape column names');
      out[i] = c.other[o++];
      continue;
    }
    const keys = c.shapes[s];
    if (keys === undefined) throw new Error(`record columns: no shape ${s}`);
    const cols = c.cols[s]!;
    const row = at[s]++;
    const r: Record<string, unknown> = {};
    for (let j = 0; j < keys.length; j++) r[keys[j]!] = cols[j]![row];
    out[i] = r;
  }
  return out;
}
