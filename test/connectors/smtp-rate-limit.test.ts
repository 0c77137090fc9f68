// The e-mail sink's sliding-window limit on a fake clock: never more than `max` starts in any
// window of `per`, including across what fixed buckets would call a boundary.
import { describe, expect, it } from 'vitest';
import { SlidingWindowLimit } from '../../runtime/connectors/smtp/rate-limit.js';

describe('SlidingWindowLimit', () => {
  it('hands out starts so that no window of `per` holds more than `max`', () => {
    let now = 0;
    const limit = new SlidingWindowLimit(3, 1000, () => now);
    const starts: number[] = [];
    // Callers arrive at irregular times, some in bursts.
    for (const t of [0, 0, 0, 0, 10, 950, 990, 1000, 1001, 2500, 2500, 2500, 2500, 2600]) {
      now = Math.max(now, t);
      starts.push(now + limit.reserve());
    }
    for (let i = 3; i < starts.length; i++) expect(starts[i]! - starts[i - 3]!).toBeGreaterThanOrEqual(1000);
    // A start is never earlier than its call, nor later than needed.
    expect(starts.slice(0, 5)).toEqual([0, 0, 0, 1000, 1000]);
  });

  it('does not delay callers below the limit', () => {
    let now = 0;
    const limit = new SlidingWindowLimit(2, 100, () => now);
    for (let i = 0; i < 10; i++) {
      now += 60;
      expect(limit.reserve()).toBe(0);
    }
  });
});
