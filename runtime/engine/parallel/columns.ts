// Records as columns, for handing them to another thread cheaply: structured clone of a batch of
// record objects costs both threads more than the work a window does per record (issue 19), while
// typed arrays are transferred without a copy and an array of strings clones fast. Only the fields
// the receiving side reads are kept (the planner knows them: projection.ts); the receiver rebuilds
// records holding just those fields.
//
// A column is numbers (a Float64Array, transferred) when every record holds a number there, else
// the values as they are (cloned), with a presence mask when some records lack the field, so that
// a missing field stays missing rather than becoming `undefined`.

export type Column =
  | { readonly k: 'num'; readonly v: Float64Array }
  | { readonly k: 'any'; readonly v: unknown[]; readonly has: Uint8Array | null };

export interface Columns {
  readonly n: number;
  readonly fields: readonly string[];
  readonly cols: readonly Column[];
}

/**
 * Whether records can cross as columns of these fields. Not `__proto__` (assigning it would set
 * the prototype), nor any other name a plain object inherits (`constructor`, `toString`, ...):
 * toColumns reads `r[f]`, which for a record lacking the field is an inherited function, and
 * functions cannot be posted to another thread; such fields go as whole records.
 */
export function projectable(fields: readonly string[]): boolean {
  return !fields.some((f) => f in Object.prototype);
}

/**
 * One column of `values` (length n), numbers packed when they all are; entries equal to `absent`
 * (when given) are fields a record lacks.
 */
export function column(values: unknown[], n: number, absent: unknown = null): Column {
  let nums = true;
  for (let i = 0; i < n && nums; i++) nums = typeof values[i] === 'number';
  if (nums) return { k: 'num', v: packed(values, n) };
  let has: Uint8Array | null = null;
  if (absent !== null) {
    for (let i = 0; i < n; i++) {
      if (values[i] === absent) {
        (has ??= new Uint8Array(n).fill(1))[i] = 0;
        values[i] = undefined;
      }
    }
  }
  return { k: 'any', v: values, has };
}

function packed(values: readonly unknown[], n: number): Float64Array {
  const a = new Float64Array(n);
  for (let i = 0; i < n; i++) a[i] = values[i] as number;
  return a;
}

/** The columns of `fields` over `recs` (plain objects). */
export function toColumns(recs: readonly unknown[], fields: readonly string[]): Columns {
  const n = recs.length;
  const cols: Column[] = [];
  for (const f of fields) {
    const v = new Array<unknown>(n);
    let nums = true;
    let has: Uint8Array | null = null;
    for (let i = 0; i < n; i++) {
      const r = recs[i] as Record<string, unknown>;
      const x = r[f];
      v[i] = x;
      if (typeof x !== 'number') {
        nums = false;
        if (x === undefined && !(f in r)) (has ??= new Uint8Array(n).fill(1))[i] = 0;
      }
    }
    cols.push(nums ? { k: 'num', v: packed(v, n) } : { k: 'any', v, has });
  }
  return { n, fields, cols };
}

/** Records holding the columns' fields, in order. */
export function fromColumns(c: Columns): Record<string, unknown>[] {
  const out = new Array<Record<string, unknown>>(c.n);
  for (let i = 0; i < c.n; i++) out[i] = {};
  for (let j = 0; j < c.fields.length; j++) {
    const f = c.fields[j]!;
    const col = c.cols[j]!;
    const v = col.v;
    if (col.k === 'num' || col.has === null) for (let i = 0; i < c.n; i++) out[i]![f] = v[i];
    else for (let i = 0; i < c.n; i++) if (col.has[i] === 1) out[i]![f] = v[i];
  }
  return out;
}

/** The buffers to transfer with a message carrying these columns. */
export function transfers(c: Columns, into: ArrayBuffer[]): void {
  for (const col of c.cols) if (col.k === 'num') into.push(col.v.buffer as ArrayBuffer);
}
