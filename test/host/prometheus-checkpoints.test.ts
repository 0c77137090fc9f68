// Prometheus exposes a checkpointing run's figures under Flink's checkpoint metric names (Flink
// docs, Metrics → Checkpointing: lastCheckpointDuration, lastCheckpointSize,
// numberOfCompletedCheckpoints, numberOfFailedCheckpoints), job-scoped with our prefix, scraped over
// HTTP from a real run as `tributary run --metrics-port` serves them.
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { planJob } from '../../runtime/engine/plan.js';
import { validatePipeline } from '../../runtime/format/validate.js';
import { setUpCheckpointing } from '../../runtime/host/checkpointing.js';
import { metricsRegistry, serveMetrics } from '../../runtime/host/prometheus.js';
import { OPERATORS } from '../../runtime/nodes/operators.js';

const doc = {
  format: 'tributary.pipeline/v1',
  name: 'scraped',
  settings: { checkpoint: { interval: '200ms' } },
  nodes: [
    { id: 'clicks', type: 'source.generator', params: { rate: 2000, seed: 9, users: 100000 } },
    { id: 'byUser', type: 'keyBy', params: { key: 'userId' } },
    { id: 'win', type: 'window', params: { assigner: { kind: 'tumbling', size: '1h' }, aggregates: { n: { fn: 'count' } } } },
    { id: 'out', type: 'sink.file', params: { path: 'out.jsonl' } },
  ],
  edges: [
    { from: 'clicks', to: 'byUser' },
    { from: 'byUser', to: 'win' },
    { from: 'win', to: 'out' },
  ],
};

const until = async (cond: () => boolean, ms = 30_000) => {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 25));
  }
};

function value(text: string, name: string): number | null {
  const m = new RegExp(`^tributary_job_${name} (\\S+)$`, 'm').exec(text);
  return m ? Number(m[1]) : null;
}

describe('Prometheus checkpoint metrics', () => {
  it("serves Flink's names with the last checkpoint's duration and size and the completed and failed counts", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tributary-prom-ckpt-'));
    const path = join(dir, 'scraped.json');
    writeFileSync(path, JSON.stringify(doc));
    const { pipeline } = validatePipeline(doc);
    const job = planJob(pipeline!, { operators: OPERATORS, resolvePath: (f) => join(dir, f), stdout: process.stdout });
    const ckpt = (await setUpCheckpointing(job, pipeline!, path, {}))!;
    const stats = ckpt.coordinator.stats;
    const server = await serveMetrics(metricsRegistry(() => job.metrics, () => stats), 0);
    const scrape = async () => (await fetch(server.url, { headers: { authorization: `Bearer ${server.token}` } })).text();
    try {
      expect((await fetch(server.url)).status).toBe(401);
      // Before the first checkpoint: counts at 0, and -1 for the last one's figures, as in Flink.
      const before = await scrape();
      expect(value(before, 'numberOfCompletedCheckpoints')).toBe(0);
      expect(value(before, 'lastCheckpointSize')).toBe(-1);
      expect(value(before, 'lastCheckpointDuration')).toBe(-1);
      ckpt.coordinator.start();
      const ran = job.run();
      await until(() => stats.completed >= 2);
      const text = await scrape();
      expect(text).toMatch(/^# TYPE tributary_job_lastCheckpointDuration gauge$/m);
      expect(value(text, 'numberOfCompletedCheckpoints')).toBeGreaterThanOrEqual(2);
      expect(value(text, 'numberOfFailedCheckpoints')).toBe(0);
      expect(value(text, 'lastCheckpointSize')).toBeGreaterThan(100);
      expect(value(text, 'lastCheckpointDuration')).toBeGreaterThanOrEqual(0);

      // A checkpoint that cannot be written counts as failed.
      const folder = join(dir, '.tributary', 'checkpoints', 'scraped');
      renameSync(folder, `${folder}.gone`);
      writeFileSync(folder, 'not a folder');
      await until(() => stats.failed >= 1);
      expect(value(await scrape(), 'numberOfFailedCheckpoints')).toBeGreaterThanOrEqual(1);
      job.stop();
      await ran;
      rmSync(folder);
      renameSync(`${folder}.gone`, folder);
    } finally {
      await ckpt.coordinator.stop();
      await ckpt.release();
      await server.close();
    }
  });
});
