// Sinks end the dataflow: they write batches out and tell the job when everything is flushed.
import { type Batch, watermarkOnly } from './batch.js';
import { preview } from './chain.js';
import { NodeError } from './errors.js';
import { type NodeMetrics, RECENT_ERRORS } from './metrics.js';
import { type JobControl, Operator } from './operator.js';

export abstract class SinkOperator extends Operator {
  private blocked = false;

  /** @param outputCount side outputs, such as an `errors` port for deliveries that failed */
  constructor(
    job: JobControl,
    readonly metrics: NodeMetrics,
    outputCount = 0,
  ) {
    super(job, outputCount);
  }

  async open(): Promise<void> {}

  receive(input: number, b: Batch): void {
    this.wms.update(input, b.wmEnd);
    const n = b.recs.length;
    if (n > 0) {
      this.metrics.recordsIn += n;
      if (!this.write(b)) this.block();
    }
    const wm = this.wms.combined();
    if (wm > this.metrics.watermark) this.metrics.watermark = wm;
    // Side outputs (an `errors` port) follow the input's watermark, so nodes after them are not held back.
    if (this.outputs.length > 0 && wm > this.wmOut) {
      this.wmOut = wm;
      const w = watermarkOnly(wm);
      for (const o of this.outputs) o.emit(w);
    }
  }

  /**
   * Records this sink could not write, to its `errors` port (output 0) as {node, error, record,
   * …detail}; without an edge from that port the first one fails the run.
   */
  protected emitErrors(nodeId: string, errs: readonly { error: string; record: unknown; ts: number; detail?: Record<string, unknown> }[]): void {
    if (errs.length === 0) return;
    this.metrics.errors += errs.length;
    for (const e of errs.slice(-RECENT_ERRORS)) this.metrics.noteError(e.error, e.record);
    const port = this.outputs[0];
    if (port === undefined || !port.connected) throw new NodeError(nodeId, `${errs[0]!.error} (record: ${preview(errs[0]!.record)})`);
    port.emit({
      recs: errs.map((e) => ({ node: nodeId, error: e.error, record: e.record, ...e.detail })),
      ts: errs.map((e) => e.ts),
      keys: null,
      wm: errs.map(() => this.wmOut),
      wmEnd: this.wmOut,
    });
  }

  protected override advanceTo(wm: number): void {
    super.advanceTo(wm);
    if (wm > this.metrics.watermark) this.metrics.watermark = wm;
  }

  /** Write a batch; return false when the writer's buffer is full (the job pauses sources). */
  protected abstract write(b: Batch): boolean;

  /** Flush and close; the run succeeds only once every sink has closed. */
  protected abstract close(): Promise<void>;

  /** Every sink of the run has closed and nothing failed: make the output visible. */
  async commit(): Promise<void> {}

  /** The run failed: discard partial output. */
  abstract abort(): Promise<void>;

  /** Subclasses call this when their writer has drained. */
  protected drained(): void {
    if (!this.blocked) return;
    this.blocked = false;
    this.job.unblock();
  }

  private block(): void {
    if (this.blocked) return;
    this.blocked = true;
    this.job.block();
    this.waitForDrain();
  }

  /** Arrange for `drained()` to be called once the writer can take more. */
  protected abstract waitForDrain(): void;

  protected override finish(): void {
    this.close().then(
      () => {
        // A sink that closes while blocked may never see 'drain' (a stream that ends emits
        // 'finish' instead): release the job, or the other sources would wait forever.
        this.drained();
        // Side outputs end only now: a sink may report failed writes until it has closed.
        for (const o of this.outputs) o.end();
        this.job.sinkDone();
      },
      (err: unknown) => this.job.fail(err),
    );
  }
}
