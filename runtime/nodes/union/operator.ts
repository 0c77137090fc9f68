// Union forwards every batch unchanged except for the watermark, which becomes the minimum over
// the inputs (Flink's StatusWatermarkValve): per record, so the result stays exact whatever the
// batching.
import type { Batch } from '../../engine/batch.js';
import type { OperatorFactory } from '../../engine/factory.js';
import type { NodeMetrics } from '../../engine/metrics.js';
import { type JobControl, Operator } from '../../engine/operator.js';
import type { ParamsOf } from '../spec.js';
import type { unionSpec } from './spec.js';

export class UnionOperator extends Operator {
  constructor(
    job: JobControl,
    private readonly metrics: NodeMetrics,
    private readonly keyed: boolean,
  ) {
    super(job, 1);
  }

  receive(input: number, b: Batch): void {
    const others = this.wms.combined(input);
    const own = this.wms.get(input);
    let wm: number[] | null = null;
    if (b.wm !== null && b.recs.length > 0 && b.wm[b.recs.length - 1]! > own && others > own) {
      // This input's watermark moves inside the batch and the others do not hold it back.
      wm = new Array<number>(b.recs.length);
      for (let i = 0; i < b.recs.length; i++) wm[i] = Math.max(this.wmOut, Math.min(others, b.wm[i]!));
    }
    this.wms.update(input, b.wmEnd);
    const wmEnd = Math.max(this.wmOut, this.wms.combined());
    const n = b.recs.length;
    this.metrics.recordsIn += n;
    this.metrics.recordsOut += n;
    if (n === 0 && wmEnd <= this.wmOut) return;
    this.wmOut = wmEnd;
    if (wmEnd > this.metrics.watermark) this.metrics.watermark = wmEnd;
    this.outputs[0]!.emit({ recs: b.recs, ts: b.ts, keys: this.keyed ? b.keys : null, wm, wmEnd });
  }

  protected override advanceTo(wm: number): void {
    super.advanceTo(wm);
    if (this.wmOut > this.metrics.watermark) this.metrics.watermark = this.wmOut;
  }
}

export const createUnion: OperatorFactory<ParamsOf<typeof unionSpec>> = (ctx) => ({
  operator: new UnionOperator(ctx.job, ctx.metrics, ctx.inputKeyed),
});
