// join.interval on random out-of-order input against a brute-force model of Flink's
// IntervalJoinOperator: one cleanup timer per buffered record (left at ts + max(upper, 0), right at
// ts + max(−lower, 0)) firing when the watermark reaches it, records behind the watermark late.
// Out-of-order records and unequal per-side delays exercise the cleanup queue's fallback path.
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

interface Stored { side: 0 | 1; key: string; ts: number; id: number; due: number; gone: boolean }

function run(seed: number, lower: number, upper: number, count = 600, keyOf: (id: number, r: () => number) => string = (_id, r) => `k${Math.floor(r() * 4)}`) {
  const r = rng(seed);
  const params = { lowerBound: lower, upperBound: upper, output: '{ l: left.id, r: right.id }' };
  const h = new OperatorHarness('join.interval', params, { keyed: true, inputs: 2, connect: ['out', 'late'] });
  const delay = [Math.max(upper, 0), Math.max(-lower, 0)];
  const wm = [-Infinity, -Infinity];
  const maxTs = [0, 0];
  let now = -Infinity;
  const stored: Stored[] = [];
  const expected: string[] = [];
  const late: number[] = [];
  const advance = (w: number) => {
    if (w <= now) return;
    now = w;
    for (const s of stored) if (s.due <= w) s.gone = true;
    // Gone entries never come back: forget them (keeps the model linear on long runs).
    for (let i = stored.length - 1; i >= 0; i--) if (stored[i]!.gone) stored.splice(i, 1);
  };
  for (let id = 0; id < count; id++) {
    const side = r() < 0.5 ? 0 : 1;
    const key = keyOf(id, r);
    // Mostly increasing time with jitter up to 40 ms behind the side's latest.
    maxTs[side] += Math.floor(r() * 6);
    const ts = maxTs[side]! - Math.floor(r() * 40);
    const after = Math.max(wm[side]!, maxTs[side]! - 25);
    advance(Math.min(wm[0]!, wm[1]!));
    if (ts < now) late.push(id);
    else {
      for (const s of stored) {
        if (s.gone || s.side === side || s.key !== key) continue;
        const [lt, rt, li, ri] = side === 0 ? [ts, s.ts, id, s.id] : [s.ts, ts, s.id, id];
        if (rt >= lt + lower && rt <= lt + upper) expected.push(`${li}-${ri}`);
      }
      stored.push({ side, key, ts, id, due: ts + delay[side]!, gone: false });
    }
    h.push([{ value: { id }, ts, key, wmAfter: after }], side);
    wm[side] = after;
    advance(Math.min(wm[0]!, wm[1]!));
  }
  const got = h.outValues().map((v) => `${(v as { l: number }).l}-${(v as { r: number }).r}`);
  const gotLate = h.outValues('late').map((v) => ((v as { record: { id: number } }).record.id));
  h.watermark(Infinity, 0).watermark(Infinity, 1);
  return { got: got.sort(), expected: expected.sort(), gotLate, late, after: (h.op as unknown as Stateful).stateSize().keys };
}

describe('join.interval against a brute-force model on out-of-order input', () => {
  it.each([
    [1, -10, 10],
    [2, 0, 30],
    [3, -30, 0],
    [4, 5, 20],
    [5, -20, -5],
  ])('seed %i, bounds [%i, %i]', (seed, lower, upper) => {
    const res = run(seed, lower, upper);
    expect(res.expected.length).toBeGreaterThan(10);
    expect(res.late.length).toBeGreaterThan(0);
    expect(res.got).toEqual(res.expected);
    expect(res.gotLate).toEqual(res.late);
    expect(res.after).toBe(0);
  });

  it('many short-lived keys: idle keys are swept and their ids reused by new keys without mixing records', () => {
    // Each key lives for a few records, so thousands go idle, are swept, and their ids come back.
    const res = run(6, -10, 10, 20_000, (id, r) => `u${Math.floor(id / 4) + (r() < 0.1 ? 1 : 0)}`);
    expect(res.expected.length).toBeGreaterThan(500);
    expect(res.got).toEqual(res.expected);
    expect(res.gotLate).toEqual(res.late);
    expect(res.after).toBe(0);
  });
});
