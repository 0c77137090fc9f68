// Records packed for another thread (strings named by id once they have crossed) must arrive as
// structured clone would deliver them: equal values, field order, -0, undefined, absent fields;
// what cannot pack declines the whole batch and adds nothing to the channel's dictionary.
import { describe, expect, it } from 'vitest';
import { type Packed, PackReader, PackWriter } from '../../runtime/engine/parallel/packed.js';

/** Through a real structured clone, as a message to a worker goes. */
function channel() {
  const w = new PackWriter();
  const r = new PackReader();
  return (recs: unknown[], fields: string[] | null = null): unknown[] | null => {
    const p = w.encode(recs, fields);
    return p === null ? null : r.decode(structuredClone(p) as Packed);
  };
}

const keysDeep = (v: unknown): unknown =>
  Array.isArray(v) ? v.map(keysDeep) : v !== null && typeof v === 'object' ? Object.entries(v).map(([k, x]) => [k, keysDeep(x)]) : v;

describe('packed records', () => {
  it('arrive equal to a structured clone, field order and -0 included, over many batches', () => {
    const send = channel();
    const long = 'x'.repeat(200);
    for (let b = 0; b < 5; b++) {
      const recs = Array.from({ length: 300 }, (_, i) => ({
        userId: `u${(i * 7 + b) % 50}`,
        '2': i,
        '1': 'one',
        price: i % 3 === 0 ? -0 : i / 7,
        odd: [NaN, Infinity, -Infinity, null, undefined, true, false, '', long],
        nested: { list: [`p${i % 11}`, `p${(i + b) % 13}`], top: [{ productId: `p${i % 5}`, views: i }] },
        maybe: i % 2 === 0 ? undefined : 'there',
      }));
      const got = send(recs)!;
      expect(got).not.toBeNull();
      expect(keysDeep(got)).toEqual(keysDeep(structuredClone(recs)));
      expect(got.map((r) => Object.is((r as { price: number }).price, -0))).toEqual(recs.map((r) => Object.is(r.price, -0)));
      expect(JSON.stringify(got)).toBe(JSON.stringify(recs));
    }
  });

  it('keep only the fields asked for, an absent one absent', () => {
    const send = channel();
    const got = send([{ a: 1, b: 'x', c: [1] }, { b: 'y' }, { a: undefined, b: 'x' }], ['a', 'b'])!;
    expect(got).toEqual([{ a: 1, b: 'x' }, { b: 'y' }, { a: undefined, b: 'x' }]);
    expect(got.map((r) => Object.keys(r as object))).toEqual([['a', 'b'], ['b'], ['a', 'b']]);
  });

  it('decline what structured clone keeps and packing would not, without upsetting the dictionary', () => {
    const send = channel();
    const cycle: Record<string, unknown> = { a: 'loop' };
    cycle.self = cycle;
    const declined: unknown[] = [
      { when: new Date(0) },
      { m: new Map() },
      { t: new Uint8Array(2) },
      Object.assign(Object.create(null), { a: 1 }),
      JSON.parse('{"__proto__": {"x": 1}}'),
      { holes: [1, , 3] },
      { big: 1n },
      cycle,
      new (class Point { x = 1 })(),
      // Structured clone keeps a regex match's index, input and groups.
      { m: 'a-42'.match(/(?<n>\d+)/) },
      { all: [...'a1b2'.matchAll(/\d/g)] },
    ];
    for (const d of declined) {
      // Strings named first in a declined batch must still cross with the next one that packs.
      expect(send([{ fresh: `s-${String(declined.indexOf(d))}` }, d])).toBeNull();
      expect(send([{ fresh: `s-${String(declined.indexOf(d))}` }])).toEqual([{ fresh: `s-${String(declined.indexOf(d))}` }]);
    }
    expect(send(['top-level string', 3, null, [1, 'a']])).toEqual(['top-level string', 3, null, [1, 'a']]);
  });

  it('a batch stopped by a throwing getter leaves the dictionary as it was', () => {
    const send = channel();
    const bad = { fresh: 'named-then-thrown', get boom(): never { throw new TypeError('getter failed') } };
    expect(() => send([bad])).toThrow('getter failed');
    expect(send([{ next: 'after', again: 'named-then-thrown' }])).toEqual([{ next: 'after', again: 'named-then-thrown' }]);
  });

  it('keep working when the dictionary is full: later strings go inline', () => {
    const send = channel();
    const recs = Array.from({ length: 70_000 }, (_, i) => ({ id: `id-${i}` }));
    expect(send(recs)).toEqual(recs);
    expect(send([{ id: 'id-69999' }, { id: 'brand new' }, { id: 'id-1' }])).toEqual([{ id: 'id-69999' }, { id: 'brand new' }, { id: 'id-1' }]);
  });

  it('start a new dictionary when keys drift past a full one, so new keys are named by id again', () => {
    const w = new PackWriter();
    const r = new PackReader();
    const pass = (recs: unknown[]) => {
      const p = w.encode(recs)!;
      expect(r.decode(structuredClone(p) as Packed)).toEqual(recs);
      return p;
    };
    // Fill the dictionary (65,536 strings: the field name and 65,535 ids), then drift: each batch
    // brings 4,000 ids never seen before.
    pass(Array.from({ length: 65_535 }, (_, i) => ({ id: `old-${i}` })));
    const drift = (b: number) => Array.from({ length: 4_000 }, (_, i) => ({ id: `new-${b}-${i}` }));
    const inlined: number[] = [];
    const resets: number[] = [];
    for (let b = 0; b < 8; b++) {
      const p = pass(drift(b));
      inlined.push(p.inline.length);
      if (p.reset) resets.push(b);
    }
    // Inline while full, until a quarter of the dictionary's worth (16,384) went inline: the fifth
    // batch starts a new dictionary, and from then on new ids cross once and are named by id.
    expect(inlined).toEqual([4_000, 4_000, 4_000, 4_000, 4_000, 0, 0, 0]);
    expect(resets).toEqual([5]);
    // Ids of the new dictionary repeat by id; the old ones cross again, once.
    const again = pass([{ id: 'new-5-1' }, { id: 'old-7' }, { id: 'old-7' }]);
    expect(again.added).toEqual(['old-7']);
    expect(again.inline).toEqual([]);
  });

  it('a new dictionary whose first batch declines is announced by the next batch that packs', () => {
    const w = new PackWriter();
    const r = new PackReader();
    w.encode(Array.from({ length: 65_535 }, (_, i) => ({ id: `old-${i}` })));
    const full = w.encode(Array.from({ length: 16_384 }, (_, i) => ({ id: `miss-${i}` })))!;
    expect(full.inline).toHaveLength(16_384);
    // The reader saw neither batch: a fresh reader stands for one that lost nothing (the writer's
    // next batch must not name the old ids, as the fresh one will not have them either way).
    expect(w.encode([{ id: 'x' }, { when: new Date(0) }])).toBeNull();
    const p = w.encode([{ id: 'old-3' }, { id: 'y' }])!;
    expect(p.reset).toBe(true);
    expect(p.added).toEqual(['id', 'old-3', 'y']);
    expect(r.decode(structuredClone(p) as Packed)).toEqual([{ id: 'old-3' }, { id: 'y' }]);
    expect(w.encode([{ id: 'y' }])!.reset).toBe(false);
  });

  it('decline records sharing sub-objects level after level (packed once per path), in bounded time', () => {
    const send = channel();
    let shared: Record<string, unknown> = { leaf: 'x' };
    for (let i = 0; i < 30; i++) shared = { a: shared, b: shared };
    const t0 = performance.now();
    expect(send([{ deep: shared }])).toBeNull();
    expect(performance.now() - t0).toBeLessThan(10_000);
    expect(send([{ after: 'ok' }])).toEqual([{ after: 'ok' }]);
  });
});
