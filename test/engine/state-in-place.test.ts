// Keyed state reads that copy nothing (ListState size/at/forEach/keepLast, MapState
// forEach/size/increment/top) against the copying reads they replace, with and without TTL, and
// the cleanup's quiet period: expired state still goes once time has come.
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../runtime/engine/clock.js';
import { HeapKeyedStateBackend } from '../../runtime/engine/state/heap-backend.js';
import type { MapKey, StateOptions } from '../../runtime/engine/state/types.js';

function backend(start = 0) {
  const clock = new ManualClock(start);
  return { clock, b: new HeapKeyedStateBackend(clock) };
}

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

/** What top(n) must equal: the entries sorted by value desc, key asc, numbers only. */
function sortedTop(entries: [MapKey, unknown][], n: number): [MapKey, number][] {
  const rank = (k: MapKey) => (typeof k === 'boolean' ? 0 : typeof k === 'number' ? 1 : 2);
  return (entries.filter(([, v]) => typeof v === 'number' && !Number.isNaN(v)) as [MapKey, number][])
    .sort((a, b) => b[1] - a[1] || (rank(a[0]) !== rank(b[0]) ? rank(a[0]) - rank(b[0]) : a[0] < b[0] ? -1 : 1))
    .slice(0, n);
}

describe('MapState.top: an index kept by every write equals sorting the map', () => {
  const configs: [string, StateOptions | undefined][] = [
    ['no TTL', undefined],
    ['TTL, OnCreateAndWrite', { ttl: 50 }],
    ['TTL, OnReadAndWrite', { ttl: 50, ttlUpdate: 'onReadAndWrite' }],
  ];
  for (const [label, opts] of configs) {
    it(`random puts, increments (up and down), removes, non-numbers and expiry: ${label}`, () => {
      const { clock, b } = backend();
      const m = b.map('m', opts);
      const rnd = rng(opts === undefined ? 1 : opts.ttlUpdate === undefined ? 2 : 3);
      const keys: MapKey[] = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 1, 2, 3, true, false];
      let full = 0;
      for (let step = 0; step < 20_000; step++) {
        b.setCurrentKey(step % 3);
        const k = keys[Math.floor(rnd() * keys.length)]!;
        const r = rnd();
        const numeric = typeof m.get(k) !== 'string';
        if (r < 0.45 && numeric) m.increment(k);
        else if (r < 0.55 && numeric) m.increment(k, -Math.floor(rnd() * 3));
        else if (r < 0.65) m.put(k, Math.floor(rnd() * 10));
        else if (r < 0.68) m.put(k, 'not a number');
        else if (r < 0.72) m.remove(k);
        else if (r < 0.73) m.put(k, NaN);
        else if (opts !== undefined && r < 0.78) clock.advance(Math.floor(rnd() * 20));
        const n = 1 + Math.floor(rnd() * 6);
        // entries() refreshes everything under OnReadAndWrite: compare on a copy of the clock's view.
        const got = m.top(n);
        const want = sortedTop(m.entries(), n);
        expect(got, `step ${step}`).toEqual(want);
        if (got.length === n) full++;
      }
      expect(full).toBeGreaterThan(1000);
    });
  }

  it('never returns an expired entry, and a read refreshes only what it returns (OnReadAndWrite)', () => {
    const { clock, b } = backend();
    const m = b.map('m', { ttl: 100, ttlUpdate: 'onReadAndWrite' });
    m.put('old', 10);
    clock.advanceTo(50);
    m.put('new', 5);
    m.put('low', 1);
    expect(m.top(2)).toEqual([['old', 10], ['new', 5]]); // refreshes old and new, not low
    clock.advanceTo(149);
    expect(m.top(1)).toEqual([['old', 10]]);
    clock.advanceTo(160);
    // low (written at 50) is gone; new was refreshed at 50, old at 149.
    expect(m.top(5)).toEqual([['old', 10]]);
    clock.advanceTo(300);
    expect(m.top(5)).toEqual([]);
    expect(b.stateSize().keys).toBe(0);
  });

  it('increment: starts from 0, adds, refuses a non-number value or amount, naming the state', () => {
    const { b } = backend();
    const m = b.map('counts');
    expect(m.increment('x')).toBe(1);
    expect(m.increment('x', 2.5)).toBe(3.5);
    m.put('s', 'text');
    expect(() => m.increment('s')).toThrow(/state 'counts'.*not a number/);
    expect(() => m.increment('x', Infinity)).toThrow(/state 'counts'.*finite number/);
    expect(() => m.top(-1)).toThrow(/state 'counts'/);
    expect(m.size()).toBe(2);
    const seen: [unknown, MapKey][] = [];
    m.forEach((v, k) => seen.push([v, k]));
    expect(seen).toEqual([[3.5, 'x'], ['text', 's']]);
  });

  it('increment of an absent or expired entry starts from 0: by -0 gives 0 (0 + -0), kept as such through the number array', () => {
    const { clock, b } = backend(1000);
    const m = b.map('m', { ttl: 100 });
    b.setCurrentKey('k');
    expect(Object.is(m.increment('a', -0), 0)).toBe(true);
    expect(Object.is(m.get('a'), 0)).toBe(true);
    m.put('z', -0);
    expect(Object.is(m.increment('z', -0), -0)).toBe(true);
    clock.advanceTo(1100);
    expect(Object.is(m.increment('z', -0), 0)).toBe(true);
    m.put('s', 'text');
    clock.advanceTo(1200);
    expect(Object.is(m.increment('s', -0), 0)).toBe(true);
  });

  it('a map that takes a value other than a number and loses it again keeps values, times, ranking and bytes', () => {
    const { clock, b } = backend(1000);
    const m = b.map('m', { ttl: 100 });
    b.setCurrentKey('k');
    const counted = () => {
      // The bytes counted as the writes went equal those a restore counts from scratch.
      const { b: fresh } = backend(clock.now());
      fresh.map('m', { ttl: 100 });
      fresh.restore(b.snapshot());
      expect(b.stateSize()).toEqual(fresh.stateSize());
    };
    m.increment('a', 3);
    m.put('b', 0.5);
    clock.advanceTo(1050);
    m.increment('c');
    counted();
    // The first non-number: the numbers move out of their shared array, their times stay.
    m.put('s', { label: 'x' });
    expect(m.entries()).toEqual([['a', 3], ['b', 0.5], ['c', 1], ['s', { label: 'x' }]]);
    expect(m.top(2)).toEqual([['a', 3], ['c', 1]]);
    counted();
    expect(m.increment('b', 2)).toBe(2.5);
    // The last non-number goes: back to one array; a and b, written at 1000 and 1050, expire in turn.
    m.remove('s');
    counted();
    clock.advanceTo(1100);
    expect(m.entries()).toEqual([['b', 2.5], ['c', 1]]);
    expect(m.top(5)).toEqual([['b', 2.5], ['c', 1]]);
    m.put('s', 'again');
    m.put('s', 7);
    expect(m.top(1)).toEqual([['s', 7]]);
    counted();
    clock.advanceTo(1150);
    expect(m.entries()).toEqual([['s', 7]]);
    clock.advanceTo(1200);
    expect(m.isEmpty()).toBe(true);
    expect(b.stateSize()).toEqual({ keys: 0, bytes: 0 });
  });
});

describe('ListState read in place', () => {
  it('size, at (negative from the newest), forEach and keepLast agree with get()', () => {
    const { b } = backend();
    const l = b.list('l');
    for (let i = 0; i < 50; i++) {
      l.add({ i });
      l.keepLast(7);
      const copy = l.get();
      expect(copy.length).toBe(Math.min(i + 1, 7));
      expect(l.size()).toBe(copy.length);
      for (let j = 0; j < copy.length; j++) {
        expect(l.at(j)).toBe(copy[j]);
        expect(l.at(-1 - j)).toBe(copy[copy.length - 1 - j]);
      }
      expect(l.at(copy.length)).toBeUndefined();
      expect(l.at(-copy.length - 1)).toBeUndefined();
      const each: unknown[] = [];
      l.forEach((v, j) => each.push([j, v]));
      expect(each).toEqual(copy.map((v, j) => [j, v]));
    }
    l.keepLast(0);
    expect(b.stateSize()).toEqual({ keys: 0, bytes: 0 });
    expect(() => l.at(1.5)).toThrow(/state 'l'/);
    expect(() => l.keepLast(-1)).toThrow(/state 'l'/);
  });

  it('with TTL: expired elements are not counted, indexed or visited; OnReadAndWrite refreshes on size/at/forEach', () => {
    const { clock, b } = backend();
    const l = b.list('l', { ttl: 100 });
    l.addAll(['a', 'b']);
    clock.advanceTo(60);
    l.add('c');
    clock.advanceTo(100);
    expect(l.size()).toBe(1);
    expect(l.at(0)).toBe('c');
    expect(l.at(-1)).toBe('c');
    clock.advanceTo(160);
    expect(l.size()).toBe(0);
    expect(b.stateSize().keys).toBe(0);

    const r = b.list('r', { ttl: 100, ttlUpdate: 'onReadAndWrite' });
    r.addAll(['x', 'y']);
    clock.advanceTo(250);
    expect(r.at(0)).toBe('x'); // a read at 250 refreshes both
    clock.advanceTo(340);
    const seen: unknown[] = [];
    r.forEach((v) => seen.push(v));
    expect(seen).toEqual(['x', 'y']);
    clock.advanceTo(439);
    expect(r.size()).toBe(2);
    clock.advanceTo(539);
    expect(r.get()).toEqual([]);
  });

  it('a clock that goes back leaves times out of order: reads still drop exactly the expired', () => {
    const { clock, b } = backend(1000);
    const l = b.list('l', { ttl: 100 });
    l.add('late');
    clock.advanceTo(1000); // no-op; go back through a fresh clock reading
    (clock as unknown as { time: number }).time = 900;
    l.add('early');
    (clock as unknown as { time: number }).time = 1050;
    expect(l.get()).toEqual(['late']);
    expect(l.size()).toBe(1);
  });
});

describe('incremental cleanup with a quiet period', () => {
  it('skips steps while nothing can have expired, and still removes every expired key once due', () => {
    const { clock, b } = backend();
    const v = b.value('v', { ttl: 1000 });
    for (let i = 0; i < 2000; i++) {
      b.setCurrentKey(i);
      v.update(i);
      b.cleanupStep();
    }
    clock.advanceTo(500);
    for (let i = 0; i < 500; i++) b.cleanupStep();
    expect(b.stateSize().keys).toBe(2000);
    clock.advanceTo(1000);
    for (let i = 0; i < 2000; i++) b.cleanupStep();
    expect(b.stateSize().keys).toBe(0);
  });

  it('keys written after a pass expire on time too', () => {
    const { clock, b } = backend();
    const v = b.value('v', { ttl: 100 });
    b.setCurrentKey('first');
    v.update(1);
    for (let i = 0; i < 10; i++) b.cleanupStep(); // a full pass: quiet until 100
    clock.advanceTo(90);
    b.setCurrentKey('second');
    v.update(2); // expires at 190
    clock.advanceTo(100);
    for (let i = 0; i < 10; i++) b.cleanupStep();
    expect(b.stateSize().keys).toBe(1);
    clock.advanceTo(190);
    for (let i = 0; i < 10; i++) b.cleanupStep();
    expect(b.stateSize().keys).toBe(0);
  });

  it('with frozen time, TTL reads the clock once: a record is handled at one instant', () => {
    const { clock, b } = backend();
    const v = b.value('v', { ttl: 100 });
    v.update(1);
    clock.advanceTo(99);
    b.freezeTime();
    clock.advanceTo(100);
    expect(v.value()).toBe(1);
    b.thawTime();
    expect(v.value()).toBeUndefined();
  });
});
