// Watermark bookkeeping shared by sources (generation) and operators (combination).

/**
 * Bounded-out-of-orderness watermarks, as Flink's BoundedOutOfOrdernessWatermarks:
 * watermark = max timestamp seen − maxOutOfOrderness − 1 ms. Updated after every record
 * (a punctuated generator) so results never depend on batching or wall-clock timing.
 */
export class BoundedOutOfOrderness {
  private maxTs = -Infinity;
  current = -Infinity;

  constructor(private readonly maxOutOfOrderness: number) {}

  /** Record a timestamp; returns the watermark after it. */
  observe(ts: number): number {
    if (ts > this.maxTs) {
      this.maxTs = ts;
      this.current = ts - this.maxOutOfOrderness - 1;
    }
    return this.current;
  }

  /** For checkpoints: what a restored generator needs to continue exactly (maxTs, current). */
  save(): [number, number] {
    return [this.maxTs, this.current];
  }

  load(s: readonly [number, number]): void {
    this.maxTs = s[0];
    this.current = s[1];
  }
}

/**
 * An operator's watermark is the minimum over its inputs that are neither idle nor ended
 * (Flink's StatusWatermarkValve). An ended input that delivered the final watermark counts as +∞.
 */
export class WatermarkCombiner {
  private wm: number[] = [];
  private idle: boolean[] = [];
  private ended: boolean[] = [];

  /** For checkpoints: every input's watermark, idleness and end (restored into the same inputs). */
  save(): { wm: number[]; idle: boolean[]; ended: boolean[] } {
    return { wm: [...this.wm], idle: [...this.idle], ended: [...this.ended] };
  }

  /** Inputs the snapshot does not know (an edited pipeline) keep their fresh state. */
  load(s: { wm: readonly number[]; idle: readonly boolean[]; ended: readonly boolean[] }): void {
    const n = Math.min(s.wm.length, this.wm.length);
    for (let i = 0; i < n; i++) {
      this.wm[i] = s.wm[i]!;
      this.idle[i] = s.idle[i]!;
      this.ended[i] = s.ended[i]!;
    }
  }

  add(): number {
    this.wm.push(-Infinity);
    this.idle.push(false);
    this.ended.push(false);
    return this.wm.length - 1;
  }

  get size(): number {
    return this.wm.length;
  }

  update(input: number, wm: number): void {
    if (wm > this.wm[input]!) this.wm[input] = wm;
    this.idle[input] = false;
  }

  get(input: number): number {
    return this.wm[input]!;
  }

  setIdle(input: number, idle: boolean): void {
    this.idle[input] = idle;
  }

  setEnded(input: number): void {
    this.ended[input] = true;
  }

  allEnded(): boolean {
    return this.ended.every(Boolean);
  }

  allIdle(): boolean {
    return this.wm.length > 0 && this.idle.every((idle, i) => idle || this.ended[i]) && !this.allEnded();
  }

  /** Minimum over active inputs; ignoring `except`, so a caller can combine it with a per-record value. */
  combined(except = -1): number {
    let min = Infinity;
    let any = false;
    for (let i = 0; i < this.wm.length; i++) {
      if (i === except) continue;
      // An ended input no longer holds the others back, whatever its last watermark.
      if (this.idle[i] || this.ended[i]) continue;
      any = true;
      if (this.wm[i]! < min) min = this.wm[i]!;
    }
    if (!any && except < 0) {
      // Everything idle or ended: keep the highest we have seen rather than jumping to +∞.
      return Math.max(...this.wm);
    }
    return min;
  }
}
