// The job-thread side of one parallel node: splits each keyed batch by key group among the node's
// instances (Flink's KeyGroupStreamPartitioner), and merges what the instances send back.
//
// Order: every message to an instance is answered once, and answers are merged in sequence order.
// Within one step, each record sent carries its position among the step's records, and every
// instance hears where the step's watermark rises (so its event time moves where one instance's
// would, and its timers fire at the same positions); each output carries the position that caused
// it (timed.ts Origins), and the instances' outputs are merged by that origin. So what records cause
// comes out in exactly the order one instance would have emitted it, and so do timers' outputs,
// except those of timers that several instances fire at the same watermark rise: those interleave
// by instance, as across Flink subtasks, where that order is not defined.
//
// Watermarks: the merged watermark is the minimum over the instances (Flink's StatusWatermarkValve
// over input channels); each record carries the minimum in effect when it is emitted, taking its
// own instance at the watermark it had when it emitted the record. A node feeding a stateful node,
// planned to emit only what records cause (`lockstep`, plan.ts), emits each record under the
// watermark of the input record that caused it, as one instance would: every instance has been
// sent every earlier record's watermark with its own records, so none can still emit below it.
import { type Batch, WM_MIN } from '../batch.js';
import { NodeError } from '../errors.js';
import { type Flushable, FlushTracker } from '../barrier.js';
import { type HeldInput, deliverHeld } from '../held-input.js';
import type { Lifecycle } from '../lifecycle.js';
import type { NodeMetrics, ParallelInstance, StateSize, WindowTiming } from '../metrics.js';
import { type JobControl, Operator, type SavedWatermarks } from '../operator.js';
import type { OperatorSnapshot, Stateful } from '../timed.js';
import { column, toColumns, transfers } from './columns.js';
import { type Packed, PackReader, PackWriter, packedTransfers } from './packed.js';
import { assignToKeyGroup, keyGroupRange, operatorIndexForKeyGroup } from './key-groups.js';
import type { WorkerPool } from './pool.js';
import type { InstanceFigures, OutMessage, PortOut, VertexInit } from './protocol.js';
import { type InstanceState, PARALLEL_SNAPSHOT, type ParallelSnapshotData, instanceStates } from './rescale.js';

/** Steps sent but not yet merged before the sources pause. */
export const MAX_IN_FLIGHT = 8;
/**
 * Records buffered before they are sent: a message per instance costs a few microseconds whatever
 * its size, so small batches are gathered; what is left goes when the job's thread next yields.
 */
export const FLUSH_RECORDS = 8192;

interface Part {
  recs: unknown[];
  ts: number[];
  keys: unknown[];
  wm: number[];
  /** Each record's position among the step's records. */
  pos: number[];
}

const emptyPart = (): Part => ({ recs: [], ts: [], keys: [], wm: [], pos: [] });

/** One input's records routed but not yet sent: one step. */
interface Pending {
  parts: Part[];
  wmEnd: number;
  /** Records in the step so far (the next record's position). */
  count: number;
  /**
   * Where the watermark rises within the step (positions, values), sent to every instance: each
   * then moves event time where one instance would, between other instances' records too, so its
   * timers fire at the same positions and under the same watermark as at parallelism 1.
   */
  wmAt: number[];
  wmVal: number[];
  /** The watermark of the step's last record (or the one the step started from). */
  wmLast: number;
}

export class ParallelOperator extends Operator implements Lifecycle, Flushable, Stateful {
  private readonly v: number;
  private readonly n: number;
  /** Key group → instance. */
  private readonly route: Int32Array;
  private readonly inputPorts: string[] = [];
  private readonly lastWmSent: number[] = [];
  /** Records routed but not yet sent, per input and instance (sent in batches of FLUSH_RECORDS). */
  private readonly pending: Pending[] = [];
  private pendingCount = 0;
  private flushScheduled = false;
  private seq = 0;
  private next = 0;
  private readonly queues: OutMessage[][];
  private readonly chanWm: number[];
  private readonly ended: boolean[];
  private endedCount = 0;
  private blocked = false;
  private readonly tracker = new FlushTracker();
  readonly figures: InstanceFigures[];
  /** Per instance, the two ends of its channels (packed.ts): records out, results back. */
  private readonly writers: PackWriter[];
  private readonly readers: PackReader[];
  /** What each instance starts from, set by restoreState before the pool opens. */
  private restoredStates: InstanceState[] | null = null;
  private savedWatermarks: SavedWatermarks | undefined;
  /** Each instance's answer to the last checkpoint barrier. */
  private readonly gathered: OutMessage['snapshot'][];
  /** The aligned snapshot, until snapshotState takes it. */
  private aligned: OperatorSnapshot | null = null;
  /**
   * The sequence number of the checkpoint barrier until the checkpoint has taken the sinks' part:
   * answers after it (processing-time timers firing in the instances, which the held sources do
   * not stop) are held back, or a sink would commit output whose timer the snapshot still holds.
   */
  private fence: number | null = null;
  /**
   * Input that arrived after the checkpoint barrier was sent, until the checkpoint has taken its
   * synchronous snapshot (held-input.ts): sent on, in order, after it; null when not holding.
   */
  private held: HeldInput[] | null = null;
  /** Per input, the watermark after the last held batch (the one held records without their own came under). */
  private heldWm: number[] = [];
  private heldReleased: Promise<void> = Promise.resolve();
  private releaseHeld: () => void = () => {};

  constructor(
    job: JobControl,
    private readonly nodeId: string,
    private readonly type: string,
    private readonly params: unknown,
    outputCount: number,
    private readonly metrics: NodeMetrics,
    private readonly pool: WorkerPool,
    readonly maxParallelism: number,
    /** The top-level fields the node reads from a record (projection.ts); null: the whole record. */
    private readonly fields: readonly string[] | null,
    /** The node feeds a stateful node, so it was planned to emit only what records cause (plan.ts): each goes out under that record's watermark. */
    private readonly lockstep: boolean,
  ) {
    super(job, outputCount);
    this.n = pool.parallelism;
    this.v = pool.register(this);
    this.route = new Int32Array(maxParallelism);
    for (let g = 0; g < maxParallelism; g++) this.route[g] = operatorIndexForKeyGroup(maxParallelism, this.n, g);
    this.queues = Array.from({ length: this.n }, () => []);
    this.writers = Array.from({ length: this.n }, () => new PackWriter());
    this.readers = Array.from({ length: this.n }, () => new PackReader());
    this.chanWm = new Array<number>(this.n).fill(WM_MIN);
    this.ended = new Array<boolean>(this.n).fill(false);
    this.gathered = new Array<OutMessage['snapshot']>(this.n);
    const zero: InstanceFigures = { recordsIn: 0, recordsOut: 0, errors: 0, late: 0, watermark: WM_MIN, state: { keys: 0, bytes: 0 }, window: null, cpuMs: null };
    this.figures = Array.from({ length: this.n }, () => zero);
    metrics.stateSize = () => this.stateSize();
    if (metrics.windowTiming !== null) metrics.windowTiming = () => this.windowTiming();
    metrics.instances = () => this.instances();
  }

  override addInput(port?: string): number {
    this.inputPorts.push(port ?? 'in');
    this.lastWmSent.push(WM_MIN);
    this.pending.push({ parts: Array.from({ length: this.n }, emptyPart), wmEnd: WM_MIN, count: 0, wmAt: [], wmVal: [], wmLast: WM_MIN });
    return super.addInput(port);
  }

  init(): VertexInit {
    return { nodeId: this.nodeId, type: this.type, params: this.params, inputs: this.inputPorts, outputs: this.outputs.length, connected: this.outputs.map((o) => o.connected) };
  }

  open(): Promise<void> {
    return this.pool.open();
  }

  close(): Promise<void> {
    return this.pool.close();
  }

  flushed(): Promise<void> {
    // Held input has not reached the instances yet: flushed once it has gone on and been answered.
    if (this.held !== null) return this.heldReleased.then(() => this.flushed());
    this.flushPending();
    return this.tracker.flushed();
  }

  receive(input: number, b: Batch): void {
    const count = b.recs.length;
    if (count > 0 && b.keys === null) throw new Error(`node '${this.nodeId}': a parallel node needs a keyed input`);
    if (this.held !== null) {
      this.hold(input, b);
      return;
    }
    const pend = this.pending[input]!;
    if (count > 0) {
      const bk = b.keys!;
      const route = this.route;
      const maxP = this.maxParallelism;
      const bw = b.wm;
      // Without per-record watermarks every record came under the watermark the input had before.
      const before = pend.wmEnd;
      const at = pend.count;
      for (let i = 0; i < count; i++) {
        const k = bk[i];
        const part = pend.parts[route[assignToKeyGroup(k, maxP)]!]!;
        const w = bw === null ? before : bw[i]!;
        part.recs.push(b.recs[i]);
        part.ts.push(b.ts[i]!);
        part.keys.push(k);
        part.wm.push(w);
        part.pos.push(at + i);
        if (w > pend.wmLast) {
          pend.wmAt.push(at + i);
          pend.wmVal.push(w);
          pend.wmLast = w;
        }
      }
      pend.count += count;
      this.pendingCount += count;
    }
    if (b.wmEnd > pend.wmEnd) pend.wmEnd = b.wmEnd;
    if (this.pendingCount >= FLUSH_RECORDS) this.flushPending();
    else if (!this.flushScheduled && (this.pendingCount > 0 || pend.wmEnd > this.lastWmSent[input]!)) {
      this.flushScheduled = true;
      setImmediate(this.scheduledFlush);
    }
  }

  /** Keep a batch that arrived after the barrier, with the watermark before each record as flushPending would ship it. */
  private hold(input: number, b: Batch): void {
    const before = this.heldWm[input]!;
    const n = b.recs.length;
    if (n === 0 && b.wmEnd <= before) return;
    this.held!.push({ t: 'batch', input, recs: b.recs, ts: b.ts, keys: b.keys, wm: b.wm ?? new Array<number>(n).fill(before), wmEnd: b.wmEnd });
    if (b.wmEnd > before) this.heldWm[input] = b.wmEnd;
  }

  private readonly scheduledFlush = (): void => {
    this.flushScheduled = false;
    if (!this.job.stopped) this.flushPending();
  };

  /** Send what is buffered: one step per input that has records or a watermark advance. */
  private flushPending(): void {
    for (let input = 0; input < this.pending.length; input++) {
      const pend = this.pending[input]!;
      const any = pend.parts.some((p) => p.recs.length > 0);
      if (!any && pend.wmEnd <= this.lastWmSent[input]!) continue;
      this.lastWmSent[input] = pend.wmEnd;
      const wmAt = Int32Array.from(pend.wmAt);
      const wmVal = Float64Array.from(pend.wmVal);
      pend.count = 0;
      pend.wmAt = [];
      pend.wmVal = [];
      pend.wmLast = pend.wmEnd;
      const seq = this.seq++;
      for (let j = 0; j < this.n; j++) {
        const part = pend.parts[j]!;
        const n = part.recs.length;
        // Columns, numbers in transferred buffers: cloning record objects cost more than the work.
        // A window's fields as columns (its numbers in one buffer); otherwise the records packed,
        // strings named by id once they have crossed (packed.ts), whole or the fields read.
        const packed = this.type === 'window' && this.fields !== null ? null : this.writers[j]!.encode(part.recs, this.fields);
        const cols = packed !== null || this.fields === null ? null : toColumns(part.recs, this.fields);
        const ts = Float64Array.from(part.ts);
        const wm = Float64Array.from(part.wm);
        const pos = Int32Array.from(part.pos);
        const keys = column(part.keys, n);
        const moved: ArrayBuffer[] = [ts.buffer, wm.buffer, pos.buffer];
        if (cols !== null) transfers(cols, moved);
        if (packed !== null) packedTransfers(packed, moved);
        if (keys.k === 'num') moved.push(keys.v.buffer as ArrayBuffer);
        this.pool.post(j, { t: 'batch', v: this.v, seq, input, n, packed, cols, whole: cols === null && packed === null ? part.recs : null, ts, keys, wm, pos, wmAt, wmVal, wmEnd: pend.wmEnd }, moved);
        pend.parts[j] = emptyPart();
      }
      this.sent();
    }
    this.pendingCount = 0;
  }

  override inputIdle(input: number, idle: boolean): void {
    if (this.held !== null) {
      this.held.push({ t: 'idle', input, idle });
      return;
    }
    this.flushPending();
    const seq = this.seq++;
    for (let j = 0; j < this.n; j++) this.pool.post(j, { t: 'idle', v: this.v, seq, input, idle });
    this.sent();
  }

  override inputEnded(input: number): void {
    if (this.held !== null) {
      this.held.push({ t: 'end', input });
      return;
    }
    this.flushPending();
    const seq = this.seq++;
    for (let j = 0; j < this.n; j++) this.pool.post(j, { t: 'end', v: this.v, seq, input });
    this.sent();
  }

  private sent(): void {
    this.tracker.accept(1);
    if (!this.blocked && this.seq - this.next >= MAX_IN_FLIGHT) {
      this.blocked = true;
      this.job.block();
    }
  }

  onAnswer(instance: number, m: OutMessage): void {
    // Unpacked as they arrive: the channel's dictionary grows in the order the instance packed.
    if (m.ports.some((po) => po !== null && po.packed !== null)) m = { ...m, ports: m.ports.map((po) => (po === null || po.packed === null ? po : unpacked(po, this.readers[instance]!))) };
    this.figures[instance] = m.figures;
    if (m.snapshot !== undefined) this.gathered[instance] = m.snapshot;
    const q = this.queues[instance]!;
    if (m.seq < 0 && q.length === 0 && this.beforeFence()) this.merge([instance], [m]);
    else q.push(m);
    this.drain();
    this.sumFigures();
  }

  /** Whether answers may be merged: no fence, or the barrier's step not merged yet (what each queue holds before its barrier answer came before it). */
  private beforeFence(): boolean {
    return this.fence === null || this.next <= this.fence;
  }

  private drain(): void {
    const qs = this.queues;
    while (this.beforeFence()) {
      for (let j = 0; j < this.n; j++) {
        while (qs[j]!.length > 0 && qs[j]![0]!.seq < 0) this.merge([j], [qs[j]!.shift()!]);
      }
      let whole = true;
      for (let j = 0; j < this.n && whole; j++) whole = qs[j]!.length > 0 && qs[j]![0]!.seq === this.next;
      if (!whole) break;
      const from: number[] = [];
      const msgs: OutMessage[] = [];
      for (let j = 0; j < this.n; j++) {
        from.push(j);
        msgs.push(qs[j]!.shift()!);
      }
      this.next++;
      this.merge(from, msgs);
      this.tracker.complete(1);
    }
    if (this.blocked && this.seq - this.next <= MAX_IN_FLIGHT / 2) {
      this.blocked = false;
      this.job.unblock();
    }
  }

  /**
   * Emit one step's answers from the given instances under the merged watermark, each port's
   * records in order of origin (ties: in the order of `from`).
   */
  private merge(from: readonly number[], msgs: readonly OutMessage[]): void {
    const chan = this.chanWm;
    const lockstep = this.lockstep;
    const outs: (PortOut | null)[] = new Array<PortOut | null>(msgs.length);
    const at: number[] = new Array<number>(msgs.length);
    for (let p = 0; p < this.outputs.length; p++) {
      let any = false;
      for (let x = 0; x < msgs.length; x++) {
        outs[x] = msgs[x]!.ports[p] ?? null;
        at[x] = 0;
        if (outs[x] !== null) any = true;
      }
      if (!any) continue;
      const cw = chan.slice();
      const recs: unknown[] = [];
      const ts: number[] = [];
      const wm: number[] = [];
      let keys: unknown[] | null = null;
      for (;;) {
        // The instance whose next record has the earliest origin.
        let x = -1;
        let best = 0;
        for (let y = 0; y < outs.length; y++) {
          const po = outs[y];
          if (po === null || at[y]! >= po.recs.length) continue;
          const o = po.org[at[y]!]!;
          if (x < 0 || o < best) {
            x = y;
            best = o;
          }
        }
        if (x < 0) break;
        // An even origin is a timer's output, which a lockstep node was planned never to emit (its
        // onTimer never names `emit`): code elsewhere emitted for it. Its order against the other
        // instances' would be a guess, and the stateful node downstream could answer otherwise.
        if (lockstep && best % 2 === 0) {
          this.job.fail(new NodeError(this.nodeId, 'a timer emitted a record through code outside onTimer; this node runs in parallel because its onTimer never names `emit`, and it feeds a stateful node that must see records in the order of parallelism 1: call ctx.emit in onTimer itself, or run with parallelism 1'));
          return;
        }
        const po = outs[x]!;
        const r = at[x]!++;
        const j = from[x]!;
        const w = po.wm[r]!;
        if (w > cw[j]!) cw[j] = w;
        // Every instance was sent the watermarks up to this record's: none can emit below it.
        if (lockstep) for (let k = 0; k < cw.length; k++) if (w > cw[k]!) cw[k] = w;
        recs.push(po.recs[r]);
        ts.push(po.ts[r]!);
        wm.push(minOf(cw));
        if (po.keys !== null) (keys ??= new Array(recs.length - 1).fill(null)).push(po.keys[r]);
        else if (keys !== null) keys.push(null);
      }
      for (let x = 0; x < msgs.length; x++) {
        const j = from[x]!;
        if (msgs[x]!.wmEnd > cw[j]!) cw[j] = msgs[x]!.wmEnd;
      }
      const wmEnd = Math.max(this.wmOut, minOf(cw));
      this.outputs[p]!.emit({ recs, ts, keys, wm, wmEnd });
    }
    for (let x = 0; x < msgs.length; x++) {
      const j = from[x]!;
      if (msgs[x]!.wmEnd > chan[j]!) chan[j] = msgs[x]!.wmEnd;
    }
    const wmEnd = minOf(chan);
    if (wmEnd > this.wmOut) {
      this.wmOut = wmEnd;
      // Ports that emitted nothing in this step still hear the advance.
      for (let p = 0; p < this.outputs.length; p++) {
        if (!msgs.some((m) => m.ports[p] != null)) this.outputs[p]!.emit({ recs: [], ts: [], keys: null, wm: null, wmEnd });
      }
      if (wmEnd > this.metrics.watermark) this.metrics.watermark = wmEnd;
    }
    // An idle input (every instance was sent it, and has one input): the node's outputs go idle, or
    // active again, after the watermark advance, as Operator.inputIdle does for one instance.
    if (msgs.length === this.n && msgs.every((m) => m.idle !== null)) {
      const idle = msgs.every((m) => m.idle === true);
      for (const o of this.outputs) o.idle(idle);
    }
    for (let x = 0; x < msgs.length; x++) {
      const j = from[x]!;
      if (msgs[x]!.ended && !this.ended[j]) {
        this.ended[j] = true;
        if (++this.endedCount === this.n) this.finish();
      }
    }
  }

  private sumFigures(): void {
    const m = this.metrics;
    let inn = 0;
    let out = 0;
    let errors = 0;
    let late = 0;
    for (const f of this.figures) {
      inn += f.recordsIn;
      out += f.recordsOut;
      errors += f.errors;
      late += f.late;
    }
    m.recordsIn = inn;
    m.recordsOut = out;
    m.errors = errors;
    m.late = late;
  }

  stateSize(): StateSize {
    const s: StateSize = { keys: 0, bytes: 0 };
    for (const f of this.figures) {
      s.keys += f.state.keys;
      s.bytes += f.state.bytes;
      if (f.state.partialMatches !== undefined) s.partialMatches = (s.partialMatches ?? 0) + f.state.partialMatches;
    }
    return s;
  }

  private windowTiming(): WindowTiming {
    let nextFire: number | null = null;
    let openWindows = 0;
    let processingTime = false;
    for (const f of this.figures) {
      if (f.window === null) continue;
      openWindows += f.window.openWindows;
      processingTime = f.window.processingTime;
      if (f.window.nextFire !== null && (nextFire === null || f.window.nextFire < nextFire)) nextFire = f.window.nextFire;
    }
    return { nextFire, openWindows, processingTime };
  }

  private instances(): ParallelInstance[] {
    return this.figures.map((figures, instance) => ({ instance, keyGroups: groupsOf(this.route, instance), figures }));
  }

  /**
   * A checkpoint, with the sources held: what is buffered goes out, then the barrier behind it
   * through the same ordered channel to every instance (Flink's aligned checkpoint barrier). Resolves
   * once every instance has answered it: each snapshot then holds exactly the records sent before,
   * and every output produced before it has been merged and emitted downstream (answers are merged
   * in order), so the sinks' part of the checkpoint covers it.
   */
  async alignSnapshot(): Promise<void> {
    // A savepoint asked for as the run ends: the instances and their state are gone.
    if (this.pool.isClosed) throw new Error(`node '${this.nodeId}': the parallel instances have ended with the run`);
    // Asked for while the instances start (a stop right after the run began): a barrier sent
    // before an instance has set up its node would reach no node.
    await Promise.race([this.pool.open(), this.pool.closing]);
    this.flushPending();
    this.gathered.fill(undefined);
    const seq = this.seq++;
    this.fence = seq;
    for (let j = 0; j < this.n; j++) this.pool.post(j, { t: 'snapshot', v: this.v, seq });
    this.sent();
    // From here input is held: sent now it would be in no snapshot, the instances' being past it and
    // the upstream one (taken later) no longer holding it.
    this.held = [];
    this.heldWm = this.pending.map((p) => p.wmEnd);
    this.heldReleased = new Promise((r) => (this.releaseHeld = r));
    await Promise.race([this.tracker.flushed(), this.pool.closing]);
    const instances = this.gathered.map((g, j): InstanceState => {
      if (g === undefined) throw new Error(`node '${this.nodeId}': instance ${j} did not answer the checkpoint barrier`);
      return { ...keyGroupRange(this.maxParallelism, this.n, j), state: g.state, watermarks: g.watermarks };
    });
    const data: ParallelSnapshotData = { maxParallelism: this.maxParallelism, instances };
    this.aligned = { kind: PARALLEL_SNAPSHOT, version: 1, data };
  }

  /**
   * The checkpoint has taken (or given up) its snapshots: what the instances sent since goes on, and
   * so does the input held since, in order (unless the job stops there: then only the ends of inputs,
   * so the instances end; the checkpoint holds the rest).
   */
  endAlignment(goOn: boolean): void {
    if (this.fence !== null) {
      this.fence = null;
      this.drain();
    }
    const held = this.held;
    if (held === null) return;
    this.held = null;
    this.releaseHeld();
    if (this.pool.isClosed) return;
    deliverHeld(this, held, goOn && !this.job.stopped);
  }

  /** Input held since the barrier, for the checkpoint (a copy: the list goes on growing until endAlignment). */
  heldInput(): readonly HeldInput[] {
    return this.held === null ? [] : this.held.slice();
  }

  /** The snapshot alignSnapshot gathered (the state lives in the instances, not here). */
  snapshotState(): OperatorSnapshot {
    const s = this.aligned;
    if (s === null) throw new Error(`node '${this.nodeId}': its parallel instances were not sent the checkpoint barrier`);
    this.aligned = null;
    return s;
  }

  override restoreWatermarks(s: SavedWatermarks): void {
    this.savedWatermarks = s;
    super.restoreWatermarks(s);
  }

  /** Called before the job opens: each instance gets its part when the pool starts (pool.ts). */
  restoreState(s: OperatorSnapshot): void {
    this.restoredStates = instanceStates(s, this.savedWatermarks, this.maxParallelism, this.n);
  }

  restored(instance: number): InstanceState | null {
    return this.restoredStates?.[instance] ?? null;
  }
}

function unpacked(po: PortOut, reader: PackReader): PortOut {
  return { ...po, recs: reader.decode(po.packed as Packed), packed: null };
}

function minOf(a: readonly number[]): number {
  let m = Infinity;
  for (let i = 0; i < a.length; i++) if (a[i]! < m) m = a[i]!;
  return m;
}

function groupsOf(route: Int32Array, instance: number): { start: number; end: number } {
  const start = route.indexOf(instance);
  return { start, end: route.lastIndexOf(instance) };
}
