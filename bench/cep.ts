// CEP benchmark: the cart-abandonment pattern exactly as pipelines/cart-abandonment.json ships it,
// keyBy(userId) → cep → discard over a generated clickstream with 200k users, fed from pre-built
// batches replayed with shifted timestamps (so event time keeps advancing). The node's state is
// sampled as the run goes, against event time, to show it stays flat once `within` has passed.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { planJob } from '../runtime/engine/plan.js';
import { parseDuration } from '../runtime/format/duration.js';
import { validatePipeline } from '../runtime/format/validate.js';
import { OPERATORS } from '../runtime/nodes/operators.js';
import { makeRegistry, NODE_SPECS } from '../runtime/nodes/registry.js';
import { prebuiltBatches } from './chain.js';
import { benchOperators, discardSpec, replaySpec } from './operators.js';
import type { ScenarioResult } from './section.js';

export interface StateSample {
  /** Event time since the first event, minutes. */
  minutes: number;
  partialMatches: number;
  keys: number;
  bytes: number;
}

export interface CepResult extends ScenarioResult {
  matches: number;
  within: number;
  samples: StateSample[];
  /** Wall time spent taking the samples, ms (in the sampled run only). */
  sampleMs: number;
}

/** The generator's shape for this benchmark: 200k users, 1000 events per second of event time. */
const GEN = { users: 200_000, products: 50_000, eventTimeRate: 1000 };

function shippedPattern(): Record<string, unknown> {
  const file = fileURLToPath(new URL('../../pipelines/cart-abandonment.json', import.meta.url));
  const doc = JSON.parse(readFileSync(file, 'utf8')) as { nodes: { type: string; params: Record<string, unknown> }[] };
  return doc.nodes.find((n) => n.type === 'cep')!.params;
}

/**
 * `timed`: the throughput run, nothing else in the loop. `sampled`: the same run taking about 40
 * state samples (each walks every partial match), for the state-over-time figures.
 */
export async function runCepScenario(scenario: string, records: number): Promise<CepResult> {
  if (scenario !== 'timed' && scenario !== 'sampled') throw new Error(`unknown scenario ${scenario}`);
  const { batches, span } = prebuiltBatches(GEN);
  const cepParams = shippedPattern();
  const doc = {
    format: 'tributary.pipeline/v1',
    name: 'bench-cep',
    nodes: [
      { id: 'src', type: 'bench.replay', params: { count: records, shift: true } },
      { id: 'byUser', type: 'keyBy', params: { key: 'userId' } },
      { id: 'abandoned', type: 'cep', params: cepParams },
      { id: 'sink', type: 'bench.discard', params: {} },
    ],
    edges: [
      { from: 'src', to: 'byUser' },
      { from: 'byUser', to: 'abandoned' },
      { from: 'abandoned', to: 'sink' },
    ],
  };
  const { pipeline, problems } = validatePipeline(doc, makeRegistry([...NODE_SPECS, replaySpec, discardSpec]));
  if (!pipeline) throw new Error(problems.map((p) => p.message).join('\n'));
  const first = batches[0]!.ts[0]!;
  const samples: StateSample[] = [];
  let sampleMs = 0;
  let pulls = 0;
  // About 40 samples over the run; a pull replays up to 16 batches of 4096 records.
  const every = Math.max(1, Math.floor(records / (16 * 4096) / 40));
  const sample = () => {
    if (scenario === 'timed' || pulls++ % every !== 0 || cep.watermark === -Infinity) return;
    const t0 = performance.now();
    const s = cep.stateSize();
    sampleMs += performance.now() - t0;
    samples.push({ minutes: (cep.watermark - first) / 60_000, partialMatches: s.partialMatches ?? 0, keys: s.keys, bytes: s.bytes });
  };
  const job = planJob(pipeline, { operators: { ...OPERATORS, ...benchOperators(batches, span, sample) }, resolvePath: (x) => x, stdout: process.stdout });
  const cep = job.metrics.find((m) => m.nodeId === 'abandoned')!;
  const t0 = performance.now();
  await job.run();
  const seconds = (performance.now() - t0) / 1000;
  return { scenario, records, seconds, matches: cep.recordsOut, within: parseDuration(cepParams.within as string)!, samples, sampleMs };
}
