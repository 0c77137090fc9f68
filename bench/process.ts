// Process-node benchmark: pipelines/session-recommendations.json exactly as shipped (its two
// process nodes and their code), fed from pre-built clickstream batches over 100k users and 50k
// products instead of its small generator, into a discarding sink; beside it the same logic as
// one hand-written function (the ceiling), and the same pipeline with pass-through process code
// (what the engine costs without the code and its state), so the per-record cost of the process
// nodes' code and state is the difference.
//
// Where a record's time goes (node --cpu-prof over 500k events of `engine`, machine load ~30 on 2
// cores, so shares rather than times): garbage collection ~20 %; the process code with what V8
// inlines into it (list reads in place, timer calls, building the output records) ~17 %; map
// increments ~13 % (a lookup in the product's co-view map, memory-bound as in the hand-written
// twin) and new co-view entries ~7 % (the map's table growing); top(5) ~10 % (the first touch of
// the product's state in a record: cache misses on its slot and index, not work); the key's slot
// lookup ~7 %; timers ~3 %; list size/at ~2 %; the engine's batch loop and emit ~2 %. Map entries
// are positions into parallel value/time/bytes arrays (no object and no boxed time per entry),
// TTL reads the clock once per input batch, list reads check expiry once per instant and the
// timer index remembers the last key, so the shares left are lookups in maps far larger than the
// CPU caches plus the allocation the pipeline's code itself does (its output records and list
// elements). Before this work: sorting each product's whole co-view map on every view, list copies
// and a TTL cleanup walk on every state access; then (state handles, incremental top-K) GC ~22 %,
// code ~20 %, map increment and write ~18 %, key lookups ~7 %, TTL checks ~2 %.
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
}

type Doc = { nodes: { id: string; type: string; params: Record<string, unknown> }[]; edges: { from: string; to: string }[] };

function loadDoc(which: 'shipped' | 'v1'): Doc {
  const rel = which === 'shipped' ? '../../pipelines/session-recommendations.json' : '../../test/fixtures/pipelines/session-recommendations-v1.json';
  return JSON.parse(readFileSync(fileURLToPath(new URL(rel, import.meta.url)), 'utf8')) as Doc;
}

/** The shipped pipeline with the bench source and sink; `passThrough` replaces the process code. */
function benchDoc(which: 'shipped' | 'v1', count: number, passThrough: boolean) {
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
  return { format: 'tributary.pipeline/v1', name: 'bench-process', nodes, edges: doc.edges };
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

async function engine(scenario: string, which: 'shipped' | 'v1', records: number, passThrough: boolean): Promise<ProcessResult> {
  const { batches, span } = batchesFor(records);
  const { pipeline, problems } = validatePipeline(benchDoc(which, records, passThrough), makeRegistry([...NODE_SPECS, replaySpec, discardSpec]));
  if (!pipeline) throw new Error(problems.map((p) => p.message).join('\n'));
  const tenths = new Tenths(records);
  let pulled = 0;
  const onPull = () => {
    tenths.mark(pulled);
    pulled = Math.min(records, pulled + 16 * BATCH);
  };
  const job = planJob(pipeline, { operators: { ...OPERATORS, ...benchOperators(batches, span, onPull) }, resolvePath: (x) => x, stdout: process.stdout });
  const t0 = performance.now();
  await job.run();
  const seconds = (performance.now() - t0) / 1000;
  tenths.mark(records);
  const sink = job.metrics.find((m) => m.nodeId === 'recommendations')!;
  if (sink.recordsIn === 0) throw new Error('nothing reached the sink');
  // The replay sends whole batches: the last one may overshoot `records`.
  const sent = job.metrics.find((m) => m.nodeId === 'clicks')!.recordsOut;
  return { scenario, records: sent, seconds, out: sink.recordsIn, tenths: tenths.rates(), cpuTenths: tenths.rates(2) };
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

/** Scenario names: `<kind>-<records>`, kind one of engine, v1 (today's code before this change), passthrough, plain. */
export async function runProcessScenario(scenario: string): Promise<ProcessResult> {
  const m = /^(engine|v1|passthrough|plain)-(\d+)$/.exec(scenario);
  if (m === null) throw new Error(`unknown scenario ${scenario}`);
  const records = Number(m[2]);
  switch (m[1]) {
    case 'engine':
      return engine(scenario, 'shipped', records, false);
    case 'v1':
      return engine(scenario, 'v1', records, false);
    case 'passthrough':
      return engine(scenario, 'shipped', records, true);
    default:
      return plain(scenario, records);
  }
}
