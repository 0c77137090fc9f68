// join.interval against the rules of Flink's IntervalJoinOperator, mirroring the cases of its
// IntervalJoinOperatorTest (bounds inclusive and exclusive on both sides of zero, mirrored bounds,
// state cleanup timing, restore from a snapshot, late data), both with the left input ahead of the
// right one and the other way round.
import { describe, expect, it } from 'vitest';
import { metricsRegistry } from '../../runtime/host/prometheus.js';
import type { Stateful } from '../../runtime/engine/timed.js';
import type { IntervalJoinOperator } from '../../runtime/nodes/join-interval/operator.js';
import { REGISTRY } from '../../runtime/nodes/registry.js';
import { OperatorHarness } from '../support/harness.js';

const LEFT = 0;
const RIGHT = 1;

function join(lowerBound: number, lowerInclusive: boolean, upperBound: number, upperInclusive: boolean, connect?: string[]) {
  return new OperatorHarness(
    'join.interval',
    {
      lowerBound,
      upperBound,
      lowerBoundExclusive: !lowerInclusive,
      upperBoundExclusive: !upperInclusive,
      output: '{ l: left.ts, r: right.ts, key }',
    },
    { keyed: true, inputs: 2, connect },
  );
}

const rec = (ts: number, key = 'k') => ({ value: { ts, key }, ts, key });

/** IntervalJoinOperatorTest.processElementsAndWatermarks: elements 1..n with a watermark after each, one side first. */
function feed(h: OperatorHarness, leftFirst: boolean, from = 1, to = 4): OperatorHarness {
  const side = (input: number) => {
    for (let i = from; i <= to; i++) {
      h.push([rec(i)], input);
      h.watermark(i, input);
    }
  };
  if (leftFirst) {
    side(LEFT);
    side(RIGHT);
  } else {
    side(RIGHT);
    side(LEFT);
  }
  return h;
}

function pairs(h: OperatorHarness): [number, number][] {
  return h
    .outValues()
    .map((v) => v as { l: number; r: number })
    .map((v): [number, number] => [v.l, v.r])
    .sort((a, b) => a[0] - b[0] || a[1] - b[1]);
}

function buffers(h: OperatorHarness, key = 'k'): { left: number[]; right: number[] } {
  const snap = (h.op as unknown as Stateful).snapshotState().data as { keys: [unknown, [number, unknown][], [number, unknown][]][] };
  const k = snap.keys.find((e) => e[0] === key);
  return { left: k ? k[1].map((e) => e[0]) : [], right: k ? k[2].map((e) => e[0]) : [] };
}

describe.each([true, false])('IntervalJoinOperatorTest cases (left ahead of right: %s)', (leftFirst) => {
  it('mirrored bounds give mirrored pairs (testImplementationMirrorsCorrectly)', () => {
    expect(pairs(feed(join(1, true, 3, false), leftFirst))).toEqual([[1, 2], [1, 3], [2, 3], [2, 4], [3, 4]]);
    expect(pairs(feed(join(-3, false, -1, true), leftFirst))).toEqual([[2, 1], [3, 1], [3, 2], [4, 2], [4, 3]]);
  });

  it('negative inclusive, negative inclusive', () => {
    expect(pairs(feed(join(-2, true, -1, true), leftFirst))).toEqual([[2, 1], [3, 1], [3, 2], [4, 2], [4, 3]]);
  });

  it('negative inclusive, positive inclusive; equal timestamps join', () => {
    expect(pairs(feed(join(-1, true, 1, true), leftFirst))).toEqual([[1, 1], [1, 2], [2, 1], [2, 2], [2, 3], [3, 2], [3, 3], [3, 4], [4, 3], [4, 4]]);
  });

  it('positive inclusive, positive inclusive', () => {
    expect(pairs(feed(join(1, true, 2, true), leftFirst))).toEqual([[1, 2], [1, 3], [2, 3], [2, 4], [3, 4]]);
  });

  it('negative exclusive, negative exclusive', () => {
    expect(pairs(feed(join(-3, false, -1, false), leftFirst))).toEqual([[3, 1], [4, 2]]);
  });

  it('negative exclusive, positive exclusive: only equal timestamps', () => {
    expect(pairs(feed(join(-1, false, 1, false), leftFirst))).toEqual([[1, 1], [2, 2], [3, 3], [4, 4]]);
  });

  it('positive exclusive, positive exclusive', () => {
    expect(pairs(feed(join(1, false, 3, false), leftFirst))).toEqual([[1, 3], [2, 4]]);
  });

  it('never reports late records for in-order input, and stamps each pair with the later timestamp', () => {
    const h = feed(join(-1, true, 1, true, ['out', 'late']), leftFirst);
    expect(h.outValues('late')).toEqual([]);
    for (const o of h.output()) {
      const v = o.value as { l: number; r: number };
      expect(o.ts).toBe(Math.max(v.l, v.r));
    }
  });
});

describe('state cleanup timing (IntervalJoinOperatorTest.testStateCleanup*)', () => {
  const cases: [string, number, boolean, number, boolean, { wm: number; left: number[]; right: number[] }[]][] = [
    ['[-1, 0]', -1, true, 0, true, [
      { wm: 1, left: [2, 3, 4, 5], right: [1, 2, 3, 4, 5] },
      { wm: 4, left: [5], right: [4, 5] },
      { wm: 6, left: [], right: [] },
    ]],
    ['(-2, 1)', -2, false, 1, false, [
      { wm: 1, left: [2, 3, 4, 5], right: [1, 2, 3, 4, 5] },
      { wm: 4, left: [5], right: [4, 5] },
      { wm: 6, left: [], right: [] },
    ]],
    ['[0, 1]', 0, true, 1, true, [
      { wm: 1, left: [1, 2, 3, 4, 5], right: [2, 3, 4, 5] },
      { wm: 4, left: [4, 5], right: [5] },
      { wm: 6, left: [], right: [] },
    ]],
    ['(-1, 2)', -1, false, 2, false, [
      { wm: 1, left: [1, 2, 3, 4, 5], right: [2, 3, 4, 5] },
      { wm: 4, left: [4, 5], right: [5] },
      { wm: 6, left: [], right: [] },
    ]],
  ];
  it.each(cases)('%s', (_name, lo, loInc, hi, hiInc, steps) => {
    const h = join(lo, loInc, hi, hiInc);
    for (let i = 1; i <= 5; i++) h.push([rec(i)], LEFT);
    for (let i = 1; i <= 5; i++) h.push([rec(i)], RIGHT);
    for (const s of steps) {
      h.watermark(s.wm, LEFT);
      // One input alone never moves the node's watermark: the minimum of both holds it.
      expect(buffers(h)).not.toEqual({ left: s.left, right: s.right });
      h.watermark(s.wm, RIGHT);
      expect(buffers(h)).toEqual({ left: s.left, right: s.right });
    }
    expect((h.op as unknown as Stateful).stateSize().keys).toBe(0);
  });
});

describe('keys, late data, errors', () => {
  it('joins only records of equal keys', () => {
    const h = join(-10, true, 10, true);
    h.push([rec(1, 'a'), rec(2, 'b')], LEFT);
    h.push([rec(3, 'a'), rec(4, 'c')], RIGHT);
    expect(h.outValues()).toEqual([{ l: 1, r: 3, key: 'a' }]);
  });

  it('sends records behind the watermark to late as {side, record}; a record at the watermark is on time', () => {
    const h = join(-5, true, 5, true, ['out', 'late']);
    h.watermark(10, LEFT).watermark(10, RIGHT);
    h.push([rec(9), rec(10)], LEFT);
    h.push([rec(8), rec(10)], RIGHT);
    expect(h.outValues('late')).toEqual([{ side: 'left', record: { ts: 9, key: 'k' } }, { side: 'right', record: { ts: 8, key: 'k' } }]);
    expect(pairs(h)).toEqual([[10, 10]]);
    expect(h.metrics.late).toBe(2);
  });

  it('a late record of a new key leaves no key behind', () => {
    const h = join(-5, true, 5, true, ['out']);
    h.watermark(10, LEFT).watermark(10, RIGHT);
    h.push([rec(1, 'gone'), rec(12, 'kept')], LEFT);
    expect((h.op as unknown as Stateful).stateSize().keys).toBe(1);
    expect(buffers(h, 'gone')).toEqual({ left: [], right: [] });
  });

  it('a key whose state is cleaned up in the middle of a batch keeps joining later in that batch', () => {
    // Enough keys expire at once (in the middle of the right batch) to make the key ids sweep;
    // k1's id was looked up with the batch, before the sweep, and must still be k1's.
    const h = join(-1, true, 1, true);
    h.push(Array.from({ length: 5000 }, (_, i) => rec(0, `k${i}`)), LEFT);
    h.watermark(100, LEFT);
    h.push([{ ...rec(2, 'zz'), wmAfter: 2 }, rec(2, 'k1')], RIGHT);
    expect((h.op as unknown as Stateful).stateSize().keys).toBe(2);
    h.push([rec(3, 'k1')], LEFT);
    expect(h.outValues()).toEqual([{ l: 3, r: 2, key: 'k1' }]);
  });

  it('counts and drops late records without an edge from late', () => {
    const h = join(-5, true, 5, true, ['out']);
    h.watermark(10, LEFT).watermark(10, RIGHT);
    h.push([rec(1)], LEFT);
    expect(h.metrics.late).toBe(1);
    expect(buffers(h)).toEqual({ left: [], right: [] });
  });

  it('lateness is judged per record against the minimum of both inputs', () => {
    const h = join(-5, true, 5, true, ['out', 'late']);
    // Left's watermark is at 100 but right's is not: records on either side are on time.
    h.push([{ ...rec(50), wmAfter: 100 }], LEFT);
    h.push([rec(52)], RIGHT);
    expect(h.outValues('late')).toEqual([]);
    expect(pairs(h)).toEqual([[50, 52]]);
    // Right moves to 100 in the middle of a batch: its next record is judged against 100.
    h.push([{ ...rec(99), wmAfter: 100 }, rec(60)], RIGHT);
    expect(h.outValues('late')).toEqual([{ side: 'right', record: { ts: 60, key: 'k' } }]);
  });

  it('an output expression that throws sends the record to errors', () => {
    const h = new OperatorHarness('join.interval', { lowerBound: -5, upperBound: 5, output: '{ x: left.a.b }' }, { keyed: true, inputs: 2 });
    h.push([{ value: {}, ts: 1, key: 'k' }], LEFT);
    h.push([{ value: { n: 1 }, ts: 2, key: 'k' }], RIGHT);
    expect(h.outValues('errors')).toHaveLength(1);
    expect((h.outValues('errors')[0] as { record: unknown }).record).toEqual({ n: 1 });
  });

  it('a pair whose output throws goes to errors and the rest of its batch still joins', () => {
    const h = new OperatorHarness('join.interval', { lowerBound: -5, upperBound: 5, output: '{ x: right.a.b, key }' }, { keyed: true, inputs: 2 });
    h.push([{ value: {}, ts: 1, key: 'k' }, { value: {}, ts: 1, key: 'j' }], LEFT);
    h.push([{ value: { n: 1 }, ts: 2, key: 'k' }, { value: { a: { b: 2 } }, ts: 3, key: 'k' }, { value: { a: { b: 3 } }, ts: 3, key: 'j' }], RIGHT);
    expect(h.outValues('errors').map((e) => (e as { record: unknown }).record)).toEqual([{ n: 1 }]);
    expect(h.outValues()).toEqual([{ x: 2, key: 'k' }, { x: 3, key: 'j' }]);
  });

  it('the node watermark is the minimum of both inputs; an ended input no longer holds it back', () => {
    const h = join(-5, true, 5, true);
    h.watermark(20, LEFT);
    expect(h.watermarksOut()).toEqual([]);
    h.watermark(15, RIGHT);
    expect(h.watermarksOut()).toEqual([15]);
    h.end(RIGHT);
    expect(h.watermarksOut()).toEqual([15, 20]);
  });
});

describe('params', () => {
  const parse = (p: unknown) => REGISTRY.get('join.interval')!.params.safeParse(p);
  it('rejects lowerBound > upperBound, an empty exclusive interval, and a bad expression', () => {
    expect(parse({ lowerBound: '-5m', upperBound: '5m', output: '{...left}' }).success).toBe(true);
    expect(parse({ lowerBound: '5m', upperBound: '-5m', output: '{...left}' }).success).toBe(false);
    expect(parse({ lowerBound: 0, upperBound: 0, upperBoundExclusive: true, output: '{...left}' }).success).toBe(false);
    expect(parse({ lowerBound: 0, upperBound: 0, output: '{...event}' }).success).toBe(false);
  });
});

describe('state figures, snapshot and restore (testRestoreFromSnapshot)', () => {
  it('reports keys and bytes for each side', () => {
    const h = join(-100, true, 100, true);
    h.push([rec(1, 'a'), rec(2, 'b'), rec(3, 'c')], LEFT);
    h.push([rec(4, 'a')], RIGHT);
    const s = (h.op as unknown as IntervalJoinOperator).stateSize();
    expect(s.keys).toBe(3);
    expect(s.inputs!.left!.keys).toBe(3);
    expect(s.inputs!.right!.keys).toBe(1);
    expect(s.inputs!.left!.bytes).toBeGreaterThan(s.inputs!.right!.bytes);
    expect(s.bytes).toBeGreaterThan(s.inputs!.left!.bytes + s.inputs!.right!.bytes);
    expect(h.metrics.stateSize().keys).toBe(3);
  });

  it('Prometheus shows the state of each input port', async () => {
    const h = join(-100, true, 100, true);
    h.push([rec(1, 'a'), rec(2, 'b')], LEFT);
    h.push([rec(4, 'a')], RIGHT);
    const text = await metricsRegistry(() => [h.metrics]).metrics();
    expect(text).toContain('tributary_node_input_state_keys{node="join.interval",type="join.interval",input="left"} 2');
    expect(text).toContain('tributary_node_input_state_keys{node="join.interval",type="join.interval",input="right"} 1');
    expect(text).toMatch(/tributary_node_input_state_bytes\{node="join.interval",type="join.interval",input="left"\} [1-9]/);
  });

  it.each([true, false])('a restored operator continues as the original would (left first: %s)', (leftFirst) => {
    const first = join(-1, true, 1, true);
    const step = (h: OperatorHarness, i: number) => {
      const order = leftFirst ? [LEFT, RIGHT] : [RIGHT, LEFT];
      for (const input of order) {
        h.push([rec(i)], input);
        h.watermark(i, input);
      }
    };
    for (let i = 1; i <= 3; i++) step(first, i);
    expect(pairs(first)).toEqual([[1, 1], [1, 2], [2, 1], [2, 2], [2, 3], [3, 2], [3, 3]]);
    const snap = structuredClone((first.op as unknown as Stateful).snapshotState());

    const second = join(-1, true, 1, true);
    (second.op as unknown as Stateful).restoreState(snap);
    second.watermark(3, LEFT).watermark(3, RIGHT);
    step(second, 4);
    expect(pairs(second)).toEqual([[3, 4], [4, 3], [4, 4]]);
    // The snapshot is a copy: the original's later work does not change it.
    step(first, 4);
    expect(buffers(second)).toEqual(buffers(first));
  });
});
