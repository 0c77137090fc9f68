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

  it('meets keys as a Map does (SameValueZero): NaN is one key, undefined a key like any other', () => {
    // keyBy lets neither through today; the table must still not hand out a new id per lookup,
    // nor lose a key in a rebuild, should one arrive (e.g. from a snapshot).
    const ids = new KeyIds();
    const odd: unknown[] = [NaN, undefined, null];
    const got = odd.map((k) => ids.idOf(k));
    expect(new Set(got).size).toBe(odd.length);
    // Enough other keys to grow the table (a rebuild) several times.
    for (let i = 0; i < 20_000; i++) ids.idOf(`k${i}`);
    expect(odd.map((k) => ids.idOf(k))).toEqual(got);
    expect(ids.size).toBe(20_000 + odd.length);
    const seen = new Map<unknown, number>();
    ids.forEach((key, id) => seen.set(key, id));
    for (let i = 0; i < odd.length; i++) expect(seen.get(odd[i])).toBe(got[i]);
  });

  it('keeps thousands of keys with one and the same hash apart, through growth, sweeps and id reuse', () => {
    // Doubles built so that every one hashes alike: the probe must compare keys, not hashes.
    const K = 0x9e3779b1;
    const bits = new Float64Array(1);
    const w = new Int32Array(bits.buffer);
    const colliding = (i: number): number => {
      w[1] = 0x40000000 + i;
      w[0] = 0x1234567 ^ Math.imul(w[1], K);
      return bits[0]!;
    };
    const N = 9000;
    const keys = Array.from({ length: N }, (_, i) => colliding(i));
    expect(new Set(keys).size).toBe(N);
    expect(new Set(keys.map(hashKey)).size).toBe(1);
    const ids = new KeyIds();
    // Half come in one batch (the table grows in the middle of it), half one by one.
    const out = new Int32Array(N / 2);
    ids.idsOf(keys.slice(0, N / 2), N / 2, out);
    ids.endBatch();
    const first = [...out, ...keys.slice(N / 2).map((k) => ids.idOf(k))];
    expect(new Set(first).size).toBe(N);
    expect(keys.map((k) => ids.idOf(k))).toEqual(first);
    // Two keys in three go idle: enough to be swept, and their ids handed to new keys.
    const kept = (i: number) => i % 3 === 0;
    const released = new Set<number>();
    for (let i = 0; i < N; i++) {
      if (kept(i)) continue;
      ids.release(first[i]!);
      released.add(first[i]!);
    }
    expect(ids.size).toBe(N / 3);
    const fresh = Array.from({ length: N / 3 }, (_, i) => colliding(N + i)).map((k) => ids.idOf(k));
    expect(fresh.filter((id) => released.has(id)).length).toBe(N / 3);
    // The kept keys, never idle, keep their ids; no id serves two keys.
    for (let i = 0; i < N; i += 3) expect(ids.idOf(keys[i])).toBe(first[i]);
    const all = new Map<number, unknown>();
    ids.forEach((key, id) => {
      expect(all.has(id)).toBe(false);
      all.set(id, key);
    });
    expect(all.size).toBe(2 * N / 3);
    for (let i = 0; i < N; i += 3) expect(all.get(first[i]!)).toBe(keys[i]);
  });

  it('gives the same ids as a Map-based reference through growth, idle sweeps and id reuse', () => {
    const r = rng(3);
    const ids = new KeyIds();
    const ref = new Map<unknown, number>();
    const keyOfId = new Map<number, unknown>();
    const live = new Set<number>();
    for (let step = 0; step < 200_000; step++) {
      const n = Math.floor(r() * 30_000);
      const key = r() < 0.5 ? `k${n}` : n;
      const id = ids.idOf(key);
      const had = ref.get(key);
      if (had !== undefined) expect(id).toBe(had);
      else {
        // A new key never takes an id another key still holds.
        if (keyOfId.has(id)) ref.delete(keyOfId.get(id));
        ref.set(key, id);
        keyOfId.set(id, key);
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
