// The operator contract every runtime node implements (or, for stateless nodes, gets fused into:
// see chain.ts). Push-based and synchronous per batch; only sources and sinks touch I/O.
import { type Batch, WM_MIN, watermarkOnly } from './batch.js';
import type { ProcessingClock } from './clock.js';
import { WatermarkCombiner } from './watermarks.js';

/** An operator's watermark bookkeeping as a checkpoint holds it. */
export interface SavedWatermarks {
  readonly inputs: ReturnType<WatermarkCombiner['save']>;
  readonly out: number;
  /** Timed operators: the event time reached (timed.ts). */
  readonly now?: number;
}

/** What an operator may ask of the job it runs in. */
export interface JobControl {
  /** Abort the run; the CLI reports the error and exits 1. */
  fail(err: unknown): void;
  /** A sink's write buffer is full: sources pause until every blocked sink unblocks. */
  block(): void;
  unblock(): void;
  /** A sink has written everything and closed. */
  sinkDone(): void;
  /**
   * Resolves once every record emitted before the call has left every asynchronous stage and been
   * written by every sink (barrier.ts); at-least-once sources commit their position after it.
   */
  barrier(): Promise<void>;
  readonly stopped: boolean;
  /** Processing time: windows on the wall clock, processing-time timers, state TTL. */
  readonly clock: ProcessingClock;
}

interface Target {
  readonly op: Operator;
  readonly input: number;
}

/** Sees the batches leaving one output port (a data tap in the editor). */
export type BatchObserver = (b: Batch) => void;

/** One output port: the list of downstream inputs its batches go to. */
export class Output {
  private targets: Target[] = [];
  /** Records emitted on this port so far: the editor's per-edge rates. */
  count = 0;
  /** Set only while a tap watches this port, so an untapped port pays one null check per batch. */
  observer: BatchObserver | null = null;

  connect(op: Operator, input: number): void {
    this.targets.push({ op, input });
  }

  get connected(): boolean {
    return this.targets.length > 0;
  }

  emit(b: Batch): void {
    this.count += b.recs.length;
    if (this.observer !== null) this.observer(b);
    const t = this.targets;
    for (let i = 0; i < t.length; i++) t[i]!.op.receive(t[i]!.input, b);
  }

  idle(idle: boolean): void {
    for (const t of this.targets) t.op.inputIdle(t.input, idle);
  }

  end(): void {
    for (const t of this.targets) t.op.inputEnded(t.input);
  }
}

export abstract class Operator {
  readonly outputs: Output[];
  protected readonly wms = new WatermarkCombiner();
  /** The watermark this operator last forwarded downstream. */
  protected wmOut = WM_MIN;
  private finished = false;

  constructor(
    protected readonly job: JobControl,
    outputCount: number,
  ) {
    this.outputs = Array.from({ length: outputCount }, () => new Output());
  }

  /**
   * Allocates the next input index; called by the planner once per incoming edge, with the input
   * port the edge names (two-input operators route by it; one-input operators ignore it).
   */
  addInput(_port?: string): number {
    return this.wms.add();
  }

  get inputCount(): number {
    return this.wms.size;
  }

  abstract receive(input: number, b: Batch): void;

  inputIdle(input: number, idle: boolean): void {
    this.wms.setIdle(input, idle);
    if (this.wms.allIdle()) {
      // Flink's StatusWatermarkValve: when the last active input goes idle, the output first
      // advances to the highest watermark of its inputs, so the order of going idle does not matter.
      this.advanceTo(this.wms.combined());
      for (const o of this.outputs) o.idle(true);
      return;
    }
    if (!idle) for (const o of this.outputs) o.idle(false);
    this.advanceTo(this.wms.combined());
  }

  inputEnded(input: number): void {
    this.wms.setEnded(input);
    if (this.wms.allEnded()) {
      if (this.finished) return;
      this.finished = true;
      this.finish();
      return;
    }
    this.advanceTo(this.wms.combined());
  }

  /** All inputs ended: flush what is buffered, then forward the end. Sinks override to close files. */
  protected finish(): void {
    for (const o of this.outputs) o.end();
  }

  /** Forward a watermark advance that arrived without records (idle or ended inputs). */
  protected advanceTo(wm: number): void {
    if (wm <= this.wmOut) return;
    this.onWatermark(wm);
    this.wmOut = wm;
    const b = watermarkOnly(wm);
    for (const o of this.outputs) o.emit(b);
  }

  /** For checkpoints (checkpoint/participants.ts): where this operator's event time stands. */
  saveWatermarks(): SavedWatermarks {
    return { inputs: this.wms.save(), out: this.wmOut };
  }

  restoreWatermarks(s: SavedWatermarks): void {
    if (s.inputs.wm.length !== this.wms.size) return; // inputs changed in an edit: start fresh, as a new node
    this.wms.load(s.inputs);
    this.wmOut = s.out;
  }

  /** Hook for operators with timers: the watermark is about to reach `wm`. */
  protected onWatermark(_wm: number): void {}
}
