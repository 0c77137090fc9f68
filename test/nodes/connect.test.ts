// The connect node: Flink's KeyedCoProcessFunction — both inputs share the key's state and timers.
import { describe, expect, it } from 'vitest';
import type { Stateful } from '../../runtime/engine/timed.js';
import { OperatorHarness } from '../support/harness.js';

const LEFT = 0;
const RIGHT = 1;

const params = {
  onLeft: 'const v = ctx.state.list("views"); v.add(event.p); ctx.timers.eventTime(ctx.timestamp + 100);',
  onRight: 'ctx.emit({ user: ctx.key, order: event.o, viewed: ctx.state.list("views").get() });',
  onTimer: 'ctx.emit({ user: ctx.key, expired: ctx.state.list("views").get().length, at: timer.timestamp }); ctx.state.list("views").clear();',
  state: { views: { kind: 'list' } },
};

describe('connect (KeyedCoProcessFunction)', () => {
  it('a record on either side sees the state its key got from the other side', () => {
    const h = new OperatorHarness('connect', params, { keyed: true, inputs: 2 });
    h.push([{ value: { p: 'a' }, ts: 1, key: 'u1' }, { value: { p: 'b' }, ts: 2, key: 'u1' }, { value: { p: 'c' }, ts: 3, key: 'u2' }], LEFT);
    h.push([{ value: { o: 1 }, ts: 4, key: 'u1' }, { value: { o: 2 }, ts: 5, key: 'u3' }], RIGHT);
    expect(h.outValues()).toEqual([
      { user: 'u1', order: 1, viewed: ['a', 'b'] },
      { user: 'u3', order: 2, viewed: [] },
    ]);
  });

  it('timers of both sides fire at the minimum watermark of both inputs', () => {
    const h = new OperatorHarness('connect', params, { keyed: true, inputs: 2 });
    h.push([{ value: { p: 'a' }, ts: 1, key: 'u1' }], LEFT);
    h.watermark(500, LEFT);
    expect(h.outValues()).toEqual([]);
    h.watermark(101, RIGHT);
    expect(h.outValues()).toEqual([{ user: 'u1', expired: 1, at: 101 }]);
    expect((h.op as unknown as Stateful).stateSize().keys).toBe(0);
  });

  it('errors name the record; snapshot and restore carry state and timers', () => {
    const h = new OperatorHarness('connect', { ...params, onRight: 'throw new Error("boom")' }, { keyed: true, inputs: 2 });
    h.push([{ value: { o: 9 }, ts: 1, key: 'u' }], RIGHT);
    expect(h.outValues('errors')).toEqual([{ node: 'connect', error: 'boom', record: { o: 9 } }]);

    const first = new OperatorHarness('connect', params, { keyed: true, inputs: 2 });
    first.push([{ value: { p: 'a' }, ts: 1, key: 'u1' }], LEFT);
    const snap = structuredClone((first.op as unknown as Stateful).snapshotState());
    const second = new OperatorHarness('connect', params, { keyed: true, inputs: 2 });
    (second.op as unknown as Stateful).restoreState(snap);
    second.push([{ value: { o: 1 }, ts: 2, key: 'u1' }], RIGHT);
    second.watermark(200, LEFT).watermark(200, RIGHT);
    expect(second.outValues()).toEqual([
      { user: 'u1', order: 1, viewed: ['a'] },
      { user: 'u1', expired: 1, at: 101 },
    ]);
  });
});
