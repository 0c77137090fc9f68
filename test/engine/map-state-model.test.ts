// MapState against a reference model: a plain Map per key with an explicit last-access time per
// entry, applying Flink's TTL rules (TtlMapState, NeverReturnExpired, OnCreateAndWrite or
// OnReadAndWrite) directly. Random sequences of every operation — writes inside forEach, clear,
// snapshot and restore, time frozen as the process node freezes it — must read the same as the
// model, and the bytes counted must equal those a restore of a snapshot counts.
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../runtime/engine/clock.js';
import { HeapKeyedStateBackend } from '../../runtime/engine/state/heap-backend.js';
import type { MapKey, MapState, StateOptions } from '../../runtime/engine/state/types.js';

/** Deterministic pseudo-random numbers (mulberry32). */
function rng(seed: number): () => number {
  let s = seed;
  return () => {
    let t = (s = (s + 0x6d2b79f5) | 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

interface Entry {
  v: unknown;
  t: number;
}

/** The reference: entries per key, each with its last-access time. */
class Model {
  readonly keys = new Map<number, Map<MapKey, Entry>>();
  key = 0;
  constructor(
    private readonly ttl: number,
    private readonly onRead: boolean,
  ) {}

  private m(): Map<MapKey, Entry> {
    let m = this.keys.get(this.key);
    if (m === undefined) this.keys.set(this.key, (m = new Map()));
    return m;
  }

  private expired(e: Entry, now: number): boolean {
    return this.ttl > 0 && now >= e.t + this.ttl;
  }

  /** The unexpired entry of `k` (expired ones are dropped), not refreshed. */
  private live(k: MapKey, now: number): Entry | undefined {
    const m = this.m();
    const e = m.get(k);
    if (e === undefined) return undefined;
    if (this.expired(e, now)) {
      m.delete(k);
      return undefined;
    }
    return e;
  }

  /** Every unexpired entry, refreshed as an iteration refreshes. */
  private all(now: number): [MapKey, Entry][] {
    const out: [MapKey, Entry][] = [];
    for (const [k, e] of this.m()) {
      if (this.expired(e, now)) this.m().delete(k);
      else {
        if (this.onRead) e.t = now;
        out.push([k, e]);
      }
    }
    return out;
  }

  get(k: MapKey, now: number): unknown {
    const e = this.live(k, now);
    if (e !== undefined && this.onRead) e.t = now;
    return e?.v;
  }

  contains(k: MapKey, now: number): boolean {
    return this.get(k, now) !== undefined;
  }

  put(k: MapKey, v: unknown, now: number): void {
    this.live(k, now);
    this.m().set(k, { v, t: now });
  }

  increment(k: MapKey, by: number, now: number): number {
    const e = this.live(k, now);
    if (e !== undefined && typeof e.v !== 'number') throw new Error('not a number');
    const v = ((e?.v as number | undefined) ?? 0) + by;
    this.m().set(k, { v, t: now });
    return v;
  }

  remove(k: MapKey): void {
    this.m().delete(k);
  }

  entries(now: number): [MapKey, unknown][] {
    return this.all(now).map(([k, e]) => [k, e.v]);
  }

  size(now: number): number {
    return this.all(now).length;
  }

  isEmpty(now: number): boolean {
    for (const [k, e] of this.m()) if (this.expired(e, now)) this.m().delete(k);
    return this.m().size === 0;
  }

  top(n: number, now: number): [MapKey, number][] {
    const rank = (k: MapKey) => (typeof k === 'boolean' ? 0 : typeof k === 'number' ? 1 : 2);
    const live: [MapKey, Entry][] = [];
    for (const [k, e] of this.m()) {
      if (this.expired(e, now)) this.m().delete(k);
      else if (typeof e.v === 'number' && !Number.isNaN(e.v)) live.push([k, e]);
    }
    live.sort(
      ([a, ea], [b, eb]) =>
        (eb.v as number) - (ea.v as number) || (rank(a) !== rank(b) ? rank(a) - rank(b) : a < b ? -1 : a > b ? 1 : 0),
    );
    const got = live.slice(0, n);
    if (this.onRead) for (const [, e] of got) e.t = now;
    return got.map(([k, e]) => [k, e.v as number]);
  }

  clear(): void {
    this.m().clear();
  }
}

/**
 * A value other than a small integer: numbers a double array holds but a tagged one boxes (-0,
 * NaN, ±Infinity, past 2^53, fractions) and values that are not numbers at all.
 */
function special(rnd: () => number): unknown {
  const all = [-0, NaN, Infinity, -Infinity, 2 ** 53 + 2, -(2 ** 60), 1.5, Number.MAX_VALUE, 'text', '', null, { n: 1 }, [1, 2.5], false, 3];
  return all[Math.floor(rnd() * all.length)];
}

const KEYS: MapKey[] = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 1, 2, 3, 2.5, true, false];

function byKey(a: [MapKey, unknown], b: [MapKey, unknown]): number {
  const s = (k: MapKey) => `${typeof k}:${String(k)}`;
  return s(a[0]) < s(b[0]) ? -1 : s(a[0]) > s(b[0]) ? 1 : 0;
}

/** `wide`: half the keys from a few hundred, so maps grow large and shrink (position reuse, compaction). */
function run(seed: number, steps: number, opts: StateOptions | undefined, wide: boolean): void {
  const ttl = opts?.ttl ?? 0;
  const model = new Model(ttl, opts?.ttlUpdate === 'onReadAndWrite');
  const clock = new ManualClock(1000);
  // A small cleanup size, so the incremental cleanup stops part-way through maps.
  let b = new HeapKeyedStateBackend(clock, 2);
  let m: MapState = b.map('m', opts);
  b.setCurrentKey(0);
  const rnd = rng(seed);
  const pick = (): MapKey => (wide && rnd() < 0.5 ? `w${Math.floor(rnd() * 1000)}` : KEYS[Math.floor(rnd() * KEYS.length)]!);
  let depth = 0;
  let frozenAt = 0;
  const now = () => (depth > 0 && ttl > 0 ? frozenAt : clock.now());
  let fresh = 0;
  let restores = 0;
  let tops = 0;

  for (let step = 0; step < steps; step++) {
    const where = `seed ${seed}, step ${step}`;
    if (rnd() < 0.05) {
      const key = Math.floor(rnd() * 4);
      b.setCurrentKey(key);
      model.key = key;
    }
    const r = rnd();
    const k = pick();
    if (r < 0.2) {
      const y = rnd();
      const by = y < 0.7 ? 1 : y < 0.78 ? 0.25 : y < 0.82 ? 2 ** 60 : y < 0.85 ? -0 : Math.floor(rnd() * 7) - 3;
      let want: number | Error;
      try {
        want = model.increment(k, by, now());
      } catch (e) {
        want = e as Error;
      }
      if (want instanceof Error) expect(() => m.increment(k, by), where).toThrow(/not a number/);
      else expect(m.increment(k, by), where).toBe(want);
    } else if (r < 0.32) {
      const x = rnd();
      const v = x < 0.6 ? Math.floor(rnd() * 10) : special(rnd);
      model.put(k, v, now());
      m.put(k, v);
    } else if (r < 0.4) {
      model.remove(k);
      m.remove(k);
    } else if (r < 0.5) {
      expect(m.get(k), where).toEqual(model.get(k, now()));
    } else if (r < 0.54) {
      expect(m.contains(k), where).toBe(model.contains(k, now()));
    } else if (r < 0.66) {
      const n = 1 + Math.floor(rnd() * 4);
      expect(m.top(n), where).toEqual(model.top(n, now()));
      tops++;
    } else if (r < 0.7) {
      // forEach whose callback writes: removes the entry it is at, adds new keys (taking the
      // positions just freed) and overwrites; every entry is visited once with its value then.
      const seen: [MapKey, unknown][] = [];
      const t = now();
      const want = model.entries(t);
      const added: [MapKey, unknown][] = [];
      m.forEach((v, key) => {
        seen.push([key, v]);
        if (typeof key === 'string' && key.startsWith('new')) return;
        const y = rnd();
        if (y < 0.3) {
          m.remove(key);
          model.remove(key);
        } else if (y < 0.5) {
          m.put(key, 100);
          model.put(key, 100, t);
        } else if (y < 0.6) {
          // A value of another kind (or a number again): the map's values may move between its
          // double and tagged arrays under the iteration.
          const v = special(rnd);
          m.put(key, v);
          model.put(key, v, t);
        }
        if (rnd() < 0.3) {
          const nk = `new${fresh++}`;
          m.put(nk, fresh);
          model.put(nk, fresh, t);
          added.push([nk, fresh]);
        }
      });
      // Entries added during the iteration may or may not be visited (a map emptied by the
      // callback's removals is dropped; what is added then goes to a new one); those there before
      // are visited exactly once, with their value.
      const isNew = ([key]: [MapKey, unknown]) => typeof key === 'string' && key.startsWith('new');
      expect(seen.filter((e) => !isNew(e) || want.some(([wk]) => wk === e[0])).sort(byKey), where).toEqual(want.sort(byKey));
      for (const e of seen) if (isNew(e) && !want.some(([wk]) => wk === e[0])) expect(added, where).toContainEqual(e);
      // The keys added must not stay forever: remove them again (some now, the rest later).
      for (const [nk] of added) {
        if (rnd() < 0.7) {
          m.remove(nk);
          model.remove(nk);
        }
      }
    } else if (r < 0.73) {
      expect(m.entries().sort(byKey), where).toEqual(model.entries(now()).sort(byKey));
    } else if (r < 0.75) {
      expect(m.size(), where).toBe(model.size(now()));
    } else if (r < 0.77) {
      expect(m.isEmpty(), where).toBe(model.isEmpty(now()));
    } else if (r < 0.78) {
      m.clear();
      model.clear();
    } else if (r < 0.8) {
      // A snapshot restored into a new backend (a restart) or the same one (a rollback).
      const snap = b.snapshot();
      const before = b.stateSize();
      if (rnd() < 0.5) {
        const key = model.key;
        const d = depth;
        while (depth > 0) {
          b.thawTime();
          depth--;
        }
        b = new HeapKeyedStateBackend(clock, 2);
        b.restore(snap);
        m = b.map('m', opts);
        b.setCurrentKey(key);
        // The new backend freezes the clock as it reads it now.
        for (; depth < d; depth++) b.freezeTime();
        frozenAt = clock.now();
      } else {
        b.restore(snap);
      }
      // What is held and counted is the same as before (nothing was cleaned up between).
      expect(b.stateSize(), where).toEqual(before);
      restores++;
    } else if (r < 0.88 && ttl > 0) {
      clock.advance(Math.floor(rnd() * ttl * 0.4));
    } else if (r < 0.92 && ttl > 0) {
      if (depth === 0 || (rnd() < 0.5 && depth < 3)) {
        b.freezeTime();
        if (depth === 0) frozenAt = clock.now();
        depth++;
      } else {
        b.thawTime();
        depth--;
      }
    } else if (wide && r >= 0.96 && r < 0.98) {
      // A hundred entries at once: the map grows.
      const t = now();
      for (let j = 0; j < 100; j++) {
        const key = `w${Math.floor(rnd() * 1000)}`;
        model.put(key, j, t);
        m.put(key, j);
      }
    } else if (r < 0.96 && r >= 0.94) {
      // Most entries removed at once: the map shrinks.
      for (const key of [...(model.keys.get(model.key)?.keys() ?? [])]) {
        if (rnd() < 0.9) {
          model.remove(key);
          m.remove(key);
        }
      }
    } else if (r < 0.935) {
      // One entry that is not a number written into a map of numbers and taken out again (by a
      // removal or a number over it): the whole map moves to the tagged array and back.
      const t = now();
      model.put(k, 'flip', t);
      m.put(k, 'flip');
      if (rnd() < 0.5) {
        model.remove(k);
        m.remove(k);
      } else {
        model.put(k, -0, t);
        m.put(k, -0);
      }
    } else if (r < 0.94) {
      // The bytes counted as the writes went equal those counted from scratch by a restore.
      const fromScratch = new HeapKeyedStateBackend(clock, 2);
      fromScratch.restore(b.snapshot());
      expect(b.stateSize().bytes, where).toBe(fromScratch.stateSize().bytes);
    }
  }
  expect(tops).toBeGreaterThan(steps / 20);
  expect(restores).toBeGreaterThan(steps / 100);
}

describe('MapState against a reference model (Map + explicit TTL)', () => {
  const configs: [string, StateOptions | undefined][] = [
    ['no TTL', undefined],
    ['TTL, OnCreateAndWrite', { ttl: 100 }],
    ['TTL, OnReadAndWrite', { ttl: 100, ttlUpdate: 'onReadAndWrite' }],
  ];
  const seeds = Number(process.env.MAP_MODEL_SEEDS ?? 3);
  for (const [label, opts] of configs) {
    it(`random operations read as the model does: ${label}`, () => {
      for (let seed = 1; seed <= seeds; seed++) run(seed, 3000, opts, false);
    });
    it(`random operations on maps that grow large and shrink read as the model does: ${label}`, () => {
      for (let seed = 1; seed <= seeds; seed++) run(100 + seed, 3000, opts, true);
    });
  }
});
