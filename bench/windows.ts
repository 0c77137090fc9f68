// Window benchmarks (issue: windows and keyed state): keyBy(userId) → tumbling 1-minute count +
// sum over 100k users, and a global sliding 10 min / 1 min approxTopK over 50k products, both fed
// from pre-built batches replayed with shifted timestamps, plus hand-written twins.
import type { Batch } from '../runtime/engine/batch.js';
import { planJob } from '../runtime/engine/plan.js';
import { validatePipeline } from '../runtime/format/validate.js';
import type { ClickEvent } from '../runtime/nodes/source-generator/ecommerce.js';
import { OPERATORS } from '../runtime/nodes/operators.js';
import { makeRegistry, NODE_SPECS } from '../runtime/nodes/registry.js';
import { ApproxTopK } from '../runtime/nodes/window/sketch/top-k.js';
import { prebuiltBatches } from './chain.js';
import { benchOperators, discardSpec, replaySpec } from './operators.js';


export interface WindowResult {
  scenario: string;
  records: number;
  seconds: number;
  /** The window node's reported state when it held the most keys, and its peak bytes. */
  stateBytes: number;
  stateKeys: number;
  peakStateBytes: number;
  firings: number;
}

const SCENARIOS = {
  tumbling: {
    gen: { users: 100_000, products: 50_000, eventTimeRate: 50_000 },
    keyBy: 'userId',
    window: { assigner: { kind: 'tumbling', size: '1m' }, aggregates: { views: { fn: 'count' }, spend: { fn: 'sum', field: 'price' } } },
  },
  counter: {
    gen: { users: 100_000, products: 50_000, eventTimeRate: 50_000 },
    keyBy: 'userId',
    window: { assigner: { kind: 'tumbling', size: '1m' }, aggregates: { views: { fn: 'count' } } },
  },
  topk: {
    gen: { users: 100_000, products: 50_000, eventTimeRate: 5_000 },
    keyBy: null,
    window: { assigner: { kind: 'sliding', size: '10m', slide: '1m' }, aggregates: { hot: { fn: 'approxTopK', field: 'productId', k: 10 } } },
  },
} as const;

type Name = keyof typeof SCENARIOS;

function prebuilt(name: Name): { batches: Batch[]; span: number } {
  return prebuiltBatches(SCENARIOS[name].gen);
}

function pipeline(name: Name) {
  const s = SCENARIOS[name];
  const nodes: object[] = [{ id: 'src', type: 'bench.replay', params: { count: 1, shift: true } }];
  const edges: object[] = [];
  let prev = 'src';
  if (s.keyBy !== null) {
    nodes.push({ id: 'key', type: 'keyBy', params: { key: s.keyBy } });
    edges.push({ from: prev, to: 'key' });
    prev = 'key';
  }
  nodes.push({ id: 'window', type: 'window', params: s.window }, { id: 'sink', type: 'bench.discard', params: {} });
  edges.push({ from: prev, to: 'window' }, { from: 'window', to: 'sink' });
  return { format: 'tributary.pipeline/v1', name: `bench-${name}`, nodes, edges };
}

async function engine(name: Name, records: number): Promise<WindowResult> {
  const { batches, span } = prebuilt(name);
  const doc = pipeline(name);
  (doc.nodes[0] as { params: { count: number } }).params.count = records;
  const { pipeline: p, problems } = validatePipeline(doc, makeRegistry([...NODE_SPECS, replaySpec, discardSpec]));
  if (!p) throw new Error(problems.map((x) => x.message).join('\n'));
  let most = { keys: 0, bytes: 0 };
  let peakBytes = 0;
  let pulls = 0;
  const sample = () => {
    if (pulls++ % 4 !== 0) return;
    const s = win.stateSize();
    if (s.keys > most.keys) most = s;
    if (s.bytes > peakBytes) peakBytes = s.bytes;
  };
  const job = planJob(p, { operators: { ...OPERATORS, ...benchOperators(batches, span, sample) }, resolvePath: (x) => x, stdout: process.stdout });
  const win = job.metrics.find((m) => m.nodeId === 'window')!;
  const t0 = performance.now();
  await job.run();
  const seconds = (performance.now() - t0) / 1000;
  return { scenario: `engine-${name}`, records, seconds, stateBytes: most.bytes, stateKeys: most.keys, peakStateBytes: peakBytes, firings: win.recordsOut };
}

/** Hand-written twins: the same work as plain loops over the same batches, no engine. */
function plain(name: Name, records: number): WindowResult {
  const { batches, span } = prebuilt(name);
  const t0 = performance.now();
  let firings = 0;
  if (name === 'tumbling' || name === 'counter') {
    // Map<string, slot> + Float64Array columns per 1-minute window, fired when the watermark passes.
    let start = -Infinity;
    let keys = new Map<string, number>();
    let count = new Float64Array(1 << 17);
    let sum = new Float64Array(1 << 17);
    for (let sent = 0, i = 0, cycle = 0; sent < records; ) {
      const b = batches[i]!;
      const shift = cycle * span;
      const recs = b.recs as ClickEvent[];
      for (let j = 0; j < recs.length; j++) {
        const t = b.ts[j]! + shift;
        const s = t - (t % 60_000);
        if (s !== start) {
          if (s > start) {
            firings += keys.size;
            keys = new Map();
            count = new Float64Array(1 << 17);
            sum = new Float64Array(1 << 17);
            start = s;
          }
        }
        const r = recs[j]!;
        let slot = keys.get(r.userId);
        if (slot === undefined) keys.set(r.userId, (slot = keys.size));
        count[slot]!++;
        sum[slot]! += r.price;
      }
      sent += recs.length;
      if (++i === batches.length) {
        i = 0;
        cycle++;
      }
    }
  } else {
    // Ten overlapping sketches, one per open 1-minute slide of a 10-minute window.
    const open = new Map<number, ApproxTopK>();
    for (let sent = 0, i = 0, cycle = 0; sent < records; ) {
      const b = batches[i]!;
      const shift = cycle * span;
      const recs = b.recs as ClickEvent[];
      for (let j = 0; j < recs.length; j++) {
        const t = b.ts[j]! + shift;
        const last = t - (t % 60_000);
        for (let s = last; s > t - 600_000; s -= 60_000) {
          let k = open.get(s);
          if (k === undefined) open.set(s, (k = new ApproxTopK(10)));
          k.add(recs[j]!.productId);
        }
      }
      const wm = b.wmEnd + shift;
      for (const [s, k] of open) {
        if (s + 600_000 - 1 <= wm) {
          k.top();
          open.delete(s);
          firings++;
        }
      }
      sent += recs.length;
      if (++i === batches.length) {
        i = 0;
        cycle++;
      }
    }
  }
  return { scenario: `plain-${name}`, records, seconds: (performance.now() - t0) / 1000, stateBytes: 0, stateKeys: 0, peakStateBytes: 0, firings };
}

export async function runWindowScenario(scenario: string, records: number): Promise<WindowResult> {
  const [kind, name] = scenario.split('-') as ['engine' | 'plain', Name];
  if (!(name in SCENARIOS)) throw new Error(`unknown scenario ${scenario}`);
  return kind === 'engine' ? engine(name, records) : plain(name, records);
}
