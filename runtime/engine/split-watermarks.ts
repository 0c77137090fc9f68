// Watermarks for a source that reads several independent splits (Kafka partitions), combined as
// Flink's Kafka source does (SourceOperator + WatermarkOutputMultiplexer, with
// WatermarksWithIdleness per split): each split has its own bounded-out-of-orderness generator,
// the source's watermark is the minimum over splits that are neither idle nor finished, a split is
// idle after `idleTimeout` without records, and a record makes its split active again. A slow
// partition therefore holds the watermark back instead of having its records turn late.
import { WM_MIN } from './batch.js';
import { BoundedOutOfOrderness } from './watermarks.js';

export class SplitWatermarks {
  private readonly gens: BoundedOutOfOrderness[] = [];
  private readonly lastActive: number[] = [];
  private readonly idle: boolean[] = [];
  private readonly finished: boolean[] = [];
  /** The combined watermark; it never moves backwards (a split waking up cannot undo an advance). */
  current = WM_MIN;

  constructor(
    private readonly maxOutOfOrderness: number,
    private readonly idleTimeout: number | null,
  ) {}

  add(now: number): number {
    this.gens.push(new BoundedOutOfOrderness(this.maxOutOfOrderness));
    this.lastActive.push(now);
    this.idle.push(false);
    this.finished.push(false);
    return this.gens.length - 1;
  }

  get size(): number {
    return this.gens.length;
  }

  /** A record of `split` with timestamp `ts`; returns the combined watermark after it. */
  observe(split: number, ts: number): number {
    const g = this.gens[split]!;
    const before = g.current;
    if (this.idle[split]) this.idle[split] = false;
    if (g.observe(ts) !== before) this.recompute();
    return this.current;
  }

  /** Records of `split` arrived at `now` (called once per fetched batch, not per record). */
  active(split: number, now: number): void {
    this.lastActive[split] = now;
  }

  /** Declare splits idle whose last record is older than the timeout; true when the watermark moved. */
  checkIdle(now: number): boolean {
    if (this.idleTimeout === null) return false;
    let changed = false;
    for (let i = 0; i < this.gens.length; i++) {
      if (!this.idle[i] && !this.finished[i] && now - this.lastActive[i]! >= this.idleTimeout) {
        this.idle[i] = true;
        changed = true;
      }
    }
    return changed && this.recompute();
  }

  /** Time the pipeline held the source back is not time without data. */
  touchAll(now: number): void {
    for (let i = 0; i < this.gens.length; i++) if (!this.idle[i]) this.lastActive[i] = now;
  }

  /** One split's generator state, for a checkpoint. */
  saveSplit(split: number): [number, number] {
    return this.gens[split]!.save();
  }

  /** Put a split's generator back (after `add`), and the combined watermark it had. */
  loadSplit(split: number, s: readonly [number, number]): void {
    this.gens[split]!.load(s);
  }

  /** The combined watermark of a checkpoint: it never moves back below it after a restore. */
  restoreCurrent(wm: number): void {
    if (wm > this.current) this.current = wm;
  }

  /** A split read to its end no longer holds the others back. */
  finish(split: number): boolean {
    this.finished[split] = true;
    return this.recompute();
  }

  private recompute(): boolean {
    let min = Infinity;
    let any = false;
    for (let i = 0; i < this.gens.length; i++) {
      if (this.idle[i] || this.finished[i]) continue;
      any = true;
      if (this.gens[i]!.current < min) min = this.gens[i]!.current;
    }
    // All splits idle or finished: hold the watermark (the source as a whole goes idle instead).
    if (!any || min <= this.current) return false;
    this.current = min;
    return true;
  }
}
