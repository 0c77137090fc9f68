// The broadcast node: Flink's (Keyed)BroadcastProcessFunction. Broadcast records update a map
// every main record can read but not write; updates are seen by main records that arrive later.
import { describe, expect, it } from 'vitest';
import type { Stateful } from '../../runtime/engine/timed.js';
import { REGISTRY } from '../../runtime/nodes/registry.js';
import { OperatorHarness } from '../support/harness.js';

const MAIN = 0;
const BROADCAST = 1;

function node(params: Record<string, unknown>, keyed = false) {
  return new OperatorHarness('broadcast', params, { keyed, inputs: 2 });
}

describe('broadcast with expressions', () => {
  it('main records see the broadcast updates that arrived before them, not later ones', () => {
    const h = node({ key: 'rule', value: 'limit', output: '{ id, over: amount > coalesce(broadcast.max, 1000) }' });
    h.push([{ value: { id: 1, amount: 500 }, ts: 1 }], MAIN);
    h.push([{ value: { rule: 'max', limit: 100 }, ts: 2 }], BROADCAST);
    h.push([{ value: { id: 2, amount: 500 }, ts: 3 }], MAIN);
    h.push([{ value: { rule: 'max', limit: 900 }, ts: 4 }], BROADCAST);
    h.push([{ value: { id: 3, amount: 500 }, ts: 5 }], MAIN);
    expect(h.outValues()).toEqual([
      { id: 1, over: false },
      { id: 2, over: true },
      { id: 3, over: false },
    ]);
    expect(h.output().map((o) => o.ts)).toEqual([1, 3, 5]);
  });

  it('stores the whole record without value; a null value removes the entry; null output emits nothing', () => {
    const h = node({ key: 'id', value: 'deleted ? null : event', output: 'broadcast[sku] == null ? null : { sku, name: broadcast[sku].name }' });
    h.push([{ value: { id: 'a', name: 'Apple' }, ts: 1 }, { value: { id: 'b', name: 'Bean' }, ts: 1 }], BROADCAST);
    h.push([{ value: { sku: 'a' }, ts: 2 }, { value: { sku: 'c' }, ts: 2 }], MAIN);
    h.push([{ value: { id: 'a', deleted: true }, ts: 3 }], BROADCAST);
    h.push([{ value: { sku: 'a' }, ts: 4 }, { value: { sku: 'b' }, ts: 4 }], MAIN);
    expect(h.outValues()).toEqual([{ sku: 'a', name: 'Apple' }, { sku: 'b', name: 'Bean' }]);
  });

  it('a bad broadcast key goes to errors with the record', () => {
    const h = node({ key: 'missing', output: '{ n: 1 }' });
    h.push([{ value: { x: 1 }, ts: 1 }], BROADCAST);
    expect(h.outValues('errors')).toEqual([{ node: 'broadcast', error: expect.stringContaining('key must be a string'), record: { x: 1 } }]);
  });
});

describe('broadcast with code (KeyedBroadcastProcessFunction)', () => {
  const code = {
    onBroadcast: 'ctx.broadcast.clear(); for (const t of event.top) ctx.broadcast.put(t.item, t.count);',
    code: [
      'const seen = ctx.state.value("seen");',
      'seen.update((seen.value() ?? 0) + 1);',
      'ctx.emit({ user: ctx.key, product: event.product, seen: seen.value(), trending: ctx.broadcast.contains(event.product), size: ctx.broadcast.size() });',
    ].join('\n'),
  };

  it('keeps keyed state per main key and reads the broadcast state every key shares', () => {
    const h = node(code, true);
    h.push([{ value: { top: [{ item: 'p1', count: 9 }, { item: 'p2', count: 5 }] }, ts: 1 }], BROADCAST);
    h.push([{ value: { product: 'p1' }, ts: 2, key: 'u1' }, { value: { product: 'p3' }, ts: 2, key: 'u2' }, { value: { product: 'p2' }, ts: 3, key: 'u1' }], MAIN);
    h.push([{ value: { top: [{ item: 'p3', count: 4 }] }, ts: 4 }], BROADCAST);
    h.push([{ value: { product: 'p3' }, ts: 5, key: 'u2' }], MAIN);
    expect(h.outValues()).toEqual([
      { user: 'u1', product: 'p1', seen: 1, trending: true, size: 2 },
      { user: 'u2', product: 'p3', seen: 1, trending: false, size: 2 },
      { user: 'u1', product: 'p2', seen: 2, trending: true, size: 2 },
      { user: 'u2', product: 'p3', seen: 2, trending: true, size: 1 },
    ]);
  });

  it('the broadcast side emits through ctx.emit, stamped with the broadcast record\'s time (processBroadcastElement\'s Collector)', () => {
    const h = node({ onBroadcast: 'const was = ctx.broadcast.size(); ctx.broadcast.put(event.id, event.v); ctx.emit({ changed: event.id, was, at: ctx.timestamp })', output: '{ v: broadcast[event.id] ?? null }' }, true);
    h.push([{ value: { id: 'a', v: 1 }, ts: 7 }, { value: { id: 'b', v: 2 }, ts: 9 }], BROADCAST);
    h.push([{ value: { id: 'b' }, ts: 10, key: 'u' }], MAIN);
    expect(h.output().map((r) => [r.value, r.ts])).toEqual([
      [{ changed: 'a', was: 0, at: 7 }, 7],
      [{ changed: 'b', was: 1, at: 9 }, 9],
      [{ v: 2 }, 10],
    ]);
    const bad = node({ onBroadcast: 'ctx.emit(42)', output: '{ n: 1 }' });
    bad.push([{ value: { x: 1 }, ts: 1 }], BROADCAST);
    expect(bad.outValues()).toEqual([]);
    expect(bad.outValues('errors')).toEqual([{ node: 'broadcast', error: 'ctx.emit needs an object, not number', record: { x: 1 } }]);
  });

  it('the main side can neither write the broadcast state nor change a value read from it', () => {
    const put = node({ key: '"k"', code: 'ctx.broadcast.put("k", 1)' });
    put.push([{ value: { v: 1 }, ts: 1 }], BROADCAST);
    put.push([{ value: {}, ts: 2 }], MAIN);
    expect((put.outValues('errors')[0] as { error: string }).error).toMatch(/put is not a function/);
    const mutate = node({ key: '"k"', code: 'try { ctx.broadcast.get("k").v = 2 } catch {} ctx.emit({ v: ctx.broadcast.get("k").v })' });
    mutate.push([{ value: { v: 1 }, ts: 1 }], BROADCAST);
    mutate.push([{ value: {}, ts: 2 }], MAIN);
    expect(mutate.outValues()).toEqual([{ v: 1 }]);
    // The broadcast record itself is not frozen (a fan-out may hand it to other nodes).
    const rec = { v: 1 };
    const h = node({ key: '"k"', output: '{ v: broadcast.k.v }' });
    h.push([{ value: rec, ts: 1 }], BROADCAST);
    expect(Object.isFrozen(rec)).toBe(false);
  });

  it('fires event-time timers of main keys with onTimer, at the minimum watermark of both inputs', () => {
    const h = node({ key: '"k"', code: 'ctx.timers.eventTime(ctx.timestamp + 10)', onTimer: 'ctx.emit({ key: ctx.key, at: timer.timestamp })' }, true);
    h.push([{ value: {}, ts: 5, key: 'a' }], MAIN);
    h.watermark(100, MAIN);
    expect(h.outValues()).toEqual([]);
    h.watermark(14, BROADCAST);
    expect(h.outValues()).toEqual([]);
    h.watermark(15, BROADCAST);
    expect(h.outValues()).toEqual([{ key: 'a', at: 15 }]);
  });
});

describe('state figures, snapshot and restore', () => {
  it('reports main keys and broadcast entries apart, and a restored node continues with both', () => {
    const params = { key: 'k', value: 'v', code: 'const n = ctx.state.value("n"); n.update((n.value() ?? 0) + 1); ctx.emit({ n: n.value(), b: ctx.broadcast.get("x") })' };
    const first = node(params, true);
    first.push([{ value: { k: 'x', v: 1 }, ts: 1 }, { value: { k: 'y', v: 2 }, ts: 1 }], BROADCAST);
    first.push([{ value: {}, ts: 2, key: 'u1' }, { value: {}, ts: 2, key: 'u2' }, { value: {}, ts: 2, key: 'u3' }], MAIN);
    const size = (first.op as unknown as Stateful).stateSize();
    expect(size.inputs).toEqual({ main: { keys: 3, bytes: expect.any(Number) }, broadcast: { keys: 2, bytes: expect.any(Number) } });
    expect(size.inputs!.broadcast!.bytes).toBeGreaterThan(0);

    const snap = structuredClone((first.op as unknown as Stateful).snapshotState());
    const second = node(params, true);
    (second.op as unknown as Stateful).restoreState(snap);
    second.push([{ value: {}, ts: 3, key: 'u1' }], MAIN);
    expect(second.outValues()).toEqual([{ n: 2, b: 1 }]);
  });
});

describe('params and validation', () => {
  const parse = (p: unknown) => REGISTRY.get('broadcast')!.params.safeParse(p);
  it('needs one way to update and one way to read', () => {
    expect(parse({ key: 'id', output: '{...event}' }).success).toBe(true);
    expect(parse({ output: '{...event}' }).success).toBe(false);
    expect(parse({ key: 'id', onBroadcast: 'x', output: '{...event}' }).success).toBe(false);
    expect(parse({ key: 'id' }).success).toBe(false);
    expect(parse({ key: 'id', output: '{...event}', code: 'x' }).success).toBe(false);
    expect(parse({ key: 'id', output: '{...event}', onTimer: 'x' }).success).toBe(false);
    expect(parse({ onBroadcast: 'x', value: 'v', output: '{...event}' }).success).toBe(false);
  });
});
