// The binary snapshot formats of session windows, count windows and cep (version 2 of each):
// a node restored from an encoded checkpoint taken at any point continues exactly as the node
// that was never stopped; checkpoints written in version 1 (fixtures/, made by the code before
// the columns) still restore; the copy does not change when the state or its records do.
import { readFileSync } from 'node:fs';
import { serialize } from 'node:v8';
import { describe, expect, it } from 'vitest';
import { decodeCheckpoint, encodeCheckpoint } from '../../runtime/connectors/files/checkpoints.js';
import type { OperatorSnapshot, Stateful } from '../../runtime/engine/timed.js';
import { decodeRecords, encodeRecords } from '../../runtime/nodes/cep/record-columns.js';
import { OperatorHarness, type Out } from '../support/harness.js';
import { type Rec, SNAPSHOT_CASES, type SnapshotCase, asCheckpoint, snapshotOf, stream } from './snapshot-cases.js';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url));

/** Through the checkpoint file format, as a restart reads it. */
function throughFile(s: OperatorSnapshot): OperatorSnapshot {
  return decodeCheckpoint('x', encodeCheckpoint(asCheckpoint(s))).nodes.n!.state!;
}

function restoreInto(h: OperatorHarness, s: OperatorSnapshot): void {
  (h.op as unknown as Stateful).restoreState(s);
}

/**
 * Outputs of one time as a set: a session window restored from version 1 fires sessions of
 * different keys that end together in the order of restoring (version 1 did not save the queue's
 * order); version 2 restores it, and its outputs are compared in order.
 */
function unordered(outs: Out[]): Out[] {
  const text = outs.map((o) => JSON.stringify(o));
  return outs.map((o, i) => ({ o, t: text[i]! })).sort((x, y) => x.o.ts - y.o.ts || (x.t < y.t ? -1 : x.t > y.t ? 1 : 0)).map((x) => x.o);
}

/** Outputs per port of an uninterrupted run. */
function whole(c: SnapshotCase, input: Rec[], set = false): Record<string, unknown[]> {
  const h = c.make();
  h.push(input).watermark(Infinity);
  h.end();
  return Object.fromEntries(c.ports.map((p) => [p, set ? unordered(h.output(p)) : h.output(p)]));
}

/** Outputs of a run stopped after `cut` records and restored from `snap` into a fresh node. */
function resumed(c: SnapshotCase, input: Rec[], cut: number, before: OperatorHarness, snap: OperatorSnapshot, set = false): Record<string, unknown[]> {
  const after = c.make();
  restoreInto(after, snap);
  // The harness does not carry watermarks over (the job's checkpoint does): the one in effect at the cut.
  const wm = input[cut - 1]?.wmAfter;
  if (wm !== undefined) after.watermark(wm);
  after.push(input.slice(cut)).watermark(Infinity);
  after.end();
  return Object.fromEntries(c.ports.map((p) => [p, set ? unordered([...before.output(p), ...after.output(p)]) : [...before.output(p), ...after.output(p)]]));
}

describe('snapshot formats: restore equivalence', () => {
  for (const c of SNAPSHOT_CASES) {
    for (const flat of [false, true]) {
      it(`${c.name}${flat ? ', flat records' : ''}: restored at any of 12 cuts, ends with the uninterrupted output`, () => {
        const input = stream(600, c.keys, c.seed, flat);
        const want = whole(c, input);
        expect(Object.values(want).flat().length).toBeGreaterThan(50);
        for (let cut = 1; cut < input.length; cut += 50) {
          const before = c.make();
          before.push(input.slice(0, cut));
          const snap = snapshotOf(before);
          expect(snap.version).toBe(2);
          expect(resumed(c, input, cut, before, throughFile(snap)), `cut after ${cut} records`).toEqual(want);
        }
      });
    }

    it(`${c.name}: restores a version 1 checkpoint (written before binary columns)`, () => {
      const old = decodeCheckpoint(c.fixture, fixture(c.fixture)).nodes.n!.state!;
      expect(old.version).toBe(1);
      const before = c.make();
      before.push(c.input.slice(0, c.cut));
      // Version 1 held what the current node holds at the same point (but for the order of the
      // session queue, which it did not save).
      expect(serialize(withoutQueueOrder(snapshotOf(restored(c, old))))).toEqual(serialize(withoutQueueOrder(snapshotOf(before))));
      const set = c.v1SameTimeUnordered === true;
      expect(resumed(c, c.input, c.cut, before, old, set)).toEqual(whole(c, c.input, set));
    });

    it(`${c.name}: the snapshot stays as taken while the node goes on and its records change`, () => {
      for (const flat of [false, true]) {
        const input = stream(600, c.keys, c.seed, flat);
        const h = c.make();
        h.push(input.slice(0, c.cut));
        const snap = snapshotOf(h);
        const atOnce = serialize(snap);
        for (const r of input.slice(0, c.cut)) {
          r.value.v = -1;
          r.value.tag = 'changed';
          r.value.user = 'x';
          if (r.value.nested) r.value.nested.list.push(99);
        }
        h.push(input.slice(c.cut)).watermark(Infinity);
        expect(serialize(snap).equals(atOnce)).toBe(true);
      }
    });
  }

  it('refuses versions it does not know, naming them', () => {
    const [sessions, counts, cep] = SNAPSHOT_CASES.map((c) => c.make());
    expect(() => restoreInto(sessions!, { kind: 'window.sessions', version: 3, data: {} })).toThrow('cannot restore window.sessions v3 into a session window (this version reads v1 and v2)');
    expect(() => restoreInto(counts!, { kind: 'window.count', version: 3, data: {} })).toThrow('cannot restore window.count v3 into a count window (this version reads v1 and v2)');
    expect(() => restoreInto(cep!, { kind: 'cep', version: 3, data: {} })).toThrow('cannot restore cep v3 into a cep node (this version reads v1 and v2)');
  });

  it('cep: the state figures count the same after snapshots (both walk the event nodes with marks)', () => {
    const c = SNAPSHOT_CASES[2]!;
    const h = c.make();
    h.push(c.input.slice(0, c.cut));
    const size = () => (h.op as unknown as { stateSize(): unknown }).stateSize();
    const first = size();
    snapshotOf(h);
    expect(size()).toEqual(first);
    snapshotOf(h);
    snapshotOf(h);
    expect(size()).toEqual(first);
    expect((first as { partialMatches: number }).partialMatches).toBeGreaterThan(5);
  });
});

describe('cep: timeouts of keys due at one time', () => {
  it('leave after a restore in the order of the uninterrupted run', () => {
    // Every partial match times out (no event is 99); many keys start one at the same time.
    const c: SnapshotCase = {
      ...SNAPSHOT_CASES[2]!,
      make: () =>
        new OperatorHarness(
          'cep',
          {
            pattern: [
              { name: 'a', where: 'v > 3' },
              { name: 'b', where: 'v == 99', contiguity: 'relaxed' },
            ],
            within: 10,
          },
          { keyed: true, connect: ['out', 'timeout', 'late'] },
        ),
    };
    const input = stream(600, 23, 5, true);
    const want = whole(c, input);
    expect(want.timeout!.length).toBeGreaterThan(100);
    for (let cut = 1; cut < input.length; cut += 50) {
      const before = c.make();
      before.push(input.slice(0, cut));
      expect(resumed(c, input, cut, before, throughFile(snapshotOf(before))), `cut after ${cut} records`).toEqual(want);
    }
  });
});

describe('cep: the walk counter starting again', () => {
  it('clears the marks of nodes behind ones made since the last walk, so later snapshots still restore', () => {
    // Strict contiguity: each event replaces a key's partial matches with longer ones, so after a
    // snapshot the only way to its marked nodes is through nodes made since (mark 0).
    const c: SnapshotCase = {
      ...SNAPSHOT_CASES[2]!,
      make: () =>
        new OperatorHarness(
          'cep',
          {
            pattern: [
              { name: 'a', where: 'true' },
              { name: 'b', where: 'true', contiguity: 'strict', quantifier: { min: 1, max: null, inner: 'strict' } },
              { name: 'c', where: 'v == 99', contiguity: 'strict' },
            ],
            within: 12,
          },
          { keyed: true, connect: ['out', 'timeout', 'late'] },
        ),
    };
    const input = stream(400, c.keys, c.seed, true);
    const want = whole(c, input);
    expect(want.timeout!.length).toBeGreaterThan(50);
    const h = c.make();
    const op = h.op as unknown as { walk: number };
    // A long-running job: the counter just below its limit, so this snapshot's marks lie past it.
    op.walk = 2 ** 29 - 3;
    h.push(input.slice(0, 200));
    snapshotOf(h);
    h.push(input.slice(200, 203));
    const snap = snapshotOf(h);
    expect(op.walk).toBeLessThan(2 ** 20);
    expect(resumed(c, input, 203, h, throughFile(snap))).toEqual(want);
  });
});

/** A snapshot without the places of its timers in the queue's order (version 1 did not save them). */
function withoutQueueOrder(s: OperatorSnapshot): OperatorSnapshot {
  const { fireSeq: _f, cleanSeq: _c, timerSeq: _t, ...rest } = s.data as Record<string, unknown>;
  return { ...s, data: rest };
}

function restored(c: SnapshotCase, s: OperatorSnapshot): OperatorHarness {
  const h = c.make();
  restoreInto(h, s);
  return h;
}

describe('record columns', () => {
  class Point {
    constructor(readonly x: number) {}
  }
  const proto = JSON.parse('{"__proto__": {"polluted": 1}, "a": 1}') as unknown;
  const records: unknown[] = [
    { a: 1, b: 'x' },
    { a: -0, b: '😀\uD83D' },
    { b: 'y', a: 2 },
    { a: NaN, b: null },
    { a: undefined, b: 10n },
    { 2: 'two', 1: 'one', z: true },
    { a: 1, b: { nested: [1, 2] } },
    // A shape's fields and more, or its first field and then another: a shape of their own, the columns of the first untouched.
    { a: 3, b: 'z', c: 1 },
    { a: 4, c: 'w' },
    { a: 5, b: 'v' },
    {},
    Object.assign(Object.create(null) as object, { a: 5 }),
    new Point(3),
    proto,
    [1, 2],
    'text',
    7,
    null,
    { a: Infinity, b: '' },
    // A getter is read once, as structuredClone reads it; a huge number and a string in one column.
    {
      get a() {
        return 2 ** 60;
      },
      b: 1,
    },
  ];

  it('give back every record as it was, field order and -0 included, copies only of the nested ones', () => {
    const cols = encodeRecords(records);
    expect(cols.shapes.length).toBeGreaterThanOrEqual(4);
    const back = decodeRecords(structuredClone(cols));
    expect(back.length).toBe(records.length);
    // structuredClone is the reference: what a deep copy of each record would be.
    const want = structuredClone(records.map((r) => (r instanceof Point ? { ...r } : r)));
    expect(back).toEqual(want);
    for (let i = 0; i < records.length; i++) {
      if (typeof back[i] === 'object' && back[i] !== null) expect(Object.keys(back[i] as object), `record ${i}`).toEqual(Object.keys(want[i] as object));
    }
    expect(Object.is((back[1] as { a: number }).a, -0)).toBe(true);
    const p = records.indexOf(proto);
    expect(Object.getPrototypeOf(back[p])).toBe(Object.prototype);
    expect(Object.keys(back[p] as object)).toEqual(['__proto__', 'a']);
    expect((back[p] as { polluted?: number }).polluted).toBeUndefined();
  });

  it('past 64 shapes, keep the rest whole', () => {
    const many = Array.from({ length: 100 }, (_, i) => ({ [`f${i}`]: i }));
    const cols = encodeRecords(many);
    expect(cols.shapes.length).toBe(64);
    expect(cols.other.length).toBe(36);
    expect(decodeRecords(cols)).toEqual(many);
  });

  it('refuse a shape column that names more whole records than there are', () => {
    const cols = encodeRecords([{ a: 1 }]);
    expect(() => decodeRecords({ ...cols, shape: Int32Array.from([-1]) })).toThrow('record columns: fewer whole records than the shape column names');
  });
});
