// Timer queue reusing deleted timers ("delete the timeout, register a later one" on every record):
// what fires, and in what order, against a plain reference model of Flink's timer service
// (unique per key and timestamp; fire in timestamp order, ties in registration order).
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../runtime/engine/clock.js';
import { TimerService } from '../../runtime/engine/state/timers.js';
import type { Key } from '../../runtime/engine/state/types.js';

function rng(seed: number): () => number {
  let s = seed;
  return () => {
    let t = (s = (s + 0x6d2b79f5) | 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/** The reference: a list of [key, ts, seq]; firing sorts it. */
class Model {
  timers: [Key, number, number][] = [];
  seq = 0;
  add(k: Key, ts: number): void {
    if (!this.timers.some(([a, b]) => a === k && b === ts)) this.timers.push([k, ts, this.seq++]);
  }
  delete(k: Key, ts: number): void {
    this.timers = this.timers.filter(([a, b]) => !(a === k && b === ts));
  }
  fire(wm: number): [Key, number][] {
    const due = this.timers.filter(([, ts]) => ts <= wm).sort((x, y) => x[1] - y[1] || x[2] - y[2]);
    this.timers = this.timers.filter(([, ts]) => ts > wm);
    return due.map(([k, ts]) => [k, ts]);
  }
}

describe('event-time timers with reuse of deleted ones', () => {
  for (const seed of [1, 2, 3, 4]) {
    it(`moves, earlier moves, several per key and watermarks fire as the reference does (seed ${seed})`, () => {
      const fired: [Key, number][] = [];
      const s = new TimerService(new ManualClock(0), { onTimer: (_d, k, ts) => fired.push([k, ts]) });
      const m = new Model();
      const rnd = rng(seed);
      const last = new Map<Key, number>();
      let wm = 0;
      for (let step = 0; step < 20_000; step++) {
        const k = Math.floor(rnd() * 30);
        const r = rnd();
        const prev = last.get(k);
        if (r < 0.6) {
          // The timeout pattern: delete the key's last timer, register one later (sometimes earlier).
          if (prev !== undefined) {
            s.deleteEventTime(k, prev);
            m.delete(k, prev);
          }
          const ts = wm + 1 + Math.floor(rnd() * (r < 0.5 ? 200 : 20));
          s.registerEventTime(k, ts);
          m.add(k, ts);
          last.set(k, ts);
        } else if (r < 0.75) {
          const ts = wm + Math.floor(rnd() * 100);
          s.registerEventTime(k, ts);
          m.add(k, ts);
        } else if (r < 0.85) {
          const ts = wm + Math.floor(rnd() * 100);
          s.deleteEventTime(k, ts);
          m.delete(k, ts);
        } else {
          wm += Math.floor(rnd() * 15);
          fired.length = 0;
          s.advanceWatermark(wm);
          expect(fired, `step ${step}`).toEqual(m.fire(wm));
        }
        expect(s.size).toBe(m.timers.length);
      }
      const snap = s.snapshot();
      expect(snap.event).toEqual([...m.timers].sort((x, y) => x[1] - y[1] || x[2] - y[2]).map(([k, ts]) => [k, ts]));
    });
  }

  it('a timeout moved on every record keeps one timer object per key in the heap', () => {
    const s = new TimerService(new ManualClock(0), { onTimer: () => {} });
    for (let i = 0; i < 100_000; i++) {
      const k = i % 100;
      if (i >= 100) s.deleteEventTime(k, i - 100 + 1000);
      s.registerEventTime(k, i + 1000);
    }
    expect(s.size).toBe(100);
    // 100 timers; without reuse the heap would hold up to twice the live ones, here exactly them.
    const one = s.bytes() / 100;
    s.advanceWatermark(100_000 + 1000);
    expect(s.size).toBe(0);
    expect(one).toBeLessThan(400);
  });
});
