package dev.tributary.flink.email;

import java.util.ArrayDeque;

/**
 * At most `max` starts in any window of `per` ms (runtime/connectors/smtp/rate-limit.ts): a
 * sliding window, so a limit of n per second never lets 2n through across a second's boundary.
 */
final class SlidingWindowLimit {
  private final int max;
  private final long per;
  private final ArrayDeque<Long> starts = new ArrayDeque<>();

  SlidingWindowLimit(int max, long per) {
    this.max = max;
    this.per = per;
  }

  /** Reserve the next start; how long to wait for it (ms). Reservations go in call order. */
  synchronized long reserve() {
    long now = System.currentTimeMillis();
    long at = now;
    if (starts.size() >= max) at = Math.max(now, starts.peekFirst() + per);
    starts.addLast(at);
    if (starts.size() > max) starts.removeFirst();
    return at - now;
  }
}
