// Conformance of the window node with Flink's WindowOperator, assigners and default triggers.
// Each test names the Flink class or documentation section whose behaviour it pins down.
import { describe, expect, it } from 'vitest';
import { slidingStarts, windowStart } from '../../runtime/nodes/window/assign.js';
import { OperatorHarness } from '../support/harness.js';

type R = { value: unknown; ts: number; key?: unknown; wmAfter?: number };

function win(params: Record<string, unknown>, keyed = true) {
  return new OperatorHarness('window', { aggregates: { n: { fn: 'count' } }, ...params }, { keyed });
}

/** Records for one key with ts, each followed by a watermark of ts − bound (like the sources). */
function recs(key: unknown, ...ts: number[]): R[] {
  return ts.map((t) => ({ value: { t }, ts: t, key }));
}

const results = (h: OperatorHarness) => h.outValues() as { key: unknown; windowStart: number; windowEnd: number; n: number }[];

describe('window start arithmetic (Flink TimeWindow.getWindowStartWithOffset, TimeWindowTest)', () => {
  it('aligns to the epoch plus offset, for negative timestamps too', () => {
    expect([0, 6, 7, 8].map((t) => windowStart(t, 0, 7))).toEqual([0, 0, 7, 7]);
    expect([2, 8, 9, 10].map((t) => windowStart(t, 2, 7))).toEqual([2, 2, 9, 9]);
    expect([-1, 5, 6].map((t) => windowStart(t, -1, 7))).toEqual([-1, -1, 6]);
    expect([-1, -7, -8, -14, -15].map((t) => windowStart(t, 0, 7))).toEqual([-7, -7, -14, -14, -21]);
    expect(windowStart(-3, 2, 7)).toBe(-5);
  });

  it('lists sliding windows latest first, starting before 0 when needed (SlidingEventTimeWindows.assignWindows)', () => {
    const out: number[] = [];
    expect(slidingStarts(12, 10, 5, 0, out)).toBe(2);
    expect(out.slice(0, 2)).toEqual([10, 5]);
    expect(slidingStarts(2, 10, 5, 0, out)).toBe(2);
    expect(out.slice(0, 2)).toEqual([0, -5]);
    expect(slidingStarts(-1, 10, 3, 0, out)).toBe(3); // [-12,-2) no longer holds -1
    expect(out.slice(0, 3)).toEqual([-3, -6, -9]);
    expect(slidingStarts(7, 10, 3, 1, out)).toBe(4); // grid 1, 4, 7, …
    expect(out.slice(0, 4)).toEqual([7, 4, 1, -2]);
  });
});

describe('tumbling event-time windows (TumblingEventTimeWindows + EventTimeTrigger)', () => {
  it('fires when the watermark reaches end − 1, stamped end − 1', () => {
    const h = win({ assigner: { kind: 'tumbling', size: 10 } });
    h.push(recs('a', 1, 5, 9, 10));
    h.watermark(8);
    expect(h.output()).toEqual([]);
    h.watermark(9);
    expect(results(h)).toEqual([{ key: 'a', windowStart: 0, windowEnd: 10, n: 3 }]);
    expect(h.output()[0]!.ts).toBe(9);
    // The result goes out before the watermark that fired it.
    expect(h.output()[0]!.wm).toBeLessThan(9);
    expect(h.watermarksOut()).toContain(9);
  });

  it('keeps keys apart and fires every key of a window in first-seen order', () => {
    const h = win({ assigner: { kind: 'tumbling', size: 10 } });
    h.push([...recs('b', 3), ...recs('a', 4), ...recs('b', 8), ...recs('c', 12)]);
    h.watermark(100);
    expect(results(h).map((r) => [r.key, r.windowStart, r.n])).toEqual([
      ['b', 0, 2],
      ['a', 0, 1],
      ['c', 10, 1],
    ]);
  });

  it('shifts windows by offset, including negative offsets', () => {
    const h = win({ assigner: { kind: 'tumbling', size: 10, offset: 3 } });
    h.push(recs('a', 2, 3, 12, 13, -8));
    h.watermark(Infinity);
    expect(results(h).map((r) => [r.windowStart, r.windowEnd, r.n])).toEqual([
      [-17, -7, 1], // -8: (-8 − 3) % 10 = -1 → start -8 − (-1 + 10)
      [-7, 3, 1],
      [3, 13, 2],
      [13, 23, 1],
    ]);
    const neg = win({ assigner: { kind: 'tumbling', size: '1h', offset: '-15m' } });
    neg.push(recs('a', 0, 44 * 60_000, 45 * 60_000));
    neg.watermark(Infinity);
    expect(results(neg).map((r) => [r.windowStart / 60_000, r.n])).toEqual([
      [-15, 2],
      [45, 1],
    ]);
  });

  it('rejects |offset| ≥ size, as Flink does', () => {
    expect(() => win({ assigner: { kind: 'tumbling', size: 10, offset: 10 } })).toThrow(/offset/);
    expect(() => win({ assigner: { kind: 'sliding', size: 10, slide: 5, offset: -5 } })).toThrow(/offset/);
  });

  it('closes every window on the final watermark of an exhausted input', () => {
    const h = win({ assigner: { kind: 'tumbling', size: 10 } });
    h.push(recs('a', 1, 15, 27));
    h.watermark(Infinity);
    expect(results(h).map((r) => r.windowStart)).toEqual([0, 10, 20]);
  });

  it('does not fire on an interrupted input (no final watermark)', () => {
    const h = win({ assigner: { kind: 'tumbling', size: 10 } });
    h.push(recs('a', 1, 15));
    h.end();
    expect(h.output()).toEqual([]);
    expect(h.ended()).toBe(true);
  });

  it('gives the same result whatever the batching (per-record watermarks)', () => {
    const input: R[] = [];
    for (let i = 0; i < 200; i++) {
      const t = i * 3 - ((i * 7) % 5);
      input.push({ value: { t }, ts: t, key: `k${i % 3}`, wmAfter: i * 3 - 6 });
    }
    const one = win({ assigner: { kind: 'sliding', size: 20, slide: 5 }, allowedLateness: 4 });
    one.push(input).end();
    const many = win({ assigner: { kind: 'sliding', size: 20, slide: 5 }, allowedLateness: 4 });
    for (let i = 0; i < input.length; i += 7) many.push(input.slice(i, i + 7));
    many.end();
    expect(many.output()).toEqual(one.output());
    expect(one.output().length).toBeGreaterThan(100);
  });
});

describe('sliding windows (SlidingEventTimeWindows)', () => {
  it('puts a record in size/slide windows and fires each at its own end', () => {
    const h = win({ assigner: { kind: 'sliding', size: 10, slide: 5 } });
    h.push(recs('a', 2, 7, 12));
    h.watermark(4);
    expect(results(h).map((r) => [r.windowStart, r.n])).toEqual([[-5, 1]]);
    h.watermark(9);
    expect(results(h).map((r) => [r.windowStart, r.n])).toEqual([
      [-5, 1],
      [0, 2],
    ]);
    h.watermark(Infinity);
    expect(results(h).map((r) => [r.windowStart, r.windowEnd, r.n])).toEqual([
      [-5, 5, 1],
      [0, 10, 2],
      [5, 15, 2],
      [10, 20, 1],
    ]);
  });
});

describe('session windows (EventTimeSessionWindows, MergingWindowSet, TimeWindow.intersects)', () => {
  const session = (gap: number, extra: Record<string, unknown> = {}) => win({ assigner: { kind: 'session', gap }, ...extra });

  it('merges windows that touch: [0,10) and [10,20) are one session', () => {
    const h = session(10);
    h.push(recs('a', 0, 10, 21));
    h.watermark(Infinity);
    expect(results(h).map((r) => [r.windowStart, r.windowEnd, r.n])).toEqual([
      [0, 20, 2], // [10,20) starts where [0,10) ends: they intersect, so merged
      [21, 31, 1], // 21 > 20: a new session
    ]);
  });

  it('a record between two sessions merges both (out of order)', () => {
    const h = session(10);
    h.push(recs('a', 0, 20, 10)); // [10,20) touches [0,10) and [20,30)
    h.push(recs('b', 0, 22, 11)); // [11,21) touches neither [0,10) nor [22,32)
    h.watermark(Infinity);
    // Fired in order of window end, across keys.
    expect(results(h).map((r) => [r.key, r.windowStart, r.windowEnd, r.n])).toEqual([
      ['b', 0, 10, 1],
      ['b', 11, 21, 1],
      ['a', 0, 30, 3],
      ['b', 22, 32, 1],
    ]);
  });

  it('sessions are per key and fire at end − 1 of the merged window', () => {
    const h = session(5);
    h.push([...recs('a', 0), ...recs('b', 1), ...recs('a', 4)]);
    h.watermark(5);
    expect(results(h).map((r) => [r.key, r.windowStart, r.windowEnd])).toEqual([['b', 1, 6]]);
    h.watermark(8);
    expect(results(h).map((r) => [r.key, r.windowStart, r.windowEnd])).toEqual([
      ['b', 1, 6],
      ['a', 0, 9],
    ]);
    expect(h.output().map((o) => o.ts)).toEqual([5, 8]);
  });

  it('merges accumulators: sum, min, max, first, last, collect in arrival order', () => {
    const h = new OperatorHarness(
      'window',
      {
        assigner: { kind: 'session', gap: 10 },
        aggregates: { s: { fn: 'sum', field: 'v' }, lo: { fn: 'min', field: 'v' }, hi: { fn: 'max', field: 'v' }, f: { fn: 'first', field: 'v' }, l: { fn: 'last', field: 'v' }, all: { fn: 'collect', field: 'v' } },
      },
      { keyed: true },
    );
    h.push([
      { value: { v: 1 }, ts: 0, key: 'a' },
      { value: { v: 2 }, ts: 30, key: 'a' },
      { value: { v: 3 }, ts: 15, key: 'a' }, // [15,25) touches neither [0,10) nor [30,40)
      { value: { v: 4 }, ts: 8, key: 'a' }, // [8,18) touches [0,10) and [15,25)
      { value: { v: 5 }, ts: 24, key: 'a' }, // [24,34) touches [0,25) and [30,40): one session
    ]);
    h.watermark(Infinity);
    expect(h.outValues()).toEqual([{ key: 'a', windowStart: 0, windowEnd: 40, s: 15, lo: 1, hi: 5, f: 1, l: 5, all: [1, 2, 3, 4, 5] }]);
  });
});

describe('allowed lateness and the late port (WindowOperator.isWindowLate, "Allowed Lateness" in the windows docs)', () => {
  it('updates and re-fires a window for records within the lateness, then sends later ones to late', () => {
    const h = win({ assigner: { kind: 'tumbling', size: 10 }, allowedLateness: 5 });
    h.push(recs('a', 1, 2));
    h.watermark(9);
    expect(results(h).map((r) => r.n)).toEqual([2]);
    h.push(recs('a', 3)); // watermark 9 ≥ end − 1: late, but within lateness → late firing at once
    expect(results(h).map((r) => r.n)).toEqual([2, 3]);
    h.watermark(13);
    h.push(recs('a', 4)); // 9 + 5 = 14 > 13: still accepted
    expect(results(h).map((r) => r.n)).toEqual([2, 3, 4]);
    h.watermark(14); // cleanup time 9 + 5 reached: state gone
    h.push(recs('a', 5));
    expect(results(h).map((r) => r.n)).toEqual([2, 3, 4]);
    expect(h.outValues('late')).toEqual([{ t: 5 }]);
    expect(h.output('late')[0]!.ts).toBe(5);
    expect(h.metrics.late).toBe(1);
    expect(h.metrics.stateSize().keys).toBe(0);
  });

  it('without lateness, a record behind the watermark for all its windows is late', () => {
    const h = win({ assigner: { kind: 'sliding', size: 10, slide: 5 } });
    h.push(recs('a', 12));
    h.watermark(14);
    h.push(recs('a', 8)); // windows [5,15) (max 14 ≤ wm) and [0,10): both late
    h.push(recs('a', 13)); // [10,20) still open
    expect(h.outValues('late')).toEqual([{ t: 8 }]);
    h.watermark(Infinity);
    expect(results(h).map((r) => [r.windowStart, r.n])).toEqual([
      [5, 1],
      [10, 2],
    ]);
  });

  it('a late session record that extends a session within lateness fires the merged window at once', () => {
    const h = win({ assigner: { kind: 'session', gap: 10 }, allowedLateness: 20 });
    h.push(recs('a', 0));
    h.watermark(9);
    h.push(recs('a', 5)); // merged [0,15) ends after the watermark: a new timer, no firing yet
    expect(results(h).map((r) => [r.windowStart, r.windowEnd, r.n])).toEqual([[0, 10, 1]]);
    h.watermark(20);
    h.push(recs('a', 3)); // [3,13) merges into [0,15), already behind the watermark: fires at once
    expect(results(h).map((r) => [r.windowStart, r.windowEnd, r.n])).toEqual([
      [0, 10, 1],
      [0, 15, 2],
      [0, 15, 3],
    ]);
    h.watermark(40); // cleanup at 14 + 20 = 34
    h.push(recs('a', 6));
    expect(h.outValues('late')).toEqual([{ t: 6 }]);
  });

  it('counts late records even without an edge from late', () => {
    const h = new OperatorHarness('window', { assigner: { kind: 'tumbling', size: 10 }, aggregates: { n: { fn: 'count' } } }, { keyed: true, connect: ['out'] });
    h.push(recs('a', 1));
    h.watermark(20);
    h.push(recs('a', 2));
    expect(h.metrics.late).toBe(1);
    expect(h.job.failures).toEqual([]);
  });
});

describe('aggregates', () => {
  const all = {
    n: { fn: 'count' },
    nv: { fn: 'count', field: 'v' },
    s: { fn: 'sum', field: 'v' },
    lo: { fn: 'min', field: 'v' },
    hi: { fn: 'max', field: 'v' },
    mean: { fn: 'avg', field: 'v' },
    f: { fn: 'first', field: 'p' },
    l: { fn: 'last', field: 'p' },
    ps: { fn: 'collect', field: 'p' },
    d: { fn: 'countDistinct', field: 'p' },
    top: { fn: 'topK', field: 'p', k: 2 },
    ad: { fn: 'approxCountDistinct', field: 'p' },
    at: { fn: 'approxTopK', field: 'p', k: 2 },
  };

  it('computes every function incrementally, skipping nulls', () => {
    const h = new OperatorHarness('window', { assigner: { kind: 'tumbling', size: 100 }, aggregates: all });
    h.push([
      { value: { v: 3, p: 'x' }, ts: 1 },
      { value: { v: null, p: 'y' }, ts: 2 },
      { value: { v: -2, p: 'x' }, ts: 3 },
      { value: { p: 'z' }, ts: 4 },
      { value: { v: 10.5, p: 'y' }, ts: 5 },
      { value: { v: 1 }, ts: 6 },
    ]);
    h.watermark(Infinity);
    expect(h.outValues()).toEqual([
      {
        key: null, windowStart: 0, windowEnd: 100,
        n: 6, nv: 4, s: 12.5, lo: -2, hi: 10.5, mean: 12.5 / 4,
        f: 'x', l: 'y', ps: ['x', 'y', 'x', 'z', 'y', undefined], d: 3,
        top: [{ value: 'x', count: 2 }, { value: 'y', count: 2 }],
        ad: 3, at: [{ value: 'x', count: 2 }, { value: 'y', count: 2 }],
      },
    ]);
  });

  it('gives null for sum/min/max/avg of no values, 0 for count, [] for topK', () => {
    const h = new OperatorHarness('window', { assigner: { kind: 'tumbling', size: 100 }, aggregates: all });
    h.push([{ value: {}, ts: 1 }]);
    h.watermark(Infinity);
    expect(h.outValues()[0]).toMatchObject({ n: 1, nv: 0, s: null, lo: null, hi: null, mean: null, f: null, d: 0, top: [], ad: 0, at: [] });
  });

  it('reads nested fields with dots and collects whole records without a field', () => {
    const h = new OperatorHarness('window', { assigner: { kind: 'global', count: 2 }, aggregates: { s: { fn: 'sum', field: 'a.b' }, rs: { fn: 'collect' } } });
    h.push([
      { value: { a: { b: 2 } }, ts: 1 },
      { value: { a: { b: 5 } }, ts: 2 },
    ]);
    expect(h.outValues()).toEqual([{ key: null, windowStart: null, windowEnd: null, s: 7, rs: [{ a: { b: 2 } }, { a: { b: 5 } }] }]);
  });

  it('sends a record with a non-numeric value to errors, counted in no aggregate', () => {
    const h = new OperatorHarness('window', { assigner: { kind: 'tumbling', size: 100 }, aggregates: { n: { fn: 'count' }, s: { fn: 'sum', field: 'v' } } });
    h.push([
      { value: { v: 1 }, ts: 1 },
      { value: { v: '2' }, ts: 2 },
      { value: { v: 3 }, ts: 3 },
    ]);
    h.watermark(Infinity);
    expect(h.outValues()).toEqual([{ key: null, windowStart: 0, windowEnd: 100, n: 2, s: 4 }]);
    expect(h.outValues('errors')).toEqual([{ node: 'window', error: "field 'v' must be a number, got string \"2\"", record: { v: '2' } }]);
  });

  it('fails the run naming the node when errors is not connected', () => {
    const h = new OperatorHarness('window', { assigner: { kind: 'tumbling', size: 100 }, aggregates: { s: { fn: 'sum', field: 'v' } } }, { connect: ['out'] });
    expect(() => h.push([{ value: { v: 'x' }, ts: 1 }])).toThrow(/must be a number/);
  });
});

describe('count windows (countWindow: GlobalWindows + PurgingTrigger(CountTrigger))', () => {
  it('fires and clears every n records per key and never emits a partial window', () => {
    const h = win({ assigner: { kind: 'global', count: 3 } });
    h.push([...recs('a', 1, 2), ...recs('b', 3), ...recs('a', 4, 5, 6, 7), ...recs('b', 8)]);
    h.watermark(Infinity).end();
    expect(results(h).map((r) => [r.key, r.n])).toEqual([
      ['a', 3],
      ['a', 3],
    ]);
    expect(h.output().map((o) => o.ts)).toEqual([4, 7]);
    expect(h.metrics.stateSize().keys).toBe(1); // b's two records: never emitted
  });
});

describe('processing-time windows (TumblingProcessingTimeWindows + ProcessingTimeTrigger)', () => {
  it('assigns by the clock at arrival and fires on the clock', () => {
    const h = win({ assigner: { kind: 'tumbling', size: 1000 }, time: 'processing' });
    h.job.clock.advanceTo(500);
    h.push(recs('a', 1, 2)); // record timestamps do not matter
    h.job.clock.advanceTo(998);
    expect(h.output()).toEqual([]);
    h.job.clock.advanceTo(999);
    expect(results(h)).toEqual([{ key: 'a', windowStart: 0, windowEnd: 1000, n: 2 }]);
    h.job.clock.advanceTo(1500);
    h.push(recs('a', 3));
    h.watermark(Infinity); // end of a bounded input: remaining windows fire
    expect(results(h).map((r) => [r.windowStart, r.n])).toEqual([
      [0, 2],
      [1000, 1],
    ]);
    expect(h.job.clock.pendingCalls).toBe(0);
  });

  it('ignores watermarks other than the final one', () => {
    const h = win({ assigner: { kind: 'session', gap: 100 }, time: 'processing' });
    h.push(recs('a', 1));
    h.watermark(1_000_000);
    expect(h.output()).toEqual([]);
    h.job.clock.advanceTo(99);
    expect(results(h).map((r) => [r.windowStart, r.windowEnd])).toEqual([[0, 100]]);
  });
});

describe('state (metrics and snapshots)', () => {
  it('reports keys and bytes, and frees them when windows close', () => {
    const h = win({ assigner: { kind: 'tumbling', size: 10 } });
    h.push(Array.from({ length: 1000 }, (_, i) => ({ value: {}, ts: 1, key: `user-${i}` })));
    const s = h.metrics.stateSize();
    expect(s.keys).toBe(1000);
    expect(s.bytes).toBeGreaterThan(1000 * 40);
    expect(s.bytes).toBeLessThan(1000 * 200);
    h.watermark(9);
    expect(h.metrics.stateSize().keys).toBe(0);
  });

  for (const assigner of [{ kind: 'sliding', size: 20, slide: 5 }, { kind: 'session', gap: 7 }, { kind: 'global', count: 4 }]) {
    it(`restores a ${assigner.kind} snapshot and continues as if never stopped`, () => {
      const params = { assigner, allowedLateness: 6, aggregates: { n: { fn: 'count' }, s: { fn: 'sum', field: 'v' }, l: { fn: 'collect', field: 'v' }, t: { fn: 'approxTopK', field: 'v', k: 3 } } };
      const input: R[] = [];
      for (let i = 0; i < 300; i++) input.push({ value: { v: (i * 7) % 11 }, ts: i * 2 - (i % 4) * 3, key: `k${i % 5}`, wmAfter: i * 2 - 10 });
      const whole = new OperatorHarness('window', params, { keyed: true });
      whole.push(input).watermark(Infinity);

      const first = new OperatorHarness('window', params, { keyed: true });
      first.push(input.slice(0, 150));
      const snap = structuredClone((first.op as unknown as { snapshotState(): unknown }).snapshotState());
      const second = new OperatorHarness('window', params, { keyed: true });
      (second.op as unknown as { restoreState(s: unknown): void }).restoreState(snap);
      second.watermark(input[149]!.wmAfter!);
      second.push(input.slice(150)).watermark(Infinity);
      expect([...first.outValues(), ...second.outValues()]).toEqual(whole.outValues());
      expect(whole.outValues().length).toBeGreaterThan(20);
    });
  }
  type Op = { snapshotState(): { kind: string; version: number; data: unknown }; restoreState(s: unknown): void };
  const params = { assigner: { kind: 'tumbling', size: 10 }, aggregates: { n: { fn: 'count' }, s: { fn: 'sum', field: 'v' }, m: { fn: 'max', field: 'v' }, l: { fn: 'collect', field: 'v' } } };
  const keyed = (key: (i: number) => unknown): R[] => Array.from({ length: 200 }, (_, i) => ({ value: { v: (i * 7) % 13 }, ts: Math.floor(i / 10), key: key(i % 7), wmAfter: Math.floor(i / 10) - 3 }));

  // Checkpoints encode the snapshot after the sources go on: it must not change with the live state.
  for (const [name, key] of [
    ['string', (i: number) => `user-${i}é`],
    ['number', (i: number) => i * 1.5],
    ['mixed and composite', (i: number) => (i % 3 === 0 ? [i, 'x'] : i % 3 === 1 ? `k${i}` : i)],
  ] as const) {
    it(`tumbling: a snapshot of ${name} keys stays as taken while the window goes on, and restores`, () => {
      const input = keyed(key);
      const whole = new OperatorHarness('window', params, { keyed: true });
      whole.push(input).watermark(Infinity);
      const first = new OperatorHarness('window', params, { keyed: true });
      first.push(input.slice(0, 95));
      const snap = (first.op as unknown as Op).snapshotState();
      const before = first.outValues().length;
      expect(snap.version).toBe(3);
      first.push(input.slice(95)).watermark(Infinity);
      const second = new OperatorHarness('window', params, { keyed: true });
      (second.op as unknown as Op).restoreState(structuredClone(snap));
      second.watermark(input[94]!.wmAfter!);
      second.push(input.slice(95)).watermark(Infinity);
      expect([...first.outValues().slice(0, before), ...second.outValues()]).toEqual(whole.outValues());
      expect(first.outValues()).toEqual(whole.outValues());
      // The snapshot held open windows of several keys, which fired only after the restore.
      expect(second.outValues().length).toBeGreaterThan(7);
    });
  }

  it('tumbling: restores a version 2 snapshot (checkpoints written before binary columns)', () => {
    const h = new OperatorHarness('window', params, { keyed: true });
    // What version 2 wrote: keys, and per aggregate a column of each key's saved value.
    const v2 = {
      kind: 'window.panes',
      version: 2,
      data: { panes: [{ start: 0, fired: false, keys: ['a', 'b'], cols: [[[2, 2], [1, 1]], [[5, 2], [4, 1]], [[3, 2], [4, 1]], [{ v: [2, 3], seq: [0, 2] }, { v: [4], seq: [1] }]] }], arrivals: 3 },
    };
    (h.op as unknown as Op).restoreState(v2);
    h.push([{ value: { v: 9 }, ts: 5, key: 'a' }]).watermark(Infinity);
    expect(h.outValues()).toEqual([
      { key: 'a', windowStart: 0, windowEnd: 10, n: 3, s: 14, m: 9, l: [2, 3, 9] },
      { key: 'b', windowStart: 0, windowEnd: 10, n: 1, s: 4, m: 4, l: [4] },
    ]);
  });

  it('tumbling: refuses a snapshot version it does not know, naming it', () => {
    const h = new OperatorHarness('window', params, { keyed: true });
    expect(() => (h.op as unknown as Op).restoreState({ kind: 'window.panes', version: 4, data: {} })).toThrow('cannot restore window.panes v4 into a tumbling/sliding window (this version reads v1 to v3)');
  });
});
