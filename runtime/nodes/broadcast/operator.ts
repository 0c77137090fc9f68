// broadcast: Flink's CoBroadcastWithKeyedOperator / CoBroadcastWithNonKeyedOperator. The main
// input is the first side (processElement), the broadcast input the second
// (processBroadcastElement); the broadcast state is operator-wide (state.ts), keyed state and
// timers belong to the main side's keys as in the process node.
import { compileCode, compileExpression } from '../../expr/index.js';
import type { BuildContext, OperatorFactory } from '../../engine/factory.js';
import type { StateSize } from '../../engine/metrics.js';
import { HeapKeyedStateBackend } from '../../engine/state/heap-backend.js';
import { estimateBytes } from '../../engine/state/size.js';
import { type TimeDomain, TimerService, type TimersSnapshot } from '../../engine/state/timers.js';
import type { Key, KeyedStateBackend, KeyedStateSnapshot, MapKey } from '../../engine/state/types.js';
import type { OperatorSnapshot } from '../../engine/timed.js';
import { TwoInputTimedOperator } from '../../engine/two-input.js';
import { ProcessContext, type ProcessHost } from '../process/context.js';
import { checkEmitted, setTimer } from '../process/host-calls.js';
import type { ParamsOf } from '../spec.js';
import type { broadcastSpec } from './spec.js';
import { BroadcastState, type ReadOnlyBroadcast, type WritableBroadcast } from './state.js';

const OUT = 0;
const ERRORS = 1;

type Params = ParamsOf<typeof broadcastSpec>;
type Expr = (event: unknown) => unknown;
type OutputFn = (event: unknown, broadcast: unknown, key: unknown) => unknown;
type CodeFn = (a: unknown, ctx: unknown) => unknown;

/** The process node's ctx plus the broadcast state: read-only on the main side. */
class MainContext extends ProcessContext {
  constructor(
    host: ProcessHost,
    readonly broadcast: ReadOnlyBroadcast,
  ) {
    super(host);
  }
}

/**
 * processBroadcastElement's ctx: the broadcast state writable, and `emit` — Flink's
 * BroadcastProcessFunction hands that side a Collector too (no keyed state: there is no key).
 */
interface BroadcastSideContext {
  readonly broadcast: WritableBroadcast;
  timestamp: number;
  watermark: number;
  readonly now: number;
  emit(record: unknown): void;
}

interface BroadcastSnapshotData {
  broadcast: [MapKey, unknown][];
  state: KeyedStateSnapshot;
  timers: TimersSnapshot;
}

export class BroadcastOperator extends TwoInputTimedOperator implements ProcessHost {
  readonly states: KeyedStateBackend;
  private readonly bstate = new BroadcastState();
  private readonly timerService: TimerService;
  private readonly keyed: boolean;
  private readonly keyFn: Expr | null;
  private readonly valueFn: Expr | null;
  private readonly onBroadcast: CodeFn | null;
  private readonly output: OutputFn | null;
  private readonly code: CodeFn | null;
  private readonly timerFn: CodeFn | null;
  private readonly ctx: MainContext;
  private readonly bctx: BroadcastSideContext;

  constructor(build: BuildContext, p: Params) {
    super(build.job, 2, build.nodeId, build.metrics, ERRORS, ['main', 'broadcast']);
    this.keyed = build.inputPortsKeyed?.get('main') ?? build.inputKeyed;
    this.keyFn = p.key === undefined ? null : (compileExpression(p.key) as Expr);
    this.valueFn = p.value === undefined ? null : (compileExpression(p.value) as Expr);
    this.onBroadcast = p.onBroadcast === undefined ? null : (compileCode(p.onBroadcast, ['event', 'ctx']) as CodeFn);
    this.output = p.output === undefined ? null : (compileExpression(p.output, { params: ['event', 'broadcast', 'key'], fieldsOf: 'event' }) as OutputFn);
    this.code = p.code === undefined ? null : (compileCode(p.code, ['event', 'ctx']) as CodeFn);
    this.timerFn = p.onTimer === undefined ? null : (compileCode(p.onTimer, ['timer', 'ctx']) as CodeFn);
    this.states = new HeapKeyedStateBackend(build.job.clock);
    this.timerService = new TimerService(build.job.clock, { onTimer: (d, k, ts) => this.onTimer(d, k, ts) }, (fn) => this.onClock(fn));
    this.ctx = new MainContext(this, this.bstate.readOnly);
    const clock = build.job.clock;
    const emitOut = (record: unknown, ts: number) => this.emit(OUT, record, ts);
    this.bctx = {
      broadcast: this.bstate.writable,
      timestamp: 0,
      watermark: -Infinity,
      get now() {
        return clock.now();
      },
      emit(record: unknown) {
        checkEmitted(record);
        emitOut(record, this.timestamp);
      },
    };
  }

  /** processElement: a main record reads the broadcast state. */
  protected processElement1(rec: unknown, ts: number, key: unknown): void {
    const k = (this.keyed ? key : null) as Key;
    if (this.output !== null) {
      let r: unknown;
      try {
        r = this.output(rec, this.bstate.object, k);
      } catch (err) {
        this.error(rec, err, ts);
        return;
      }
      if (r === null || r === undefined) return;
      if (typeof r !== 'object' || Array.isArray(r)) {
        this.error(rec, new Error(`output must build an object or null, got ${Array.isArray(r) ? 'an array' : typeof r}`), ts);
        return;
      }
      this.emit(OUT, r, ts);
      return;
    }
    this.states.setCurrentKey(k);
    const c = this.ctx;
    c.key = k;
    c.timestamp = ts;
    c.watermark = this.wmNow;
    try {
      this.code!(rec, c);
    } catch (err) {
      this.error(rec, err, ts);
    }
    this.states.cleanupStep();
  }

  /** processBroadcastElement: a broadcast record writes the broadcast state. */
  protected processElement2(rec: unknown, ts: number): void {
    try {
      if (this.keyFn !== null) {
        const k = this.keyFn(rec);
        this.bstate.put(k, this.valueFn === null ? rec : this.valueFn(rec));
      } else {
        this.bctx.timestamp = ts;
        this.bctx.watermark = this.wmNow;
        this.onBroadcast!(rec, this.bctx);
      }
    } catch (err) {
      this.error(rec, err, ts);
    }
  }

  protected onEventTime(wm: number): void {
    this.timerService.advanceWatermark(wm);
  }

  private onTimer(domain: TimeDomain, key: Key, ts: number): void {
    if (this.timerFn === null) return;
    this.states.setCurrentKey(key);
    const c = this.ctx;
    c.key = key;
    c.timestamp = ts;
    c.watermark = this.timerService.watermark;
    const timer = { timestamp: ts, domain };
    try {
      this.timerFn(timer, c);
    } catch (err) {
      this.error({ timer, key }, err, ts);
    }
  }

  // ProcessHost: what ctx calls.

  now(): number {
    return this.job.clock.now();
  }

  emitFromCode(record: unknown, port: unknown): void {
    checkEmitted(record);
    if (port !== 'out') throw new Error(`ctx.emit: no port ${JSON.stringify(port)}; the broadcast node has 'out'`);
    this.emit(OUT, record, this.ctx.timestamp);
  }

  timer(domain: TimeDomain, del: boolean, ts: unknown): void {
    setTimer(this.timerService, this.ctx.key, domain, del, ts);
  }

  // Stateful: metrics and checkpoints.

  stateSize(): StateSize {
    const s = this.states.stateSize();
    const main = { keys: s.keys, bytes: s.bytes + this.timerService.bytes() };
    const broadcast = { keys: this.bstate.size, bytes: estimateBytes(this.bstate.object) };
    return { keys: main.keys + broadcast.keys, bytes: main.bytes + broadcast.bytes, inputs: { main, broadcast } };
  }

  snapshotState(): OperatorSnapshot {
    const data: BroadcastSnapshotData = { broadcast: this.bstate.snapshot(), state: this.states.snapshot(), timers: this.timerService.snapshot() };
    return { kind: 'broadcast', version: 1, data };
  }

  restoreState(s: OperatorSnapshot): void {
    if (s.kind !== 'broadcast' || s.version !== 1) throw new Error(`cannot restore ${s.kind} v${s.version} into a broadcast node`);
    const data = s.data as BroadcastSnapshotData;
    this.bstate.restore(data.broadcast);
    this.states.restore(data.state);
    this.timerService.restore(data.timers);
  }

  protected override finish(): void {
    this.timerService.close();
    super.finish();
  }
}

export const createBroadcast: OperatorFactory<Params> = (ctx, p) => ({ operator: new BroadcastOperator(ctx, p) });

