// A real two-process Flink session cluster (`tributary flink cluster up`), a job submitted to it
// over REST (`tributary flink run`), and its output equal to the embedded runtime's
// (`tributary run`). Also: `flink local`, and a node that cannot run on Flink named before anything
// is submitted.
import { createServer } from 'node:net';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { flinkJar, sortedLines } from '../support/flink.js';

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

const pipeline = (out: string) => ({
  format: 'tributary.pipeline/v1',
  name: 'flink-cluster-test',
  nodes: [
    { id: 'clicks', type: 'source.generator', label: 'Clicks', params: { rate: 0, count: 20_000, seed: 5, users: 200, eventTimeRate: 40 } },
    // `code`: GraalJS runs on the TaskManager, from the cluster's classpath.
    { id: 'carts', type: 'filter', label: 'Cart adds', params: { code: "return event.eventType === 'ADD_TO_CART';" } },
    { id: 'byCategory', type: 'keyBy', params: { key: 'category' } },
    { id: 'perMinute', type: 'window', label: 'Per minute', params: { assigner: { kind: 'tumbling', size: '1m' }, aggregates: { adds: { fn: 'count' }, units: { fn: 'sum', field: 'quantity' }, top: { fn: 'topK', field: 'productId', k: 3 } } } },
    { id: 'out', type: 'sink.file', params: { path: out } },
  ],
  edges: [
    { from: 'clicks', to: 'carts' },
    { from: 'carts', to: 'byCategory' },
    { from: 'byCategory', to: 'perMinute' },
    { from: 'perMinute', to: 'out' },
  ],
});

describe('tributary flink', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tributary-flink-cli-'));
  let port = 0;

  beforeAll(async () => {
    flinkJar();
    port = await freePort();
  }, 900_000);

  afterAll(async () => {
    await runCli(['flink', 'cluster', 'down', '--dir', join(dir, 'cluster')], { timeout: 120_000 });
  }, 60_000);

  it('names every node that cannot run on Flink, with the reason, and submits nothing', async () => {
    const file = join(dir, 'bad.json');
    const doc = pipeline('out/bad.jsonl');
    doc.nodes.splice(3, 1, { ...doc.nodes[3]!, params: { ...doc.nodes[3]!.params, time: 'processing' } } as never);
    writeFileSync(file, JSON.stringify(doc));
    const r = await runCli(['flink', 'run', file, '--jobmanager', 'http://127.0.0.1:9', '--trust'], { timeout: 120_000 });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("node 'perMinute': processing-time windows are not translated yet");
    expect(r.stderr).not.toContain('cannot reach');
  });

  it('runs on a two-process session cluster over REST with the embedded runtime\'s results, and locally in a MiniCluster', async () => {
    writeFileSync(join(dir, 'embedded.json'), JSON.stringify(pipeline('out/embedded.jsonl')));
    writeFileSync(join(dir, 'cluster.json'), JSON.stringify(pipeline('out/cluster.jsonl')));
    writeFileSync(join(dir, 'local.json'), JSON.stringify(pipeline('out/local.jsonl')));
    // The filter's `code` runs only in a trusted file, on both engines.
    const embedded = await runCli(['run', join(dir, 'embedded.json'), '-q', '--trust'], { timeout: 120_000 });
    expect(embedded.code, embedded.stderr).toBe(0);

    const up = await runCli(['flink', 'cluster', 'up', '--port', String(port), '--slots', '2', '--dir', join(dir, 'cluster')], { timeout: 180_000 });
    expect(up.code, up.stderr).toBe(0);
    expect(up.stdout).toContain(`http://127.0.0.1:${port}`);
    const overview = (await (await fetch(`http://127.0.0.1:${port}/overview`)).json()) as { taskmanagers: number };
    expect(overview.taskmanagers).toBe(1);

    const run = await runCli(['flink', 'run', join(dir, 'cluster.json'), '--jobmanager', `http://127.0.0.1:${port}`, '--parallelism', '2', '--trust'], { timeout: 300_000 });
    expect(run.code, run.stderr).toBe(0);
    const jobId = /job ([0-9a-f]{32})/.exec(run.stdout)![1]!;
    expect(run.stdout).toContain(`http://127.0.0.1:${port}/#/job/running/${jobId}/overview`);
    expect(run.stderr).toContain('state: FINISHED');
    // Flink's web UI shows the canvas: operators named by label.
    const plan = (await (await fetch(`http://127.0.0.1:${port}/jobs/${jobId}/plan`)).json()) as { plan: { nodes: { description: string }[] } };
    expect(plan.plan.nodes.map((n) => n.description).join(' ')).toContain('Per minute');

    const local = await runCli(['flink', 'local', join(dir, 'local.json'), '--trust'], { timeout: 300_000 });
    expect(local.code, local.stderr).toBe(0);

    const want = sortedLines(join(dir, 'out', 'embedded.jsonl'));
    expect(want.length).toBeGreaterThan(10);
    expect(sortedLines(join(dir, 'out', 'cluster.jsonl'))).toEqual(want);
    expect(sortedLines(join(dir, 'out', 'local.jsonl'))).toEqual(want);
  }, 900_000);
});
