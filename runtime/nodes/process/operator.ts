// The process node: user code per record and per timer over keyed state (Flink's
// KeyedProcessOperator running a KeyedProcessFunction).
import type { Batch } from '../../engine/batch.js';
import { NodeError, errorMessage } from '../../engine/errors.js';
import { parseDuration } from '../../format/duration.js';
import { compileCode } from '../../expr/index.js';
import type { BuildContext, OperatorFactory } from '../../engine/factory.js';
import type { StateSize } from '../../engine/metrics.js';
import { HeapKeyedStateBackend } from '../../engine/state/heap-backend.js';
import { type TimeDomain, TimerService, type TimersSnapshot } from '../../engine/state/timers.js';
import type { Key, KeyedStateBackend, KeyedStateSnapshot } from '../../engine/state/types.js';
import { type OperatorSnapshot, TimedOperator } from '../../engine/timed.js';
import type { ParamsOf } from '../spec.js';
import { ProcessContext, type ProcessHost } from './context.js';
import { checkEmitted, setTimer } from './host-calls.js';
import type { processSpec, StateDecl } from './spec.js';

const OUT = 0;
const SIDE = 1;
const ERRORS = 2;

type Params = ParamsOf<typeof processSpec>;
type CodeFn = (this: object, a: unknown, ctx: ProcessContext) => unknown;
type OpenFn = (this: object, ctx: ProcessContext) => unknown;

interface ProcessSnapshotData {
  state: KeyedStateSnapshot;
  timers: TimersSnapshot;
}

export class ProcessOperator extends TimedOperator implements ProcessHost {
  readonly states: KeyedStateBackend;
  private readonly timerService: TimerService;
  private readonly keyed: boolean;
  private readonly fn: CodeFn;
  private readonly timerFn: CodeFn | null;
  private readonly ctx: ProcessContext;
  /** `this` in code, onTimer and open: the function object's fields, as in a Flink function. */
  private readonly self: object = {};
  /** While `open` runs: there is no record and no key to emit for or time (see open()). */
  private opening = false;

  constructor(build: BuildContext, p: Params) {
    super(build.job, 3, build.nodeId, build.metrics, ERRORS);
    this.keyed = build.inputKeyed;
    this.fn = compileCode(p.code, ['event', 'ctx']) as CodeFn;
    this.timerFn = p.onTimer === undefined ? null : (compileCode(p.onTimer, ['timer', 'ctx']) as CodeFn);
    this.states = new HeapKeyedStateBackend(build.job.clock);
    this.timerService = new TimerService(build.job.clock, { onTimer: (d, k, ts) => this.onTimer(d, k, ts) }, (fn) => this.onClock(fn));
    for (const [name, d] of Object.entries(p.state ?? {})) declare(this.states, name, d);
    this.ctx = new ProcessContext(this);
    if (p.open !== undefined) this.open(compileCode(p.open, ['ctx']) as OpenFn);
  }

  /** Flink's RichFunction.open: once, before any record, with no current key. */
  private open(fn: OpenFn): void {
    this.opening = true;
    try {
      this.states.withoutKey(() => fn.call(this.self, this.ctx));
    } catch (err) {
      throw new NodeError(this.nodeId, `open: ${errorMessage(err)}`);
    } finally {
      this.opening = false;
    }
  }

  /**
   * Flink's open gets no Collector and no TimerService; here a record emitted in open would go out
   * once per parallel instance, and a timer would fire once per instance for the key null.
   */
  private notInOpen(what: string): void {
    if (this.opening) throw new Error(`no current record: ${what} is called in code and onTimer, not in open`);
  }

  /**
   * TTL reads the processing time once per input batch (milliseconds of work), not once per
   * record: the clock read leaves the per-record path, and TTLs are minutes or hours.
   */
  override receive(input: number, b: Batch): void {
    const states = this.states;
    states.freezeTime();
    try {
      super.receive(input, b);
    } finally {
      states.thawTime();
    }
  }

  protected processRecord(rec: unknown, ts: number, key: unknown): void {
    const k = (this.keyed ? key : null) as Key;
    const states = this.states;
    states.setCurrentKey(k);
    const c = this.ctx;
    c.key = k;
    c.timestamp = ts;
    c.watermark = this.wmNow;
    try {
      this.fn.call(this.self, rec, c);
    } catch (err) {
      this.error(rec, err, ts);
    }
    states.cleanupStep();
  }

  protected onEventTime(wm: number): void {
    this.timerService.advanceWatermark(wm);
  }

  private onTimer(domain: TimeDomain, key: Key, ts: number): void {
    this.states.setCurrentKey(key);
    const c = this.ctx;
    c.key = key;
    c.timestamp = ts;
    c.watermark = this.timerService.watermark;
    if (this.timerFn === null) return;
    const timer = { timestamp: ts, domain };
    this.states.freezeTime();
    try {
      this.timerFn.call(this.self, timer, c);
    } catch (err) {
      this.error({ timer, key }, err, ts);
    } finally {
      this.states.thawTime();
    }
  }

  // ProcessHost: what ctx calls.

  now(): number {
    return this.job.clock.now();
  }

  emitFromCode(record: unknown, port: unknown): void {
    this.notInOpen('ctx.emit');
    checkEmitted(record);
    const i = port === 'out' ? OUT : port === 'side' ? SIDE : -1;
    if (i < 0) throw new Error(`ctx.emit: no port ${JSON.stringify(port)}; the ports are 'out' and 'side'`);
    this.emit(i, record, this.ctx.timestamp);
  }

  timer(domain: TimeDomain, del: boolean, ts: unknown): void {
    this.notInOpen('ctx.timers');
    setTimer(this.timerService, this.ctx.key, domain, del, ts);
  }

  // Stateful: metrics and checkpoints.

  stateSize(): StateSize {
    const s = this.states.stateSize();
    return { keys: s.keys, bytes: s.bytes + this.timerService.bytes() };
  }

  snapshotState(): OperatorSnapshot {
    const data: ProcessSnapshotData = { state: this.states.snapshot(), timers: this.timerService.snapshot() };
    return { kind: 'process', version: 1, data };
  }

  restoreState(s: OperatorSnapshot): void {
    if (s.kind !== 'process' || s.version !== 1) throw new Error(`cannot restore ${s.kind} v${s.version} into a process node`);
    const data = s.data as ProcessSnapshotData;
    this.states.restore(data.state);
    this.timerService.restore(data.timers);
  }

  protected override finish(): void {
    // Interrupted (no final watermark): pending processing-time timers must not fire any more.
    this.timerService.close();
    super.finish();
  }
}

function declare(states: KeyedStateBackend, name: string, d: StateDecl): void {
  const opts = d.ttl === undefined ? undefined : { ttl: parseDuration(d.ttl)!, ttlUpdate: d.ttlUpdate };
  if (d.kind === 'value') states.value(name, opts);
  else if (d.kind === 'list') states.list(name, opts);
  else states.map(name, opts);
}

export const createProcess: OperatorFactory<Params> = (ctx, p) => ({ operator: new ProcessOperator(ctx, p) });
