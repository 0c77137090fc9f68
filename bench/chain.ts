// Foundation benchmark: filter → map → keyBy → discarding sink, (a) fed from pre-built batches and
// (b) fed by the clickstream generator, each beside the same chain hand-written in plain
// JavaScript (the ceiling). One scenario per process, so peak RSS belongs to that scenario.
import type { Batch } from '../runtime/engine/batch.js';
import { planJob } from '../runtime/engine/plan.js';
import { BoundedOutOfOrderness } from '../runtime/engine/watermarks.js';
import { validatePipeline } from '../runtime/format/validate.js';
import { type ClickEvent, EcommerceGenerator } from '../runtime/nodes/source-generator/ecommerce.js';
import { OPERATORS } from '../runtime/nodes/operators.js';
import { makeRegistry, NODE_SPECS } from '../runtime/nodes/registry.js';
import { benchOperators, discardSpec, replaySpec } from './operators.js';

const CONDITION = 'price > 10';
const EXPRESSION = '{ userId, productId, category, total: price * quantity }';
const KEY = 'userId';
const BATCH = 4096;
const DISTINCT_BATCHES = 256; // ~1M distinct records, replayed

export interface Result {
  scenario: string;
  records: number;
  seconds: number;
}

const GEN_OPTIONS = { seed: 1, users: 100_000, products: 50_000, categories: 12, abandonment: 0.7, startTime: Date.UTC(2026, 0, 1), eventTimeRate: 1000, disorder: 2000 };

/**
 * Generated batches with per-record watermarks (as the generator source stamps them), and the
 * event time they span, so a replay can shift later passes forward.
 */
export function prebuiltBatches(opts: Partial<typeof GEN_OPTIONS> = {}, count = DISTINCT_BATCHES): { batches: Batch[]; span: number } {
  const gen = new EcommerceGenerator({ ...GEN_OPTIONS, ...opts });
  const wmGen = new BoundedOutOfOrderness(GEN_OPTIONS.disorder);
  const batches: Batch[] = [];
  let first = Infinity;
  let last = -Infinity;
  for (let b = 0; b < count; b++) {
    const recs: ClickEvent[] = [];
    const ts: number[] = [];
    gen.fill(recs, ts, BATCH);
    const wm = ts.map((t) => {
      const before = wmGen.current;
      wmGen.observe(t);
      if (t < first) first = t;
      if (t > last) last = t;
      return before;
    });
    batches.push({ recs, ts, keys: null, wm, wmEnd: wmGen.current });
  }
  return { batches, span: last - first + 1000 };
}

function prebuilt(): Batch[] {
  return prebuiltBatches().batches;
}

function chainPipeline(source: { type: string; params: Record<string, unknown> }) {
  const doc = {
    format: 'tributary.pipeline/v1',
    name: 'bench',
    nodes: [
      { id: 'src', ...source },
      { id: 'filter', type: 'filter', params: { condition: CONDITION } },
      { id: 'map', type: 'map', params: { expression: EXPRESSION } },
      { id: 'key', type: 'keyBy', params: { key: KEY } },
      { id: 'sink', type: 'bench.discard', params: {} },
    ],
    edges: [
      { from: 'src', to: 'filter' },
      { from: 'filter', to: 'map' },
      { from: 'map', to: 'key' },
      { from: 'key', to: 'sink' },
    ],
  };
  const { pipeline, problems } = validatePipeline(doc, makeRegistry([...NODE_SPECS, replaySpec, discardSpec]));
  if (!pipeline) throw new Error(problems.map((p) => p.message).join('\n'));
  return pipeline;
}

async function engine(source: { type: string; params: Record<string, unknown> }, batches: Batch[], records: number, scenario: string): Promise<Result> {
  const job = planJob(chainPipeline(source), { operators: { ...OPERATORS, ...benchOperators(batches) }, resolvePath: (p) => p, stdout: process.stdout });
  const t0 = performance.now();
  await job.run();
  const seconds = (performance.now() - t0) / 1000;
  const sink = job.metrics.find((m) => m.nodeId === 'sink')!;
  if (sink.recordsIn === 0) throw new Error('nothing reached the sink');
  return { scenario, records, seconds };
}

/** The same chain as a plain batch loop: the ceiling the engine is measured against. */
function plainChain(b: Batch, sink: { count: number }): void {
  const recs = b.recs as ClickEvent[];
  const outR: unknown[] = [];
  const outK: unknown[] = [];
  const outT: number[] = [];
  for (let i = 0; i < recs.length; i++) {
    const r = recs[i]!;
    if (!(r.price > 10)) continue;
    const o = { userId: r.userId, productId: r.productId, category: r.category, total: r.price * r.quantity };
    outR.push(o);
    outK.push(o.userId);
    outT.push(b.ts[i]!);
  }
  sink.count += outR.length;
}

export async function runScenario(name: string, records: number): Promise<Result> {
  switch (name) {
    case 'engine-batches': {
      const batches = prebuilt();
      return engine({ type: 'bench.replay', params: { count: records } }, batches, records, name);
    }
    case 'plain-batches': {
      const batches = prebuilt();
      const sink = { count: 0 };
      const t0 = performance.now();
      for (let sent = 0, i = 0; sent < records; i = (i + 1) % batches.length) {
        plainChain(batches[i]!, sink);
        sent += batches[i]!.recs.length;
      }
      return { scenario: name, records, seconds: (performance.now() - t0) / 1000 };
    }
    case 'engine-generator':
      return engine({ type: 'source.generator', params: { ...GEN_OPTIONS, rate: 0, count: records, startTime: GEN_OPTIONS.startTime, disorder: GEN_OPTIONS.disorder, eventTimeRate: undefined } as Record<string, unknown> }, [], records, name);
    case 'plain-generator': {
      const gen = new EcommerceGenerator(GEN_OPTIONS);
      const sink = { count: 0 };
      const t0 = performance.now();
      for (let sent = 0; sent < records; sent += BATCH) {
        const recs: ClickEvent[] = [];
        const ts: number[] = [];
        gen.fill(recs, ts, BATCH);
        plainChain({ recs, ts, keys: null, wm: null, wmEnd: 0 }, sink);
      }
      return { scenario: name, records, seconds: (performance.now() - t0) / 1000 };
    }
    default:
      throw new Error(`unknown scenario ${name}`);
  }
}
