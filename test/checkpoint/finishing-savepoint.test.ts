// A savepoint asked for once the input has ended (Ctrl-C or the editor's Stop as the run
// finishes) is declined, not failed: the run finishes on its own, nothing is counted as a failed
// checkpoint, and the caller gets an error it can tell the user about as such.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RunFinishingError } from '../../runtime/engine/checkpoint/coordinator.js';
import { planJob } from '../../runtime/engine/plan.js';
import { validatePipeline } from '../../runtime/format/validate.js';
import { setUpCheckpointing } from '../../runtime/host/checkpointing.js';
import { OPERATORS } from '../../runtime/nodes/operators.js';
import { StringOut } from '../support/harness.js';
import { scratch } from './pipeline.js';

describe('a savepoint asked for as the input ends', () => {
  it('is declined with RunFinishingError, not reported or counted as a failed checkpoint', async () => {
    const dir = scratch();
    const doc = {
      nodes: [
        { id: 'clicks', type: 'source.generator', params: { rate: 0, count: 100, seed: 1, users: 5 } },
        { id: 'out', type: 'sink.file', params: { path: 'out/all.jsonl' } },
      ],
      edges: [{ from: 'clicks', to: 'out' }],
    };
    const { pipeline, problems } = validatePipeline({ format: 'tributary.pipeline/v1', name: 'fin', ...doc });
    if (!pipeline) throw new Error(JSON.stringify(problems));
    const job = planJob(pipeline, { operators: OPERATORS, resolvePath: (p) => join(dir, p), stdout: new StringOut() });
    const failures: unknown[] = [];
    const ckpt = await setUpCheckpointing(job, pipeline, join(dir, 'fin.json'), { checkpointDir: join(dir, 'ck'), interval: 0 }, (err) => failures.push(err));
    if (!ckpt) throw new Error('no checkpoints');
    ckpt.coordinator.start();
    try {
      expect(await job.run()).toBe('finished');
      const err = await ckpt.coordinator.savepointAndStop().then(() => null, (e: unknown) => e);
      expect(err).toBeInstanceOf(RunFinishingError);
      expect((err as Error).message).toMatch(/the input has ended and the run is finishing on its own, so no savepoint was taken/);
      expect(failures).toEqual([]);
      expect(ckpt.coordinator.stats.failed).toBe(0);
    } finally {
      await ckpt.coordinator.stop();
      await ckpt.release();
    }
  });
});
