// At most `max` starts in any window of `per` ms (a sliding window, not fixed buckets: fixed
// one-second buckets let 2 × max through across a bucket boundary, which is what providers'
// "n per second" limits refuse).

export class SlidingWindowLimit {
  /** Start times handed out, oldest first; only the newest `max` matter. */
  private readonly starts: number[] = [];

  constructor(
    private readonly max: number,
    private readonly per: number,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Reserve the next start and return how long to wait for it (ms). Reservations are taken in call
   * order, so callers that wait concurrently never share a slot.
   */
  reserve(): number {
    const now = this.now();
    let at = now;
    if (this.starts.length >= this.max) at = Math.max(now, this.starts[this.starts.length - this.max]! + this.per);
    this.starts.push(at);
    if (this.starts.length > this.max) this.starts.shift();
    return at - now;
  }
}
