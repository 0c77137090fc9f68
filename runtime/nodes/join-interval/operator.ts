// join.interval: Flink's IntervalJoinOperator. Each side's records wait in per-key buffers
// (buffer.ts); a new record is probed against the other side's buffer and then buffered itself.
// Cleanup follows IntervalJoinOperator's timers — a left record is dropped once the watermark
// reaches ts + max(upper, 0), a right one at ts + max(−lower, 0) — but instead of one timer per
// (key, timestamp) each key's side keeps one queued cleanup at its oldest record's time, re-queued
// after each cut: the same records go at the same watermark, with a queue as large as the keys.
import { compileExpression } from '../../expr/index.js';
import type { OperatorFactory } from '../../engine/factory.js';
import type { StateSize } from '../../engine/metrics.js';
import { estimateBytes, FIELD, HEAP_NUMBER, keyBytes, MAP_ENTRY, OBJECT_HEADER } from '../../engine/state/size.js';
import type { OperatorSnapshot } from '../../engine/timed.js';
import { TwoInputTimedOperator } from '../../engine/two-input.js';
import type { ParamsOf } from '../spec.js';
import { KeyBuffers, type SideBuffer } from './buffer.js';
import { CleanupQueue } from './cleanup-queue.js';
import { effectiveBounds, type joinIntervalSpec } from './spec.js';

const OUT = 0;
const LATE = 1;
const ERRORS = 2;
const SIDES = ['left', 'right'] as const;
/** Size one record in this many for the state figure (sizing every record would cost more than the join). */
const SAMPLE_EVERY = 64;
/** Emptied key buffers kept for reuse. */
const SPARE_MAX = 4096;

type Params = ParamsOf<typeof joinIntervalSpec>;
type OutputFn = (left: unknown, right: unknown, key: unknown) => unknown;

/** Per side: figures for the state report. */
class SideFigures {
  records = 0;
  keys = 0;
  sampled = 0;
  sampledBytes = 0;
}

export interface IntervalJoinSnapshot {
  /** Per key: left and right [timestamp, record] entries, oldest first. */
  readonly keys: [unknown, [number, unknown][], [number, unknown][]][];
}

export class IntervalJoinOperator extends TwoInputTimedOperator {
  private readonly lower: number;
  private readonly upper: number;
  /** Cleanup delay after a record's timestamp, per side. */
  private readonly delay: readonly [number, number];
  private readonly output: OutputFn;
  private readonly keys = new Map<unknown, KeyBuffers>();
  /** Per side (each has its own fixed delay, so its cleanup times mostly arrive in order). */
  private readonly cleanups = [new CleanupQueue(), new CleanupQueue()] as const;
  private readonly spare: KeyBuffers[] = [];
  private readonly figures = [new SideFigures(), new SideFigures()] as const;

  constructor(build: Parameters<OperatorFactory<Params>>[0], p: Params) {
    super(build.job, 3, build.nodeId, build.metrics, ERRORS, ['left', 'right']);
    const b = effectiveBounds(p);
    this.lower = b.lower;
    this.upper = b.upper;
    this.delay = [Math.max(b.upper, 0), Math.max(-b.lower, 0)];
    this.output = compileExpression(p.output, { params: ['left', 'right', 'key'], fieldsOf: null }) as OutputFn;
  }

  protected processElement1(rec: unknown, ts: number, key: unknown): void {
    this.process(0, rec, ts, key);
  }

  protected processElement2(rec: unknown, ts: number, key: unknown): void {
    this.process(1, rec, ts, key);
  }

  private process(side: 0 | 1, rec: unknown, ts: number, key: unknown): void {
    // IntervalJoinOperator.isLate: strictly behind the watermark.
    if (ts < this.wmNow) {
      this.metrics.late++;
      if (this.outputs[LATE]!.connected) this.emit(LATE, { side: SIDES[side], record: rec }, ts);
      return;
    }
    let kb = this.keys.get(key);
    if (kb === undefined) {
      kb = this.spare.pop() ?? new KeyBuffers(key);
      kb.key = key;
      this.keys.set(key, kb);
    }
    // Probe the other side first, then buffer: a record never meets itself, and a pair is found
    // once, by whichever of the two arrives second.
    const other = side === 0 ? kb.right : kb.left;
    if (other.size > 0) {
      const lo = side === 0 ? ts + this.lower : ts - this.upper;
      const hi = side === 0 ? ts + this.upper : ts - this.lower;
      const ots = other.ts;
      const orecs = other.recs;
      const oend = other.end;
      for (let i = other.lowerBound(lo); i < oend && ots[i]! <= hi; i++) {
        const t = ots[i]!;
        if (side === 0) this.joined(rec, orecs[i], key, ts > t ? ts : t, rec);
        else this.joined(orecs[i], rec, key, ts > t ? ts : t, rec);
      }
    }
    const own = kb.side(side);
    if (own.size === 0) this.figures[side].keys++;
    own.add(ts, rec);
    const f = this.figures[side];
    if (f.records++ % SAMPLE_EVERY === 0) {
      f.sampled++;
      f.sampledBytes += estimateBytes(rec);
    }
    const due = ts + this.delay[side];
    if (!(own.scheduled <= due)) {
      own.scheduled = due;
      this.cleanups[side].push(due, kb.cleanups[side]);
    }
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
    // A cut re-queues only later than `wm`, so each loop ends; the two sides' cuts are independent.
    for (const q of this.cleanups) {
      while (q.size > 0 && q.nextDue() <= wm) {
        const { kb, side } = q.take();
        const buf = kb.side(side);
        if (buf.scheduled !== q.takenAt) continue; // superseded by an earlier one
        this.cut(kb, side, buf, wm);
      }
    }
  }

  private cut(kb: KeyBuffers, side: 0 | 1, buf: SideBuffer, wm: number): void {
    const f = this.figures[side];
    f.records -= buf.dropThrough(wm - this.delay[side]);
    if (buf.size > 0) {
      buf.scheduled = buf.ts[buf.head]! + this.delay[side];
      this.cleanups[side].push(buf.scheduled, kb.cleanups[side]);
      return;
    }
    buf.scheduled = Number.NaN;
    f.keys--;
    if (kb.left.size === 0 && kb.right.size === 0) {
      this.keys.delete(kb.key);
      // Keys come and go with the bounds; reusing their buffers spares the collector.
      if (this.spare.length < SPARE_MAX) this.spare.push(kb);
    }
  }

  // Stateful: metrics and checkpoints.

  /** Keys and approximate bytes of each side (the editor's and Prometheus' state figure sums them). */
  sideSizes(): { left: StateSize; right: StateSize } {
    const one = (side: 0 | 1): StateSize => {
      const f = this.figures[side];
      const avg = f.sampled === 0 ? 0 : f.sampledBytes / f.sampled;
      // A record slot and its timestamp (boxed beyond the small-integer range) per record.
      return { keys: f.keys, bytes: Math.round(f.records * (avg + 2 * FIELD + HEAP_NUMBER)) };
    };
    return { left: one(0), right: one(1) };
  }

  stateSize(): StateSize {
    const s = this.sideSizes();
    let keyB = 0;
    // Per key: the Map entry, the KeyBuffers object and its two SideBuffers with their arrays.
    const perKey = MAP_ENTRY + 3 * OBJECT_HEADER + 4 * FIELD + 4 * 48;
    if (this.keys.size > 0) {
      const first = this.keys.keys().next().value;
      keyB = keyBytes(first) * this.keys.size;
    }
    return {
      keys: this.keys.size,
      bytes: s.left.bytes + s.right.bytes + this.keys.size * perKey + keyB + (this.cleanups[0].size + this.cleanups[1].size) * (OBJECT_HEADER + 4 * FIELD),
      inputs: s,
    };
  }

  snapshotState(): OperatorSnapshot {
    const keys: IntervalJoinSnapshot['keys'] = [];
    for (const kb of this.keys.values()) keys.push([kb.key, structuredClone(kb.left.entries()), structuredClone(kb.right.entries())]);
    const data: IntervalJoinSnapshot = { keys };
    return { kind: 'join.interval', version: 1, data };
  }

  restoreState(s: OperatorSnapshot): void {
    if (s.kind !== 'join.interval' || s.version !== 1) throw new Error(`cannot restore ${s.kind} v${s.version} into a join.interval node`);
    const data = s.data as IntervalJoinSnapshot;
    this.keys.clear();
    for (const q of this.cleanups) q.clear();
    for (const f of this.figures) Object.assign(f, new SideFigures());
    for (const [key, left, right] of data.keys) {
      const kb = new KeyBuffers(key);
      this.keys.set(key, kb);
      ([left, right] as const).forEach((entries, i) => {
        const side = i as 0 | 1;
        const buf = kb.side(side);
        for (const [t, rec] of structuredClone(entries)) {
          buf.add(t, rec);
          const f = this.figures[side];
          if (f.records++ % SAMPLE_EVERY === 0) {
            f.sampled++;
            f.sampledBytes += estimateBytes(rec);
          }
        }
        if (buf.size > 0) {
          this.figures[side].keys++;
          buf.scheduled = buf.ts[buf.head]! + this.delay[side];
          this.cleanups[side].push(buf.scheduled, kb.cleanups[side]);
        }
      });
    }
  }
}

export const createJoinInterval: OperatorFactory<Params> = (ctx, p) => ({ operator: new IntervalJoinOperator(ctx, p) });
