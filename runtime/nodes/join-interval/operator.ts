// join.interval: Flink's IntervalJoinOperator. Each side's records wait in per-key lists
// (side.ts); a new record is probed against the other side's list for its key and then buffered
// itself. Cleanup follows IntervalJoinOperator's timers — a left record is dropped once the
// watermark reaches ts + max(upper, 0), a right one at ts + max(−lower, 0) — kept as one
// (due, key id) entry per record in a queue of typed arrays (due-queue.ts) instead of timer objects.
import type { Batch } from '../../engine/batch.js';
import { compileExpression } from '../../expr/index.js';
import type { OperatorFactory } from '../../engine/factory.js';
import type { StateSize } from '../../engine/metrics.js';
import { estimateBytes, keyBytes } from '../../engine/state/size.js';
import type { OperatorSnapshot } from '../../engine/timed.js';
import { type InputSide, TwoInputTimedOperator } from '../../engine/two-input.js';
import type { ParamsOf } from '../spec.js';
import { DueQueue } from './due-queue.js';
import { KeyIds } from './key-ids.js';
import { JoinSide, KeyEnds } from './side.js';
import { effectiveBounds, type joinIntervalSpec } from './spec.js';

const OUT = 0;
const LATE = 1;
const ERRORS = 2;
const SIDES = ['left', 'right'] as const;
/** Size one record in this many for the state figure (sizing every record would cost more than the join). */
const SAMPLE_EVERY = 64;
/** Bytes per buffered record besides the record: its 16-byte slot (timestamp, next slot), record column and queue entry. */
const SLOT_BYTES = 16 + 4 + 12;

type Params = ParamsOf<typeof joinIntervalSpec>;
type OutputFn = (left: unknown, right: unknown, key: unknown) => unknown;

/** Per side: the sample behind the state figure's bytes per record. */
class Sample {
  seen = 0;
  sampled = 0;
  bytes = 0;

  note(rec: unknown): void {
    if (this.seen++ % SAMPLE_EVERY === 0) {
      this.sampled++;
      this.bytes += estimateBytes(rec);
    }
  }

  get average(): number {
    return this.sampled === 0 ? 0 : this.bytes / this.sampled;
  }
}

export interface IntervalJoinSnapshot {
  /** Per key: left and right [timestamp, record] entries, oldest first. */
  readonly keys: [unknown, [number, unknown][], [number, unknown][]][];
}

export class IntervalJoinOperator extends TwoInputTimedOperator {
  private readonly lower: number;
  private readonly upper: number;
  private readonly output: OutputFn;
  private readonly ids = new KeyIds();
  private readonly ends = new KeyEnds();
  private readonly left: JoinSide;
  private readonly right: JoinSide;
  /** Per side (each has its own fixed delay, so its cleanup times mostly arrive in order). */
  private readonly dues = [new DueQueue(), new DueQueue()] as const;
  private readonly samples = [new Sample(), new Sample()] as const;
  /** Key ids of the batch being handled. */
  private batchIds = new Int32Array(4096);
  /** Sink of `warm`'s reads, so they are not optimised away. */
  private warmed = 0;

  constructor(build: Parameters<OperatorFactory<Params>>[0], p: Params) {
    super(build.job, 3, build.nodeId, build.metrics, ERRORS, ['left', 'right']);
    const b = effectiveBounds(p);
    this.lower = b.lower;
    this.upper = b.upper;
    this.left = new JoinSide(Math.max(b.upper, 0), this.ends, 0);
    this.right = new JoinSide(Math.max(-b.lower, 0), this.ends, 2);
    this.output = compileExpression(p.output, { params: ['left', 'right', 'key'], fieldsOf: null }) as OutputFn;
  }

  /**
   * TwoInputTimedOperator.receive, specialised: the batch's key ids are looked up in one loop
   * first (KeyIds.idsOf), then each record is probed and buffered. The clock still moves before
   * each record exactly as the base class moves it, so cleanup and lateness are unchanged.
   */
  override receive(input: number, b: Batch): void {
    const n = b.recs.length;
    const recs = b.recs;
    const ts = b.ts;
    const keys = b.keys;
    const wm = b.wm;
    const side = this.sideOf(input);
    this.metrics.recordsIn += n;
    if (this.batchIds.length < n) this.batchIds = new Int32Array(n);
    const ids = this.batchIds;
    this.ids.idsOf(keys, n, ids);
    this.ends.ensure(this.ids.bound);
    this.warm(side === 0 ? this.right : this.left, ids, n);
    // The other input's watermark cannot change while this batch is handled.
    const others = this.wms.combined(input);
    for (let i = 0; i < n; i++) {
      if (wm !== null) {
        const w = wm[i]! < others ? wm[i]! : others;
        if (w > this.wmNow) this.moveTo(w);
      }
      const key = keys === null ? null : keys[i];
      const id = ids[i]!;
      if (this.isLate(side, recs[i], ts[i]!)) {
        // Its id was handed out before the record turned out late: give it back if unused.
        if (this.ends.empty(id)) this.ids.release(id);
        continue;
      }
      this.ids.hold(id);
      this.probeAndBuffer(side, recs[i], ts[i]!, key, id);
    }
    this.ids.endBatch();
    this.wms.update(input, b.wmEnd);
    const w = this.wms.combined();
    if (w > this.wmNow) this.moveTo(w);
    this.flush();
  }

  /**
   * Read, for each record of the batch, its key's list ends and the other side's oldest record
   * under that key: the loads do not wait on one another here, so their cache misses overlap,
   * and the record loop below finds them in cache. (A hint only: nothing read is kept.)
   */
  private warm(o: JoinSide, ids: Int32Array, n: number): void {
    const ends = this.ends.a;
    const f64 = o.f64;
    const at = o.at;
    let acc = 0;
    for (let i = 0; i < n; i++) {
      const s = ends[4 * ids[i]! + at]!;
      if (s >= 0) acc += f64[2 * s]!;
    }
    this.warmed = acc;
  }

  protected processElement1(rec: unknown, ts: number, key: unknown): void {
    if (!this.isLate(0, rec, ts)) this.probeAndBuffer(0, rec, ts, key, this.idOf(key));
  }

  protected processElement2(rec: unknown, ts: number, key: unknown): void {
    if (!this.isLate(1, rec, ts)) this.probeAndBuffer(1, rec, ts, key, this.idOf(key));
  }

  /**
   * Probe the other side first, then buffer: a record never meets itself, and a pair is found
   * once, by whichever of the two arrives second. A left record at ts meets the right ones in
   * [ts + lower, ts + upper], a right one the left ones in [ts − upper, ts − lower].
   */
  private probeAndBuffer(side: InputSide, rec: unknown, ts: number, key: unknown, id: number): void {
    const o = side === 0 ? this.right : this.left;
    let s = o.head(id);
    if (s >= 0) {
      const lo = side === 0 ? ts + this.lower : ts - this.upper;
      const hi = side === 0 ? ts + this.upper : ts - this.lower;
      const f64 = o.f64;
      const i32 = o.i32;
      const orecs = o.recs;
      while (s >= 0 && f64[2 * s]! < lo) s = i32[4 * s + 2]!;
      while (s >= 0 && f64[2 * s]! <= hi) {
        const t = f64[2 * s]!;
        if (side === 0) this.joined(rec, orecs[s], key, ts > t ? ts : t, rec);
        else this.joined(orecs[s], rec, key, ts > t ? ts : t, rec);
        s = i32[4 * s + 2]!;
      }
    }
    this.buffer(side, side === 0 ? this.left : this.right, id, ts, rec);
  }

  /** IntervalJoinOperator.isLate: strictly behind the watermark; such a record goes to `late`. */
  private isLate(side: InputSide, rec: unknown, ts: number): boolean {
    if (!(ts < this.wmNow)) return false;
    this.metrics.late++;
    if (this.outputs[LATE]!.connected) this.emit(LATE, { side: SIDES[side], record: rec }, ts);
    return true;
  }

  private idOf(key: unknown): number {
    const id = this.ids.idOf(key);
    this.ends.ensure(id + 1);
    return id;
  }

  private buffer(side: InputSide, own: JoinSide, id: number, ts: number, rec: unknown): void {
    own.add(id, ts, rec);
    this.samples[side].note(rec);
    this.dues[side].push(ts + own.delay, id);
  }

  private joined(left: unknown, right: unknown, key: unknown, ts: number, cause: unknown): void {
    let r: unknown;
    try {
      r = this.output(left, right, key);
    } catch (err) {
      this.error(cause, err, ts);
      return;
    }
    if (typeof r !== 'object' || r === null || Array.isArray(r)) {
      this.error(cause, new Error(`output must build an object, got ${r === null ? 'null' : Array.isArray(r) ? 'an array' : typeof r}`), ts);
      return;
    }
    this.emit(OUT, r, ts);
  }

  /** The watermark reaches `wm`: drop every buffered record that can no longer match. */
  protected onEventTime(wm: number): void {
    this.cleanup(this.dues[0], this.left, this.right, wm);
    this.cleanup(this.dues[1], this.right, this.left, wm);
  }

  private cleanup(q: DueQueue, own: JoinSide, other: JoinSide, wm: number): void {
    // An entry may be stale (its record went with an earlier cut, or its key id was freed and
    // reused): cutting a key's expired prefix is right whenever it happens, so stale ones are harmless.
    for (let id = q.popDue(wm); id >= 0; id = q.popDue(wm)) {
      if (own.cut(id, wm) && other.head(id) < 0) this.ids.release(id);
    }
  }

  // Stateful: metrics and checkpoints.

  /** Keys and approximate bytes of each side (the editor's and Prometheus' state figure sums them). */
  sideSizes(): { left: StateSize; right: StateSize } {
    const one = (side: JoinSide, sample: Sample): StateSize => ({ keys: side.keys, bytes: Math.round(side.records * (sample.average + SLOT_BYTES)) });
    return { left: one(this.left, this.samples[0]), right: one(this.right, this.samples[1]) };
  }

  stateSize(): StateSize {
    const s = this.sideSizes();
    const keys = this.ids.size;
    // Per key: its table entry and id columns (the table is at most half full), the key itself, and the four list ends.
    const perKey = 2 * 8 + 8 + 4 + 1 + 4 * 4;
    const keyB = keys > 0 ? keyBytes(this.ids.anyKey()) * keys : 0;
    return { keys, bytes: s.left.bytes + s.right.bytes + keys * perKey + keyB, inputs: s };
  }

  snapshotState(): OperatorSnapshot {
    const keys: IntervalJoinSnapshot['keys'] = [];
    this.ids.forEach((key, id) => keys.push([key, structuredClone(this.left.entries(id)), structuredClone(this.right.entries(id))]));
    const data: IntervalJoinSnapshot = { keys };
    return { kind: 'join.interval', version: 1, data };
  }

  restoreState(s: OperatorSnapshot): void {
    if (s.kind !== 'join.interval' || s.version !== 1) throw new Error(`cannot restore ${s.kind} v${s.version} into a join.interval node`);
    const data = s.data as IntervalJoinSnapshot;
    this.ids.clear();
    this.left.clear();
    this.right.clear();
    this.ends.clear();
    for (const q of this.dues) q.clear();
    for (const [key, left, right] of structuredClone(data.keys)) {
      const id = this.idOf(key);
      for (const [t, rec] of left) this.buffer(0, this.left, id, t, rec);
      for (const [t, rec] of right) this.buffer(1, this.right, id, t, rec);
      if (this.ends.empty(id)) this.ids.release(id);
    }
  }
}

export const createJoinInterval: OperatorFactory<Params> = (ctx, p) => ({ operator: new IntervalJoinOperator(ctx, p) });
