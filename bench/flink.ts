// Scenarios of the Flink bench: the same pipeline over the same input (the built-in clickstream
// generator, unthrottled, same seed and count) on the embedded runtime and on Apache Flink in a
// MiniCluster (`tributary flink local`) at parallelism 1 and 2. The embedded figure is the job's
// run in this process; Flink's is the job's net runtime as Flink reports it (JobExecutionResult),
// so neither counts the start of its JVM or cluster — that start is reported beside it.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ADD_OPENS, flinkClasspath, flinkJobJar } from '../runtime/cli/flink-build.js';
import { compileForFlink } from '../runtime/format/flink.js';
import { validatePipeline, type Pipeline } from '../runtime/format/validate.js';
import { planJob } from '../runtime/engine/plan.js';
import { OPERATORS } from '../runtime/nodes/operators.js';
import type { ScenarioResult } from './section.js';

export const FLINK_PIPELINES = ['window', 'cep'] as const;
export type FlinkPipeline = (typeof FLINK_PIPELINES)[number];

export interface FlinkBenchResult extends ScenarioResult {
  /** Wall-clock of the whole run, start of the JVM and cluster included (Flink only). */
  wallSeconds?: number;
  /** Hash of the output's sorted lines: both engines must write the same records. */
  outputHash: string;
  outputLines: number;
}

const generator = (count: number) => ({
  id: 'clicks',
  type: 'source.generator',
  label: 'Shop clickstream',
  params: { preset: 'ecommerce', rate: 0, count, seed: 5, users: 500, eventTimeRate: 15 },
});

/** The keyed tumbling window, and cart-abandonment's CEP pattern (pipelines/cart-abandonment.json). */
function pipelineDoc(kind: FlinkPipeline, count: number, out: string): Record<string, unknown> {
  const node =
    kind === 'window'
      ? { id: 'w', type: 'window', label: 'Per user and minute', params: { assigner: { kind: 'tumbling', size: '1m' }, aggregates: { events: { fn: 'count' }, spent: { fn: 'sum', field: 'price' }, top: { fn: 'max', field: 'price' } } } }
      : {
          id: 'w',
          type: 'cep',
          label: 'Added, not bought within 15 min',
          params: {
            pattern: [
              { name: 'add', where: "eventType == 'ADD_TO_CART' && price * quantity >= 100" },
              { name: 'purchase', where: "eventType == 'PURCHASE'", negated: true },
            ],
            within: '15m',
            select: '{ userId: key, productId: match.add[0].productId, addedAt: match.add[0].ts }',
          },
        };
  return {
    format: 'tributary.pipeline/v1',
    name: `bench-flink-${kind}`,
    nodes: [generator(count), { id: 'byUser', type: 'keyBy', params: { key: 'userId' } }, node, { id: 'sink', type: 'sink.file', params: { path: out } }],
    edges: [
      { from: 'clicks', to: 'byUser' },
      { from: 'byUser', to: 'w' },
      { from: 'w', to: 'sink' },
    ],
  };
}

function validated(doc: Record<string, unknown>): Pipeline {
  const { pipeline, problems } = validatePipeline(doc);
  if (!pipeline) throw new Error(problems.map((p) => `${p.nodeId} ${p.path}: ${p.message}`).join('\n'));
  return pipeline;
}

function digest(file: string): { outputHash: string; outputLines: number } {
  const lines = readFileSync(file, 'utf8').split('\n').filter((l) => l !== '').sort();
  return { outputHash: createHash('sha256').update(lines.join('\n')).digest('hex').slice(0, 16), outputLines: lines.length };
}

/** `embedded-<kind>` or `flink-<kind>-p<N>`. */
export async function runFlinkScenario(scenario: string, records: number): Promise<FlinkBenchResult> {
  const m = /^(embedded|flink)-(window|cep)(?:-p(\d+))?$/.exec(scenario);
  if (!m) throw new Error(`unknown flink bench scenario ${scenario}`);
  const kind = m[2] as FlinkPipeline;
  const dir = mkdtempSync(join(tmpdir(), 'tributary-bench-flink-'));
  const out = join(dir, 'out.jsonl');
  try {
    const pipeline = validated(pipelineDoc(kind, records, out));
    if (m[1] === 'embedded') {
      const job = planJob(pipeline, { operators: OPERATORS, resolvePath: (p) => p, stdout: process.stderr });
      const t0 = performance.now();
      const outcome = await job.run();
      const seconds = (performance.now() - t0) / 1000;
      if (outcome !== 'finished') throw new Error(`embedded run ended ${outcome}`);
      return { scenario, records, seconds, ...digest(out) };
    }
    const parallelism = Number(m[3] ?? 1);
    const file = join(dir, 'pipeline.flink.json');
    writeFileSync(file, JSON.stringify(compileForFlink(pipeline, (p) => p, parallelism)));
    const cp = `${flinkJobJar()}:${flinkClasspath()}`;
    const t0 = performance.now();
    const r = spawnSync('java', [...ADD_OPENS, '-cp', cp, 'dev.tributary.flink.TributaryJob', '--pipeline', file, '--parallelism', String(parallelism)], { encoding: 'utf8', maxBuffer: 64 * 2 ** 20 });
    const wallSeconds = (performance.now() - t0) / 1000;
    const ran = /tributary: job ran (\d+) ms/.exec(r.stderr);
    if (r.status !== 0 || !ran) throw new Error(`Flink job failed: ${r.stderr.slice(-2000)}`);
    return { scenario, records, seconds: Number(ran[1]) / 1000, wallSeconds, ...digest(out) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
