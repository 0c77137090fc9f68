// A run of a pipeline file cut into segments, in process: each segment resumes from the newest
// checkpoint, stops with a savepoint once `cut` periodic checkpoints are written (as Ctrl-C stops
// a run), and the next one may run at another parallelism. What the file sinks hold at the end is
// compared with an uninterrupted run.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { planJob } from '../../runtime/engine/plan.js';
import { validatePipeline } from '../../runtime/format/validate.js';
import { setUpCheckpointing } from '../../runtime/host/checkpointing.js';
import { OPERATORS } from '../../runtime/nodes/operators.js';
import { StringOut } from '../support/harness.js';
import type { Node } from './pipeline.js';

export interface Doc {
  nodes: Node[];
  edges: { from: string; to: string }[];
}

export interface Segment {
  /** The segment resumed from a checkpoint. */
  readonly resumed: boolean;
  readonly outcome: string;
}

export async function runSegment(doc: Doc, dir: string, parallelism: number, cut: number | null, interval = 40): Promise<Segment> {
  const { pipeline, problems } = validatePipeline({ format: 'tributary.pipeline/v1', name: 'cut', ...doc, settings: { parallelism } });
  if (!pipeline) throw new Error(JSON.stringify(problems));
  const job = planJob(pipeline, { operators: OPERATORS, resolvePath: (p) => join(dir, p), stdout: new StringOut() });
  const failures: unknown[] = [];
  const ckpt = await setUpCheckpointing(job, pipeline, join(dir, 'cut.json'), { checkpointDir: join(dir, 'ck'), interval: cut === null ? 0 : interval }, (err) => failures.push(err));
  if (!ckpt) throw new Error('no checkpoints for this pipeline');
  if (cut !== null) {
    const store = ckpt.store;
    const persist = store.persist.bind(store);
    let written = 0;
    store.persist = async (id, kind, bytes) => {
      const path = await persist(id, kind, bytes);
      if (kind === 'checkpoint' && ++written === cut && !job.inputsDone) void ckpt.coordinator.savepointAndStop().catch(() => {});
      return path;
    };
  }
  ckpt.coordinator.start();
  try {
    const outcome = await job.run();
    await ckpt.coordinator.stop();
    // A savepoint asked for just as the input ended is declined without a failure (coordinator.ts).
    if (failures.length > 0) throw failures[0];
    if (outcome === 'finished') await ckpt.store.clear();
    return { resumed: ckpt.resumedFrom !== null, outcome };
  } finally {
    await ckpt.release();
  }
}

/**
 * Segments at the given parallelisms (the last one repeated) until one finishes; each stops after
 * `cut` checkpoints. Returns the segments run.
 */
export async function runCut(doc: Doc, dir: string, parallelisms: readonly number[], cut: number, maxSegments = 40): Promise<Segment[]> {
  const segments: Segment[] = [];
  for (let i = 0; i < maxSegments; i++) {
    const s = await runSegment(doc, dir, parallelisms[Math.min(i, parallelisms.length - 1)]!, cut);
    segments.push(s);
    if (s.outcome === 'finished') return segments;
  }
  throw new Error(`not finished after ${maxSegments} segments`);
}

/** The lines of each file sink's output, sorted (the order across keys is not defined at parallelism > 1). */
export function sortedOutputs(doc: Doc, dir: string): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const n of doc.nodes) {
    if (n.type !== 'sink.file') continue;
    const text = readFileSync(join(dir, n.params!.path as string), 'utf8');
    out[n.id] = (text === '' ? [] : text.trimEnd().split('\n')).sort();
  }
  return out;
}
