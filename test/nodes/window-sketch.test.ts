// The bounded-memory sketches behind approxCountDistinct and approxTopK.
import { describe, expect, it } from 'vitest';
import { H1, H2, hash2 } from '../../runtime/nodes/window/sketch/hash.js';
import { HyperLogLog } from '../../runtime/nodes/window/sketch/hll.js';
import { ApproxTopK, byCountThenValue } from '../../runtime/nodes/window/sketch/top-k.js';

function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `adds` draws from `products` values with weight 1/rank (Zipf, s = 1), deterministic. */
function zipf(products: number, adds: number, seed: number): string[] {
  const rnd = mulberry32(seed);
  const names = Array.from({ length: products }, (_, i) => `product-${i}`);
  const cdf = new Float64Array(products);
  let acc = 0;
  for (let i = 0; i < products; i++) cdf[i] = acc += 1 / (i + 1);
  const out: string[] = new Array<string>(adds);
  for (let i = 0; i < adds; i++) {
    const x = rnd() * acc;
    let lo = 0;
    let hi = products - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cdf[mid]! < x) lo = mid + 1;
      else hi = mid;
    }
    out[i] = names[lo]!;
  }
  return out;
}

function exactTop(values: readonly unknown[], k: number): { value: unknown; count: number }[] {
  const m = new Map<unknown, number>();
  for (const v of values) m.set(v, (m.get(v) ?? 0) + 1);
  return [...m].map(([value, count]) => ({ value, count })).sort(byCountThenValue).slice(0, k);
}

const SIGMA_P12 = 1.04 / Math.sqrt(4096);

describe('hash2', () => {
  it('tells 1, "1" and true apart, treats -0 as 0, and gives two different hashes', () => {
    const seen = new Set<string>();
    for (const v of [1, '1', true, 'true', 0, false, '', 1.5]) {
      hash2(v);
      expect(H1).not.toBe(H2);
      seen.add(`${H1},${H2}`);
    }
    expect(seen.size).toBe(8);
    hash2(0);
    const zero = [H1, H2];
    hash2(-0);
    expect([H1, H2]).toEqual(zero);
  });
});

describe('HyperLogLog', () => {
  it('is exact while sparse', () => {
    const h = new HyperLogLog(12);
    expect(h.estimate()).toBe(0);
    h.add('only');
    h.add('only');
    expect(h.estimate()).toBe(1);
    for (let i = 0; i < 300; i++) h.add(`v${i % 100}`);
    expect(h.estimate()).toBe(101);
    h.add(1);
    h.add('1');
    h.add(true);
    h.add(-0);
    h.add(0);
    expect(h.estimate()).toBe(105);
    // Still exact just below the switch (p = 12: 384 entries in 4 KiB).
    const g = new HyperLogLog(12);
    for (let i = 0; i < 384; i++) g.add(i);
    expect(g.estimate()).toBe(384);
  });

  for (const n of [10_000, 100_000, 1_000_000]) {
    it(`estimates ${n.toLocaleString('en-US')} distinct values within 3σ (p = 12, σ ≈ 1.6 %)`, () => {
      const h = new HyperLogLog();
      for (let i = 0; i < n; i++) h.add(`user-${i}`);
      expect(Number.isInteger(h.estimate())).toBe(true);
      expect(Math.abs(h.estimate() - n) / n).toBeLessThan(3 * SIGMA_P12);
    });
  }

  it('keeps its error near 1.04/√m over many independent sketches', () => {
    // 40 sketches of 20k values each (p = 10, σ ≈ 3.25 %): the RMS error is close to σ.
    let sq = 0;
    for (let s = 0; s < 40; s++) {
      const h = new HyperLogLog(10);
      for (let i = 0; i < 20_000; i++) h.add(`s${s}-${i}`);
      sq += ((h.estimate() - 20_000) / 20_000) ** 2;
    }
    const rms = Math.sqrt(sq / 40);
    expect(rms).toBeLessThan(1.5 * (1.04 / 32));
  });

  it('merges to the union, sparse or dense', () => {
    for (const [na, nb] of [[50, 80], [50, 30_000], [30_000, 50], [30_000, 40_000]] as const) {
      const a = new HyperLogLog(12);
      const b = new HyperLogLog(12);
      const all = new HyperLogLog(12);
      for (let i = 0; i < na; i++) a.add(i);
      for (let i = 0; i < nb; i++) b.add(i + na / 2);
      for (let i = 0; i < na; i++) all.add(i);
      for (let i = 0; i < nb; i++) all.add(i + na / 2);
      a.merge(b);
      expect(a.estimate()).toBe(all.estimate());
    }
    expect(() => new HyperLogLog(12).merge(new HyperLogLog(10))).toThrow(/precision/);
  });

  it('survives a structured-clone snapshot, sparse and dense, and continues identically', () => {
    for (const n of [37, 50_000]) {
      const a = new HyperLogLog(11);
      for (let i = 0; i < n; i++) a.add(`k${i}`);
      const copy = HyperLogLog.fromJSON(structuredClone(a.toJSON()));
      expect(copy.estimate()).toBe(a.estimate());
      for (let i = 0; i < 3000; i++) {
        copy.add(`more${i}`);
        a.add(`more${i}`);
      }
      expect(copy.estimate()).toBe(a.estimate());
      expect(copy.toJSON()).toEqual(a.toJSON());
    }
  });

  it('accepts precomputed hashes, as the window aggregate passes them', () => {
    const a = new HyperLogLog(12);
    const b = new HyperLogLog(12);
    for (let i = 0; i < 5000; i++) {
      a.add(`x${i}`);
      hash2(`x${i}`);
      b.addHash(H1, H2);
    }
    expect(b.toJSON()).toEqual(a.toJSON());
  });

  it('holds little while sparse and about 2^p bytes once dense', () => {
    const h = new HyperLogLog(12);
    h.add('x');
    const small = h.bytes();
    expect(small).toBeLessThan(400);
    for (let i = 0; i < 100; i++) h.add(i);
    expect(h.bytes()).toBeGreaterThan(small);
    expect(h.bytes()).toBeLessThanOrEqual(4096 + 400); // sparse never outweighs dense
    for (let i = 0; i < 100_000; i++) h.add(i);
    expect(h.bytes()).toBeGreaterThanOrEqual(4096);
    expect(h.bytes()).toBeLessThan(2 * 4096);
    expect(() => new HyperLogLog(3)).toThrow(/4\.\.16/);
    expect(() => new HyperLogLog(17)).toThrow(/4\.\.16/);
  });
});

describe('approximate top-K (Count-Min Sketch + candidate heap)', () => {
  it('is exact on a small stream, ties by value asc', () => {
    const t = new ApproxTopK(3);
    for (const v of ['b', 'a', 'c', 'a', 'b', 'd', 'a']) t.add(v);
    expect(t.top()).toEqual([
      { value: 'a', count: 3 },
      { value: 'b', count: 2 },
      { value: 'c', count: 1 },
    ]);
    // Numbers compare numerically (9 before 10), and 1 and '1' are different values.
    const n = new ApproxTopK(4);
    for (const v of [10, 9, 10, 9, 1, '1', '1']) n.add(v);
    expect(n.top()).toEqual([
      { value: 9, count: 2 },
      { value: 10, count: 2 },
      { value: '1', count: 2 },
      { value: 1, count: 1 },
    ]);
    n.add(5, 7);
    expect(n.top()[0]).toEqual({ value: 5, count: 7 });
  });

  it('finds the exact top 10 of a Zipf stream over 50k values, counts within +2 %', () => {
    const stream = zipf(50_000, 2_000_000, 7);
    const t = new ApproxTopK(10);
    for (const v of stream) t.add(v);
    const truth = exactTop(stream, 10);
    const got = t.top();
    expect(got.map((g) => g.value)).toEqual(truth.map((x) => x.value));
    const real = new Map(exactTop(stream, 50_000).map((x) => [x.value, x.count]));
    for (const g of got) {
      const r = real.get(g.value)!;
      expect(g.count).toBeGreaterThanOrEqual(r); // never an underestimate
      expect(g.count).toBeLessThanOrEqual(r * 1.02);
    }
    // Memory is fixed: the same after 100k more distinct values.
    const before = t.bytes();
    for (let i = 0; i < 100_000; i++) t.add(`other-${i}`);
    expect(t.bytes()).toBeLessThan(before * 1.1);
    expect(t.bytes()).toBeLessThan(64 * 1024);
  });

  it('accepts precomputed hashes, as the window aggregate passes them', () => {
    const stream = zipf(1000, 20_000, 3);
    const a = new ApproxTopK(5);
    const b = new ApproxTopK(5);
    for (const v of stream) {
      a.add(v);
      hash2(v);
      b.addHashed(v, H1, H2);
    }
    expect(b.toJSON()).toEqual(a.toJSON());
  });

  it('merges two halves to about the whole', () => {
    const stream = zipf(50_000, 400_000, 11);
    const a = new ApproxTopK(10);
    const b = new ApproxTopK(10);
    stream.forEach((v, i) => (i % 2 === 0 ? a : b).add(v));
    a.merge(b);
    const truth = exactTop(stream, 10);
    const got = a.top();
    expect(got.map((g) => g.value)).toEqual(truth.map((x) => x.value));
    got.forEach((g, i) => {
      expect(g.count).toBeGreaterThanOrEqual(truth[i]!.count);
      expect(g.count).toBeLessThanOrEqual(truth[i]!.count * 1.02);
    });
  });

  it('merges exact sketches exactly, and an exact one into a full one', () => {
    const a = new ApproxTopK(2);
    const b = new ApproxTopK(2);
    for (const v of ['x', 'y', 'y']) a.add(v);
    for (const v of ['y', 'z', 'z', 'z']) b.add(v);
    a.merge(b);
    expect(a.top()).toEqual([
      { value: 'y', count: 3 },
      { value: 'z', count: 3 },
    ]);
    const full = new ApproxTopK(2);
    for (let i = 0; i < 1000; i++) full.add(`v${i}`);
    const small = new ApproxTopK(2);
    small.add('hot', 500);
    full.merge(small);
    small.merge(full);
    // 'hot' enters the full sketch with its bound: 500 plus whatever shares all its counters.
    expect(full.top()[0]!.value).toBe('hot');
    expect(full.top()[0]!.count).toBeGreaterThanOrEqual(500);
    expect(full.top()[0]!.count).toBeLessThanOrEqual(502);
    expect(small.top()[0]!.value).toBe('hot');
    expect(small.top()[0]!.count).toBeGreaterThanOrEqual(1000);
  });

  it('survives a structured-clone snapshot, exact or sketched, and continues identically', () => {
    for (const distinct of [20, 5000]) {
      const stream = zipf(distinct, 30_000, 5);
      const a = new ApproxTopK(5);
      for (const v of stream) a.add(v);
      const copy = ApproxTopK.fromJSON(structuredClone(a.toJSON()));
      expect(copy.top()).toEqual(a.top());
      for (const v of zipf(distinct, 10_000, 6)) {
        a.add(v);
        copy.add(v);
      }
      expect(copy.top()).toEqual(a.top());
      expect(copy.toJSON()).toEqual(a.toJSON());
      expect(copy.estimate('product-0')).toBe(a.estimate('product-0'));
    }
  });

  it('holds little until more distinct values arrive than it has candidates', () => {
    const t = new ApproxTopK(10);
    for (let i = 0; i < 1000; i++) t.add(`v${i % 20}`);
    expect(t.bytes()).toBeLessThan(8 * 1024);
    expect(t.estimate('v3')).toBe(50);
    expect(t.estimate('absent')).toBe(0);
    for (let i = 0; i < 1000; i++) t.add(`w${i}`);
    expect(t.bytes()).toBeGreaterThan(2048 * 4 * 4);
    expect(t.estimate('v3')).toBeGreaterThanOrEqual(50);
    expect(() => new ApproxTopK(0)).toThrow(/k must/);
    expect(() => new ApproxTopK(3, { width: 1000 })).toThrow(/power of two/);
    expect(() => new ApproxTopK(3, { width: 1024 }).merge(new ApproxTopK(3))).toThrow(/different sizes/);
  });
});
