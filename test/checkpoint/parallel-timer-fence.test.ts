// A checkpoint of parallel instances snapshots each instance at its barrier, but takes the sinks'
// part only after the rest of the pipeline has drained (an asynchronous stage may take a while).
// Processing-time timers keep firing in the instances meanwhile; what they emit must not reach an
// exactly-once sink before its part is taken, or a restore fires the timer again (still in the
// instance's snapshot) and the output is written twice.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { planJob } from '../../runtime/engine/plan.js';
import { validatePipeline } from '../../runtime/format/validate.js';
import { setUpCheckpointing } from '../../runtime/host/checkpointing.js';
import { OPERATORS } from '../../runtime/nodes/operators.js';
import { StringOut } from '../support/harness.js';
import { scratch } from './pipeline.js';

const USERS = 12;

const doc = {
  nodes: [
    { id: 'clicks', type: 'source.generator', params: { rate: 150, count: 450, seed: 3, users: USERS } },
    { id: 'byUser', type: 'keyBy', params: { key: 'userId' } },
    {
      id: 'once',
      type: 'process',
      params: {
        // One processing-time timer per user, 60 ms after its first record: its output is once per user.
        code: "const s = ctx.state.value('seen'); if (s.value() === undefined) { s.update(1); ctx.timers.processingTime(ctx.now + 60); }",
        onTimer: 'ctx.emit({ userId: ctx.key })',
      },
    },
    { id: 'out', type: 'sink.file', params: { path: 'out/once.jsonl' } },
  ],
  edges: [
    { from: 'clicks', to: 'byUser' },
    { from: 'byUser', to: 'once' },
    { from: 'once', to: 'out' },
  ],
};

async function segment(dir: string, stopAfterMs: number | null, drainMs = 300): Promise<string> {
  const { pipeline, problems } = validatePipeline({ format: 'tributary.pipeline/v1', name: 'fence', ...doc, settings: { parallelism: 2 } });
  if (!pipeline) throw new Error(JSON.stringify(problems));
  const job = planJob(pipeline, { operators: OPERATORS, resolvePath: (p) => join(dir, p), stdout: new StringOut() });
  const ckpt = await setUpCheckpointing(job, pipeline, join(dir, 'fence.json'), { checkpointDir: join(dir, 'ck'), interval: 0 });
  if (!ckpt) throw new Error('no checkpoints');
  // The drain before the sinks' part takes `drainMs`, as behind a slow asynchronous stage.
  const barrier = job.barrier.bind(job);
  job.barrier = async (skip) => {
    await new Promise((r) => setTimeout(r, drainMs));
    return barrier(skip);
  };
  ckpt.coordinator.start();
  try {
    const run = job.run();
    if (stopAfterMs !== null) {
      if (stopAfterMs > 0) await new Promise((r) => setTimeout(r, stopAfterMs));
      await ckpt.coordinator.savepointAndStop();
    }
    const outcome = await run;
    await ckpt.coordinator.stop();
    return outcome;
  } finally {
    await ckpt.release();
  }
}

describe('parallel instances at a checkpoint', () => {
  it('hold back what processing-time timers emit after the barrier until the sinks have their part', { timeout: 120_000 }, async () => {
    const dir = scratch();
    expect(await segment(dir, 400)).not.toBe('finished');
    expect(await segment(dir, null)).toBe('finished');
    const lines = readFileSync(join(dir, 'out/once.jsonl'), 'utf8').trimEnd().split('\n').sort();
    expect(new Set(lines).size).toBe(USERS);
    expect(lines).toHaveLength(USERS);
  });

  it('a savepoint asked for as the run starts waits for the instances to be set up', { timeout: 120_000 }, async () => {
    const dir = scratch();
    expect(await segment(dir, 0, 0)).not.toBe('finished');
    expect(await segment(dir, null)).toBe('finished');
    const lines = readFileSync(join(dir, 'out/once.jsonl'), 'utf8').trimEnd().split('\n').sort();
    expect(lines).toHaveLength(USERS);
  });
});
