// A checkpoint's copy is encoded and written after the sources go on (coordinator.ts: Flink's
// asynchronous snapshot phase), so every operator's snapshot must stay exactly as it was taken
// while the operator goes on: records arrive, windows fire and purge, slots are reused, and a
// record held in state is changed in place by a later node. Each case encodes the snapshot at
// once and again after all that; the bytes must be equal, and the late encoding must restore.
import { serialize } from 'node:v8';
import { describe, expect, it } from 'vitest';
import type { OperatorSnapshot, Stateful } from '../../runtime/engine/timed.js';
import { decodeCheckpoint, encodeCheckpoint } from '../../runtime/connectors/files/checkpoints.js';
import { CHECKPOINT_VERSION, type CheckpointData } from '../../runtime/engine/checkpoint/snapshot.js';
import { decodeKeys, encodeKeys } from '../../runtime/nodes/window/columns.js';
import { OperatorHarness } from '../support/harness.js';

type Rec = { value: { user: string; v: number; tag: string; nested: { x: number; list: number[] } }; ts: number; key: unknown; wmAfter?: number };

function records(from: number, to: number, keys: number): Rec[] {
  const out: Rec[] = [];
  for (let i = from; i < to; i++) {
    const user = `u${i % keys}`;
    out.push({ value: { user, v: (i * 7) % 13, tag: `t${i}`, nested: { x: i, list: [i, i + 1] } }, ts: i, key: user, wmAfter: i - 5 });
  }
  return out;
}

/** Change, in place, every record pushed so far (a later node's code may do so with records a state still holds). */
function scribble(recs: readonly Rec[]): void {
  for (const r of recs) {
    r.value.v = -1;
    r.value.tag = 'changed';
    r.value.nested.x = -1;
    r.value.nested.list.push(99);
  }
}

interface Case {
  readonly name: string;
  make(): OperatorHarness;
  /** Push on the node's inputs (two-input nodes get the same records on both). */
  inputs: number;
}

const ALL_AGGS = {
  n: { fn: 'count' },
  s: { fn: 'sum', field: 'v' },
  a: { fn: 'avg', field: 'v' },
  lo: { fn: 'min', field: 'v' },
  hi: { fn: 'max', field: 'v' },
  f: { fn: 'first' },
  l: { fn: 'last' },
  c: { fn: 'collect' },
  d: { fn: 'countDistinct', field: 'tag' },
  k: { fn: 'topK', field: 'v', k: 3 },
  ad: { fn: 'approxCountDistinct', field: 'tag' },
  ak: { fn: 'approxTopK', field: 'v', k: 3 },
};

const window = (assigner: Record<string, unknown>) => () => new OperatorHarness('window', { assigner, aggregates: ALL_AGGS }, { keyed: true });

const CASES: Case[] = [
  { name: 'window (tumbling)', make: window({ kind: 'tumbling', size: 20 }), inputs: 1 },
  { name: 'window (sliding)', make: window({ kind: 'sliding', size: 30, slide: 10 }), inputs: 1 },
  { name: 'window (session)', make: window({ kind: 'session', gap: 3 }), inputs: 1 },
  { name: 'window (count)', make: window({ kind: 'global', count: 7 }), inputs: 1 },
  {
    name: 'cep',
    make: () => new OperatorHarness('cep', { pattern: [{ name: 'a', where: 'v > 3' }, { name: 'b', where: 'v < 3', contiguity: 'relaxed', quantifier: { min: 1, max: null } }], within: 40 }, { keyed: true, connect: ['out'] }),
    inputs: 1,
  },
  {
    name: 'process',
    make: () =>
      new OperatorHarness('process', {
        code: "ctx.state.value('last').update(event); ctx.state.list('all').add(event); ctx.state.map('m').put(event.tag, event.nested); ctx.timers.eventTime(ctx.timestamp + 10);",
        onTimer: "ctx.emit({ k: ctx.key, n: ctx.state.list('all').size() });",
      }, { keyed: true }),
    inputs: 1,
  },
  {
    name: 'connect',
    make: () =>
      new OperatorHarness('connect', {
        onLeft: "ctx.state.list('views').add(event); ctx.timers.eventTime(ctx.timestamp + 10);",
        onRight: "ctx.emit({ k: ctx.key, seen: ctx.state.list('views').size() });",
        onTimer: "ctx.state.list('views').clear();",
        state: { views: { kind: 'list' } },
      }, { keyed: true, inputs: 2 }),
    inputs: 2,
  },
  {
    name: 'broadcast',
    make: () => new OperatorHarness('broadcast', { key: 'user', value: 'event', output: '{ v, seen: broadcast[user]?.tag ?? null }' }, { keyed: true, inputs: 2 }),
    inputs: 2,
  },
  { name: 'join.window', make: () => new OperatorHarness('join.window', { assigner: { kind: 'tumbling', size: 20 }, output: '{ l: left, r: right }' }, { keyed: true, inputs: 2 }), inputs: 2 },
  { name: 'join.interval', make: () => new OperatorHarness('join.interval', { lowerBound: -5, upperBound: 5, output: '{ l: left, r: right }' }, { keyed: true, inputs: 2 }), inputs: 2 },
];

function feed(h: OperatorHarness, c: Case, recs: Rec[]): void {
  for (let input = 0; input < c.inputs; input++) h.push(recs, input);
}

function asCheckpoint(s: OperatorSnapshot): CheckpointData {
  return { version: CHECKPOINT_VERSION, id: 1, kind: 'checkpoint', pipeline: 'p', takenAt: 0, nodes: { n: { type: 't', state: s } } };
}

describe('operator snapshots stay as taken while the operator goes on', () => {
  for (const c of CASES) {
    it(c.name, () => {
      const h = c.make();
      const before = records(0, 60, 5);
      feed(h, c, before);
      const snap = (h.op as unknown as Stateful).snapshotState();
      const atOnce = serialize(snap);
      // The sources go on: more records, windows fire and purge (slots are reused), and records
      // held in state are changed in place by someone downstream.
      scribble(before);
      feed(h, c, records(60, 200, 7));
      for (let input = 0; input < c.inputs; input++) h.watermark(1000, input);
      feed(h, c, records(1000, 1040, 3));
      expect(Buffer.from(serialize(snap)).equals(atOnce)).toBe(true);
      const late = encodeCheckpoint(asCheckpoint(snap));
      // And it restores.
      const again = c.make();
      (again.op as unknown as Stateful).restoreState(decodeCheckpoint('x', late).nodes.n!.state!);
    });
  }
});

describe('window keys and accumulators through an encoded checkpoint', () => {
  const params = { assigner: { kind: 'tumbling', size: 10 }, aggregates: { n: { fn: 'count' }, s: { fn: 'sum', field: 'v' }, lo: { fn: 'min', field: 'v' }, hi: { fn: 'max', field: 'v' }, a: { fn: 'avg', field: 'v' } } };
  // Pane [0,10): strings only (one joined string): empty, a surrogate pair, a lone high and a lone
  // low surrogate that form a pair once joined, NUL, a long key. Pane [10,20): '1' and 1 and true
  // together. Pane [20,30): numbers only, with -0 and fractions.
  const KEYS: [unknown, number][] = [
    ['', 1], ['😀', 2], ['\uD83D', 3], ['\uDE00', 4], ['a\u0000b', 5], ['x'.repeat(5000), 6], ['é', 7],
    ['1', 11], [1, 12], [true, 13], ['true', 14], [false, 15],
    [-0, 21], [1.5, 22], [1e300, 23], [-7, 24], [0.1 + 0.2, 25],
  ];
  const input = (vs: number[]) => KEYS.flatMap(([key, ts]) => vs.map((v) => ({ value: { v }, ts, key })));
  // Accumulators that are not plain: a sum past the largest double (Infinity), a min of -0.
  const first = input([1e308, 1e308, -0]);
  const rest = input([-0, 5]);

  it('restores every key with its type and every accumulator bit for bit', () => {
    const whole = new OperatorHarness('window', params, { keyed: true });
    whole.push([...first, ...rest]).watermark(Infinity);
    const h = new OperatorHarness('window', params, { keyed: true });
    h.push(first);
    const bytes = encodeCheckpoint(asCheckpoint((h.op as unknown as Stateful).snapshotState()));
    const restored = new OperatorHarness('window', params, { keyed: true });
    (restored.op as unknown as Stateful).restoreState(decodeCheckpoint('x', bytes).nodes.n!.state!);
    restored.push(rest).watermark(Infinity);
    const got = restored.output();
    const want = whole.output();
    expect(got.length).toBe(KEYS.length);
    // Object.is tells -0 from 0 and '1' from 1; strings compare by their UTF-16 units (lone surrogates too).
    const flat = (os: typeof got) => os.map((o) => Object.values(o.value as object));
    const [g, w] = [flat(got), flat(want)];
    expect(g.length).toBe(w.length);
    g.forEach((row, i) => row.forEach((x, j) => expect(Object.is(x, w[i]![j]), `row ${i} column ${j}: ${String(x)} vs ${String(w[i]![j])}`).toBe(true)));
    const byKey = new Map(got.map((o) => [(o.value as { key: unknown }).key, o.value as Record<string, number>]));
    for (const [k] of KEYS) expect(byKey.has(k), `key ${JSON.stringify(k)}`).toBe(true);
    expect(byKey.get('1')).not.toBe(byKey.get(1));
    expect(byKey.get('\uD83D')!.n).toBe(5);
    expect(byKey.get('')!.s).toBe(Infinity);
    expect(Object.is(byKey.get(-0)!.lo, -0)).toBe(true);
  });
});

describe('window key columns', () => {
  it('a pane whose keys add up to more than the longest string keeps them separate, and they decode the same', () => {
    const keys = ['ab', '😀', '', 'c'.repeat(10)];
    const joined = encodeKeys(keys, 100);
    expect(joined.t).toBe('str');
    expect(decodeKeys(structuredClone(joined))).toEqual(keys);
    // Past the limit `join` would throw "Invalid string length" (V8's MAX_STRING_LENGTH) and fail every checkpoint.
    const apart = encodeKeys(keys, 13);
    expect(apart.t).toBe('any');
    expect(decodeKeys(structuredClone(apart))).toEqual(keys);
    expect(decodeKeys(encodeKeys(keys, 14))).toEqual(keys);
  });

  it('refuses a column whose lengths do not add up to its text', () => {
    expect(() => decodeKeys({ t: 'str', text: 'abc', lens: Uint32Array.from([1, 1]) })).toThrow('key column holds 3 characters, its lengths add up to 2');
  });
});
