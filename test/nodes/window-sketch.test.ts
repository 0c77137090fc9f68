// The bounded-memory sketches behind approxCountDistinct and approxTopK.
import { describe, expect, it } from 'vitest';
import { HyperLogLog } from '../../runtime/nodes/window/sketch/hll.js';
import { ApproxTopK } from '../../runtime/nodes/window/sketch/top-k.js';

function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('HyperLogLog', () => {
  it('is exact for small sets and tells 1 from "1"', () => {
    const h = new HyperLogLog(12);
    expect(h.estimate()).toBe(0);
    for (let i = 0; i < 50; i++) h.add(`v${i % 25}`);
    h.add(1);
    h.add('1');
    h.add(true);
    expect(h.estimate()).toBe(28);
  });

  for (const n of [10_000, 100_000, 1_000_000]) {
    it(`estimates ${n.toLocaleString('en-US')} distinct values within 3σ (p = 12, σ ≈ 1.6 %)`, () => {
      const h = new HyperLogLog(12);
      for (let i = 0; i < n; i++) h.add(`user-${i}`);
      expect(Math.abs(h.estimate() - n) / n).toBeLessThan(3 * 0.0163);
    });
  }

  it('merges to the union and survives a snapshot', () => {
    const a = new HyperLogLog(10);
    const b = new HyperLogLog(10);
    const all = new HyperLogLog(10);
    for (let i = 0; i < 30_000; i++) {
      (i % 3 === 0 ? a : b).add(i % 20_000);
      all.add(i % 20_000);
    }
    a.merge(b);
    expect(a.estimate()).toBe(all.estimate());
    const copy = HyperLogLog.fromJSON(structuredClone(a.toJSON()));
    expect(copy.estimate()).toBe(a.estimate());
    copy.add('new');
    a.add('new');
    expect(copy.estimate()).toBe(a.estimate());
    const small = new HyperLogLog(12);
    small.add('x');
    expect(small.bytes()).toBeLessThan(200);
    expect(a.bytes()).toBeGreaterThanOrEqual(1024);
  });
});

describe('approximate top-K (Count-Min Sketch + candidate heap)', () => {
  it('is exact on a small stream, ties by value', () => {
    const t = new ApproxTopK(3);
    for (const v of ['b', 'a', 'c', 'a', 'b', 'd', 'a']) t.add(v);
    expect(t.top()).toEqual([
      { value: 'a', count: 3 },
      { value: 'b', count: 2 },
      { value: 'c', count: 1 },
    ]);
  });

  it('finds the exact top 10 of a skewed stream over 50k values, counts within +2 %', () => {
    const rnd = mulberry32(7);
    const t = new ApproxTopK(10);
    const exact = new Map<string, number>();
    // Zipf-like: weight ~ 1/rank over 50k products.
    const n = 50_000;
    const cdf = new Float64Array(n);
    let acc = 0;
    for (let i = 0; i < n; i++) cdf[i] = acc += 1 / (i + 1);
    for (let i = 0; i < 2_000_000; i++) {
      const x = rnd() * acc;
      let lo = 0;
      let hi = n - 1;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (cdf[mid]! < x) lo = mid + 1;
        else hi = mid;
      }
      const v = `p${lo}`;
      t.add(v);
      exact.set(v, (exact.get(v) ?? 0) + 1);
    }
    const truth = [...exact].sort((a, b) => b[1] - a[1]).slice(0, 10);
    const got = t.top();
    expect(got.map((g) => g.value)).toEqual(truth.map(([v]) => v));
    for (const g of got) {
      const real = exact.get(g.value as string)!;
      expect(g.count).toBeGreaterThanOrEqual(real);
      expect(g.count).toBeLessThanOrEqual(real * 1.02);
    }
    // Memory is fixed: the same after many more distinct values.
    const before = t.bytes();
    for (let i = 0; i < 100_000; i++) t.add(`other-${i}`);
    expect(t.bytes()).toBeLessThan(before * 1.2);
  });

  it('merges halves to about the whole and survives a snapshot', () => {
    const a = new ApproxTopK(5);
    const b = new ApproxTopK(5);
    const whole = new ApproxTopK(5);
    for (let i = 0; i < 20_000; i++) {
      const v = `p${(i * i) % 97}`;
      (i % 2 === 0 ? a : b).add(v);
      whole.add(v);
    }
    a.merge(b);
    expect(a.top().map((x) => x.value)).toEqual(whole.top().map((x) => x.value));
    const copy = ApproxTopK.fromJSON(structuredClone(a.toJSON()));
    expect(copy.top()).toEqual(a.top());
  });
});
