// Process-node benchmark: pipelines/session-recommendations.json exactly as shipped (its two
// process nodes and their code), fed from pre-built clickstream batches over 100k users and 50k
// products instead of its small generator, into a discarding sink; beside it the same logic as
// one hand-written function (the ceiling), and the same pipeline with pass-through process code
// (what the engine costs without the code and its state), so the per-record cost of the process
// nodes' code and state is the difference.
//
// Where a record's time goes: the section prints it (a 1M-event run under the CPU profiler,
// bench/process-profile.ts). At load ~18 on 2 cores, ~10.6 CPU µs an event: the process code with
// what V8 inlines into it ~29 % (mostly first touches of a key's state: the product's slot, its
// top-5 index, the user's lists), map state ~27 % (two thirds of it the lookup in the product's
// co-view map, a hash table far larger than the CPU caches, as in the hand-written twin), GC ~11 %,
// the key's slot lookup ~8 %, timers ~7 %, list state ~6 %, the engine's batch loop, keyBy and emit
// ~2 %. What was cut for it: top(5) reads only its index (values copied beside the keys, no read
// of the map's value array per ranked entry), expiry checks skip an entry's time while the slot's
// oldest possible time is unexpired, a map holding only numbers keeps each value beside its
// last-access time in one double array (one cache line an increment where two arrays were two
// misses; nothing there for the collector to trace), the top-5 index is one array of key, value
// and position instead of three, and the pipeline keeps a user's views as two lists of strings
// instead of an object (and a boxed time) per view. Before
// (state handles and incremental top-K already in): GC ~16 %, code ~18 % (a cache miss per list
// element object), map increments ~14 %, top(5) ~9 %, key lookups ~6 %.
//
// Why the rate falls over a run: the per-product co-view maps grow with every view (their 2 h TTL
// is processing time, so nothing expires in a bounded run of minutes) until the replayed batches
// bring no new pairs (~4M entries from 2M events on), and collecting the growing heap costs more
// and more. The hand-written twin keeps the same counts; bounding the maps would change which
// products rank.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Batch } from '../runtime/engine/batch.js';
import { planJob } from '../runtime/engine/plan.js';
import { validatePipeline } from '../runtime/format/validate.js';
import type { ClickEvent } from '../runtime/nodes/source-generator/ecommerce.js';
import { OPERATORS } from '../runtime/nodes/operators.js';
import { makeRegistry, NODE_SPECS } from '../runtime/nodes/registry.js';
import { prebuiltBatches } from './chain.js';
import { benchOperators, discardSpec, replaySpec } from './operators.js';
import { type CostLine, profiled } from './process-profile.js';
import { ProcessTwin } from './process-twin.js';
import type { ScenarioResult } from './section.js';

/** 100k users, 50k products, 1000 events a second of event time (10M events ≈ 2.8 h of shop time). */
export const PROCESS_GEN = { users: 100_000, products: 50_000, eventTimeRate: 1000 };
const BATCH = 4096;
const MAX_DISTINCT_BATCHES = 256;

export interface ProcessResult extends ScenarioResult {
  /** Records the sink received (one per VIEW). */
  out: number;
  /** events/s over each tenth of the run, to show whether throughput holds. */
  tenths: number[];
  /**
   * The same per CPU second of this process (all its threads, GC included): on a shared machine the
   * wall-clock tenths follow the load, these follow what the run itself costs.
   */
  cpuTenths: number[];
  /** With a `profile-` scenario: where the time went, per event. */
  costs?: CostLine[];
}

type Doc = { nodes: { id: string; type: string; params: Record<string, unknown> }[]; edges: { from: string; to: string }[] };

function loadDoc(which: 'shipped' | 'v1'): Doc {
  const rel = which === 'shipped' ? '../../pipelines/session-recommendations.json' : '../../test/fixtures/pipelines/session-recommendations-v1.json';
  return JSON.parse(readFileSync(fileURLToPath(new URL(rel, import.meta.url)), 'utf8')) as Doc;
}

/** The shipped pipeline with the bench source and sink; `passThrough` replaces the process code. */
function benchDoc(which: 'shipped' | 'v1', count: number, passThrough: boolean, parallelism: number) {
  const doc = loadDoc(which);
  const nodes = doc.nodes.map((n) => {
    if (n.type === 'source.generator') return { id: n.id, type: 'bench.replay', params: { count, shift: true } };
    if (n.type.startsWith('sink.')) return { id: n.id, type: 'bench.discard', params: {} };
    if (n.type === 'process' && passThrough) {
      // Forwards what the next node reads, without state: the first node only VIEWs, as the real one.
      const code = n.id === 'recentViews'
        ? "if (event.eventType !== 'VIEW') return;\nctx.emit({ userId: event.userId, productId: event.productId, category: event.category, sameCategory: [], recentlyViewed: [], ts: ctx.timestamp });"
        : 'ctx.emit({ userId: event.userId, productId: event.productId, category: event.category, sameCategory: event.sameCategory, coViewed: [], ts: event.ts });';
      return { id: n.id, type: n.type, params: { code } };
    }
    return { id: n.id, type: n.type, params: n.params };
  });
  return { format: 'tributary.pipeline/v1', name: 'bench-process', settings: { parallelism }, nodes, edges: doc.edges };
}

function batchesFor(records: number): { batches: Batch[]; span: number } {
  return prebuiltBatches(PROCESS_GEN, Math.min(MAX_DISTINCT_BATCHES, Math.ceil(records / BATCH)));
}

function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/** Throughput per tenth of the run, from the source's pull times (wall clock and CPU time). */
class Tenths {
  private readonly marks: [number, number, number][] = [];
  constructor(private readonly records: number) {}
  mark(sent: number): void {
    this.marks.push([sent, performance.now(), cpuMs()]);
  }
  /** `clock` 1: wall clock, 2: CPU time. */
  rates(clock: 1 | 2 = 1): number[] {
    const out: number[] = [];
    let from = this.marks[0]!;
    for (let i = 1; i <= 10; i++) {
      const want = (this.records * i) / 10;
      const to = this.marks.find((m) => m[0] >= want) ?? this.marks.at(-1)!;
      if (to[clock] > from[clock]) out.push((to[0] - from[0]) / ((to[clock] - from[clock]) / 1000));
      from = to;
    }
    return out;
  }
}

async function engine(scenario: string, which: 'shipped' | 'v1', records: number, passThrough: boolean, profile = false, parallelism = 1): Promise<ProcessResult> {
  const { batches, span } = batchesFor(records);
  const { pipeline, problems } = validatePipeline(benchDoc(which, records, passThrough, parallelism), makeRegistry([...NODE_SPECS, replaySpec, discardSpec]));
  if (!pipeline) throw new Error(problems.map((p) => p.message).join('\n'));
  const tenths = new Tenths(records);
  let pulled = 0;
  const onPull = () => {
    tenths.mark(pulled);
    pulled = Math.min(records, pulled + 16 * BATCH);
  };
  const job = planJob(pipeline, { operators: { ...OPERATORS, ...benchOperators(batches, span, onPull) }, resolvePath: (x) => x, stdout: process.stdout });
  // The replay sends whole batches: the last one may overshoot `records`.
  const sent = () => job.metrics.find((m) => m.nodeId === 'clicks')!.recordsOut;
  const t0 = performance.now();
  const costs = profile ? await profiled(() => job.run(), sent) : (await job.run(), undefined);
  const seconds = (performance.now() - t0) / 1000;
  tenths.mark(records);
  const sink = job.metrics.find((m) => m.nodeId === 'recommendations')!;
  if (sink.recordsIn === 0) throw new Error('nothing reached the sink');
  return { scenario, records: sent(), seconds, out: sink.recordsIn, tenths: tenths.rates(), cpuTenths: tenths.rates(2), costs };
}

function plain(scenario: string, records: number): ProcessResult {
  const { batches, span } = batchesFor(records);
  const twin = new ProcessTwin();
  const tenths = new Tenths(records);
  const t0 = performance.now();
  let sent = 0;
  for (let i = 0, cycle = 0; sent < records; ) {
    if (i % 16 === 0) tenths.mark(sent);
    const b = batches[i]!;
    const shift = cycle * span;
    const n = Math.min(b.recs.length, records - sent);
    for (let j = 0; j < n; j++) twin.record(b.recs[j] as ClickEvent, b.ts[j]! + shift, b.wm![j]! + shift);
    sent += n;
    if (++i === batches.length) {
      i = 0;
      cycle++;
    }
  }
  twin.end();
  const seconds = (performance.now() - t0) / 1000;
  tenths.mark(records);
  return { scenario, records, seconds, out: twin.out, tenths: tenths.rates(), cpuTenths: tenths.rates(2) };
}

/**
 * Scenario names: `<kind>-<records>`, kind one of engine, parallel (engine at parallelism 2),
 * profile (engine under the CPU profiler),
 * v1 (the pipeline's code before incremental top-K and state handles), passthrough, plain.
 */
export async function runProcessScenario(scenario: string): Promise<ProcessResult> {
  const m = /^(engine|parallel|profile|v1|passthrough|plain)-(\d+)$/.exec(scenario);
  if (m === null) throw new Error(`unknown scenario ${scenario}`);
  const records = Number(m[2]);
  switch (m[1]) {
    case 'engine':
      return engine(scenario, 'shipped', records, false);
    case 'parallel':
      return engine(scenario, 'shipped', records, false, false, 2);
    case 'profile':
      return engine(scenario, 'shipped', records, false, true);
    case 'v1':
      return engine(scenario, 'v1', records, false);
    case 'passthrough':
      return engine(scenario, 'shipped', records, true);
    default:
      return plain(scenario, records);
  }
}
