// The interval join's key table (runtime/nodes/join-interval/key-ids.ts): an open-addressing hash
// over strings, numbers, booleans and null must give one id per key by `===`, keep ids stable
// through growth, and sweep idle keys without losing or mixing live ones. Checked against a Map.
import { describe, expect, it } from 'vitest';
import { hashKey, KeyIds } from '../../runtime/nodes/join-interval/key-ids.js';

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe('join.interval key ids', () => {
  it('keeps keys of different types apart and treats 0 and -0 as one key, as a Map does', () => {
    const ids = new KeyIds();
    const keys: unknown[] = ['7', 7, 7.5, 'true', true, false, 0, 'null', null, '', 2 ** 40, -(2 ** 40), 1e-300];
    const got = keys.map((k) => ids.idOf(k));
    expect(new Set(got).size).toBe(keys.length);
    expect(ids.idOf(-0)).toBe(ids.idOf(0));
    // The same content in another string object is the same key.
    expect(ids.idOf(['7'].join(''))).toBe(got[0]);
    expect(hashKey(-0)).toBe(hashKey(0));
  });

  it('gives the same ids as a Map-based reference through growth, idle sweeps and id reuse', () => {
    const r = rng(3);
    const ids = new KeyIds();
    const ref = new Map<unknown, number>();
    const live = new Set<number>();
    for (let step = 0; step < 200_000; step++) {
      const n = Math.floor(r() * 30_000);
      const key = r() < 0.5 ? `k${n}` : n;
      const id = ids.idOf(key);
      const had = ref.get(key);
      if (had !== undefined) expect(id).toBe(had);
      else {
        // A new key never takes an id another key still holds.
        for (const [k, v] of ref) if (v === id) ref.delete(k);
        ref.set(key, id);
      }
      live.add(id);
      // Now and then a key holds nothing any more: its id may be swept and handed to another key.
      if (r() < 0.3) {
        const victim = ref.get(r() < 0.5 ? `k${Math.floor(r() * 30_000)}` : Math.floor(r() * 30_000));
        if (victim !== undefined) {
          ids.release(victim);
          live.delete(victim);
        }
      }
    }
    // Every key the reference still calls live keeps its id; size counts exactly the live ones.
    let held = 0;
    ids.forEach((key, id) => {
      expect(ref.get(key)).toBe(id);
      expect(live.has(id)).toBe(true);
      held++;
    });
    expect(held).toBe(ids.size);
    expect(held).toBe(live.size);
  });
});
