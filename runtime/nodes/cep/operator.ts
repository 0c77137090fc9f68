// The cep node: Flink's CepOperator around the compiled NFA. In event time records wait in a
// buffer ordered by timestamp (ties in arrival order) and go to the NFA once the watermark passes
// them; each key's partial matches expire as the watermark (or, in processing time, the clock)
// passes their first event + within. Keys hold state only while they have partial matches.
import { WM_MAX } from '../../engine/batch.js';
import type { BuildContext, OperatorFactory } from '../../engine/factory.js';
import { MinHeap } from '../../engine/heap.js';
import type { StateSize } from '../../engine/metrics.js';
import type { Key } from '../../engine/state/types.js';
import { type OperatorSnapshot, TimedOperator } from '../../engine/timed.js';
import { ClockWake } from '../../engine/wake.js';
import { compileExpression } from '../../expr/index.js';
import { parseDuration } from '../../format/duration.js';
import type { ParamsOf } from '../spec.js';
import { compileNfa } from './compiler.js';
import { PENDING } from './states.js';
import { Evaluator } from './conditions.js';
import { EventBuffer } from './event-buffer.js';
import { type KeyState, Nfa, type TimeAdvance } from './nfa.js';
import { materialize, type Partial, startsBefore } from './shared-buffer.js';
import { SkipStrategy } from './skip.js';
import { cepStateSize, restoreCep, snapshotCep } from './snapshot.js';
import type { cepSpec } from './spec.js';

const OUT = 0;
const TIMEOUT = 1;
const LATE = 2;
const ERRORS = 3;

type Params = ParamsOf<typeof cepSpec>;

export class CepOperator extends TimedOperator {
  readonly nfa: Nfa;
  readonly names: readonly string[];
  readonly keys = new Map<Key, KeyState>();
  readonly buffer = new EventBuffer();
  /** Last number of a walk over the event nodes (snapshot.ts: state figures and snapshots mark the nodes they visit). */
  walk = 0;
  /** Keys by the time their earliest partial match runs out; stale entries are skipped. */
  private readonly due = new MinHeap<KeyState>();
  /** Order of events fed to the NFA, across keys: Flink's EventId order within a key. */
  private seq = 0;
  private readonly keyed: boolean;
  private readonly eventTime: boolean;
  private readonly select: ((match: unknown, key: unknown) => unknown) | null;
  private procNow = 0;
  /** Processing time: one clock call for the earliest expiry. */
  private readonly wakeup: ClockWake;

  constructor(build: BuildContext, p: Params) {
    super(build.job, 4, build.nodeId, build.metrics, ERRORS);
    this.keyed = build.inputKeyed;
    this.eventTime = p.time === 'event';
    this.names = p.pattern.map((s) => s.name);
    const within = p.within === undefined ? 0 : parseDuration(p.within)!;
    const skipStep = p.afterMatch.step === undefined ? -1 : this.names.indexOf(p.afterMatch.step);
    const compiled = compileNfa(p.pattern, within);
    this.nfa = new Nfa(compiled, new Evaluator(p.pattern), new SkipStrategy(p.afterMatch.strategy, skipStep), within, this.names);
    this.wakeup = new ClockWake(
      build.job.clock,
      () => this.due.peekPriority(),
      () => this.onClock(() => this.expire(this.job.clock.now())),
    );
    this.select = p.select === undefined ? null : (compileExpression(p.select, { params: ['match', 'key'] }) as (m: unknown, k: unknown) => unknown);
  }

  override receive(input: number, b: Parameters<TimedOperator['receive']>[1]): void {
    if (!this.eventTime) this.procNow = this.job.clock.now();
    super.receive(input, b);
    if (!this.eventTime) this.wakeup.arm();
  }

  protected processRecord(rec: unknown, ts: number, key: unknown): void {
    const k = (this.keyed ? key : null) as Key;
    if (!this.eventTime) {
      this.feed(k, rec, this.procNow);
    } else if (ts > this.wmNow) {
      this.buffer.push(ts, k, rec);
    } else {
      // CepOperator: at or behind the watermark is late, never fed to the NFA.
      this.metrics.late++;
      if (this.outputs[LATE]!.connected) this.emit(LATE, rec, ts);
    }
  }

  protected onEventTime(wm: number): void {
    if (this.eventTime) {
      const b = this.buffer;
      while (b.next(wm)) this.feed(b.outKey, b.outRec, b.outTs);
      this.expire(wm);
    } else if (wm === WM_MAX) {
      // The end of a bounded input is the end of processing time too.
      this.expire(Infinity);
      this.wakeup.stop();
    }
  }

  /** One event for one key: expire what it outdates, then advance the key's NFA (onEventTime's loop body). */
  private feed(key: Key, rec: unknown, ts: number): void {
    let s = this.keys.get(key);
    if (s !== undefined) this.emitAdvance(s, this.nfa.advanceTime(s, ts, this.outputs[TIMEOUT]!.connected));
    const nfa = this.nfa;
    nfa.setEvent(rec, ts, this.seq++);
    let matches: Partial[];
    try {
      if (s === undefined) {
        // A key without partial matches holds nothing: only an event that starts one creates state.
        if (!nfa.startsMatch()) return;
        s = nfa.newKeyState(key);
        this.keys.set(key, s);
      }
      matches = nfa.process(s);
    } catch (err) {
      // The NFA left the key's state as before this record.
      if (s !== undefined) this.settle(s);
      this.error(rec, err, ts);
      return;
    }
    for (const m of matches) this.emitMatch(s.key, m, ts);
    this.settle(s);
  }

  /** Expire every key whose earliest partial match is due by `now`. */
  private expire(now: number): void {
    const due = this.due;
    while (due.size > 0 && due.peekPriority() <= now) {
      const at = due.peekPriority();
      const s = due.pop()!;
      if (!s.live || s.timerAt !== at) continue;
      s.timerAt = Infinity;
      this.emitAdvance(s, this.nfa.advanceTime(s, now, this.outputs[TIMEOUT]!.connected));
      this.settle(s);
    }
  }

  /** Drop a key that holds nothing; otherwise make sure it is scheduled for its earliest expiry. */
  private settle(s: KeyState): void {
    if (s.empty) {
      s.live = false;
      this.keys.delete(s.key as Key);
      return;
    }
    const w = this.nfa.windowTime;
    if (w <= 0) return;
    // Processing time: Flink's timer for a window fires at start + within + 1.
    const at = s.earliestStart + w + (this.eventTime ? 0 : 1);
    if (at < s.timerAt) {
      s.timerAt = at;
      s.timerSeq = this.due.push(at, s);
    }
  }

  private emitAdvance(s: KeyState, adv: TimeAdvance): void {
    const w = this.nfa.windowTime;
    // A pattern-ending notFollowedBy completes when its own window runs out, a waiting match when
    // the windows holding it back do: stamped with that time (not later than the watermark that
    // revealed it, not behind the one before), however far that watermark jumped.
    for (const m of adv.matches) this.emitMatch(s.key, m, m.state.kind === PENDING ? m.startTs + w : releasedAt(m, adv.expired, w));
    for (const t of adv.timeouts) {
      const at = t.startTs + w;
      this.emit(TIMEOUT, { key: s.key, match: materialize(t.node, this.names), timeoutAt: at }, at);
    }
  }

  private emitMatch(key: unknown, m: Partial, ts: number): void {
    const match = materialize(m.node, this.names);
    if (this.select === null) {
      this.emit(OUT, { key, match }, ts);
      return;
    }
    let out: unknown;
    try {
      out = this.select(match, key);
    } catch (err) {
      this.error({ key, match }, err, ts);
      return;
    }
    if (typeof out !== 'object' || out === null || Array.isArray(out)) {
      this.error({ key, match }, `select must produce an object, not ${out === null ? 'null' : Array.isArray(out) ? 'an array' : typeof out}`, ts);
      return;
    }
    this.emit(OUT, out, ts);
  }

  protected override finish(): void {
    this.wakeup.stop();
    super.finish();
  }

  // Stateful: metrics and checkpoints.

  stateSize(): StateSize {
    return cepStateSize(this);
  }

  snapshotState(): OperatorSnapshot {
    return { kind: 'cep', version: 2, data: snapshotCep(this, this.seq) };
  }

  restoreState(snap: OperatorSnapshot): void {
    if (snap.kind !== 'cep' || snap.version < 1 || snap.version > 2) throw new Error(`cannot restore ${snap.kind} v${snap.version} into a cep node (this version reads v1 and v2)`);
    this.due.clear();
    this.seq = restoreCep(this, snap.version, snap.data);
    for (const s of this.keys.values()) {
      // Version 2 keeps each key's timer with its place in the queue, so keys due at one time
      // expire (and emit their timeouts) in the order of the uninterrupted run; version 1 did not.
      if (s.timerSeq >= 0 && s.timerAt !== Infinity) this.due.pushAt(s.timerAt, s.timerSeq, s);
      else s.timerAt = Infinity;
      this.settle(s);
    }
    if (!this.eventTime) this.wakeup.arm();
  }
}

/**
 * When a match waiting under a skip strategy went free: it waited for the partial matches that
 * started before it, and those run out in the order they started, so at the window end of the
 * last of them.
 */
function releasedAt(m: Partial, expired: readonly Partial[], w: number): number {
  let at = -Infinity;
  let any = -Infinity;
  for (const p of expired) {
    const end = p.startTs + w;
    if (end > any) any = end;
    if (startsBefore(p, m) && end > at) at = end;
  }
  return at === -Infinity ? any : at;
}

export const createCep: OperatorFactory<Params> = (ctx, p) => ({ operator: new CepOperator(ctx, p) });
