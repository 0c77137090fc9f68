// Base for operators that keep state and act on time (window, process, cep): records are handled
// one at a time in arrival order, and before each one the event-time clock is moved to the
// watermark that preceded it, so timers fire exactly where a per-record watermark would have
// fired them, whatever the batching. Results go out in one batch per port per input batch.
import { type Batch, WM_MAX, WM_MIN } from './batch.js';
import { preview } from './chain.js';
import { NodeError, errorMessage } from './errors.js';
import type { HeldInput } from './held-input.js';
import type { NodeMetrics, StateSize } from './metrics.js';
import { type JobControl, Operator, type SavedWatermarks } from './operator.js';

/** A copy of an operator's state and timers that `structuredClone` can carry (checkpoints). */
export interface OperatorSnapshot {
  readonly kind: string;
  readonly version: number;
  readonly data: unknown;
}

/** What checkpoints and metrics need from a stateful operator. */
export interface Stateful {
  /** Keys held and approximate heap bytes of all state and timers. */
  stateSize(): StateSize;
  /** A deep copy, independent of the live state (encoded after the sources go on). */
  snapshotState(): OperatorSnapshot;
  /** Replace all state and timers with a snapshot's (taken from an operator with the same params). */
  restoreState(s: OperatorSnapshot): void;
  /**
   * State held in other threads (parallel instances): called at a checkpoint with the sources held,
   * before `snapshotState`, to gather it; resolves once the snapshot is ready.
   */
  alignSnapshot?(): Promise<void>;
  /**
   * After alignSnapshot: the checkpoint has taken every snapshot (or failed); output held since goes
   * on, and so does input held since (held-input.ts) unless `goOn` is false (the job stops there:
   * only the ends of inputs go on, so the run can end).
   */
  endAlignment?(goOn: boolean): void;
  /** Input held since alignSnapshot, for the synchronous snapshot (held-input.ts). */
  heldInput?(): readonly HeldInput[];
}

class PortBuffer {
  recs: unknown[] = [];
  ts: number[] = [];
  wm: number[] = [];
}

/**
 * Where each output record came from, for a parallel instance (parallel/worker.ts): the position in
 * the step of the input record being handled when it was emitted, as 2·position + 1 while the record
 * itself is processed and 2·position while event time moves to the watermark before it (the
 * instance moves it where the step's watermark rises, before other instances' records too, as one
 * instance would); AFTER_INPUT for what the end of an input batch, an idle or ended input fires.
 * The job's thread merges the instances' outputs by it, so they come out in the order one instance
 * would have emitted them (timers due at one watermark rise aside: by instance).
 */
export class Origins {
  /** The origin of what is emitted now. */
  at = AFTER_INPUT;
  /** Per output port, the origin of each record emitted since the last take. */
  readonly org: number[][];
  constructor(ports: number) {
    this.org = Array.from({ length: ports }, () => []);
  }
  take(port: number): number[] {
    const o = this.org[port]!;
    this.org[port] = [];
    return o;
  }
}

/**
 * The origin of outputs not caused by one input record: after every record of a step, and even, as
 * every origin of a timer's output is (so odd origins are exactly the outputs records caused).
 */
export const AFTER_INPUT = 2 ** 52;

export abstract class TimedOperator extends Operator implements Stateful {
  /** Event time this operator has reached: every event-time timer ≤ it has fired. */
  protected wmNow = WM_MIN;
  private readonly buf: PortBuffer[];
  /** Set in a parallel instance only: tags each output with its origin. */
  private origins: Origins | null = null;
  /** Per record of the batch being received, its position in the step (parallel instances only). */
  private positions: ArrayLike<number> | null = null;
  /** With them, where in the step the watermark rises (every instance's records counted), and to what. */
  private wmAt: ArrayLike<number> = [];
  private wmVal: ArrayLike<number> = [];

  /**
   * @param errorsPort index of the `errors` output, or -1 when the node has none
   */
  constructor(
    job: JobControl,
    outputCount: number,
    protected readonly nodeId: string,
    protected readonly metrics: NodeMetrics,
    private readonly errorsPort: number,
  ) {
    super(job, outputCount);
    this.buf = Array.from({ length: outputCount }, () => new PortBuffer());
    metrics.stateSize = () => this.stateSize();
  }

  /** Handle one record; `key` is null on an unkeyed input. */
  protected abstract processRecord(rec: unknown, ts: number, key: unknown): void;

  /** Fire everything due at or before event time `wm` (called before `wmNow` moves to it). */
  protected abstract onEventTime(wm: number): void;

  abstract stateSize(): StateSize;
  abstract snapshotState(): OperatorSnapshot;
  abstract restoreState(s: OperatorSnapshot): void;

  /** A parallel instance: tag outputs with their origins from now on (see Origins). */
  trackOrigins(): Origins {
    return (this.origins = new Origins(this.outputs.length));
  }

  /**
   * A parallel instance: the step positions of the records of the next batch received, and where
   * in the step the watermark rises (positions and values), own records or not.
   */
  setPositions(pos: ArrayLike<number>, wmAt: ArrayLike<number>, wmVal: ArrayLike<number>): void {
    this.positions = pos;
    this.wmAt = wmAt;
    this.wmVal = wmVal;
  }

  receive(input: number, b: Batch): void {
    const n = b.recs.length;
    const recs = b.recs;
    const ts = b.ts;
    const keys = b.keys;
    const wm = b.wm;
    this.metrics.recordsIn += n;
    const o = this.origins;
    if (o !== null) {
      const pos = this.positions!;
      const wmAt = this.wmAt;
      const wmVal = this.wmVal;
      this.positions = null;
      this.wmAt = this.wmVal = [];
      // Event time moves where the step's watermark rises, as one instance would move it, before
      // another instance's record as much as before one of ours: timers fire at those positions.
      let k = 0;
      for (let i = 0; i < n; i++) {
        const p = pos[i]!;
        for (; k < wmAt.length && wmAt[k]! <= p; k++) {
          o.at = 2 * wmAt[k]!;
          if (wmVal[k]! > this.wmNow) this.moveEventTime(wmVal[k]!);
        }
        o.at = 2 * p;
        if (wm !== null && wm[i]! > this.wmNow) this.moveEventTime(wm[i]!);
        o.at++;
        this.processRecord(recs[i], ts[i]!, keys === null ? null : keys[i]);
      }
      for (; k < wmAt.length; k++) {
        o.at = 2 * wmAt[k]!;
        if (wmVal[k]! > this.wmNow) this.moveEventTime(wmVal[k]!);
      }
      o.at = AFTER_INPUT;
    } else {
      for (let i = 0; i < n; i++) {
        if (wm !== null && wm[i]! > this.wmNow) this.moveEventTime(wm[i]!);
        this.processRecord(recs[i], ts[i]!, keys === null ? null : keys[i]);
      }
    }
    this.wms.update(input, b.wmEnd);
    const w = this.wms.combined();
    if (w > this.wmNow) this.moveEventTime(w);
    this.flush();
  }

  override saveWatermarks(): SavedWatermarks {
    return { ...super.saveWatermarks(), now: this.wmNow };
  }

  override restoreWatermarks(s: SavedWatermarks): void {
    super.restoreWatermarks(s);
    if (s.now !== undefined && s.inputs.wm.length === this.inputCount) {
      this.wmNow = s.now;
      if (s.now > this.metrics.watermark) this.metrics.watermark = s.now;
    }
  }

  /** Queue a record on a port; it goes out with the watermark the operator had reached. */
  protected emit(port: number, rec: unknown, ts: number): void {
    const p = this.buf[port]!;
    p.recs.push(rec);
    p.ts.push(ts);
    p.wm.push(this.wmNow);
    if (this.origins !== null) this.origins.org[port]!.push(this.origins.at);
    if (port === 0) this.metrics.recordsOut++;
  }

  /** A record this node cannot process: to `errors` as {node, error, record}, or fail the run. */
  protected error(rec: unknown, err: unknown, ts: number): void {
    const message = errorMessage(err);
    this.metrics.errors++;
    this.metrics.noteError(message, rec);
    if (this.errorsPort < 0 || !this.outputs[this.errorsPort]!.connected) {
      throw new NodeError(this.nodeId, `${message} (record: ${preview(rec)})`);
    }
    this.emit(this.errorsPort, { node: this.nodeId, error: message, record: rec }, ts);
  }

  /** Send what is queued, with the current watermark, on every port. */
  protected flush(): void {
    const wmEnd = this.wmNow;
    const advanced = wmEnd > this.wmOut;
    for (let port = 0; port < this.buf.length; port++) {
      const p = this.buf[port]!;
      if (p.recs.length === 0 && !advanced) continue;
      this.buf[port] = new PortBuffer();
      this.outputs[port]!.emit({ recs: p.recs, ts: p.ts, keys: null, wm: p.recs.length > 0 ? p.wm : null, wmEnd });
    }
    if (advanced) this.wmOut = wmEnd;
    if (wmEnd > this.metrics.watermark) this.metrics.watermark = wmEnd;
  }

  /** Run work from a processing-time callback, then send its results. */
  protected onClock(fn: () => void): void {
    if (this.job.stopped) return;
    fn();
    this.flush();
  }

  protected override advanceTo(wm: number): void {
    if (wm > this.wmNow) this.moveEventTime(wm);
    this.flush();
  }

  private moveEventTime(wm: number): void {
    this.onEventTime(wm);
    this.wmNow = wm;
  }

  /** True once the final watermark has arrived: the input was exhausted, so all time is over. */
  protected get endOfTime(): boolean {
    return this.wmNow === WM_MAX;
  }
}
