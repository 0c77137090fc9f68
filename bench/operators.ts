// Bench-only node types: a source that replays pre-built batches and a sink that discards. They
// plug into the real registry, validator, planner and job, so the benchmark measures the same
// path `tributary run` takes, minus generation and I/O.
import { z } from 'zod';
import type { Batch } from '../runtime/engine/batch.js';
import type { OperatorFactory } from '../runtime/engine/factory.js';
import type { NodeMetrics } from '../runtime/engine/metrics.js';
import type { JobControl } from '../runtime/engine/operator.js';
import { SinkOperator } from '../runtime/engine/sink.js';
import { SourceOperator } from '../runtime/engine/source.js';
import { defineNode } from '../runtime/nodes/spec.js';

export const replaySpec = defineNode({
  type: 'bench.replay',
  title: 'Replay batches',
  category: 'source',
  doc: 'Benchmark source: emits pre-built batches, cycling, until `count` records; with `shift`, each cycle moves timestamps and watermarks forward so event time keeps advancing.',
  params: z.strictObject({ count: z.number().int().positive(), shift: z.boolean().default(false) }),
  inputs: [],
  outputs: [{ name: 'out', doc: '' }],
  keyed: 'none',
  keyOutput: 'clear',
  flinkExport: false,
  example: { count: 1 },
});

export const discardSpec = defineNode({
  type: 'bench.discard',
  title: 'Discard',
  category: 'sink',
  doc: 'Benchmark sink: counts and drops.',
  params: z.strictObject({}),
  inputs: [{ name: 'in', doc: '', multiple: true }],
  outputs: [],
  keyed: 'none',
  keyOutput: 'clear',
  flinkExport: false,
  example: {},
});

class ReplaySource extends SourceOperator {
  readonly deterministic = true;
  private sent = 0;
  private next = 0;

  constructor(
    job: JobControl,
    metrics: NodeMetrics,
    private readonly batches: readonly Batch[],
    private readonly count: number,
    /** Event time covered by one pass over the batches; 0 replays them unchanged. */
    private readonly span: number,
    /** Called after every pull: the bench samples state size here (pulls never yield to timers). */
    private readonly onPull: () => void,
  ) {
    super(job, 1, metrics, null);
  }

  private cycle = 0;

  async pull(): Promise<boolean> {
    this.onPull();
    // Many batches per pull, as a fast source would: one await per ~64k records.
    for (let i = 0; i < 16; i++) {
      if (this.sent >= this.count) return i > 0;
      const b = this.batches[this.next]!;
      this.next = (this.next + 1) % this.batches.length;
      this.sent += b.recs.length;
      this.emitOn(0, this.span > 0 && this.cycle > 0 ? shifted(b, this.cycle * this.span) : b);
      if (this.next === 0) this.cycle++;
    }
    return true;
  }
}

function shifted(b: Batch, by: number): Batch {
  return { recs: b.recs, ts: b.ts.map((t) => t + by), keys: b.keys, wm: b.wm && b.wm.map((w) => w + by), wmEnd: b.wmEnd + by };
}

class DiscardSink extends SinkOperator {
  protected write(): boolean {
    return true;
  }
  protected waitForDrain(): void {}
  protected async close(): Promise<void> {}
  async abort(): Promise<void> {}
}

export function benchOperators(batches: readonly Batch[], span = 0, onPull: () => void = () => {}): Record<string, OperatorFactory> {
  return {
    'bench.replay': (ctx, p: { count: number; shift: boolean }) => ({ operator: new ReplaySource(ctx.job, ctx.metrics, batches, p.count, p.shift ? span : 0, onPull) }),
    'bench.discard': (ctx) => ({ operator: new DiscardSink(ctx.job, ctx.metrics) }),
  };
}
