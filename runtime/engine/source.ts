// Sources pull from the outside world a batch at a time and stamp time on what they read.
import { type Batch, WM_MAX, watermarkOnly } from './batch.js';
import { type NodeMetrics, RECENT_ERRORS } from './metrics.js';
import { type JobControl, Operator } from './operator.js';

export abstract class SourceOperator extends Operator {
  private lastActive = Date.now();
  private isIdle = false;

  /**
   * @param idleTimeout ms without records after which the source declares itself idle, or null
   */
  constructor(
    job: JobControl,
    outputCount: number,
    readonly metrics: NodeMetrics,
    private readonly idleTimeout: number | null,
  ) {
    super(job, outputCount);
  }

  /**
   * True when the source's output depends only on its input, not on wall-clock time (a file, an
   * unthrottled bounded generator). When every source is, the job interleaves them in a fixed
   * order, so runs over the same input give the same output.
   */
  abstract readonly deterministic: boolean;

  /** Check that the input is there (files exist, brokers answer) before anything runs. */
  async open(): Promise<void> {}

  /** Read and emit the next batch. Resolves false when the input is exhausted. */
  abstract pull(): Promise<boolean>;

  /** Release the input; `succeeded` is false when the run failed (so nothing may be acknowledged). */
  async close(_succeeded = true): Promise<void> {}

  receive(): void {
    throw new Error('a source has no inputs');
  }

  /** Emit on an output port, keeping the node's figures and idleness up to date. */
  protected emitOn(port: number, b: Batch): void {
    if (b.recs.length > 0) {
      this.lastActive = Date.now();
      if (this.isIdle) {
        this.isIdle = false;
        for (const o of this.outputs) o.idle(false);
      }
    }
    if (port === 0) this.metrics.recordsOut += b.recs.length;
    else {
      this.metrics.errors += b.recs.length;
      // Error records are {node, error, record}: keep the latest few for the editor.
      for (let i = Math.max(0, b.recs.length - RECENT_ERRORS); i < b.recs.length; i++) {
        const e = b.recs[i] as { error?: unknown; record?: unknown } | null;
        this.metrics.noteError(typeof e?.error === 'string' ? e.error : 'record failed', e?.record ?? e);
      }
    }
    if (b.wmEnd > this.wmOut) {
      this.wmOut = b.wmEnd;
      this.metrics.watermark = b.wmEnd;
    }
    this.outputs[port]!.emit(b);
  }

  /** Time the job held this source back (backpressure) is not time without data: restart the clock. */
  touch(now: number): void {
    if (!this.isIdle) this.lastActive = now;
  }

  /** Called by the job between pulls: declare idleness after `idleTimeout` (Flink's WatermarksWithIdleness). */
  checkIdle(now: number): void {
    if (this.idleTimeout === null || this.isIdle) return;
    if (now - this.lastActive >= this.idleTimeout) {
      this.isIdle = true;
      for (const o of this.outputs) o.idle(true);
    }
  }

  /**
   * The input is done. `drained` (exhausted, not interrupted) sends the final watermark first, so
   * every window closes and every event-time timer fires, as in Flink.
   */
  endOfInput(drained: boolean): void {
    if (drained && this.wmOut < WM_MAX) {
      this.wmOut = WM_MAX;
      this.metrics.watermark = WM_MAX;
      const b = watermarkOnly(WM_MAX);
      for (const o of this.outputs) o.emit(b);
    }
    for (const o of this.outputs) o.end();
  }
}
