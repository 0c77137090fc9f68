// Every shipped pipeline gives, at parallelism 2 and 4, the same records as at parallelism 1: the
// same multiset on every output (the order across keys of what timers emit is not defined, as in
// Flink across subtasks; what records cause comes out in order, checked on session-recommendations). Unbounded generators get a count, and Kafka sources a generator of the same events
// (the ecommerce preset with the seed the Kafka producer pipeline uses), so the whole output can be
// compared. Outputs to
// servers (Redis, e-mail, console) are redirected to files so they can be compared; model nodes
// call the real ONNX runtime or a real KServe server.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planJob } from '../../runtime/engine/plan.js';
import { validatePipeline } from '../../runtime/format/validate.js';
import { OPERATORS } from '../../runtime/nodes/operators.js';
import { StringOut } from '../support/harness.js';
import { type KserveServer, startKserve } from '../support/kserve.js';
import { copyOfPipelines, examplePipelines } from '../support/pipelines.js';

type Node = { id: string; type: string; params: Record<string, any> };
type Doc = { nodes: Node[]; edges: unknown[]; settings?: Record<string, unknown> } & Record<string, unknown>;

/** Events an unbounded source is cut to. */
const BOUNDED = 30_000;

/** A bounded source in place of an endless generator or a Kafka topic. */
function bounded(n: Node): Node {
  if (n.type === 'source.generator' && n.params.count === undefined) return { ...n, params: { ...n.params, count: BOUNDED, rate: 0, eventTimeRate: n.params.rate } };
  if (n.type !== 'source.kafka') return n;
  return { id: n.id, type: 'source.generator', params: { preset: 'ecommerce', seed: 7, count: BOUNDED, rate: 0, eventTimeRate: 2000 } };
}

function withFileSinks(doc: Doc, parallelism: number, tag: string): Doc {
  const nodes = doc.nodes.map((n) => (n.type.startsWith('sink.') ? { id: n.id, type: 'sink.file', params: { path: `out/${tag}-${n.id}.jsonl` } } : bounded(n)));
  return { ...doc, nodes, settings: { ...(doc.settings ?? {}), parallelism } };
}

async function run(doc: Doc, dir: string, parallelism: number, tag: string): Promise<{ outputs: Map<string, string[]>; notes: readonly string[] }> {
  const d = withFileSinks(doc, parallelism, tag);
  const { pipeline, problems } = validatePipeline(d);
  if (!pipeline) throw new Error(JSON.stringify(problems));
  const job = planJob(pipeline, { operators: OPERATORS, resolvePath: (p) => join(dir, p), stdout: new StringOut() });
  expect(await job.run()).toBe('finished');
  const outputs = new Map<string, string[]>();
  for (const n of d.nodes.filter((x) => x.type === 'sink.file')) {
    const text = readFileSync(join(dir, n.params.path as string), 'utf8');
    outputs.set(n.id, text === '' ? [] : text.trimEnd().split('\n'));
  }
  return { outputs, notes: job.notes };
}

const sorted = (a: readonly string[]) => [...a].sort();

describe('parallel execution matches parallelism 1 on the shipped pipelines', () => {
  let kserve: KserveServer;
  beforeAll(async () => {
    kserve = await startKserve();
    process.env.MODEL_SERVER_URL = kserve.url;
  });
  afterAll(async () => {
    delete process.env.MODEL_SERVER_URL;
    await kserve.close();
  });

  const examples = examplePipelines();

  it('covers the pipelines with keyed operators', () => {
    const names = examples.map((e) => e.file);
    for (const f of ['cart-abandonment.json', 'cart-abandonment-process.json', 'churn-rules.json', 'session-recommendations.json', 'clickstream-redis.json']) expect(names).toContain(f);
  });

  for (const { file, doc } of examples) {
    it(file, async () => {
      const dir = copyOfPipelines();
      const one = await run(doc as Doc, dir, 1, 'p1');
      const total = [...one.outputs.values()].reduce((s, l) => s + l.length, 0);
      expect(total).toBeGreaterThan(0);
      const twoA = await run(doc as Doc, dir, 2, 'p2a');
      const four = await run(doc as Doc, dir, 4, 'p4');
      for (const [id, lines] of one.outputs) {
        expect(sorted(twoA.outputs.get(id)!), `${file} ${id} at parallelism 2`).toEqual(sorted(lines));
        expect(sorted(four.outputs.get(id)!), `${file} ${id} at parallelism 4`).toEqual(sorted(lines));
      }
      expect(twoA.notes.at(-1)).toMatch(/^parallelism 2/);
      // Its first process node feeds the second, keyed otherwise, which must hear each product's
      // viewers in the order of parallelism 1: both run in parallel, and the output is the same
      // record for record, in order (the first node's outputs are merged by input position).
      if (file === 'session-recommendations.json') {
        expect(twoA.notes.at(-1)).toMatch(/'recentViews', 'coViews' run in 2 worker threads/);
        for (const [id, lines] of one.outputs) {
          expect(twoA.outputs.get(id), `${file} ${id} in order at parallelism 2`).toEqual(lines);
          expect(four.outputs.get(id), `${file} ${id} in order at parallelism 4`).toEqual(lines);
        }
      }
    }, 600_000);
  }
});
