// connect: Flink's KeyedCoProcessOperator running a KeyedCoProcessFunction — two inputs, one keyed
// state backend and one timer service shared by both, with the process node's ctx.
import { parseDuration } from '../../format/duration.js';
import { compileCode } from '../../expr/index.js';
import type { BuildContext, OperatorFactory } from '../../engine/factory.js';
import type { StateSize } from '../../engine/metrics.js';
import { HeapKeyedStateBackend } from '../../engine/state/heap-backend.js';
import { type TimeDomain, TimerService, type TimersSnapshot } from '../../engine/state/timers.js';
import type { Key, KeyedStateBackend, KeyedStateSnapshot } from '../../engine/state/types.js';
import type { OperatorSnapshot } from '../../engine/timed.js';
import { TwoInputTimedOperator } from '../../engine/two-input.js';
import { ProcessContext, type ProcessHost } from '../process/context.js';
import { checkEmitted, setTimer } from '../process/host-calls.js';
import type { ParamsOf } from '../spec.js';
import type { connectSpec } from './spec.js';

const OUT = 0;
const ERRORS = 1;

type Params = ParamsOf<typeof connectSpec>;
type CodeFn = (a: unknown, ctx: ProcessContext) => unknown;

interface ConnectSnapshotData {
  state: KeyedStateSnapshot;
  timers: TimersSnapshot;
}

export class ConnectOperator extends TwoInputTimedOperator implements ProcessHost {
  readonly states: KeyedStateBackend;
  private readonly timerService: TimerService;
  private readonly fns: readonly [CodeFn, CodeFn];
  private readonly timerFn: CodeFn | null;
  private readonly ctx: ProcessContext;

  constructor(build: BuildContext, p: Params) {
    super(build.job, 2, build.nodeId, build.metrics, ERRORS, ['left', 'right']);
    this.fns = [compileCode(p.onLeft, ['event', 'ctx']) as CodeFn, compileCode(p.onRight, ['event', 'ctx']) as CodeFn];
    this.timerFn = p.onTimer === undefined ? null : (compileCode(p.onTimer, ['timer', 'ctx']) as CodeFn);
    this.states = new HeapKeyedStateBackend(build.job.clock);
    this.timerService = new TimerService(build.job.clock, { onTimer: (d, k, ts) => this.onTimer(d, k, ts) }, (fn) => this.onClock(fn));
    for (const [name, d] of Object.entries(p.state ?? {})) {
      const opts = d.ttl === undefined ? undefined : { ttl: parseDuration(d.ttl)!, ttlUpdate: d.ttlUpdate };
      if (d.kind === 'value') this.states.value(name, opts);
      else if (d.kind === 'list') this.states.list(name, opts);
      else this.states.map(name, opts);
    }
    this.ctx = new ProcessContext(this);
  }

  protected processElement1(rec: unknown, ts: number, key: unknown): void {
    this.run(0, rec, ts, key as Key);
  }

  protected processElement2(rec: unknown, ts: number, key: unknown): void {
    this.run(1, rec, ts, key as Key);
  }

  private run(side: 0 | 1, rec: unknown, ts: number, key: Key): void {
    this.states.setCurrentKey(key);
    const c = this.ctx;
    c.key = key;
    c.timestamp = ts;
    c.watermark = this.wmNow;
    try {
      this.fns[side](rec, c);
    } catch (err) {
      this.error(rec, err, ts);
    }
    this.states.cleanupStep();
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

  now(): number {
    return this.job.clock.now();
  }

  emitFromCode(record: unknown, port: unknown): void {
    checkEmitted(record);
    if (port !== 'out') throw new Error(`ctx.emit: no port ${JSON.stringify(port)}; the connect node has 'out'`);
    this.emit(OUT, record, this.ctx.timestamp);
  }

  timer(domain: TimeDomain, del: boolean, ts: unknown): void {
    setTimer(this.timerService, this.ctx.key, domain, del, ts);
  }

  stateSize(): StateSize {
    const s = this.states.stateSize();
    return { keys: s.keys, bytes: s.bytes + this.timerService.bytes() };
  }

  snapshotState(): OperatorSnapshot {
    const data: ConnectSnapshotData = { state: this.states.snapshot(), timers: this.timerService.snapshot() };
    return { kind: 'connect', version: 1, data };
  }

  restoreState(s: OperatorSnapshot): void {
    if (s.kind !== 'connect' || s.version !== 1) throw new Error(`cannot restore ${s.kind} v${s.version} into a connect node`);
    const data = s.data as ConnectSnapshotData;
    this.states.restore(data.state);
    this.timerService.restore(data.timers);
  }

  protected override finish(): void {
    this.timerService.close();
    super.finish();
  }
}

export const createConnect: OperatorFactory<Params> = (ctx, p) => ({ operator: new ConnectOperator(ctx, p) });
