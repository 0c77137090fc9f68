// Sinks that write to a server (Redis, Kafka, HTTP): records queue up and leave in requests of at
// most `batchSize`, `maxInFlight` at a time; while one is out the next batch accumulates, so a
// busy sink sends big requests and an idle one sends at once. The queue is bounded: past
// `maxBuffered` records the job pauses its sources until half of it has drained, so an outage
// back-pressures the pipeline instead of growing memory, and nothing accepted is dropped.
import { type Batch, watermarkOnly } from './batch.js';
import { FlushTracker } from './barrier.js';
import { preview } from './chain.js';
import { NodeError } from './errors.js';
import { type NodeMetrics, RECENT_ERRORS } from './metrics.js';
import type { JobControl } from './operator.js';
import { SinkOperator } from './sink.js';

export interface AsyncSinkOptions {
  readonly batchSize: number;
  readonly maxInFlight: number;
  readonly maxBuffered: number;
}

export abstract class AsyncSink extends SinkOperator {
  private recs: unknown[] = [];
  private ts: number[] = [];
  /** Records before this index have been handed to `send`; the arrays are compacted when empty. */
  private head = 0;
  private inFlight = 0;
  private inFlightRecords = 0;
  private wantDrain = false;
  private aborted = false;
  private closing: { resolve: () => void; reject: (e: unknown) => void } | null = null;
  private readonly tracker = new FlushTracker();

  constructor(
    job: JobControl,
    metrics: NodeMetrics,
    private readonly opts: AsyncSinkOptions,
    outputCount = 0,
  ) {
    super(job, metrics, outputCount);
  }

  /**
   * Write one request's records; resolve once they are durable. Retries belong here; a rejection
   * fails the run.
   */
  protected abstract send(recs: unknown[], ts: number[]): Promise<void>;

  /** Side outputs (an `errors` port) follow the input's watermark, so nodes after them are not held back. */
  override receive(input: number, b: Batch): void {
    super.receive(input, b);
    const wm = this.wms.combined();
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

  /** Records accepted and not yet written. */
  get buffered(): number {
    return this.recs.length - this.head + this.inFlightRecords;
  }

  flushed(): Promise<void> {
    return this.tracker.flushed();
  }

  protected write(b: Batch): boolean {
    const n = b.recs.length;
    for (let i = 0; i < n; i++) {
      this.recs.push(b.recs[i]);
      this.ts.push(b.ts[i]!);
    }
    this.tracker.accept(n);
    this.pump();
    return this.buffered < this.opts.maxBuffered;
  }

  protected waitForDrain(): void {
    this.wantDrain = true;
  }

  protected close(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.closing = { resolve, reject };
      this.pump();
    });
  }

  async abort(): Promise<void> {
    this.aborted = true;
    this.recs = [];
    this.ts = [];
    this.head = 0;
  }

  private pump(): void {
    while (!this.aborted && this.inFlight < this.opts.maxInFlight && this.head < this.recs.length) {
      const n = Math.min(this.opts.batchSize, this.recs.length - this.head);
      let recs: unknown[];
      let ts: number[];
      if (this.head === 0 && n === this.recs.length) {
        recs = this.recs;
        ts = this.ts;
        this.recs = [];
        this.ts = [];
      } else {
        recs = this.recs.slice(this.head, this.head + n);
        ts = this.ts.slice(this.head, this.head + n);
        this.head += n;
        if (this.head === this.recs.length) {
          this.recs = [];
          this.ts = [];
          this.head = 0;
        }
      }
      this.inFlight++;
      this.inFlightRecords += n;
      let p: Promise<void>;
      try {
        p = this.send(recs, ts);
      } catch (err) {
        p = Promise.reject(err);
      }
      p.then(
        () => this.sent(n),
        (err: unknown) => {
          this.aborted = true;
          this.job.fail(err);
          this.closing?.reject(err);
        },
      );
    }
    if (this.closing !== null && this.buffered === 0 && !this.aborted) {
      const c = this.closing;
      this.closing = null;
      c.resolve();
    }
  }

  private sent(n: number): void {
    this.inFlight--;
    this.inFlightRecords -= n;
    this.tracker.complete(n);
    if (this.wantDrain && this.buffered <= this.opts.maxBuffered / 2) {
      this.wantDrain = false;
      this.drained();
    }
    this.pump();
  }
}
