// Model inference benchmark: replayed batches of 20-feature records → infer → discard, through the
// real validator, planner and job. Embedded ONNX (logistic regression, 50-tree GBM) and a remote
// kserve-v2 server in another process. Reports records/s and the model-call latency the node saw.
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Batch } from '../runtime/engine/batch.js';
import { planJob } from '../runtime/engine/plan.js';
import { validatePipeline } from '../runtime/format/validate.js';
import { OPERATORS } from '../runtime/nodes/operators.js';
import { makeRegistry, NODE_SPECS } from '../runtime/nodes/registry.js';
import { benchOperators, discardSpec, replaySpec } from './operators.js';
import type { ScenarioResult } from './section.js';

const FEATURES = Array.from({ length: 20 }, (_, j) => `f${j}`);
const BATCH = 4096;

function batches(count = 64): Batch[] {
  let seed = 42;
  const rnd = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648 - 0.5;
  };
  const out: Batch[] = [];
  for (let b = 0; b < count; b++) {
    const recs: Record<string, number>[] = [];
    for (let i = 0; i < BATCH; i++) {
      const r: Record<string, number> = { id: b * BATCH + i };
      for (const f of FEATURES) r[f] = rnd() * 4;
      // Parsed from JSON, as records from Kafka, files or HTTP are: built field by field, an
      // object with 21 fields would be a hash-table object, which no source produces.
      recs.push(JSON.parse(JSON.stringify(r)) as Record<string, number>);
    }
    out.push({ recs, ts: recs.map((_, i) => i), keys: null, wm: null, wmEnd: -Infinity });
  }
  return out;
}

export interface InferResult extends ScenarioResult {
  p50: number;
  p99: number;
  errors: number;
  cpuSeconds: number;
}

async function run(scenario: string, records: number, model: Record<string, unknown>, extra: Record<string, unknown> = {}): Promise<InferResult> {
  const doc = {
    format: 'tributary.pipeline/v1',
    name: 'bench-infer',
    nodes: [
      { id: 'src', type: 'bench.replay', params: { count: records } },
      { id: 'infer', type: 'infer', params: { model, features: FEATURES, ...extra } },
      { id: 'sink', type: 'bench.discard', params: {} },
    ],
    edges: [
      { from: 'src', to: 'infer' },
      { from: 'infer', to: 'sink' },
    ],
  };
  const { pipeline, problems } = validatePipeline(doc, makeRegistry([...NODE_SPECS, replaySpec, discardSpec]));
  if (!pipeline) throw new Error(problems.map((p) => p.message).join('\n'));
  const job = planJob(pipeline, { operators: { ...OPERATORS, ...benchOperators(batches()) }, resolvePath: (p) => p, stdout: process.stdout });
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await job.run();
  const seconds = (performance.now() - t0) / 1000;
  const used = process.cpuUsage(c0);
  // CPU seconds of the whole process (main thread, GC and ONNX Runtime threads): on a loaded
  // machine the wall-clock rate says more about the neighbours than about the node.
  const cpuSeconds = (used.user + used.system) / 1e6;
  const m = job.metrics.find((x) => x.nodeId === 'infer')!;
  const sink = job.metrics.find((x) => x.nodeId === 'sink')!;
  const sent = job.metrics.find((x) => x.nodeId === 'src')!.recordsOut;
  if (sink.recordsIn !== sent) throw new Error(`${sink.recordsIn} of ${sent} records reached the sink (${m.errors} errors)`);
  const f = m.model!();
  return { scenario, records: sent, seconds, cpuSeconds, p50: f.latencyP50, p99: f.latencyP99, errors: m.errors };
}

function startServer(): Promise<{ url: string; proc: ChildProcess }> {
  const proc = spawn(process.execPath, [join(fileURLToPath(new URL('.', import.meta.url)), 'kserve-server.js')], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    proc.stdout!.once('data', (d: Buffer) => resolve({ url: d.toString().trim(), proc }));
    proc.once('exit', (code) => reject(new Error(`model server exited (${code})`)));
  });
}

const models = (name: string) => join(process.cwd(), 'test', 'fixtures', 'models', name);

export async function runInferScenario(name: string, records: number): Promise<InferResult> {
  switch (name) {
    case 'onnx-logreg':
      return run(name, records, { kind: 'onnx', path: models('logreg20.onnx'), watch: false }, { outputs: { p: 'output_probability[1]' }, batchSize: 4096 });
    case 'onnx-gbm':
      return run(name, records, { kind: 'onnx', path: models('gbm50.onnx'), watch: false }, { outputs: { p: 'output_probability[1]' }, batchSize: 4096 });
    case 'kserve':
    case 'kserve-binary': {
      const { url, proc } = await startServer();
      try {
        const model = { kind: 'http', protocol: 'kserve-v2', url, name: 'bench', datatype: name === 'kserve' ? 'FP32' : 'FP64', binary: name === 'kserve-binary' };
        return await run(name, records, model, { outputs: { p: 'probability' }, batchSize: 4096, concurrency: 4, capacity: 32_768, linger: '2ms', timeout: '60s' });
      } finally {
        proc.kill();
      }
    }
    default:
      throw new Error(`unknown scenario ${name}`);
  }
}
