// Timer service: conformance with Flink's InternalTimerServiceImpl (and, at the end of input, the
// BATCH execution mode's "end of input is the end of time").
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../runtime/engine/clock.js';
import { type TimeDomain, TimerService } from '../../runtime/engine/state/timers.js';
import type { Key } from '../../runtime/engine/state/types.js';

type Fired = [TimeDomain, Key, number];

function service(onFire?: (f: Fired, s: TimerService) => void) {
  const clock = new ManualClock(0);
  const fired: Fired[] = [];
  const watermarks: number[] = [];
  const s: TimerService = new TimerService(clock, {
    onTimer(domain, key, ts) {
      fired.push([domain, key, ts]);
      watermarks.push(s.watermark);
      onFire?.([domain, key, ts], s);
    },
  });
  return { clock, s, fired, watermarks };
}

describe('event-time timers (InternalTimerServiceImpl.advanceWatermark)', () => {
  it('keeps one timer per (key, timestamp): registered twice, it fires once', () => {
    const { s, fired } = service();
    s.registerEventTime('a', 10);
    s.registerEventTime('a', 10);
    s.registerEventTime('b', 10);
    s.registerProcessingTime('a', 10); // another domain: another timer
    expect(s.size).toBe(3);
    s.advanceWatermark(10);
    expect(fired).toEqual([
      ['event', 'a', 10],
      ['event', 'b', 10],
    ]);
  });

  it('fires timers ≤ the watermark in timestamp order across keys, ties in registration order', () => {
    const { s, fired, watermarks } = service();
    s.registerEventTime('c', 30);
    s.registerEventTime('a', 20);
    s.registerEventTime('b', 10);
    s.registerEventTime('d', 20);
    s.registerEventTime('a', 40);
    s.advanceWatermark(5);
    expect(fired).toEqual([]);
    s.advanceWatermark(30);
    expect(fired).toEqual([
      ['event', 'b', 10],
      ['event', 'a', 20],
      ['event', 'd', 20],
      ['event', 'c', 30],
    ]);
    // While they fire, the watermark is already the new one (Flink sets currentWatermark first).
    expect(watermarks).toEqual([30, 30, 30, 30]);
    s.advanceWatermark(39);
    expect(fired.length).toBe(4);
    s.advanceWatermark(40);
    expect(fired.at(-1)).toEqual(['event', 'a', 40]);
  });

  it('delete removes exactly that timer; it can be registered again', () => {
    const { s, fired } = service();
    s.registerEventTime('a', 10);
    s.registerEventTime('a', 20);
    s.deleteEventTime('a', 10);
    s.deleteEventTime('a', 99); // no such timer: nothing happens
    s.advanceWatermark(15);
    expect(fired).toEqual([]);
    s.registerEventTime('a', 10);
    s.advanceWatermark(25);
    expect(fired).toEqual([
      ['event', 'a', 10],
      ['event', 'a', 20],
    ]);
  });

  it('a timer registered while firing, for a time already reached, fires in the same advance', () => {
    const { s, fired } = service(([, key, ts], svc) => {
      if (key === 'a' && ts === 10) svc.registerEventTime('b', 5);
      if (key === 'b') svc.registerEventTime('c', 100); // later: waits for its watermark
    });
    s.registerEventTime('a', 10);
    s.advanceWatermark(50);
    expect(fired).toEqual([
      ['event', 'a', 10],
      ['event', 'b', 5],
    ]);
    s.advanceWatermark(100);
    expect(fired.at(-1)).toEqual(['event', 'c', 100]);
  });

  it('keeps memory flat when every record replaces its key\'s timeout (delete + register)', () => {
    const { s } = service();
    let peak = 0;
    for (let i = 0; i < 100_000; i++) {
      const key = `k${i % 100}`;
      if (i >= 100) s.deleteEventTime(key, 1_000_000 + i - 100);
      s.registerEventTime(key, 1_000_000 + i);
      if (i > 1000) peak = Math.max(peak, s.bytes());
    }
    expect(s.size).toBe(100);
    expect(peak).toBeLessThan(100 * 1000); // dead timers are compacted away, not kept until they are due
  });
});

describe('processing-time timers (InternalTimerServiceImpl.onProcessingTime)', () => {
  it('fire when the clock reaches them, in order, through one clock call for the earliest', () => {
    const { clock, s, fired } = service();
    s.registerProcessingTime('a', 100);
    expect(clock.pendingCalls).toBe(1);
    s.registerProcessingTime('b', 150); // later than the scheduled call: no new call
    expect(clock.pendingCalls).toBe(1);
    s.registerProcessingTime('c', 50); // earlier: the call moves
    expect(clock.pendingCalls).toBe(1);
    clock.advanceTo(60);
    expect(fired).toEqual([['processing', 'c', 50]]);
    expect(clock.pendingCalls).toBe(1);
    clock.advanceTo(149);
    expect(fired.map((f) => f[1])).toEqual(['c', 'a']);
    clock.advanceTo(1000);
    expect(fired.map((f) => f[1])).toEqual(['c', 'a', 'b']);
    expect(clock.pendingCalls).toBe(0);
  });

  it('deduplicates, honours delete, and fires a timer set in the past at the next clock turn', () => {
    const { clock, s, fired } = service();
    clock.advanceTo(500);
    s.registerProcessingTime('a', 600);
    s.registerProcessingTime('a', 600);
    s.registerProcessingTime('b', 600);
    s.deleteProcessingTime('b', 600);
    s.registerProcessingTime('c', 100); // already passed
    clock.advanceTo(500);
    expect(fired).toEqual([['processing', 'c', 100]]);
    clock.advanceTo(700);
    expect(fired).toEqual([
      ['processing', 'c', 100],
      ['processing', 'a', 600],
    ]);
  });

  it('a timer registered while firing, for a time already reached, fires in the same pass', () => {
    const { clock, s, fired } = service(([, key], svc) => {
      if (key === 'a') svc.registerProcessingTime('b', 10);
    });
    s.registerProcessingTime('a', 100);
    clock.advanceTo(100);
    expect(fired).toEqual([
      ['processing', 'a', 100],
      ['processing', 'b', 10],
    ]);
    expect(clock.pendingCalls).toBe(0);
  });
});

describe('end of input and interruption', () => {
  it('the final watermark fires every event-time timer, then every processing-time timer (BATCH mode)', () => {
    const { s, fired, watermarks } = service();
    s.registerProcessingTime('p', 5_000);
    s.registerEventTime('a', 300);
    s.registerEventTime('b', 100);
    s.registerProcessingTime('q', 10);
    s.advanceWatermark(Infinity);
    expect(fired).toEqual([
      ['event', 'b', 100],
      ['event', 'a', 300],
      ['processing', 'q', 10],
      ['processing', 'p', 5_000],
    ]);
    expect(watermarks.every((w) => w === Infinity)).toBe(true);
    expect(s.size).toBe(0);
  });

  it('at the end, timers registered while firing fire unless later than all pending; re-arming ends', () => {
    const { clock, s, fired } = service(([, key, ts], svc) => {
      if (key === 'tick') svc.registerEventTime('tick', ts + 10); // a periodic timer
      if (key === 'a') svc.registerProcessingTime('late', 1); // already passed
    });
    clock.advanceTo(50);
    s.registerEventTime('tick', 0);
    s.registerEventTime('a', 25);
    s.advanceWatermark(Infinity);
    expect(fired).toEqual([
      ['event', 'tick', 0],
      ['event', 'tick', 10],
      ['event', 'tick', 20],
      ['event', 'a', 25],
      ['processing', 'late', 1],
    ]);
  });

  it('at the end, a timer re-armed for the same time does not fire again', () => {
    const { clock, s, fired } = service(([domain, key], svc) => {
      if (domain === 'processing') svc.registerProcessingTime(key, clock.now() + 1000); // periodic, clock standing still
    });
    clock.advanceTo(50);
    s.registerProcessingTime('a', 60);
    s.registerProcessingTime('b', 1050);
    s.advanceWatermark(Infinity);
    expect(fired).toEqual([
      ['processing', 'a', 60],
      ['processing', 'b', 1050],
      ['processing', 'a', 1050], // re-armed by its firing at 60; neither re-arms again
    ]);
  });

  it('an interrupted run (close, no final watermark) fires nothing more', () => {
    const { clock, s, fired } = service();
    s.registerProcessingTime('a', 100);
    s.registerEventTime('b', 100);
    s.close();
    expect(clock.pendingCalls).toBe(0);
    s.registerProcessingTime('c', 50);
    clock.advanceTo(1000);
    expect(fired).toEqual([]);
  });
});

describe('snapshots', () => {
  it('restore every timer with its order, and reschedule the clock', () => {
    const { s } = service();
    s.registerEventTime('x', 20);
    s.registerEventTime('y', 10);
    s.registerEventTime('z', 20);
    s.registerProcessingTime('p', 70);
    const snap = structuredClone(s.snapshot());
    expect(snap.event).toEqual([
      ['y', 10],
      ['x', 20],
      ['z', 20],
    ]);
    const { clock, s: other, fired } = service();
    other.restore(snap);
    expect(clock.pendingCalls).toBe(1);
    other.advanceWatermark(20);
    clock.advanceTo(70);
    expect(fired).toEqual([
      ['event', 'y', 10],
      ['event', 'x', 20],
      ['event', 'z', 20],
      ['processing', 'p', 70],
    ]);
  });
});
