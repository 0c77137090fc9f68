// Parallel instances cannot checkpoint yet: a run that asks for checkpoints with
// settings.parallelism > 1 is refused before it starts (not at its first checkpoint), and the
// default periodic checkpoints are turned off with a note.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { planJob } from '../../runtime/engine/plan.js';
import { validatePipeline } from '../../runtime/format/validate.js';
import { ParallelCheckpointError, setUpCheckpointing } from '../../runtime/host/checkpointing.js';
import { OPERATORS } from '../../runtime/nodes/operators.js';
import { StringOut } from '../support/harness.js';

function planned(parallelism: number, checkpoint: boolean) {
  const dir = mkdtempSync(join(tmpdir(), 'parallel-ckpt-'));
  writeFileSync(join(dir, 'in.jsonl'), '{"user":"a","ts":1}\n');
  const doc = {
    format: 'tributary.pipeline/v1',
    name: 'p',
    settings: { parallelism, ...(checkpoint ? { checkpoint: { interval: '1s' } } : {}) },
    nodes: [
      { id: 'src', type: 'source.file', params: { path: 'in.jsonl', format: 'jsonl', eventTime: { field: 'ts', maxOutOfOrderness: '0s' } } },
      { id: 'key', type: 'keyBy', params: { key: 'user' } },
      { id: 'win', type: 'window', params: { assigner: { kind: 'tumbling', size: '1m' }, aggregates: { n: { fn: 'count' } } } },
      { id: 'out', type: 'sink.file', params: { path: 'out.jsonl' } },
    ],
    edges: [
      { from: 'src', to: 'key' },
      { from: 'key', to: 'win' },
      { from: 'win', to: 'out' },
    ],
  };
  const { pipeline, problems } = validatePipeline(doc);
  if (!pipeline) throw new Error(JSON.stringify(problems));
  const job = planJob(pipeline, { operators: OPERATORS, resolvePath: (p) => join(dir, p), stdout: new StringOut() });
  return { job, pipeline, path: join(dir, 'p.json'), dir };
}

describe('checkpoints with settings.parallelism > 1', () => {
  it('refuses checkpoints asked for in settings.checkpoint, naming settings.parallelism', async () => {
    const { job, pipeline, path } = planned(2, true);
    const setUp = setUpCheckpointing(job, pipeline, path, {});
    await expect(setUp).rejects.toBeInstanceOf(ParallelCheckpointError);
    await expect(setUp).rejects.toThrow(/settings\.parallelism is 2: 'win' run as 2 parallel instances.*settings\.checkpoint/);
  });

  it('refuses a checkpoint interval given on the command line', async () => {
    const { job, pipeline, path } = planned(2, false);
    await expect(setUpCheckpointing(job, pipeline, path, { interval: 5000 })).rejects.toThrow(/--checkpoint-interval/);
  });

  it('turns the default checkpoints off with a note', async () => {
    const { job, pipeline, path } = planned(2, false);
    const notes: string[] = [];
    expect(await setUpCheckpointing(job, pipeline, path, {}, undefined, (l) => notes.push(l))).toBeNull();
    expect(notes.join('\n')).toMatch(/checkpoints off for this run: settings\.parallelism is 2/);
  });

  it('keeps checkpoints at parallelism 1', async () => {
    const { job, pipeline, path, dir } = planned(1, true);
    const ckpt = await setUpCheckpointing(job, pipeline, path, { checkpointDir: join(dir, 'ck') });
    expect(ckpt).not.toBeNull();
    await ckpt!.release();
  });
});
