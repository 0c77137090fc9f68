// Watching edges of a running job: per-port counts, observers on operator outputs, and taps inside
// fused chains that leave the chain's results untouched.
import { describe, expect, it } from 'vitest';
import type { Batch } from '../../runtime/engine/batch.js';
import { ChainOperator, type Stage } from '../../runtime/engine/chain.js';
import { NodeMetrics } from '../../runtime/engine/metrics.js';
import { Operator } from '../../runtime/engine/operator.js';
import { outputProbe, stageProbe } from '../../runtime/engine/probe.js';
import { OPERATORS } from '../../runtime/nodes/operators.js';
import { REGISTRY } from '../../runtime/nodes/registry.js';
import { FakeJob } from '../support/harness.js';

class Sink extends Operator {
  recs: unknown[] = [];
  receive(_i: number, b: Batch): void {
    this.recs.push(...b.recs);
  }
}

function chain(job: FakeJob): { op: ChainOperator; metrics: NodeMetrics[]; sink: Sink } {
  const nodes: [string, string, Record<string, unknown>][] = [
    ['f', 'filter', { condition: 'n % 2 == 0' }],
    ['m', 'map', { expression: '{ n, double: n * 2 }' }],
    ['k', 'keyBy', { key: 'double' }],
  ];
  const metrics = nodes.map(([id, type]) => new NodeMetrics(id, type));
  const stages: Stage[] = nodes.map(([id, type, p], i) => {
    const built = OPERATORS[type]!({ nodeId: id, type, job, metrics: metrics[i]!, inputKeyed: false, resolvePath: (x) => x, stdout: null as never }, REGISTRY.get(type)!.params.parse(p));
    return { ...(built as { stage: Omit<Stage, 'nodeId' | 'metrics'> }).stage, nodeId: id, metrics: metrics[i]! };
  });
  const op = new ChainOperator(job, stages, false);
  op.addInput();
  const sink = new Sink(job, 0);
  sink.addInput();
  op.outputs[0]!.connect(sink, 0);
  return { op, metrics, sink };
}

const batch = (ns: number[]): Batch => ({ recs: ns.map((n) => ({ n })), ts: ns, keys: null, wm: null, wmEnd: -Infinity });

describe('edge probes', () => {
  it('a tap inside a chain sees what one stage hands the next, without changing the results', () => {
    const job = new FakeJob();
    const plain = chain(job);
    const tapped = chain(job);
    const seen: [unknown, number, unknown][] = [];
    const probe = stageProbe(tapped.op, 0, tapped.metrics[0]!);
    probe.watch({ batch: () => {}, record: (r, t, k) => seen.push([r, t, k]) });
    for (const c of [plain, tapped]) c.op.receive(0, batch([1, 2, 3, 4]));
    expect(tapped.sink.recs).toEqual(plain.sink.recs);
    expect(seen).toEqual([
      [{ n: 2 }, 2, undefined],
      [{ n: 4 }, 4, undefined],
    ]);
    expect(probe.count()).toBe(2);
    // The map → keyBy edge carries the map's records.
    const keyed: unknown[] = [];
    stageProbe(tapped.op, 1, tapped.metrics[1]!).watch({ batch: () => {}, record: (r) => keyed.push(r) });
    probe.watch(null);
    tapped.op.receive(0, batch([6]));
    expect(keyed).toEqual([{ n: 6, double: 12 }]);
    expect(seen).toHaveLength(2);
    expect(() => stageProbe(tapped.op, 2, tapped.metrics[2]!).watch(null)).toThrow(RangeError);
  });

  it('an operator output counts records and shows batches to its observer only while watched', () => {
    const job = new FakeJob();
    const { op, sink } = chain(job);
    const probe = outputProbe(op.outputs[0]!);
    const batches: number[] = [];
    op.receive(0, batch([2, 4]));
    probe.watch({ batch: (b) => batches.push(b.recs.length), record: () => {} });
    op.receive(0, batch([6, 7, 8]));
    probe.watch(null);
    op.receive(0, batch([10]));
    expect(probe.count()).toBe(5);
    expect(batches).toEqual([2]);
    expect(sink.recs).toHaveLength(5);
  });
});
