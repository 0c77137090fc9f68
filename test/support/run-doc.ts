// Runs a pipeline document with its files in a scratch folder, as `tributary run` would, for tests
// that compare runs (parallelism 1 against N): how it ended (or the error it failed with), the
// planner's notes, and what a file sink wrote.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type JobOutcome } from '../../runtime/engine/job.js';
import { planJob } from '../../runtime/engine/plan.js';
import { validatePipeline } from '../../runtime/format/validate.js';
import { OPERATORS } from '../../runtime/nodes/operators.js';
import { StringOut } from './harness.js';

export interface DocRun {
  readonly outcome: JobOutcome | 'failed';
  readonly error: unknown;
  readonly notes: readonly string[];
}

export async function runDoc(dir: string, doc: unknown): Promise<DocRun> {
  const { pipeline, problems } = validatePipeline(doc);
  if (!pipeline) throw new Error(JSON.stringify(problems));
  let notes: readonly string[] = [];
  try {
    // Planning builds each node once on this thread too (a failing `open` fails there).
    const job = planJob(pipeline, { operators: OPERATORS, resolvePath: (p) => join(dir, p), stdout: new StringOut() });
    notes = job.notes;
    return { outcome: await job.run(), error: null, notes };
  } catch (err) {
    return { outcome: 'failed', error: err, notes };
  }
}

/** The lines a file sink wrote (sorted when asked); none when it never opened its file. */
export function sinkLines(dir: string, path: string, sorted = false): string[] {
  let text = '';
  try {
    text = readFileSync(join(dir, path), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const lines = text === '' ? [] : text.trimEnd().split('\n');
  return sorted ? lines.sort() : lines;
}
