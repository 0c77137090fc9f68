// Parallel execution (settings.parallelism): keyBy(userId) → tumbling 1-minute count + sum over
// 100k users, at parallelism 1, 2 and 4, read from a JSON Lines file (decode on the job's thread)
// and replayed from pre-built batches (no decode: what the exchange itself costs). Parallelism 1
// is the single-thread twin; the window runs in worker threads for the others.
import { createWriteStream, existsSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import type { NodeMetrics, ParallelInstance } from '../runtime/engine/metrics.js';
import { threadCpuMs } from '../runtime/engine/parallel/thread-cpu.js';
import { planJob } from '../runtime/engine/plan.js';
import { validatePipeline } from '../runtime/format/validate.js';
import { type ClickEvent, EcommerceGenerator } from '../runtime/nodes/source-generator/ecommerce.js';
import { OPERATORS } from '../runtime/nodes/operators.js';
import { makeRegistry, NODE_SPECS } from '../runtime/nodes/registry.js';
import { prebuiltBatches } from './chain.js';
import { benchOperators, discardSpec, replaySpec } from './operators.js';

/** The file scenarios read at most this many events (a 10M-event file would take 1.3 GB). */
export const FILE_EVENTS = 2_000_000;
const GEN = { seed: 3, users: 100_000, products: 50_000, eventTimeRate: 50_000 };
const WINDOW = { assigner: { kind: 'tumbling', size: '1m' }, aggregates: { views: { fn: 'count' }, spend: { fn: 'sum', field: 'price' } } };

export interface ParallelResult {
  scenario: string;
  records: number;
  seconds: number;
  parallelism: number;
  firings: number;
  /** When the window held the most keys: keys and bytes per instance (one entry at parallelism 1). */
  stateKeys: number[];
  stateBytes: number[];
  /** CPU seconds over the run: the whole process, the job's thread, and each parallel instance's thread. */
  cpuS: number;
  mainCpuS: number;
  instanceCpuS: number[];
}

/** The same events every time, written once per size beside other temporary files. */
async function eventsFile(events: number): Promise<string> {
  const path = join(tmpdir(), `tributary-bench-parallel-${GEN.seed}-${events}.jsonl`);
  if (existsSync(path)) return path;
  const gen = new EcommerceGenerator({ seed: GEN.seed, users: GEN.users, products: GEN.products, categories: 12, abandonment: 0.7, startTime: Date.UTC(2026, 0, 1), eventTimeRate: GEN.eventTimeRate, disorder: 2000 });
  const tmp = `${path}.${process.pid}.tmp`;
  const out = createWriteStream(tmp);
  const recs: ClickEvent[] = [];
  const ts: number[] = [];
  for (let left = events; left > 0; ) {
    const n = Math.min(4096, left);
    recs.length = 0;
    ts.length = 0;
    gen.fill(recs, ts, n);
    left -= n;
    if (!out.write(`${recs.map((r) => JSON.stringify(r)).join('\n')}\n`)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  renameSync(tmp, path);
  return path;
}

function doc(source: object, parallelism: number) {
  return {
    format: 'tributary.pipeline/v1',
    name: `bench-parallel-${parallelism}`,
    settings: { parallelism },
    nodes: [source, { id: 'key', type: 'keyBy', params: { key: 'userId' } }, { id: 'window', type: 'window', params: WINDOW }, { id: 'sink', type: 'bench.discard', params: {} }],
    edges: [
      { from: 'src', to: 'key' },
      { from: 'key', to: 'window' },
      { from: 'window', to: 'sink' },
    ],
  };
}

let most: { keys: number[]; bytes: number[] } = { keys: [0], bytes: [0] };
let win: NodeMetrics | undefined;

function sample(): void {
  if (win === undefined) return;
  const per: readonly { keys: number; bytes: number }[] = win.instances === null ? [win.stateSize()] : win.instances().map((i: ParallelInstance) => i.figures.state);
  const keys = per.reduce((s, x) => s + x.keys, 0);
  if (keys > most.keys.reduce((s, x) => s + x, 0)) most = { keys: per.map((x) => x.keys), bytes: per.map((x) => x.bytes) };
}

export async function runParallelScenario(scenario: string, records: number): Promise<ParallelResult> {
  const [kind, p] = scenario.split('-') as ['file' | 'mem', string];
  const parallelism = Number(p);
  let source: object;
  let events = records;
  let pulls = 0;
  // A deterministic run never yields to timers at parallelism 1: sample the state between pulls too.
  const onPull = () => {
    if (pulls++ % 8 === 0) sample();
  };
  let operators = { ...OPERATORS, ...benchOperators([], 0, onPull) };
  if (kind === 'file') {
    events = Math.min(records, FILE_EVENTS);
    source = { id: 'src', type: 'source.file', params: { path: await eventsFile(events), format: 'jsonl', eventTime: { field: 'ts', maxOutOfOrderness: '2s' } } };
  } else {
    const { batches, span } = prebuiltBatches(GEN);
    source = { id: 'src', type: 'bench.replay', params: { count: records, shift: true } };
    operators = { ...OPERATORS, ...benchOperators(batches, span, onPull) };
  }
  const { pipeline, problems } = validatePipeline(doc(source, parallelism), makeRegistry([...NODE_SPECS, replaySpec, discardSpec]));
  if (!pipeline) throw new Error(problems.map((x) => x.message).join('\n'));
  const job = planJob(pipeline, { operators, resolvePath: (x) => x, stdout: process.stdout });
  win = job.metrics.find((m) => m.nodeId === 'window')!;
  const timer = setInterval(sample, 100);
  const cpu0 = process.cpuUsage();
  const main0 = threadCpuMs() ?? 0;
  const t0 = performance.now();
  await job.run();
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const mainCpuS = ((threadCpuMs() ?? 0) - main0) / 1000;
  clearInterval(timer);
  const instanceCpuS = win.instances === null ? [] : win.instances().map((i) => (i.figures.cpuMs ?? 0) / 1000);
  return { scenario, records: events, seconds, parallelism, firings: win.recordsOut, stateKeys: most.keys, stateBytes: most.bytes, cpuS: (cpu.user + cpu.system) / 1e6, mainCpuS, instanceCpuS };
}
