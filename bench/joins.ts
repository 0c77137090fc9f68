// Two-input benchmarks, operators fed from pre-built batches replayed with shifted timestamps (so
// event time keeps advancing): join.interval over two streams of 100k keys with ±5 minutes, and
// the broadcast node boosting per-user records with a trending list. State is sampled against
// event time to show it stays flat once the bounds have passed.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Batch } from '../runtime/engine/batch.js';
import { ManualClock } from '../runtime/engine/clock.js';
import { NodeMetrics } from '../runtime/engine/metrics.js';
import { type JobControl, Operator } from '../runtime/engine/operator.js';
import { OPERATORS } from '../runtime/nodes/operators.js';
import { REGISTRY } from '../runtime/nodes/registry.js';
import type { ScenarioResult } from './section.js';

export interface StateSample {
  minutes: number;
  records: number;
  bytes: number;
}

export interface JoinResult extends ScenarioResult {
  /** CPU time of the run (user + system), which a loaded machine does not inflate as it does wall time. */
  cpuSeconds: number;
  outputs: number;
  samples: StateSample[];
}

const BATCH = 4096;
const KEYS = 100_000;
/** Events per second of event time, per stream: a key sees one every ~8 minutes on each side. */
const RATE = 200;

class Discard extends Operator {
  count = 0;
  constructor(job: JobControl) {
    super(job, 0);
    this.addInput();
  }
  receive(_input: number, b: Batch): void {
    this.count += b.recs.length;
  }
}

const job: JobControl = {
  fail: (e) => {
    throw e;
  },
  block() {},
  unblock() {},
  sinkDone() {},
  barrier: async () => {},
  stopped: false,
  clock: new ManualClock(),
};

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

interface Pool {
  recs: unknown[][];
  keys: unknown[][];
  offsets: number[][];
  span: number;
}

/** Batches of one stream: records in event-time order, keys uniform over 100k users. */
function pool(seed: number, batches: number, make: (i: number, key: string, r: () => number) => unknown): Pool {
  const r = rng(seed);
  const recs: unknown[][] = [];
  const keys: unknown[][] = [];
  const offsets: number[][] = [];
  let i = 0;
  for (let b = 0; b < batches; b++) {
    const rb: unknown[] = [];
    const kb: unknown[] = [];
    const ob: number[] = [];
    for (let j = 0; j < BATCH; j++, i++) {
      const key = `u${Math.floor(r() * KEYS)}`;
      rb.push(make(i, key, r));
      kb.push(key);
      ob.push(Math.floor((i * 1000) / RATE));
    }
    recs.push(rb);
    keys.push(kb);
    offsets.push(ob);
  }
  return { recs, keys, offsets, span: Math.floor((i * 1000) / RATE) };
}

function batchAt(p: Pool, n: number, base: number): Batch {
  const b = n % p.recs.length;
  const shift = base + Math.floor(n / p.recs.length) * p.span;
  const off = p.offsets[b]!;
  const ts = new Array<number>(off.length);
  for (let i = 0; i < off.length; i++) ts[i] = shift + off[i]!;
  return { recs: p.recs[b]!, ts, keys: p.keys[b]!, wm: null, wmEnd: ts[ts.length - 1]! - 1 };
}

function build(type: string, params: Record<string, unknown>, keyed: Map<string, boolean>): Operator {
  const spec = REGISTRY.get(type)!;
  const metrics = new NodeMetrics(type, type);
  const built = OPERATORS[type]!({ nodeId: type, type, job, metrics, inputKeyed: true, inputPortsKeyed: keyed, resolvePath: (x) => x, stdout: process.stdout }, spec.params.parse(params));
  if (!('operator' in built)) throw new Error(`${type} is not an operator`);
  return built.operator;
}

/** The broadcast node's code and onTimer in pipelines/trending-boosted-recs.json. */
function recsCode(): { code: string; onTimer: string } {
  const file = fileURLToPath(new URL('../../pipelines/trending-boosted-recs.json', import.meta.url));
  const doc = JSON.parse(readFileSync(file, 'utf8')) as { nodes: { type: string; params: Record<string, unknown> }[] };
  const p = doc.nodes.find((n) => n.type === 'broadcast')!.params;
  return { code: p.code as string, onTimer: p.onTimer as string };
}

const BASE = Date.UTC(2026, 0, 1);

export async function runJoinScenario(scenario: string, records: number): Promise<JoinResult> {
  const perStream = Math.floor(records / 2);
  // State samples are cheap here (stateSize is a few additions), so the timed run takes them too.
  const name = scenario;
  let op: Operator;
  let left: Pool;
  let right: Pool;
  if (name === 'interval') {
    op = build('join.interval', { lowerBound: '-5m', upperBound: '5m', output: '{ key, view: left.productId, order: right.orderId }' }, new Map([['left', true], ['right', true]]));
    left = pool(1, 256, (i, _k, r) => ({ productId: `p${Math.floor(r() * 50_000)}`, n: i }));
    right = pool(2, 256, (i, _k, r) => ({ orderId: i, amount: Math.floor(r() * 10_000) / 100 }));
  } else if (name === 'broadcast-expr' || name === 'broadcast-code') {
    const expr = { key: "'trending'", value: '{ windowEnd, top }' };
    op = build(
      'broadcast',
      name === 'broadcast-expr'
        ? { key: 'productId', value: 'score', output: '{ userId: key, productId, boost: coalesce(broadcast[productId], 1) }' }
        : { ...expr, ...recsCode() },
      new Map([['main', true], ['broadcast', false]]),
    );
    left = pool(3, 512, (i, _k, r) => ({ productId: `p${Math.floor(r() ** 2 * 50_000)}`, n: i }));
    // The broadcast side: a trending list (10 products) once per batch of main records.
    right = pool(4, 1, () => null);
    const r = rng(5);
    right.recs = [Array.from({ length: 10 }, (_, i) => {
      const top = Array.from({ length: 10 }, (_, j) => ({ value: `p${Math.floor(r() ** 2 * 50_000)}`, count: 100 - j }));
      return name === 'broadcast-expr' ? { productId: top[i]!.value, score: 2 } : { windowEnd: 0, top };
    })];
    right.keys = [new Array(10).fill(null)];
    right.offsets = [Array.from({ length: 10 }, () => 0)];
    right.span = Math.floor((BATCH * 1000) / RATE);
  } else {
    throw new Error(`unknown scenario ${scenario}`);
  }
  const sink = new Discard(job);
  op.outputs[0]!.connect(sink, 0);
  const li = op.addInput(name === 'interval' ? 'left' : 'main');
  const ri = op.addInput(name === 'interval' ? 'right' : 'broadcast');
  const stateful = op as unknown as { stateSize(): { keys: number; bytes: number; inputs?: Record<string, { keys: number; bytes: number }> } };
  const samples: StateSample[] = [];
  const leftBatches = Math.ceil(perStream / BATCH);
  const every = Math.max(1, Math.floor(leftBatches / 40));
  let inputs = 0;
  global.gc?.();
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  for (let n = 0; n < leftBatches; n++) {
    const lb = batchAt(left, n, BASE);
    op.receive(li, lb);
    inputs += lb.recs.length;
    const rb = name === 'interval' ? batchAt(right, n, BASE) : batchAt(right, n, BASE + n * right.span);
    op.receive(ri, name === 'interval' ? rb : { ...rb, ts: rb.ts.map(() => lb.ts[0]!), wmEnd: lb.wmEnd });
    inputs += rb.recs.length;
    if (n % every === 0) {
      const s = stateful.stateSize();
      samples.push({ minutes: (lb.wmEnd - BASE) / 60_000, records: Object.values(s.inputs ?? {}).reduce((a, x) => a + x.keys, 0), bytes: s.bytes });
    }
  }
  op.inputEnded(li);
  op.inputEnded(ri);
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  return { scenario, records: inputs, seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6, outputs: sink.count, samples };
}
