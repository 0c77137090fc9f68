// join.interval on random out-of-order input against a brute-force model of Flink's
// IntervalJoinOperator: one cleanup timer per buffered record (left at ts + max(upper, 0), right at
// ts + max(−lower, 0)) firing when the watermark reaches it, records behind the watermark late.
// Out-of-order records and unequal per-side delays exercise the cleanup queue's fallback path.
// Records arrive in batches of random length whose watermark moves between records (as a source's
// per-record watermarks do), so the clock moves, state is cleaned up and records turn late in the
// middle of a batch; the model handles them one at a time, as Flink's operator sees them.
import { describe, expect, it } from 'vitest';
import type { Stateful } from '../../runtime/engine/timed.js';
import { OperatorHarness } from '../support/harness.js';

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

interface Stored { side: 0 | 1; key: unknown; ts: number; id: number; due: number; gone: boolean }

interface Options {
  count?: number;
  keyOf?: (id: number, r: () => number) => unknown;
  /** Records per batch: 1 up to this many, all on one side. */
  batchMax?: number;
  /** Chance, at each batch boundary, of restoring the state into a fresh operator. */
  restore?: number;
}

function run(seed: number, lower: number, upper: number, opts: Options = {}) {
  const { count = 600, keyOf = (_id, r) => `k${Math.floor(r() * 4)}`, batchMax = 1, restore = 0 } = opts;
  const r = rng(seed);
  const params = { lowerBound: lower, upperBound: upper, output: '{ l: left.id, r: right.id }' };
  const make = () => new OperatorHarness('join.interval', params, { keyed: true, inputs: 2, connect: ['out', 'late'] });
  let h = make();
  const got: string[] = [];
  const gotLate: number[] = [];
  const collect = () => {
    for (const v of h.outValues()) got.push(`${(v as { l: number }).l}-${(v as { r: number }).r}`);
    for (const v of h.outValues('late')) gotLate.push((v as { record: { id: number } }).record.id);
  };
  const delay = [Math.max(upper, 0), Math.max(-lower, 0)];
  const wm = [-Infinity, -Infinity];
  const maxTs = [0, 0];
  let now = -Infinity;
  const stored: Stored[] = [];
  const expected: string[] = [];
  const late: number[] = [];
  let batches = 0;
  let restores = 0;
  let movesInside = 0;
  const advance = (w: number) => {
    if (w <= now) return;
    now = w;
    for (const s of stored) if (s.due <= w) s.gone = true;
    // Gone entries never come back: forget them (keeps the model linear on long runs).
    for (let i = stored.length - 1; i >= 0; i--) if (stored[i]!.gone) stored.splice(i, 1);
  };
  for (let id = 0; id < count; ) {
    // Mostly the side behind in time: the sides stay close, but either may lead by a few batches,
    // and while the other leads, every watermark inside a batch moves the node's clock.
    const behind = maxTs[0]! <= maxTs[1]! ? 0 : 1;
    const side: 0 | 1 = r() < 0.7 ? behind : behind === 0 ? 1 : 0;
    const n = Math.min(1 + Math.floor(r() * batchMax), count - id);
    const batch: { value: unknown; ts: number; key: unknown; wmAfter?: number }[] = [];
    for (let j = 0; j < n; j++, id++) {
      const key = keyOf(id, r);
      // Mostly increasing time with jitter up to 40 ms behind the side's latest.
      maxTs[side] += Math.floor(r() * 6);
      const ts = maxTs[side]! - Math.floor(r() * 40);
      // Now and then a record moves no watermark (a batch may carry none at all).
      const moves = r() < 0.7;
      const after = moves ? Math.max(wm[side]!, maxTs[side]! - 25) : wm[side]!;
      const before = now;
      advance(Math.min(wm[0]!, wm[1]!));
      if (j > 0 && now > before) movesInside++;
      if (ts < now) late.push(id);
      else {
        for (const s of stored) {
          if (s.gone || s.side === side || s.key !== key) continue;
          const [lt, rt, li, ri] = side === 0 ? [ts, s.ts, id, s.id] : [s.ts, ts, s.id, id];
          if (rt >= lt + lower && rt <= lt + upper) expected.push(`${li}-${ri}`);
        }
        stored.push({ side, key, ts, id, due: ts + delay[side]!, gone: false });
      }
      batch.push(moves ? { value: { id }, ts, key, wmAfter: after } : { value: { id }, ts, key });
      wm[side] = after;
    }
    h.push(batch, side);
    batches++;
    advance(Math.min(wm[0]!, wm[1]!));
    if (restore > 0 && r() < restore) {
      // A checkpoint here and a restart from it: the new operator gets the state and then the
      // watermarks each input had reached (as the job restores them), and must continue alike.
      const snap = structuredClone((h.op as unknown as Stateful).snapshotState());
      collect();
      h = make();
      (h.op as unknown as Stateful).restoreState(snap);
      h.watermark(wm[0]!, 0).watermark(wm[1]!, 1);
      restores++;
    }
  }
  collect();
  h.watermark(Infinity, 0).watermark(Infinity, 1);
  return { got: got.sort(), expected: expected.sort(), gotLate, late, after: (h.op as unknown as Stateful).stateSize().keys, batches, restores, movesInside };
}

const BOUNDS: [number, number, number][] = [
  [1, -10, 10],
  [2, 0, 30],
  [3, -30, 0],
  [4, 5, 20],
  [5, -20, -5],
];

describe('join.interval against a brute-force model on out-of-order input', () => {
  it.each(BOUNDS)('seed %i, bounds [%i, %i], one record per batch', (seed, lower, upper) => {
    const res = run(seed, lower, upper);
    expect(res.expected.length).toBeGreaterThan(10);
    expect(res.late.length).toBeGreaterThan(0);
    expect(res.got).toEqual(res.expected);
    expect(res.gotLate).toEqual(res.late);
    expect(res.after).toBe(0);
  });

  it.each(BOUNDS)('seed %i, bounds [%i, %i], batches with watermarks between their records', (seed, lower, upper) => {
    const res = run(seed + 100, lower, upper, { count: 3000, batchMax: 40 });
    expect(res.batches).toBeLessThan(300);
    expect(res.movesInside).toBeGreaterThan(100);
    expect(res.expected.length).toBeGreaterThan(50);
    expect(res.late.length).toBeGreaterThan(10);
    expect(res.got).toEqual(res.expected);
    expect(res.gotLate).toEqual(res.late);
    expect(res.after).toBe(0);
  });

  it.each(BOUNDS)('seed %i, bounds [%i, %i], batches, restored from a snapshot now and then', (seed, lower, upper) => {
    const res = run(seed + 200, lower, upper, { count: 3000, batchMax: 40, restore: 0.2 });
    expect(res.restores).toBeGreaterThan(5);
    expect(res.late.length).toBeGreaterThan(10);
    expect(res.got).toEqual(res.expected);
    expect(res.gotLate).toEqual(res.late);
    expect(res.after).toBe(0);
  });

  it('many short-lived keys: idle keys are swept and their ids reused by new keys without mixing records', () => {
    // Each key lives for a few records, so thousands go idle, are swept, and their ids come back.
    const res = run(6, -10, 10, { count: 20_000, keyOf: (id, r) => `u${Math.floor(id / 4) + (r() < 0.1 ? 1 : 0)}` });
    expect(res.expected.length).toBeGreaterThan(500);
    expect(res.got).toEqual(res.expected);
    expect(res.gotLate).toEqual(res.late);
    expect(res.after).toBe(0);
  });

  it('many short-lived keys in batches: keys expire in the middle of a batch whose ids were looked up before', () => {
    // Each key gets a few records within about four batches (of either side), then never returns.
    const res = run(7, -10, 10, { count: 40_000, batchMax: 64, keyOf: (id, r) => `u${Math.floor(id / 128) * 32 + Math.floor(r() * 32)}` });
    expect(res.movesInside).toBeGreaterThan(1000);
    expect(res.expected.length).toBeGreaterThan(500);
    expect(res.got).toEqual(res.expected);
    expect(res.gotLate).toEqual(res.late);
    expect(res.after).toBe(0);
  });

  it('short-lived keys that all share one hash: the key table compares keys, through sweeps, id reuse and restores', () => {
    // Doubles built so that the key table hashes every one alike (its hash of a non-integer number
    // mixes the two 32-bit halves): each probe walks past the others and must tell them apart.
    const bits = new Float64Array(1);
    const w = new Int32Array(bits.buffer);
    const colliding = (n: number): number => {
      w[1] = 0x40000000 + n;
      w[0] = 0x1234567 ^ Math.imul(w[1], 0x9e3779b1);
      return bits[0]!;
    };
    const res = run(8, -10, 10, { count: 30_000, batchMax: 64, restore: 0.01, keyOf: (id, r) => colliding(Math.floor(id / 128) * 32 + Math.floor(r() * 32)) });
    expect(res.restores).toBeGreaterThan(2);
    expect(res.expected.length).toBeGreaterThan(500);
    expect(res.got).toEqual(res.expected);
    expect(res.gotLate).toEqual(res.late);
    expect(res.after).toBe(0);
  });
});
