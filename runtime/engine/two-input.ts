// Base for stateful, timed operators with two named inputs (join.interval, join.window,
// broadcast, connect): Flink's TwoInputStreamOperator (processElement1 / processElement2) with
// the watermark of StatusWatermarkValve — the minimum of both inputs, ignoring an idle or ended
// one. Per record, the event-time clock moves to min(this input's watermark before the record,
// the other input's watermark), so timers fire exactly where per-record watermarks would fire
// them, whatever the batching.
//
// Order between the two inputs (Flink gives none): records are handled in the order their batches
// reach the operator. The job pulls deterministic sources round-robin in a fixed order, so the
// same input gives the same interleaving, and the same output, on every run.
import type { Batch } from './batch.js';
import type { NodeMetrics } from './metrics.js';
import type { JobControl } from './operator.js';
import { TimedOperator } from './timed.js';

/** Which side an input feeds: 0 for the first named port (left, main), 1 for the second. */
export type InputSide = 0 | 1;

export abstract class TwoInputTimedOperator extends TimedOperator {
  /** Input index → side. */
  private readonly sides: InputSide[] = [];

  /**
   * @param ports the two input port names, first then second (e.g. `['left', 'right']`)
   */
  constructor(
    job: JobControl,
    outputCount: number,
    nodeId: string,
    metrics: NodeMetrics,
    errorsPort: number,
    private readonly ports: readonly [string, string],
  ) {
    super(job, outputCount, nodeId, metrics, errorsPort);
  }

  /** Edges name their port; without a name (tests), the first input is side 0 and later ones side 1. */
  override addInput(port?: string): number {
    const i = super.addInput();
    let side: number;
    if (port === undefined) side = i === 0 ? 0 : 1;
    else side = this.ports.indexOf(port);
    if (side < 0) throw new Error(`${this.nodeId}: no input port '${port}' (inputs: ${this.ports.join(', ')})`);
    this.sides[i] = side as InputSide;
    return i;
  }

  /** Flink's processElement1: a record on the first port (left, main). */
  protected abstract processElement1(rec: unknown, ts: number, key: unknown): void;
  /** Flink's processElement2: a record on the second port (right, broadcast). */
  protected abstract processElement2(rec: unknown, ts: number, key: unknown): void;

  protected processRecord(): void {
    throw new Error('two-input operators handle records through processElement1/2');
  }

  override receive(input: number, b: Batch): void {
    const n = b.recs.length;
    const recs = b.recs;
    const ts = b.ts;
    const keys = b.keys;
    const wm = b.wm;
    const first = this.sides[input] === 0;
    this.metrics.recordsIn += n;
    // The other inputs' watermark cannot change while this batch is handled.
    const others = this.wms.combined(input);
    for (let i = 0; i < n; i++) {
      if (wm !== null) {
        const w = wm[i]! < others ? wm[i]! : others;
        if (w > this.wmNow) this.moveTo(w);
      }
      const key = keys === null ? null : keys[i];
      if (first) this.processElement1(recs[i], ts[i]!, key);
      else this.processElement2(recs[i], ts[i]!, key);
    }
    this.wms.update(input, b.wmEnd);
    const w = this.wms.combined();
    if (w > this.wmNow) this.moveTo(w);
    this.flush();
  }

  /** The side an input index feeds. */
  protected sideOf(input: number): InputSide {
    return this.sides[input]!;
  }

  /** Move the event-time clock to `wm` (> wmNow), firing what falls due. */
  protected moveTo(wm: number): void {
    this.onEventTime(wm);
    this.wmNow = wm;
  }
}
