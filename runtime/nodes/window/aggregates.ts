// Incremental window aggregates. Each aggregate keeps its accumulators in columns indexed by a
// slot (one slot per key and window), so a counter costs one Float64Array cell rather than an
// object per key. A record is read once (`prepare`) and then added to every window it falls in
// (sliding windows: several).
import { H1, H2, hash2 } from './sketch/hash.js';
import { HyperLogLog } from './sketch/hll.js';
import { ApproxTopK, byCountThenValue } from './sketch/top-k.js';
import type { AggregateFn, AggregateSpec } from './spec.js';
import { gather } from './columns.js';

export interface Aggregate {
  readonly name: string;
  /** Read the record's input; returns an error message when the value is unusable. */
  prepare(rec: unknown, seq: number): string | null;
  /** Add the prepared value to a slot. */
  add(slot: number): void;
  result(slot: number): unknown;
  /** Fold `src` into `dst` (merging session windows); `src` is freed afterwards. */
  merge(dst: number, src: number): void;
  /** A fresh slot starts empty. */
  reset(slot: number): void;
  /** Let go of what a freed slot holds. */
  release(slot: number): void;
  grow(capacity: number): void;
  /** Approximate heap bytes held, for `capacity` allocated slots. */
  bytes(capacity: number): number;
  save(slot: number): unknown;
  load(slot: number, v: unknown): void;
  /** Checkpoints: the saved values of `slots`, in order, as one column independent of the live state. */
  saveColumn(slots: Int32Array): unknown;
  /** Put back a column from `saveColumn` into `slots` (already allocated, in the same order). */
  loadColumn(slots: Int32Array, col: unknown): void;
}

type Getter = (rec: any) => unknown;

function getter(field: string | undefined): Getter {
  if (field === undefined) return (r) => r;
  const parts = field.split('.');
  if (parts.length === 1) return (r) => r[field];
  return (r) => {
    let v = r;
    for (const p of parts) {
      if (v === null || typeof v !== 'object') return undefined;
      v = v[p];
    }
    return v;
  };
}

function grown(a: Float64Array, capacity: number, fill = 0): Float64Array {
  const b = new Float64Array(capacity);
  b.set(a);
  if (fill !== 0) b.fill(fill, a.length);
  return b;
}

const NUM_MSG = (field: string, v: unknown) => `field '${field}' must be a number, got ${typeof v === 'string' ? `string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)}` : typeof v}`;

/** count, sum, avg, min, max: one or two Float64Array columns. */
class Numeric implements Aggregate {
  private readonly get: Getter;
  private cur = 0;
  private has = false;
  private v: Float64Array;
  private n: Float64Array;
  private readonly init: number;

  constructor(
    readonly name: string,
    private readonly fn: 'count' | 'sum' | 'avg' | 'min' | 'max',
    private readonly field: string | undefined,
    capacity: number,
  ) {
    this.get = getter(field);
    this.init = fn === 'min' ? Infinity : fn === 'max' ? -Infinity : 0;
    this.v = new Float64Array(capacity).fill(this.init);
    this.n = fn === 'count' ? this.v : new Float64Array(capacity);
  }

  prepare(rec: unknown): string | null {
    if (this.fn === 'count') {
      this.cur = this.field === undefined || this.get(rec) != null ? 1 : 0;
      return null;
    }
    const x = this.get(rec);
    if (x == null) {
      this.has = false;
      return null;
    }
    if (typeof x !== 'number' || !Number.isFinite(x)) return NUM_MSG(this.field!, x);
    this.has = true;
    this.cur = x;
    return null;
  }

  add(slot: number): void {
    switch (this.fn) {
      case 'count':
        this.v[slot]! += this.cur;
        return;
      case 'sum':
      case 'avg':
        if (this.has) {
          this.v[slot]! += this.cur;
          this.n[slot]!++;
        }
        return;
      case 'min':
        if (this.has) {
          if (this.cur < this.v[slot]!) this.v[slot] = this.cur;
          this.n[slot]!++;
        }
        return;
      case 'max':
        if (this.has) {
          if (this.cur > this.v[slot]!) this.v[slot] = this.cur;
          this.n[slot]!++;
        }
    }
  }

  result(slot: number): unknown {
    if (this.fn === 'count') return this.v[slot];
    if (this.n[slot] === 0) return null; // SQL: no values, no sum
    return this.fn === 'avg' ? this.v[slot]! / this.n[slot]! : this.v[slot];
  }

  merge(dst: number, src: number): void {
    const v = this.v;
    if (this.fn === 'min') v[dst] = Math.min(v[dst]!, v[src]!);
    else if (this.fn === 'max') v[dst] = Math.max(v[dst]!, v[src]!);
    else v[dst]! += v[src]!;
    if (this.n !== v) this.n[dst]! += this.n[src]!;
  }

  reset(slot: number): void {
    this.v[slot] = this.init;
    this.n[slot] = 0;
  }

  release(): void {}

  grow(capacity: number): void {
    const same = this.n === this.v;
    this.v = grown(this.v, capacity, this.init);
    this.n = same ? this.v : grown(this.n, capacity);
  }

  bytes(capacity: number): number {
    return capacity * (this.n === this.v ? 8 : 16);
  }

  save(slot: number): unknown {
    return [this.v[slot], this.n[slot]];
  }

  load(slot: number, s: unknown): void {
    const [v, n] = s as [number, number];
    this.v[slot] = v;
    this.n[slot] = n;
  }

  saveColumn(slots: Int32Array): unknown {
    // count keeps one column (n is v); the others a value and a count.
    return this.n === this.v ? { v: gather(this.v, slots) } : { v: gather(this.v, slots), n: gather(this.n, slots) };
  }

  loadColumn(slots: Int32Array, col: unknown): void {
    const c = col as { v: Float64Array; n?: Float64Array };
    if (!(c.v instanceof Float64Array) || c.v.length !== slots.length) throw new Error(`aggregate '${this.name}': saved column does not match its keys`);
    const n = c.n ?? c.v;
    for (let i = 0; i < slots.length; i++) {
      const s = slots[i]!;
      this.v[s] = c.v[i]!;
      this.n[s] = n[i]!;
    }
  }
}

/** Per-slot objects (first/last values, lists, sets, sketches): one array cell each. */
abstract class Boxed<T> implements Aggregate {
  protected readonly get: Getter;
  protected cur: unknown;
  protected seq = 0;
  protected cells: (T | undefined)[] = [];

  constructor(
    readonly name: string,
    field: string | undefined,
  ) {
    this.get = getter(field);
  }

  prepare(rec: unknown, seq: number): string | null {
    this.cur = this.get(rec);
    this.seq = seq;
    return null;
  }

  abstract add(slot: number): void;
  abstract result(slot: number): unknown;
  abstract merge(dst: number, src: number): void;
  protected abstract cellBytes(c: T): number;
  abstract save(slot: number): unknown;
  abstract load(slot: number, v: unknown): void;

  saveColumn(slots: Int32Array): unknown {
    const col = new Array<unknown>(slots.length);
    for (let i = 0; i < slots.length; i++) col[i] = this.save(slots[i]!);
    // Saved cells may share values with live records and cells: a deep copy.
    return structuredClone(col);
  }

  loadColumn(slots: Int32Array, col: unknown): void {
    const c = structuredClone(col) as unknown[];
    if (!Array.isArray(c) || c.length !== slots.length) throw new Error(`aggregate '${this.name}': saved column does not match its keys`);
    for (let i = 0; i < slots.length; i++) this.load(slots[i]!, c[i]);
  }

  reset(slot: number): void {
    this.cells[slot] = undefined;
  }

  release(slot: number): void {
    this.cells[slot] = undefined;
  }

  grow(): void {}

  bytes(capacity: number): number {
    let b = capacity * 8;
    for (const c of this.cells) if (c !== undefined) b += this.cellBytes(c);
    return b;
  }
}

/** Rough heap size of a JSON-like value, for state-size reporting. */
export function sizeOf(v: unknown, depth = 0): number {
  if (v === null || v === undefined || typeof v === 'boolean') return 0;
  if (typeof v === 'number') return Number.isInteger(v) && Math.abs(v) < 2 ** 30 ? 0 : 16;
  if (typeof v === 'string') return 16 + Math.ceil(v.length / 8) * 8;
  if (depth > 3) return 64;
  if (Array.isArray(v)) {
    let b = 32 + 8 * v.length;
    for (const x of v) b += sizeOf(x, depth + 1);
    return b;
  }
  if (typeof v === 'object') {
    let b = 32;
    for (const k in v as object) b += 16 + sizeOf((v as Record<string, unknown>)[k], depth + 1);
    return b;
  }
  return 16;
}

interface Pick {
  v: unknown;
  seq: number;
}

/** first/last in arrival order; null values are skipped (Flink SQL FIRST_VALUE / LAST_VALUE). */
class FirstLast extends Boxed<Pick> {
  constructor(
    name: string,
    field: string | undefined,
    private readonly last: boolean,
  ) {
    super(name, field);
  }

  add(slot: number): void {
    if (this.cur == null) return;
    const c = this.cells[slot];
    if (c === undefined) this.cells[slot] = { v: this.cur, seq: this.seq };
    else if (this.last) {
      c.v = this.cur;
      c.seq = this.seq;
    }
  }

  result(slot: number): unknown {
    return this.cells[slot]?.v ?? null;
  }

  merge(dst: number, src: number): void {
    const a = this.cells[dst];
    const b = this.cells[src];
    if (b === undefined) return;
    if (a === undefined || (this.last ? b.seq > a.seq : b.seq < a.seq)) this.cells[dst] = b;
  }

  protected cellBytes(c: Pick): number {
    return 40 + sizeOf(c.v);
  }

  save(slot: number): unknown {
    const c = this.cells[slot];
    return c === undefined ? null : { v: c.v, seq: c.seq };
  }

  load(slot: number, v: unknown): void {
    this.cells[slot] = v === null ? undefined : { ...(v as Pick) };
  }
}

interface Listed {
  v: unknown[];
  seq: number[];
}

/** collect: every value in arrival order (the one aggregate that keeps records). */
class Collect extends Boxed<Listed> {
  add(slot: number): void {
    let c = this.cells[slot];
    if (c === undefined) c = this.cells[slot] = { v: [], seq: [] };
    c.v.push(this.cur);
    c.seq.push(this.seq);
  }

  result(slot: number): unknown {
    return this.cells[slot]?.v.slice() ?? [];
  }

  merge(dst: number, src: number): void {
    const a = this.cells[dst];
    const b = this.cells[src];
    if (b === undefined) return;
    if (a === undefined) {
      this.cells[dst] = b;
      return;
    }
    // Interleave by arrival so a merged session lists its records as they came.
    const out: Listed = { v: [], seq: [] };
    let i = 0;
    let j = 0;
    while (i < a.v.length || j < b.v.length) {
      const takeA = j >= b.v.length || (i < a.v.length && a.seq[i]! < b.seq[j]!);
      const from = takeA ? a : b;
      const k = takeA ? i++ : j++;
      out.v.push(from.v[k]);
      out.seq.push(from.seq[k]!);
    }
    this.cells[dst] = out;
  }

  protected cellBytes(c: Listed): number {
    // The values are the records themselves, held only by this list once they have passed.
    let b = 64 + 16 * c.v.length;
    for (const x of c.v) b += sizeOf(x);
    return b;
  }

  save(slot: number): unknown {
    const c = this.cells[slot];
    return c === undefined ? null : { v: structuredClone(c.v), seq: c.seq.slice() };
  }

  load(slot: number, v: unknown): void {
    this.cells[slot] = v === null ? undefined : (v as Listed);
  }
}

/** A value usable as a Set/Map key: primitives as they are, objects by their JSON. */
function distinctKey(v: unknown): unknown {
  return v !== null && typeof v === 'object' ? JSON.stringify(v) : v;
}

class CountDistinct extends Boxed<Set<unknown>> {
  add(slot: number): void {
    if (this.cur == null) return;
    let c = this.cells[slot];
    if (c === undefined) c = this.cells[slot] = new Set();
    c.add(distinctKey(this.cur));
  }

  result(slot: number): unknown {
    return this.cells[slot]?.size ?? 0;
  }

  merge(dst: number, src: number): void {
    const b = this.cells[src];
    if (b === undefined) return;
    const a = this.cells[dst];
    if (a === undefined) this.cells[dst] = b;
    else for (const x of b) a.add(x);
  }

  protected cellBytes(c: Set<unknown>): number {
    let b = 64 + 40 * c.size;
    for (const x of c) b += sizeOf(x);
    return b;
  }

  save(slot: number): unknown {
    const c = this.cells[slot];
    return c === undefined ? null : [...c];
  }

  load(slot: number, v: unknown): void {
    this.cells[slot] = v === null ? undefined : new Set(v as unknown[]);
  }
}

/** topK, exact: a count per distinct value. */
class TopK extends Boxed<Map<unknown, number>> {
  constructor(
    name: string,
    field: string | undefined,
    private readonly k: number,
  ) {
    super(name, field);
  }

  add(slot: number): void {
    if (this.cur == null) return;
    let c = this.cells[slot];
    if (c === undefined) c = this.cells[slot] = new Map();
    const key = distinctKey(this.cur);
    c.set(key, (c.get(key) ?? 0) + 1);
  }

  result(slot: number): unknown {
    const c = this.cells[slot];
    if (c === undefined) return [];
    return [...c].map(([value, count]) => ({ value, count })).sort(byCountThenValue).slice(0, this.k);
  }

  merge(dst: number, src: number): void {
    const b = this.cells[src];
    if (b === undefined) return;
    const a = this.cells[dst];
    if (a === undefined) this.cells[dst] = b;
    else for (const [v, n] of b) a.set(v, (a.get(v) ?? 0) + n);
  }

  protected cellBytes(c: Map<unknown, number>): number {
    let b = 64 + 40 * c.size;
    for (const x of c.keys()) b += sizeOf(x);
    return b;
  }

  save(slot: number): unknown {
    const c = this.cells[slot];
    return c === undefined ? null : [...c];
  }

  load(slot: number, v: unknown): void {
    this.cells[slot] = v === null ? undefined : new Map(v as [unknown, number][]);
  }
}

interface Sketch<T> {
  merge(other: T): void;
  bytes(): number;
  toJSON(): unknown;
}

/** Sketch aggregates: the value is hashed once per record, since a sliding window adds it to several sketches. */
abstract class Hashed<T extends Sketch<T>> extends Boxed<T> {
  protected h1 = 0;
  protected h2 = 0;

  protected abstract restore(json: unknown): T;

  merge(dst: number, src: number): void {
    const b = this.cells[src];
    if (b === undefined) return;
    const a = this.cells[dst];
    if (a === undefined) this.cells[dst] = b;
    else a.merge(b);
  }

  protected cellBytes(c: T): number {
    return c.bytes();
  }

  save(slot: number): unknown {
    return this.cells[slot]?.toJSON() ?? null;
  }

  load(slot: number, v: unknown): void {
    this.cells[slot] = v === null ? undefined : this.restore(v);
  }

  override prepare(rec: unknown, seq: number): string | null {
    super.prepare(rec, seq);
    if (this.cur != null) {
      this.cur = distinctKey(this.cur);
      hash2(this.cur);
      this.h1 = H1;
      this.h2 = H2;
    }
    return null;
  }
}

class ApproxDistinct extends Hashed<HyperLogLog> {
  constructor(
    name: string,
    field: string | undefined,
    private readonly p: number,
  ) {
    super(name, field);
  }

  add(slot: number): void {
    if (this.cur == null) return;
    let c = this.cells[slot];
    if (c === undefined) c = this.cells[slot] = new HyperLogLog(this.p);
    c.addHash(this.h1, this.h2);
  }

  result(slot: number): unknown {
    return this.cells[slot]?.estimate() ?? 0;
  }

  protected restore(json: unknown): HyperLogLog {
    return HyperLogLog.fromJSON(json as never);
  }
}

class ApproxTop extends Hashed<ApproxTopK> {
  constructor(
    name: string,
    field: string | undefined,
    private readonly k: number,
  ) {
    super(name, field);
  }

  add(slot: number): void {
    if (this.cur == null) return;
    let c = this.cells[slot];
    if (c === undefined) c = this.cells[slot] = new ApproxTopK(this.k);
    c.addHashed(this.cur, this.h1, this.h2);
  }

  result(slot: number): unknown {
    return this.cells[slot]?.top() ?? [];
  }

  protected restore(json: unknown): ApproxTopK {
    return ApproxTopK.fromJSON(json as never);
  }
}

export function makeAggregate(name: string, a: AggregateSpec, capacity: number): Aggregate {
  const fn: AggregateFn = a.fn;
  switch (fn) {
    case 'count':
    case 'sum':
    case 'avg':
    case 'min':
    case 'max':
      return new Numeric(name, fn, a.field, capacity);
    case 'first':
      return new FirstLast(name, a.field, false);
    case 'last':
      return new FirstLast(name, a.field, true);
    case 'collect':
      return new Collect(name, a.field);
    case 'countDistinct':
      return new CountDistinct(name, a.field);
    case 'topK':
      return new TopK(name, a.field, a.k ?? 10);
    case 'approxCountDistinct':
      return new ApproxDistinct(name, a.field, a.precision ?? 12);
    case 'approxTopK':
      return new ApproxTop(name, a.field, a.k ?? 10);
  }
}
