// Checkpoints write operator snapshots with v8.serialize: the state of every two-input node must
// survive that round trip (no functions, class instances or frozen views inside), and a node
// restored from the bytes must go on exactly as the original would.
import { serialize, deserialize } from 'node:v8';
import { describe, expect, it } from 'vitest';
import type { OperatorSnapshot, Stateful } from '../../runtime/engine/timed.js';
import { OperatorHarness } from '../support/harness.js';

const rec = (ts: number, key = 'k', extra: Record<string, unknown> = {}) => ({ value: { ts, key, ...extra }, ts, key });

/** Snapshot `h`, pass the snapshot through v8's wire format, and restore it into a fresh node. */
function viaBytes(h: OperatorHarness, type: string, params: Record<string, unknown>): OperatorHarness {
  const bytes = serialize((h.op as unknown as Stateful).snapshotState());
  const fresh = new OperatorHarness(type, params, { keyed: true, inputs: 2 });
  (fresh.op as unknown as Stateful).restoreState(deserialize(bytes) as OperatorSnapshot);
  return fresh;
}

const END = Number.POSITIVE_INFINITY;

describe('two-input state through v8.serialize', () => {
  it('join.interval keeps both sides of every key and their cleanup', () => {
    const params = { lowerBound: -5, upperBound: 5, output: '{ l: left.ts, r: right.ts, key, tags: left.tags }' };
    const h = new OperatorHarness('join.interval', params, { keyed: true, inputs: 2 });
    h.push([rec(1, 'a', { tags: ['x'] }), rec(2, 'b', { tags: [] })], 0);
    h.push([rec(4, 'b')], 1);
    const r = viaBytes(h, 'join.interval', params);
    r.push([rec(3, 'a'), rec(6, 'a')], 1).push([rec(7, 'b', { tags: ['y'] })], 0);
    expect(r.outValues()).toEqual([
      { l: 1, r: 3, key: 'a', tags: ['x'] },
      { l: 1, r: 6, key: 'a', tags: ['x'] },
      { l: 7, r: 4, key: 'b', tags: ['y'] },
    ]);
    // Cleanup timers came back too: once both watermarks pass, nothing is left.
    r.watermark(END, 0).watermark(END, 1);
    expect((r.op as unknown as Stateful).stateSize().keys).toBe(0);
  });

  it('join.window keeps open windows (sessions included) and fires them after restore', () => {
    const params = { assigner: { kind: 'session', gap: 10 }, type: 'full', output: '{ l: left?.ts ?? null, r: right?.ts ?? null, start: window.start, end: window.end }' };
    const h = new OperatorHarness('join.window', params, { keyed: true, inputs: 2 });
    h.push([rec(1), rec(50, 'z')], 0);
    const r = viaBytes(h, 'join.window', params);
    r.push([rec(8)], 1);
    r.watermark(END, 0).watermark(END, 1);
    expect(r.outValues()).toEqual([
      { l: 1, r: 8, start: 1, end: 18 },
      { l: 50, r: null, start: 50, end: 60 },
    ]);
  });

  it('broadcast keeps the broadcast map, keyed state and timers', () => {
    const params = { key: 'k', value: 'v', code: 'const n = ctx.state.value("n"); n.update((n.value() ?? 0) + 1); ctx.timers.eventTime(100); ctx.emit({ n: n.value(), b: ctx.broadcast.get("x") })', onTimer: 'ctx.emit({ fired: timer.timestamp, key: ctx.key })' };
    const h = new OperatorHarness('broadcast', params, { keyed: true, inputs: 2 });
    h.push([{ value: { k: 'x', v: { list: [1, 2] } }, ts: 1 }], 1);
    h.push([rec(2)], 0);
    const r = viaBytes(h, 'broadcast', params);
    r.push([rec(3)], 0);
    r.watermark(END, 0).watermark(END, 1);
    expect(r.outValues()).toEqual([{ n: 2, b: { list: [1, 2] } }, { fired: 100, key: 'k' }]);
  });

  it('connect keeps keyed state and the timers either side set', () => {
    const params = {
      onLeft: 'ctx.state.list("v").add(event.ts); ctx.timers.eventTime(event.ts + 10)',
      onRight: 'ctx.timers.eventTime(event.ts + 20); ctx.emit({ v: ctx.state.list("v").get() })',
      onTimer: 'ctx.emit({ t: timer.timestamp })',
    };
    const h = new OperatorHarness('connect', params, { keyed: true, inputs: 2 });
    h.push([rec(1)], 0).push([rec(2)], 1);
    const r = viaBytes(h, 'connect', params);
    r.push([rec(3)], 1);
    r.watermark(END, 0).watermark(END, 1);
    expect(r.outValues()).toEqual([{ v: [1] }, { t: 11 }, { t: 22 }, { t: 23 }]);
  });
});
