// Window arithmetic, exactly as Flink's TimeWindow and window assigners do it.

/**
 * Start of the window of `size` containing `ts`, on a grid shifted by `offset` from the epoch:
 * Flink's `TimeWindow.getWindowStartWithOffset`. JavaScript's `%` truncates like Java's, so the
 * negative-remainder branch is the same and negative timestamps land in the right window.
 */
export function windowStart(ts: number, offset: number, size: number): number {
  const remainder = (ts - offset) % size;
  return remainder < 0 ? ts - (remainder + size) : ts - remainder;
}

/**
 * Starts of the sliding windows containing `ts`, latest first, as Flink's
 * `SlidingEventTimeWindows.assignWindows` lists them: from the last start on the `slide` grid
 * back while `start > ts − size`.
 */
export function slidingStarts(ts: number, size: number, slide: number, offset: number, out: number[]): number {
  let n = 0;
  for (let start = windowStart(ts, offset, slide); start > ts - size; start -= slide) out[n++] = start;
  return n;
}

/** Flink's `TimeWindow.intersects`: closed bounds, so windows that merely touch also merge. */
export function intersects(aStart: number, aEnd: number, bStart: number, bEnd: number): boolean {
  return aStart <= bEnd && aEnd >= bStart;
}
