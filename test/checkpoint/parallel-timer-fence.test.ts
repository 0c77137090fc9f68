// A checkpoint of parallel instances snapshots each instance at its barrier, but takes the sinks'
// part only after the rest of the pipeline has drained (an asynchronous stage may take a while).
// Processing-time timers keep firing in the instances meanwhile; what they emit must not reach an
// exactly-once sink before its part is taken, or a restore fires the timer again (still in the
// instance's snapshot) and the output is written twice. Processing-time timers on the job's thread
// fire meanwhile too: what a single-instance node upstream emits into parallel instances after
// their barrier must be in the checkpoint (held by the parallel node), or a restore loses it.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readCheckpoint } from '../../runtime/connectors/files/checkpoints.js';
import { planJob } from '../../runtime/engine/plan.js';
import { validatePipeline } from '../../runtime/format/validate.js';
import { setUpCheckpointing } from '../../runtime/host/checkpointing.js';
import { OPERATORS } from '../../runtime/nodes/operators.js';
import { StringOut } from '../support/harness.js';
import type { Doc } from './parallel-restore.js';
import { scratch } from './pipeline.js';

const USERS = 12;

const doc: Doc = {
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

// keyBy(user) → a process node buffering each user's records until a processing-time timer 40 ms
// later (it runs once: it feeds another stateful node) → keyBy(product) → a parallel process node.
const EVENTS = 450;
const delayed: Doc = {
  nodes: [
    { id: 'clicks', type: 'source.generator', params: { rate: 150, count: EVENTS, seed: 4, users: USERS } },
    { id: 'byUser', type: 'keyBy', params: { key: 'userId' } },
    {
      id: 'delay',
      type: 'process',
      params: {
        code: "ctx.state.list('buf').add(event); ctx.timers.processingTime(ctx.now + 40);",
        onTimer: "const b = ctx.state.list('buf'); for (const e of b.get()) ctx.emit(e); b.clear();",
      },
    },
    { id: 'byProduct', type: 'keyBy', params: { key: 'productId' } },
    { id: 'each', type: 'process', params: { code: 'ctx.emit({ eventId: event.eventId })' } },
    { id: 'out', type: 'sink.file', params: { path: 'out/each.jsonl' } },
  ],
  edges: [
    { from: 'clicks', to: 'byUser' },
    { from: 'byUser', to: 'delay' },
    { from: 'delay', to: 'byProduct' },
    { from: 'byProduct', to: 'each' },
    { from: 'each', to: 'out' },
  ],
};

interface Options {
  /** How long the drain before the sinks' part takes, as behind a slow asynchronous stage. */
  drainMs?: number;
  /** Only that drain (the one after the instances' barrier) takes `drainMs`, not the one before it. */
  afterBarrier?: boolean;
  doc?: Doc;
  parallelism?: number;
  /** A checkpoint instead, then the run goes on for a while and stops without a savepoint (as if killed). */
  checkpoint?: boolean;
}

/** A run resumed from the newest savepoint, stopped with a savepoint after `stopAfterMs` (null: to the end). */
async function segment(dir: string, stopAfterMs: number | null, opts: Options = {}): Promise<{ outcome: string; savepoint: string | null }> {
  const { drainMs = 300, afterBarrier = false, doc: d = doc, parallelism = 2, checkpoint = false } = opts;
  const { pipeline, problems } = validatePipeline({ format: 'tributary.pipeline/v1', name: 'fence', ...d, settings: { parallelism } });
  if (!pipeline) throw new Error(JSON.stringify(problems));
  const job = planJob(pipeline, { operators: OPERATORS, resolvePath: (p) => join(dir, p), stdout: new StringOut() });
  const ckpt = await setUpCheckpointing(job, pipeline, join(dir, 'fence.json'), { checkpointDir: join(dir, 'ck'), interval: 0 });
  if (!ckpt) throw new Error('no checkpoints');
  const barrier = job.barrier.bind(job);
  let drains = 0;
  job.barrier = async (skip) => {
    // A savepoint drains twice: before the instances' barrier and after it.
    if (!afterBarrier || ++drains % 2 === 0) await new Promise((r) => setTimeout(r, drainMs));
    return barrier(skip);
  };
  ckpt.coordinator.start();
  try {
    const run = job.run();
    let savepoint: string | null = null;
    if (stopAfterMs !== null) {
      if (stopAfterMs > 0) await new Promise((r) => setTimeout(r, stopAfterMs));
      if (checkpoint) {
        savepoint = await ckpt.coordinator.trigger('checkpoint');
        await new Promise((r) => setTimeout(r, 300));
        job.stop();
      } else savepoint = await ckpt.coordinator.savepointAndStop();
    }
    const outcome = await run;
    await ckpt.coordinator.stop();
    return { outcome, savepoint };
  } finally {
    await ckpt.release();
  }
}

describe('parallel instances at a checkpoint', () => {
  it('hold back what processing-time timers emit after the barrier until the sinks have their part', { timeout: 120_000 }, async () => {
    const dir = scratch();
    expect((await segment(dir, 400)).outcome).not.toBe('finished');
    expect((await segment(dir, null)).outcome).toBe('finished');
    const lines = readFileSync(join(dir, 'out/once.jsonl'), 'utf8').trimEnd().split('\n').sort();
    expect(new Set(lines).size).toBe(USERS);
    expect(lines).toHaveLength(USERS);
  });

  it('a savepoint asked for as the run starts waits for the instances to be set up', { timeout: 120_000 }, async () => {
    const dir = scratch();
    expect((await segment(dir, 0, { drainMs: 0 })).outcome).not.toBe('finished');
    expect((await segment(dir, null)).outcome).toBe('finished');
    const lines = readFileSync(join(dir, 'out/once.jsonl'), 'utf8').trimEnd().split('\n').sort();
    expect(lines).toHaveLength(USERS);
  });

  // Restored at the same parallelism, and into one instance (the held records routed again); from a
  // checkpoint after which the run went on (the held records were sent on: neither lost nor doubled).
  for (const [resume, checkpoint] of [[2, false], [1, false], [2, true]] as const) {
    it(`keep what a node upstream emits into the instances after their barrier in the ${checkpoint ? 'checkpoint' : 'savepoint'} (resumed at parallelism ${resume})`, { timeout: 120_000 }, async () => {
      const dir = scratch();
      const cut = await segment(dir, 700, { drainMs: 300, afterBarrier: true, doc: delayed, checkpoint });
      expect(cut.outcome).not.toBe('finished');
      // The upstream timers fired during the drain: the savepoint holds what they sent the parallel node.
      expect((await readCheckpoint(cut.savepoint!)).nodes.each!.held?.length).toBeGreaterThan(0);
      expect((await segment(dir, null, { doc: delayed, parallelism: resume })).outcome).toBe('finished');
      const ids = readFileSync(join(dir, 'out/each.jsonl'), 'utf8')
        .trimEnd()
        .split('\n')
        .map((l) => (JSON.parse(l) as { eventId: number }).eventId)
        .sort((a, b) => a - b);
      expect(ids).toEqual(Array.from({ length: EVENTS }, (_, i) => i + 1));
    });
  }
});
