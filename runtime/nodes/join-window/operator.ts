// join.window: Flink's window join / coGroup (JoinedStreams / CoGroupedStreams: both inputs
// tagged, unioned, keyed and windowed by one WindowOperator with the event-time trigger). Each key
// holds its open windows; a window's records wait, per side in arrival order, until the watermark
// reaches end − 1, then the pairs go out and the window is dropped. Sessions merge as Flink's
// MergingWindowSet merges TimeWindows (closed bounds: windows that merely touch merge).
import { parseDuration } from '../../format/duration.js';
import { compileExpression } from '../../expr/index.js';
import type { BuildContext, OperatorFactory } from '../../engine/factory.js';
import { MinHeap } from '../../engine/heap.js';
import type { StateSize } from '../../engine/metrics.js';
import { estimateBytes, FIELD, MAP_ENTRY, OBJECT_HEADER } from '../../engine/state/size.js';
import type { OperatorSnapshot } from '../../engine/timed.js';
import { TwoInputTimedOperator } from '../../engine/two-input.js';
import type { ParamsOf } from '../spec.js';
import { intersects, slidingStarts, windowStart } from '../window/assign.js';
import { signedDuration } from '../window/spec.js';
import type { joinWindowSpec } from './spec.js';

const OUT = 0;
const LATE = 1;
const ERRORS = 2;
const SIDES = ['left', 'right'] as const;
const SAMPLE_EVERY = 64;

type Params = ParamsOf<typeof joinWindowSpec>;
type OutputFn = (left: unknown, right: unknown, key: unknown, window: { start: number; end: number }) => unknown;

/** One key's window: its records per side, in arrival order (`seq` orders them across merges). */
class Pane {
  left: unknown[] = [];
  leftSeq: number[] = [];
  right: unknown[] = [];
  rightSeq: number[] = [];
  live = true;
  /** Order of opening, for ties between windows closing at the same time. */
  constructor(
    public start: number,
    public end: number,
    readonly opened: number,
  ) {}
}

interface Due {
  readonly key: unknown;
  readonly pane: Pane;
  readonly end: number;
}

export interface WindowJoinSnapshot {
  /** Per key: panes as [start, end, left records, left seqs, right records, right seqs]. */
  readonly keys: [unknown, [number, number, unknown[], number[], unknown[], number[]][]][];
  readonly seq: number;
}

export class WindowJoinOperator extends TwoInputTimedOperator {
  private readonly output: OutputFn;
  private readonly kind: 'tumbling' | 'sliding' | 'session';
  private readonly size: number;
  private readonly slide: number;
  private readonly offset: number;
  private readonly gap: number;
  private readonly emitLeftAlone: boolean;
  private readonly emitRightAlone: boolean;
  /** Per key, its open panes (sessions: sorted by start). */
  private readonly keys = new Map<unknown, Pane[]>();
  private readonly due = new MinHeap<Due>();
  private seq = 0;
  private opened = 0;
  private readonly starts: number[] = [];
  private records = 0;
  private sampled = 0;
  private sampledBytes = 0;

  constructor(build: BuildContext, p: Params) {
    super(build.job, 3, build.nodeId, build.metrics, ERRORS, ['left', 'right']);
    this.output = compileExpression(p.output, { params: ['left', 'right', 'key', 'window'], fieldsOf: null }) as OutputFn;
    const a = p.assigner;
    this.kind = a.kind;
    this.size = a.kind === 'session' ? 0 : parseDuration(a.size)!;
    this.slide = a.kind === 'sliding' ? parseDuration(a.slide)! : this.size;
    this.offset = a.kind === 'session' ? 0 : signedDuration(a.offset)!;
    this.gap = a.kind === 'session' ? parseDuration(a.gap)! : 0;
    this.emitLeftAlone = p.type === 'left' || p.type === 'full';
    this.emitRightAlone = p.type === 'right' || p.type === 'full';
  }

  protected processElement1(rec: unknown, ts: number, key: unknown): void {
    this.add(0, rec, ts, key);
  }

  protected processElement2(rec: unknown, ts: number, key: unknown): void {
    this.add(1, rec, ts, key);
  }

  private add(side: 0 | 1, rec: unknown, ts: number, key: unknown): void {
    const seq = this.seq++;
    let added = false;
    if (this.kind === 'session') added = this.addToSession(side, rec, ts, key, seq);
    else {
      const starts = this.starts;
      const n = this.kind === 'tumbling' ? ((starts[0] = windowStart(ts, this.offset, this.size)), 1) : slidingStarts(ts, this.size, this.slide, this.offset, starts);
      for (let i = 0; i < n; i++) {
        const start = starts[i]!;
        // WindowOperator.isWindowLate: the window's last millisecond is at or behind the watermark.
        if (start + this.size - 1 <= this.wmNow) continue;
        this.put(this.paneFor(key, start, start + this.size), side, rec, seq);
        added = true;
      }
    }
    if (!added) {
      this.metrics.late++;
      if (this.outputs[LATE]!.connected) this.emit(LATE, { side: SIDES[side], record: rec }, ts);
      return;
    }
    if (this.records++ % SAMPLE_EVERY === 0) {
      this.sampled++;
      this.sampledBytes += estimateBytes(rec);
    }
  }

  private paneFor(key: unknown, start: number, end: number): Pane {
    let panes = this.keys.get(key);
    if (panes === undefined) {
      panes = [];
      this.keys.set(key, panes);
    }
    for (const p of panes) if (p.start === start) return p;
    const pane = new Pane(start, end, this.opened++);
    panes.push(pane);
    this.due.push(end - 1, { key, pane, end });
    return pane;
  }

  private put(pane: Pane, side: 0 | 1, rec: unknown, seq: number): void {
    if (side === 0) {
      pane.left.push(rec);
      pane.leftSeq.push(seq);
    } else {
      pane.right.push(rec);
      pane.rightSeq.push(seq);
    }
  }

  /** MergingWindowSet.addWindow for [ts, ts + gap): merge every session it touches. */
  private addToSession(side: 0 | 1, rec: unknown, ts: number, key: unknown, seq: number): boolean {
    let start = ts;
    let end = ts + this.gap;
    const panes = this.keys.get(key) ?? [];
    const touching = panes.filter((p) => intersects(p.start, p.end, start, end));
    if (touching.length === 0 && end - 1 <= this.wmNow) return false;
    for (const p of touching) {
      if (p.start < start) start = p.start;
      if (p.end > end) end = p.end;
    }
    let pane: Pane;
    if (touching.length === 1 && touching[0]!.start === start && touching[0]!.end === end) {
      pane = touching[0]!;
    } else {
      pane = new Pane(start, end, touching.length > 0 ? Math.min(...touching.map((p) => p.opened)) : this.opened++);
      for (const p of touching) {
        p.live = false;
        mergeInto(pane, p);
      }
      const rest = panes.filter((p) => p.live);
      rest.push(pane);
      rest.sort((a, b) => a.start - b.start);
      this.keys.set(key, rest);
      this.due.push(end - 1, { key, pane, end });
    }
    this.put(pane, side, rec, seq);
    return true;
  }

  protected onEventTime(wm: number): void {
    const q = this.due;
    if (q.size === 0 || q.peekPriority() > wm) return;
    // Firing opens no window, so everything due can be collected first; windows closing at the
    // same time go in the order they opened.
    const batch: Due[] = [];
    while (q.size > 0 && q.peekPriority() <= wm) {
      const d = q.pop()!;
      if (d.pane.live && d.pane.end === d.end) batch.push(d);
    }
    batch.sort((a, b) => a.end - b.end || a.pane.opened - b.pane.opened);
    for (const x of batch) this.fire(x.key, x.pane);
  }

  private fire(key: unknown, pane: Pane): void {
    pane.live = false;
    const panes = this.keys.get(key)!;
    const rest = panes.filter((p) => p !== pane);
    if (rest.length === 0) this.keys.delete(key);
    else this.keys.set(key, rest);
    this.records -= pane.left.length + pane.right.length;
    const ts = pane.end - 1;
    const window = { start: pane.start, end: pane.end };
    const { left, right } = pane;
    if (left.length > 0 && right.length > 0) {
      for (const l of left) for (const r of right) this.joined(l, r, key, window, ts, l);
    } else if (left.length > 0 && this.emitLeftAlone) {
      for (const l of left) this.joined(l, null, key, window, ts, l);
    } else if (right.length > 0 && this.emitRightAlone) {
      for (const r of right) this.joined(null, r, key, window, ts, r);
    }
  }

  private joined(left: unknown, right: unknown, key: unknown, window: { start: number; end: number }, ts: number, cause: unknown): void {
    let r: unknown;
    try {
      r = this.output(left, right, key, { ...window });
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

  // Stateful: metrics and checkpoints.

  stateSize(): StateSize {
    let l = 0;
    let r = 0;
    let lk = 0;
    let rk = 0;
    let panes = 0;
    for (const ps of this.keys.values()) {
      let hasL = false;
      let hasR = false;
      for (const p of ps) {
        panes++;
        l += p.left.length;
        r += p.right.length;
        if (p.left.length > 0) hasL = true;
        if (p.right.length > 0) hasR = true;
      }
      if (hasL) lk++;
      if (hasR) rk++;
    }
    const avg = this.sampled === 0 ? 0 : this.sampledBytes / this.sampled;
    const per = avg + 2 * FIELD;
    const left = { keys: lk, bytes: Math.round(l * per) };
    const right = { keys: rk, bytes: Math.round(r * per) };
    const overhead = this.keys.size * MAP_ENTRY + panes * (OBJECT_HEADER + 8 * FIELD + 4 * 48) + this.due.size * (OBJECT_HEADER + 3 * FIELD);
    return { keys: this.keys.size, bytes: left.bytes + right.bytes + overhead, inputs: { left, right } };
  }

  snapshotState(): OperatorSnapshot {
    const keys: WindowJoinSnapshot['keys'] = [];
    for (const [k, ps] of this.keys) keys.push([k, ps.map((p) => [p.start, p.end, structuredClone(p.left), [...p.leftSeq], structuredClone(p.right), [...p.rightSeq]])]);
    const data: WindowJoinSnapshot = { keys, seq: this.seq };
    return { kind: 'join.window', version: 1, data };
  }

  restoreState(s: OperatorSnapshot): void {
    if (s.kind !== 'join.window' || s.version !== 1) throw new Error(`cannot restore ${s.kind} v${s.version} into a join.window node`);
    const data = s.data as WindowJoinSnapshot;
    this.keys.clear();
    this.due.clear();
    this.records = 0;
    this.seq = data.seq;
    const all: [unknown, Pane][] = [];
    for (const [k, ps] of data.keys) {
      const panes: Pane[] = [];
      for (const [start, end, left, leftSeq, right, rightSeq] of ps) {
        const pane = new Pane(start, end, 0);
        pane.left = structuredClone(left);
        pane.leftSeq = [...leftSeq];
        pane.right = structuredClone(right);
        pane.rightSeq = [...rightSeq];
        panes.push(pane);
        all.push([k, pane]);
        this.records += left.length + right.length;
      }
      this.keys.set(k, panes);
    }
    // Reopen in the order of each window's first record, as they first opened.
    all.sort((a, b) => firstSeq(a[1]) - firstSeq(b[1]));
    this.opened = 0;
    for (const [k, pane] of all) {
      (pane as { opened: number }).opened = this.opened++;
      this.due.push(pane.end - 1, { key: k, pane, end: pane.end });
    }
  }
}

function firstSeq(p: Pane): number {
  return Math.min(p.leftSeq[0] ?? Infinity, p.rightSeq[0] ?? Infinity);
}

/** Merge `from`'s records into `to`, each side kept in arrival order. */
function mergeInto(to: Pane, from: Pane): void {
  [to.left, to.leftSeq] = mergeSorted(to.left, to.leftSeq, from.left, from.leftSeq);
  [to.right, to.rightSeq] = mergeSorted(to.right, to.rightSeq, from.right, from.rightSeq);
}

function mergeSorted(a: unknown[], as: number[], b: unknown[], bs: number[]): [unknown[], number[]] {
  const out: unknown[] = [];
  const seq: number[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (j >= b.length || (i < a.length && as[i]! < bs[j]!)) {
      out.push(a[i]);
      seq.push(as[i++]!);
    } else {
      out.push(b[j]);
      seq.push(bs[j++]!);
    }
  }
  return [out, seq];
}

export const createJoinWindow: OperatorFactory<Params> = (ctx, p) => ({ operator: new WindowJoinOperator(ctx, p) });
