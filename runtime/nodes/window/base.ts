// What every window flavour shares: the aggregates, a queue of due times (fire and cleanup),
// event or processing time, the late port, and result records.
import { WM_MAX } from '../../engine/batch.js';
import type { BuildContext } from '../../engine/factory.js';
import { MinHeap } from '../../engine/heap.js';
import { TimedOperator } from '../../engine/timed.js';
import { ClockWake } from '../../engine/wake.js';
import { Accumulators } from './accumulators.js';
import type { AggregateSpec } from './spec.js';

export const OUT = 0;
export const LATE = 1;
export const ERRORS = 2;

/** Approximate heap cost of one Map entry (measured on V8: ~27 bytes at 100k entries). */
export const MAP_ENTRY_BYTES = 28;

/** Heap bytes of a key beyond the Map entry that holds it. */
export function keyBytes(k: unknown): number {
  return typeof k === 'string' ? 16 + Math.ceil(k.length / 8) * 8 : typeof k === 'number' && !Number.isInteger(k) ? 16 : 0;
}

export abstract class WindowBase<E> extends TimedOperator {
  protected readonly acc: Accumulators;
  protected readonly eventTime: boolean;
  /** Fire and cleanup times, in order; entries whose window is gone are skipped. */
  protected readonly queue = new MinHeap<E>();
  /** Processing time: the time records of the current batch are stamped with. */
  protected procNow = 0;
  private readonly wakeup: ClockWake;

  constructor(
    protected readonly ctx: BuildContext,
    aggregates: Readonly<Record<string, AggregateSpec>>,
    time: 'event' | 'processing',
    protected readonly lateness: number,
  ) {
    super(ctx.job, 3, ctx.nodeId, ctx.metrics, ERRORS);
    this.acc = new Accumulators(aggregates);
    this.eventTime = time === 'event';
    this.wakeup = new ClockWake(
      ctx.job.clock,
      () => this.queue.peekPriority(),
      () => this.onClock(() => this.drain(this.job.clock.now())),
    );
    // The editor shows when the next window fires and how many are open (sampled, not per record).
    ctx.metrics.windowTiming = () => ({ ...this.timing(), processingTime: !this.eventTime });
  }

  /** The next firing time (null: none open) and the open windows, for the editor's figures. */
  protected abstract timing(): { nextFire: number | null; openWindows: number };

  override receive(input: number, b: Parameters<TimedOperator['receive']>[1]): void {
    if (!this.eventTime) this.procNow = this.job.clock.now();
    super.receive(input, b);
    if (!this.eventTime) this.wake();
  }

  /** Handle one queue entry that has come due; `now` is the time reached. */
  protected abstract due(e: E, now: number): void;

  protected onEventTime(wm: number): void {
    // Processing-time windows ignore watermarks, except the final one: the input is exhausted.
    if (this.eventTime || wm === WM_MAX) this.drain(wm);
    if (wm === WM_MAX) this.wakeup.stop();
  }

  protected drain(upTo: number): void {
    const q = this.queue;
    while (q.size > 0 && q.peekPriority() <= upTo) {
      const at = q.peekPriority();
      this.due(q.pop()!, at);
    }
  }

  /** Processing time: one clock call for the earliest due entry. */
  protected wake(): void {
    this.wakeup.arm();
  }

  protected override finish(): void {
    this.wakeup.stop();
    super.finish();
  }

  protected late(rec: unknown, ts: number): void {
    this.metrics.late++;
    if (this.outputs[LATE]!.connected) this.emit(LATE, rec, ts);
  }

  /** Emit one key's result for a window. */
  protected fire(key: unknown, start: number | null, end: number | null, slot: number, ts: number): void {
    this.emit(OUT, this.acc.results(slot, { key, windowStart: start, windowEnd: end }), ts);
  }

  /** Read a record into the aggregates; false (and the record sent to errors) when unusable. */
  protected prepared(rec: unknown, ts: number): boolean {
    const err = this.acc.prepare(rec);
    if (err === null) return true;
    this.error(rec, err, ts);
    return false;
  }
}
