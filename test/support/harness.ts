// Operator test harness (the idea of Flink's OneInputStreamOperatorTestHarness): build one node's
// operator from its spec and factory, push records and watermarks into it, read what comes out of
// each port, record by record, with the watermark in effect before each.
import type { Batch } from '../../runtime/engine/batch.js';
import { ChainOperator } from '../../runtime/engine/chain.js';
import { ManualClock } from '../../runtime/engine/clock.js';
import type { TextOut } from '../../runtime/engine/factory.js';
import { NodeMetrics } from '../../runtime/engine/metrics.js';
import { type JobControl, Operator } from '../../runtime/engine/operator.js';
import { OPERATORS } from '../../runtime/nodes/operators.js';
import { REGISTRY } from '../../runtime/nodes/registry.js';

export interface Out {
  value: unknown;
  ts: number;
  key: unknown;
  /** Watermark in effect just before this record. */
  wm: number;
}

class Collector extends Operator {
  readonly records: Out[] = [];
  readonly watermarks: number[] = [];
  idle: boolean[] = [];
  ended = false;

  constructor(job: JobControl) {
    super(job, 0);
    this.addInput();
  }

  receive(_input: number, b: Batch): void {
    for (let i = 0; i < b.recs.length; i++) {
      this.records.push({ value: b.recs[i], ts: b.ts[i]!, key: b.keys ? b.keys[i] : undefined, wm: b.wm ? b.wm[i]! : this.wmOut });
    }
    if (b.wmEnd > this.wmOut) {
      this.wmOut = b.wmEnd;
      this.watermarks.push(b.wmEnd);
    }
  }

  override inputIdle(_input: number, idle: boolean): void {
    this.idle.push(idle);
  }

  override inputEnded(): void {
    this.ended = true;
  }
}

export class FakeJob implements JobControl {
  failures: unknown[] = [];
  blocked = 0;
  sinksDone = 0;
  stopped = false;
  readonly clock = new ManualClock();
  fail(err: unknown): void {
    this.failures.push(err);
  }
  block(): void {
    this.blocked++;
  }
  unblock(): void {
    this.blocked--;
  }
  sinkDone(): void {
    this.sinksDone++;
  }
  async barrier(): Promise<void> {}
}

export class StringOut implements TextOut {
  text = '';
  write(chunk: string): boolean {
    this.text += chunk;
    return true;
  }
  once(): this {
    return this;
  }
}

export interface HarnessOptions {
  /** Records arrive keyed (an upstream keyBy). */
  keyed?: boolean;
  /** Ports to collect; an unconnected `errors` port makes errors fail the run, as in a job. */
  connect?: string[];
  inputs?: number;
}

export class OperatorHarness {
  readonly job = new FakeJob();
  readonly metrics: NodeMetrics;
  readonly op: Operator;
  private readonly collectors = new Map<string, Collector>();
  private readonly inputs: number[] = [];
  private wm: number[];

  constructor(
    readonly type: string,
    params: Record<string, unknown>,
    opts: HarnessOptions = {},
  ) {
    const spec = REGISTRY.get(type);
    if (!spec) throw new Error(`unknown type ${type}`);
    const parsed = spec.params.parse(params);
    this.metrics = new NodeMetrics(type, type);
    const built = OPERATORS[type]!(
      { nodeId: type, type, job: this.job, metrics: this.metrics, inputKeyed: opts.keyed ?? false, resolvePath: (p) => p, stdout: new StringOut() },
      parsed,
    );
    const ports = spec.outputs.map((p) => p.name);
    if ('stage' in built) {
      this.op = new ChainOperator(this.job, [{ ...built.stage, nodeId: type, metrics: this.metrics }], opts.keyed ?? false);
    } else {
      this.op = built.operator;
    }
    for (const port of opts.connect ?? ports) {
      const c = new Collector(this.job);
      const idx = ports.indexOf(port);
      this.op.outputs[idx]!.connect(c, 0);
      this.collectors.set(port, c);
    }
    const n = opts.inputs ?? Math.max(1, spec.inputs.length);
    for (let i = 0; i < n; i++) this.inputs.push(this.op.addInput());
    this.wm = this.inputs.map(() => -Infinity);
  }

  /** Push records (with timestamps, keys, and optionally a watermark after each) on one input. */
  push(records: { value: unknown; ts?: number; key?: unknown; wmAfter?: number }[], input = 0): this {
    const wm: number[] = [];
    let cur = this.wm[input]!;
    for (const r of records) {
      wm.push(cur);
      if (r.wmAfter !== undefined) cur = Math.max(cur, r.wmAfter);
    }
    const keyed = records.some((r) => r.key !== undefined);
    const b: Batch = {
      recs: records.map((r) => r.value),
      ts: records.map((r) => r.ts ?? 0),
      keys: keyed ? records.map((r) => r.key) : null,
      wm: records.some((r) => r.wmAfter !== undefined) ? wm : null,
      wmEnd: cur,
    };
    this.wm[input] = cur;
    this.op.receive(this.inputs[input]!, b);
    return this;
  }

  values(values: unknown[], input = 0): this {
    return this.push(values.map((value, i) => ({ value, ts: i })), input);
  }

  watermark(wm: number, input = 0): this {
    this.wm[input] = Math.max(this.wm[input]!, wm);
    this.op.receive(this.inputs[input]!, { recs: [], ts: [], keys: null, wm: null, wmEnd: this.wm[input]! });
    return this;
  }

  idle(idle: boolean, input = 0): this {
    this.op.inputIdle(this.inputs[input]!, idle);
    return this;
  }

  end(input?: number): this {
    for (const i of input === undefined ? this.inputs : [this.inputs[input]!]) this.op.inputEnded(i);
    return this;
  }

  output(port = 'out'): Out[] {
    return this.collectors.get(port)!.records;
  }

  outValues(port = 'out'): unknown[] {
    return this.output(port).map((o) => o.value);
  }

  watermarksOut(port = 'out'): number[] {
    return this.collectors.get(port)!.watermarks;
  }

  idleOut(port = 'out'): boolean[] {
    return this.collectors.get(port)!.idle;
  }

  ended(port = 'out'): boolean {
    return this.collectors.get(port)!.ended;
  }
}
