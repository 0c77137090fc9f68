// Asynchronous stages (lookups, model scoring): Flink's AsyncWaitOperator, batch-wise. Each
// input batch is cut into requests of at most `capacity` records; at most `capacity` records are
// held — in flight, or done and waiting for earlier ones to leave (Flink's queue capacity) — and a
// batch that does not fit waits while the job pauses its sources (backpressure, as Flink's
// operator blocks when its queue is full). One promise per request, never per record.
//
// Output order (Flink's OrderedStreamElementQueue / UnorderedStreamElementQueue):
// - ordered: requests leave in arrival order, each record with the watermark it arrived behind;
// - unordered: a request's records leave as soon as it completes, but records and watermarks never
//   pass each other (Flink's docs, Async I/O › Event Time: watermarks are an order boundary): the
//   output watermark advances only past requests that have all left, and a request leaves early
//   only when every record of it arrived behind the watermark already emitted. Without event time
//   the order is completion order; with it, records reorder only between watermarks.
import { type Batch, watermarkOnly } from './batch.js';
import { FlushTracker } from './barrier.js';
import { preview } from './chain.js';
import { NodeError, errorMessage } from './errors.js';
import type { NodeMetrics } from './metrics.js';
import { type JobControl, Operator } from './operator.js';

/** A per-record failure from `invoke`: the record goes to `errors` (or fails the run). */
export class AsyncFailure {
  constructor(readonly message: string) {}
}

export interface AsyncOptions {
  /** Most records in flight at once. */
  readonly capacity: number;
  /** ms before a request's records fail with a timeout. */
  readonly timeout: number;
  readonly ordered: boolean;
  /** Index of the `errors` output, or -1. */
  readonly errorsPort: number;
}

interface Request {
  recs: unknown[];
  readonly ts: number[];
  keys: unknown[] | null;
  readonly wm: number[];
  readonly wmEnd: number;
  results: unknown[] | null;
  emitted: boolean;
  timer: ReturnType<typeof setTimeout> | null;
}

/** What an emitted request holds instead of its records and results. */
const DONE: unknown[] = [];

export abstract class AsyncWaitOperator extends Operator {
  private readonly queue: Request[] = [];
  private readonly waiting: Request[] = [];
  /** Records started and not yet emitted. */
  private held = 0;
  private blocked = false;
  private finishing = false;
  private readonly tracker = new FlushTracker();

  constructor(
    job: JobControl,
    outputCount: number,
    protected readonly nodeId: string,
    protected readonly metrics: NodeMetrics,
    private readonly opts: AsyncOptions,
  ) {
    super(job, outputCount);
  }

  /**
   * Start the work for some records; resolve with one result per record: the output record, an
   * AsyncFailure, or undefined to emit nothing for it. A rejection fails every record of the call.
   */
  protected abstract invoke(recs: readonly unknown[]): Promise<unknown[]>;

  /** Results for records whose request ran out of time; a subclass may count or replace them. */
  protected timedOut(recs: readonly unknown[]): unknown[] {
    return recs.map(() => new AsyncFailure(`timed out after ${this.opts.timeout} ms`));
  }

  flushed(): Promise<void> {
    return this.tracker.flushed();
  }

  receive(input: number, b: Batch): void {
    const before = this.wms.combined();
    this.wms.update(input, b.wmEnd);
    const after = this.wms.combined();
    // The watermark before record i is this input's (b.wm[i]) held back by the other inputs'.
    const others = this.wms.combined(input);
    const n = b.recs.length;
    this.metrics.recordsIn += n;
    const cap = this.opts.capacity;
    for (let from = 0; from < n; from += cap) {
      const to = Math.min(n, from + cap);
      const wm: number[] = [];
      for (let i = from; i < to; i++) wm.push(b.wm === null ? before : Math.max(before, Math.min(b.wm[i]!, others)));
      const wmEnd = to < n && b.wm !== null ? Math.max(before, Math.min(b.wm[to]!, others)) : after;
      this.enqueue({
        recs: b.recs.slice(from, to), ts: b.ts.slice(from, to), keys: b.keys && b.keys.slice(from, to), wm, wmEnd,
        results: null, emitted: false, timer: null,
      });
    }
    if (n === 0 && after > this.lastQueuedWm()) this.enqueueWatermark(after);
  }

  protected override advanceTo(wm: number): void {
    if (wm > this.lastQueuedWm()) this.enqueueWatermark(wm);
  }

  protected override finish(): void {
    this.finishing = true;
    this.settle();
  }

  private lastQueuedWm(): number {
    const last = this.waiting.at(-1) ?? this.queue.at(-1);
    return last ? last.wmEnd : this.wmOut;
  }

  private enqueueWatermark(wm: number): void {
    this.enqueue({ recs: [], ts: [], keys: null, wm: [], wmEnd: wm, results: [], emitted: false, timer: null });
  }

  private enqueue(r: Request): void {
    this.tracker.accept(r.recs.length);
    if (this.waiting.length > 0 || this.held + r.recs.length > this.opts.capacity) {
      this.waiting.push(r);
      if (!this.blocked) {
        this.blocked = true;
        this.job.block();
      }
      return;
    }
    this.start(r);
  }

  private start(r: Request): void {
    this.queue.push(r);
    if (r.results !== null) {
      this.settle();
      return;
    }
    this.held += r.recs.length;
    r.timer = setTimeout(() => this.complete(r, this.timedOut(r.recs)), this.opts.timeout);
    let p: Promise<unknown[]>;
    try {
      p = this.invoke(r.recs);
    } catch (err) {
      p = Promise.reject(err);
    }
    p.then(
      (res) => this.complete(r, res),
      (err: unknown) => this.complete(r, r.recs.map(() => new AsyncFailure(errorMessage(err)))),
    );
  }

  private complete(r: Request, results: unknown[]): void {
    if (r.results !== null) return; // already timed out
    if (r.timer !== null) clearTimeout(r.timer);
    r.results = results;
    try {
      this.settle();
    } catch (err) {
      this.job.fail(err);
    }
    while (this.waiting.length > 0 && this.held + this.waiting[0]!.recs.length <= this.opts.capacity) this.start(this.waiting.shift()!);
    if (this.waiting.length === 0 && this.blocked) {
      this.blocked = false;
      this.job.unblock();
    }
  }

  /** Emit what may leave now, advance the watermark past finished requests, end when all is done. */
  private settle(): void {
    const q = this.queue;
    while (q.length > 0 && q[0]!.results !== null) {
      const r = q.shift()!;
      if (!r.emitted) this.emitRequest(r, false);
      if (r.wmEnd > this.wmOut) {
        this.wmOut = r.wmEnd;
        this.metrics.watermark = Math.max(this.metrics.watermark, r.wmEnd);
        const w = watermarkOnly(r.wmEnd);
        for (const o of this.outputs) o.emit(w);
      }
    }
    if (!this.opts.ordered) this.emitEarly();
    if (this.finishing && q.length === 0 && this.waiting.length === 0) {
      this.finishing = false;
      super.finish();
    }
  }

  /**
   * Unordered: completed requests behind the unfinished head leave now if all their records
   * arrived behind the watermark already emitted; the first request behind a watermark still to
   * come (Flink's UnorderedStreamElementQueue segment) ends the scan.
   */
  private emitEarly(): void {
    for (const r of this.queue) {
      const n = r.wm.length;
      if (n > 0 && r.wm[n - 1]! > this.wmOut) return;
      if (r.results !== null && !r.emitted) this.emitRequest(r, true);
      if (r.wmEnd > this.wmOut) return;
    }
  }

  private emitRequest(r: Request, early: boolean): void {
    r.emitted = true;
    this.held -= r.recs.length;
    const res = r.results!;
    const out: unknown[] = [];
    const ts: number[] = [];
    const keys: unknown[] | null = r.keys === null ? null : [];
    const wm: number[] = [];
    let errs: { recs: unknown[]; ts: number[]; wm: number[] } | null = null;
    // In order, a request carries its own watermarks; early (unordered) it carries the emitted one.
    const wmEnd = early ? this.wmOut : Math.max(this.wmOut, r.wmEnd);
    for (let i = 0; i < r.recs.length; i++) {
      const v = res[i];
      const w = early ? this.wmOut : r.wm[i]!;
      if (v instanceof AsyncFailure) {
        this.metrics.errors++;
        this.metrics.noteError(v.message, r.recs[i]);
        if (this.opts.errorsPort < 0 || !this.outputs[this.opts.errorsPort]!.connected) {
          throw new NodeError(this.nodeId, `${v.message} (record: ${preview(r.recs[i])})`);
        }
        errs ??= { recs: [], ts: [], wm: [] };
        errs.recs.push({ node: this.nodeId, error: v.message, record: r.recs[i] });
        errs.ts.push(r.ts[i]!);
        errs.wm.push(w);
      } else if (v !== undefined) {
        out.push(v);
        ts.push(r.ts[i]!);
        keys?.push(r.keys![i]);
        wm.push(w);
      }
    }
    this.tracker.complete(r.recs.length);
    // Drop the request's hold on its records and results: a request that waited long enough to be
    // promoted to the old generation would otherwise keep them alive through every young-generation
    // collection until the next full one (old-to-new references are roots for a scavenge), so every
    // output record got promoted and garbage collection took most of the CPU time.
    r.results = DONE;
    r.recs = DONE;
    if (r.keys !== null) r.keys = DONE;
    const advanced = wmEnd > this.wmOut;
    if (advanced) {
      this.wmOut = wmEnd;
      if (wmEnd > this.metrics.watermark) this.metrics.watermark = wmEnd;
    }
    this.metrics.recordsOut += out.length;
    if (out.length > 0 || advanced) this.outputs[0]!.emit({ recs: out, ts, keys, wm, wmEnd });
    const ep = this.opts.errorsPort;
    if (ep >= 0 && (errs !== null || advanced)) this.outputs[ep]!.emit(errs ? { recs: errs.recs, ts: errs.ts, keys: null, wm: errs.wm, wmEnd } : watermarkOnly(wmEnd));
  }
}
