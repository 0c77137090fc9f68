// Whole records cross threads as columns only when rebuilding them gives equal records, field order
// included (JSON output, and code iterating a record's fields, see that order).
import { describe, expect, it } from 'vitest';
import { fromColumns, uniformColumns } from '../../runtime/engine/parallel/columns.js';

/** Through a real structured clone, as a message to a worker would go. */
const roundTrip = (recs: unknown[]) => {
  const c = uniformColumns(recs);
  return c === null ? null : fromColumns(structuredClone(c));
};

describe('uniformColumns', () => {
  it('rebuilds records of one shape equal, in field order, numbers exact', () => {
    const recs = [
      { b: 'x', a: -0, nested: ['p', 'q'], obj: { z: 1 }, u: undefined, n: NaN, '2': 'two', '1': 'one' },
      { b: 'y', a: 1.5, nested: [], obj: null, u: 3, n: Infinity, '2': 2, '1': 1 },
    ];
    const back = roundTrip(recs)!;
    expect(back).not.toBeNull();
    expect(back.map((r) => Object.keys(r))).toEqual(recs.map((r) => Object.keys(r)));
    expect(Object.is(back[0]!.a, -0)).toBe(true);
    expect(back).toEqual(recs);
    expect(JSON.stringify(back)).toBe(JSON.stringify(recs));
    expect('u' in back[0]!).toBe(true);
  });

  it('declines records of different shapes, field orders or kinds', () => {
    expect(uniformColumns([{ a: 1, b: 2 }, { b: 2, a: 1 }])).toBeNull();
    expect(uniformColumns([{ a: 1, b: 2 }, { a: 1 }])).toBeNull();
    expect(uniformColumns([{ a: 1 }, { a: 1, b: 2 }])).toBeNull();
    expect(uniformColumns([{ a: 1 }, new Map()])).toBeNull();
    expect(uniformColumns([Object.assign(Object.create(null), { a: 1 })])).toBeNull();
    expect(uniformColumns([{ a: 1 }, 'text'])).toBeNull();
    expect(uniformColumns([])).toBeNull();
    // An own __proto__ field (JSON.parse makes one) would set the prototype when rebuilt.
    expect(uniformColumns([JSON.parse('{"__proto__": {"x": 1}, "a": 1}')])).toBeNull();
  });
});
