// Approximate heavy hitters for `approxTopK`: a Count-Min Sketch (Cormode & Muthukrishnan 2005)
// with conservative update estimates every value's count, and a min-heap keeps the `capacity`
// values with the highest estimates as candidates. Memory is fixed whatever the number of distinct
// values. Defaults: width 2048 → overestimate ≤ ε·N with ε = e/2048 ≈ 0.13 % of the window's
// count, depth 4 → with probability ≥ 1 − e^-4 ≈ 98 % per estimate; 4·k candidates (at least 64)
// so values near the k-th place are not lost to estimation noise.
import { H1, H2, hash2 } from './hash.js';

export interface TopKOptions {
  width?: number;
  depth?: number;
  capacity?: number;
}

export interface TopKJSON {
  k: number;
  width: number;
  depth: number;
  capacity: number;
  counters: number[];
  candidates: [unknown, number][];
}

export interface Counted {
  value: unknown;
  count: number;
}

/** `[{value, count}]` order: count desc, then value asc (numbers numerically, else as strings). */
export function byCountThenValue(a: Counted, b: Counted): number {
  if (a.count !== b.count) return b.count - a.count;
  if (typeof a.value === 'number' && typeof b.value === 'number') return a.value - b.value;
  const x = String(a.value);
  const y = String(b.value);
  return x < y ? -1 : x > y ? 1 : 0;
}

export class ApproxTopK {
  private readonly width: number;
  private readonly depth: number;
  private readonly capacity: number;
  private readonly mask: number;
  private counters: Uint32Array;
  /** Candidate min-heap by estimate: parallel arrays, and value → heap position. */
  private vals: unknown[] = [];
  private ests: number[] = [];
  private readonly pos = new Map<unknown, number>();

  constructor(
    readonly k: number,
    opts: TopKOptions = {},
  ) {
    const width = opts.width ?? 2048;
    if ((width & (width - 1)) !== 0 || width < 16) throw new Error(`approxTopK width must be a power of two ≥ 16, got ${width}`);
    this.width = width;
    this.mask = width - 1;
    this.depth = opts.depth ?? 4;
    this.capacity = opts.capacity ?? Math.max(4 * k, 64);
    this.counters = new Uint32Array(this.width * this.depth);
  }

  add(value: unknown, count = 1): void {
    hash2(value);
    this.addHashed(value, H1, H2, count);
  }

  /** `add` with the value's hashes (from `hash2`) already computed: sliding windows hash once. */
  addHashed(value: unknown, h1: number, h2raw: number, count = 1): void {
    const h2 = h2raw | 1;
    const c = this.counters;
    const w = this.width;
    const mask = this.mask;
    // Conservative update: raise each row only as far as the new minimum estimate.
    let min = Infinity;
    for (let i = 0; i < this.depth; i++) {
      const x = c[i * w + ((h1 + Math.imul(i, h2)) & mask)]!;
      if (x < min) min = x;
    }
    const est = min + count;
    for (let i = 0; i < this.depth; i++) {
      const j = i * w + ((h1 + Math.imul(i, h2)) & mask);
      if (c[j]! < est) c[j] = est;
    }
    this.offer(value, est);
  }

  /** Estimated count of `value`: never below the true count. */
  estimate(value: unknown): number {
    hash2(value);
    const h2 = H2 | 1;
    let min = Infinity;
    for (let i = 0; i < this.depth; i++) {
      const x = this.counters[i * this.width + ((H1 + Math.imul(i, h2)) & this.mask)]!;
      if (x < min) min = x;
    }
    return min;
  }

  private offer(value: unknown, est: number): void {
    const at = this.pos.get(value);
    if (at !== undefined) {
      this.ests[at] = est; // estimates only grow: move down
      this.down(at);
      return;
    }
    if (this.vals.length < this.capacity) {
      this.vals.push(value);
      this.ests.push(est);
      this.pos.set(value, this.vals.length - 1);
      this.up(this.vals.length - 1);
      return;
    }
    if (est <= this.ests[0]!) return;
    this.pos.delete(this.vals[0]);
    this.vals[0] = value;
    this.ests[0] = est;
    this.pos.set(value, 0);
    this.down(0);
  }

  private swap(i: number, j: number): void {
    const v = this.vals[i];
    const e = this.ests[i]!;
    this.vals[i] = this.vals[j];
    this.ests[i] = this.ests[j]!;
    this.vals[j] = v;
    this.ests[j] = e;
    this.pos.set(this.vals[i], i);
    this.pos.set(this.vals[j], j);
  }

  private up(i: number): void {
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (this.ests[p]! <= this.ests[i]!) return;
      this.swap(i, p);
      i = p;
    }
  }

  private down(i: number): void {
    const n = this.vals.length;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) return;
      const r = l + 1;
      const c = r < n && this.ests[r]! < this.ests[l]! ? r : l;
      if (this.ests[c]! >= this.ests[i]!) return;
      this.swap(i, c);
      i = c;
    }
  }

  /** The k values with the highest estimates, by count desc then value asc. */
  top(): Counted[] {
    const all: Counted[] = this.vals.map((value, i) => ({ value, count: this.ests[i]! }));
    return all.sort(byCountThenValue).slice(0, this.k);
  }

  /** Add another sketch's counts (same width and depth); candidates are re-estimated. */
  merge(other: ApproxTopK): void {
    if (other.width !== this.width || other.depth !== this.depth) throw new Error('cannot merge approxTopK sketches of different sizes');
    const c = this.counters;
    const o = other.counters;
    for (let i = 0; i < c.length; i++) c[i] = Math.min(0xffffffff, c[i]! + o[i]!);
    const values = new Set([...this.vals, ...other.vals]);
    this.vals = [];
    this.ests = [];
    this.pos.clear();
    for (const v of values) this.offer(v, this.estimate(v));
  }

  bytes(): number {
    let b = 200 + this.counters.byteLength + this.vals.length * (16 + 40);
    for (const v of this.vals) if (typeof v === 'string') b += 16 + Math.ceil(v.length / 8) * 8;
    return b;
  }

  toJSON(): TopKJSON {
    return {
      k: this.k, width: this.width, depth: this.depth, capacity: this.capacity,
      counters: Array.from(this.counters),
      candidates: this.vals.map((v, i) => [v, this.ests[i]!]),
    };
  }

  static fromJSON(x: TopKJSON): ApproxTopK {
    const t = new ApproxTopK(x.k, { width: x.width, depth: x.depth, capacity: x.capacity });
    t.counters = Uint32Array.from(x.counters);
    for (const [v, e] of x.candidates) t.offer(v, e);
    return t;
  }
}
