// join.window against a brute-force reference on random inputs (tumbling, sliding, session;
// inner and outer), plus late data, order and snapshot/restore.
import { describe, expect, it } from 'vitest';
import type { Stateful } from '../../runtime/engine/timed.js';
import { OperatorHarness } from '../support/harness.js';

const LEFT = 0;
const RIGHT = 1;

interface Ev {
  side: 0 | 1;
  id: string;
  key: string;
  ts: number;
}

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** Random events on both sides, in timestamp order; even timestamps (see the session case). */
function randomEvents(seed: number, n: number): Ev[] {
  const r = rng(seed);
  const evs: Ev[] = [];
  for (let i = 0; i < n; i++) {
    const side = (r() < 0.5 ? 0 : 1) as 0 | 1;
    evs.push({ side, id: `${side === 0 ? 'L' : 'R'}${i}`, key: 'abc'[Math.floor(r() * 3)]!, ts: 2 * Math.floor(r() * 1500) });
  }
  return evs.sort((a, b) => a.ts - b.ts);
}

type Assigner = { kind: 'tumbling'; size: number } | { kind: 'sliding'; size: number; slide: number } | { kind: 'session'; gap: number };
type JoinType = 'inner' | 'left' | 'right' | 'full';

function run(evs: Ev[], assigner: Assigner, type: JoinType): string[] {
  const h = new OperatorHarness('join.window', { assigner, type, output: '{ l: left?.id ?? null, r: right?.id ?? null, key, start: window.start, end: window.end }' }, { keyed: true, inputs: 2 });
  // Each record is followed by its input's watermark ts − 1: nothing is late, and a window
  // closes only once no later record can fall into it.
  for (const e of evs) h.push([{ value: { id: e.id }, ts: e.ts, key: e.key, wmAfter: e.ts - 1 }], e.side);
  h.watermark(Infinity, LEFT).watermark(Infinity, RIGHT);
  for (const o of h.output()) {
    const v = o.value as { end: number };
    expect(o.ts).toBe(v.end - 1);
  }
  return h.outValues().map((v) => JSON.stringify(v)).sort();
}

/** Every window of every key, by definition. */
function windowsOf(evs: Ev[], a: Assigner): { key: string; start: number; end: number; members: Ev[] }[] {
  const out: { key: string; start: number; end: number; members: Ev[] }[] = [];
  const keys = [...new Set(evs.map((e) => e.key))];
  for (const key of keys) {
    const mine = evs.filter((e) => e.key === key).sort((x, y) => x.ts - y.ts);
    if (a.kind === 'session') {
      let cur: { key: string; start: number; end: number; members: Ev[] } | null = null;
      for (const e of mine) {
        if (cur !== null && e.ts <= cur.end) {
          cur.members.push(e);
          cur.end = Math.max(cur.end, e.ts + a.gap);
        } else {
          cur = { key, start: e.ts, end: e.ts + a.gap, members: [e] };
          out.push(cur);
        }
      }
      continue;
    }
    const slide = a.kind === 'sliding' ? a.slide : a.size;
    const starts = new Set<number>();
    for (const e of mine) for (let s = Math.floor(e.ts / slide) * slide; s > e.ts - a.size; s -= slide) starts.add(s);
    for (const s of starts) out.push({ key, start: s, end: s + a.size, members: mine.filter((e) => e.ts >= s && e.ts < s + a.size) });
  }
  return out;
}

function reference(evs: Ev[], a: Assigner, type: JoinType): string[] {
  const rows: string[] = [];
  for (const w of windowsOf(evs, a)) {
    const L = w.members.filter((e) => e.side === 0);
    const R = w.members.filter((e) => e.side === 1);
    const row = (l: Ev | null, r: Ev | null) => rows.push(JSON.stringify({ l: l?.id ?? null, r: r?.id ?? null, key: w.key, start: w.start, end: w.end }));
    if (L.length > 0 && R.length > 0) for (const l of L) for (const r of R) row(l, r);
    else if (R.length === 0 && (type === 'left' || type === 'full')) for (const l of L) row(l, null);
    else if (L.length === 0 && (type === 'right' || type === 'full')) for (const r of R) row(null, r);
  }
  return rows.sort();
}

describe('window join against a brute-force reference on random inputs', () => {
  const assigners: [string, Assigner][] = [
    ['tumbling 100', { kind: 'tumbling', size: 100 }],
    ['sliding 150 / 50', { kind: 'sliding', size: 150, slide: 50 }],
    // An odd gap with even timestamps: a session never ends exactly on a later record.
    ['session gap 41', { kind: 'session', gap: 41 }],
  ];
  const types: JoinType[] = ['inner', 'left', 'right', 'full'];
  for (const [name, a] of assigners) {
    for (const type of types) {
      it(`${name}, ${type}`, () => {
        for (const seed of [1, 2, 3]) {
          const evs = randomEvents(seed, 400);
          const got = run(evs, a, type);
          expect(got.length).toBeGreaterThan(0);
          expect(got).toEqual(reference(evs, a, type));
        }
      });
    }
  }
});

describe('window join details', () => {
  const params = { assigner: { kind: 'tumbling', size: 10 }, output: '{ l: left.id, r: right.id }' };

  it('pairs left-major in arrival order when the window closes, at the minimum watermark of both inputs', () => {
    const h = new OperatorHarness('join.window', params, { keyed: true, inputs: 2 });
    h.push([{ value: { id: 'l1' }, ts: 1, key: 'k' }, { value: { id: 'l2' }, ts: 2, key: 'k' }], LEFT);
    h.push([{ value: { id: 'r1' }, ts: 3, key: 'k' }, { value: { id: 'r2' }, ts: 4, key: 'k' }], RIGHT);
    h.watermark(9, LEFT);
    expect(h.outValues()).toEqual([]);
    h.watermark(8, RIGHT);
    expect(h.outValues()).toEqual([]);
    h.watermark(9, RIGHT);
    expect(h.outValues()).toEqual([
      { l: 'l1', r: 'r1' },
      { l: 'l1', r: 'r2' },
      { l: 'l2', r: 'r1' },
      { l: 'l2', r: 'r2' },
    ]);
    expect((h.op as unknown as Stateful).stateSize().keys).toBe(0);
  });

  it('sends records whose windows have closed to late', () => {
    const h = new OperatorHarness('join.window', params, { keyed: true, inputs: 2 });
    h.watermark(19, LEFT).watermark(19, RIGHT);
    h.push([{ value: { id: 'old' }, ts: 5, key: 'k' }, { value: { id: 'ok' }, ts: 20, key: 'k' }], RIGHT);
    expect(h.outValues('late')).toEqual([{ side: 'right', record: { id: 'old' } }]);
    expect(h.metrics.late).toBe(1);
  });

  it('merges sessions across both sides', () => {
    const h = new OperatorHarness('join.window', { assigner: { kind: 'session', gap: 10 }, output: '{ l: left.id, r: right.id, start: window.start, end: window.end }' }, { keyed: true, inputs: 2 });
    h.push([{ value: { id: 'l1' }, ts: 0, key: 'k' }, { value: { id: 'l2' }, ts: 25, key: 'k' }], LEFT);
    // Right records extend the left ones' sessions: [0, 10) → [0, 18) → [0, 27), which l2 at 25 joins.
    h.push([{ value: { id: 'r1' }, ts: 8, key: 'k' }, { value: { id: 'r2' }, ts: 17, key: 'k' }], RIGHT);
    h.watermark(Infinity, LEFT).watermark(Infinity, RIGHT);
    expect(h.outValues()).toEqual([
      { l: 'l1', r: 'r1', start: 0, end: 35 },
      { l: 'l1', r: 'r2', start: 0, end: 35 },
      { l: 'l2', r: 'r1', start: 0, end: 35 },
      { l: 'l2', r: 'r2', start: 0, end: 35 },
    ]);
  });

  it.each<Assigner>([{ kind: 'sliding', size: 150, slide: 50 }, { kind: 'session', gap: 41 }])('a restored operator gives the same output as one never stopped (%o)', (assigner) => {
    const evs = randomEvents(7, 300);
    const whole = run(evs, assigner, 'full');
    const mk = () => new OperatorHarness('join.window', { assigner, type: 'full', output: '{ l: left?.id ?? null, r: right?.id ?? null, key, start: window.start, end: window.end }' }, { keyed: true, inputs: 2 });
    const first = mk();
    const half = evs.length / 2;
    const wmAt = evs[half - 1]!.ts - 1;
    for (const e of evs.slice(0, half)) first.push([{ value: { id: e.id }, ts: e.ts, key: e.key, wmAfter: e.ts - 1 }], e.side);
    const snap = structuredClone((first.op as unknown as Stateful).snapshotState());
    const second = mk();
    (second.op as unknown as Stateful).restoreState(snap);
    second.watermark(wmAt, LEFT).watermark(wmAt, RIGHT);
    for (const e of evs.slice(half)) second.push([{ value: { id: e.id }, ts: e.ts, key: e.key, wmAfter: e.ts - 1 }], e.side);
    second.watermark(Infinity, LEFT).watermark(Infinity, RIGHT);
    const got = [...first.outValues(), ...second.outValues()].map((v) => JSON.stringify(v)).sort();
    expect(got).toEqual(whole);
  });

  it('reports keys and bytes for each side', () => {
    const h = new OperatorHarness('join.window', params, { keyed: true, inputs: 2 });
    h.push([{ value: { id: 'a' }, ts: 1, key: 'a' }, { value: { id: 'b' }, ts: 1, key: 'b' }], LEFT);
    h.push([{ value: { id: 'c' }, ts: 1, key: 'a' }], RIGHT);
    const s = (h.op as unknown as Stateful).stateSize();
    expect(s.keys).toBe(2);
    expect(s.inputs!.left!.keys).toBe(2);
    expect(s.inputs!.right!.keys).toBe(1);
  });
});
