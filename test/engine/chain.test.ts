import { describe, expect, it } from 'vitest';
import { NodeError } from '../../runtime/engine/errors.js';
import { OperatorHarness } from '../support/harness.js';

describe('filter / map / flatMap / keyBy stages', () => {
  it('filter keeps records where the condition holds, with their timestamps', () => {
    const h = new OperatorHarness('filter', { condition: 'price > 10' });
    h.push([
      { value: { price: 5 }, ts: 1 },
      { value: { price: 50 }, ts: 2 },
      { value: { price: 11 }, ts: 3 },
    ]);
    expect(h.output()).toEqual([
      { value: { price: 50 }, ts: 2, key: undefined, wm: -Infinity },
      { value: { price: 11 }, ts: 3, key: undefined, wm: -Infinity },
    ]);
    expect(h.metrics.recordsIn).toBe(3);
    expect(h.metrics.recordsOut).toBe(2);
  });

  it('a dropped record never loses a watermark advance', () => {
    const h = new OperatorHarness('filter', { condition: 'keep' });
    h.push([
      { value: { keep: true }, ts: 10, wmAfter: 5 },
      { value: { keep: false }, ts: 20, wmAfter: 15 },
      { value: { keep: true }, ts: 30, wmAfter: 25 },
      { value: { keep: false }, ts: 40, wmAfter: 35 },
    ]);
    // The second kept record sees the watermark the dropped one raised; the batch ends at 35.
    expect(h.output().map((o) => [o.ts, o.wm])).toEqual([
      [10, -Infinity],
      [30, 15],
    ]);
    expect(h.watermarksOut()).toEqual([35]);
  });

  it('filter with code gets event and ctx', () => {
    const h = new OperatorHarness('filter', { code: 'return event.n % 2 === 0 && ctx.timestamp > 1 && ctx.node === "filter";' });
    h.push([1, 2, 3, 4].map((n) => ({ value: { n }, ts: n })));
    expect(h.outValues()).toEqual([{ n: 2 }, { n: 4 }]);
  });

  it('map builds a new record with spread and helpers', () => {
    const h = new OperatorHarness('map', { expression: '{...event, total: round(price * quantity, 2), cat: upper(category)}' });
    h.values([{ price: 19.99, quantity: 3, category: 'books' }]);
    expect(h.outValues()).toEqual([{ price: 19.99, quantity: 3, category: 'books', total: 59.97, cat: 'BOOKS' }]);
  });

  it('map must produce an object: anything else goes to errors', () => {
    const h = new OperatorHarness('map', { code: 'return event.ok ? event : 42;' });
    h.values([{ ok: true }, { ok: false }]);
    expect(h.outValues()).toEqual([{ ok: true }]);
    expect(h.outValues('errors')).toEqual([{ node: 'map', error: 'map must produce an object, got number 42', record: { ok: false } }]);
    expect(h.metrics.errors).toBe(1);
  });

  it('a record whose expression throws goes to errors with the message and node id', () => {
    const h = new OperatorHarness('filter', { condition: 'user.id > 3' });
    h.values([{ user: { id: 5 } }, { nouser: true }, { user: { id: 1 } }]);
    expect(h.outValues()).toEqual([{ user: { id: 5 } }]);
    const errs = h.outValues('errors') as { node: string; error: string; record: unknown }[];
    expect(errs).toHaveLength(1);
    expect(errs[0]!.node).toBe('filter');
    expect(errs[0]!.error).toMatch(/Cannot read properties of undefined/);
    expect(errs[0]!.record).toEqual({ nouser: true });
  });

  it('without an errors edge, the first failing record fails with the node id', () => {
    const h = new OperatorHarness('filter', { condition: 'user.id > 3' }, { connect: ['out'] });
    expect(() => h.values([{ nouser: true }])).toThrow(NodeError);
    try {
      h.values([{ nouser: true }]);
    } catch (err) {
      expect((err as NodeError).nodeId).toBe('filter');
      expect((err as NodeError).message).toMatch(/Cannot read properties of undefined.*record: \{"nouser":true\}/);
    }
  });

  it('flatMap emits zero or more records per input, each with the input timestamp', () => {
    const h = new OperatorHarness('flatMap', { code: 'return event.items.map((i) => ({ item: i, order: event.id }));' });
    h.push([
      { value: { id: 1, items: ['a', 'b'] }, ts: 100 },
      { value: { id: 2, items: [] }, ts: 200 },
      { value: { id: 3, items: ['c'] }, ts: 300 },
    ]);
    expect(h.output().map((o) => [o.value, o.ts])).toEqual([
      [{ item: 'a', order: 1 }, 100],
      [{ item: 'b', order: 1 }, 100],
      [{ item: 'c', order: 3 }, 300],
    ]);
  });

  it('flatMap must return an array of objects', () => {
    const h = new OperatorHarness('flatMap', { code: 'return event.x;' });
    h.values([{ x: 'nope' }, { x: [1] }, { x: [{ ok: 1 }] }]);
    expect(h.outValues()).toEqual([{ ok: 1 }]);
    expect((h.outValues('errors') as { error: string }[]).map((e) => e.error)).toEqual([
      'flatMap code must return an array, got string "nope"',
      'flatMap must return an array of objects, got number 1',
    ]);
  });

  it('keyBy sets the key and rejects keys that cannot identify state', () => {
    const h = new OperatorHarness('keyBy', { key: 'userId' });
    h.values([{ userId: 'u1' }, { userId: 7 }, { userId: { a: 1 } }, {}]);
    expect(h.output().map((o) => o.key)).toEqual(['u1', 7]);
    expect(h.outValues('errors')).toHaveLength(2);
  });

  it('stateless stages keep the incoming key', () => {
    const h = new OperatorHarness('map', { expression: '{v: event.v * 2}' }, { keyed: true });
    h.push([
      { value: { v: 1 }, key: 'a' },
      { value: { v: 2 }, key: 'b' },
    ]);
    expect(h.output().map((o) => [o.value, o.key])).toEqual([
      [{ v: 2 }, 'a'],
      [{ v: 4 }, 'b'],
    ]);
  });

  it('forwards a watermark that arrives without records, and the end of input', () => {
    const h = new OperatorHarness('filter', { condition: 'true' });
    h.watermark(100).watermark(50).watermark(200).end();
    expect(h.watermarksOut()).toEqual([100, 200]);
    expect(h.ended()).toBe(true);
  });
});
