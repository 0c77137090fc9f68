// Checkpoints for a run of a pipeline file (the CLI and the editor's host share it): where they
// live, how often they are taken, and resuming from the newest one that reads back whole.
import { readFile, rm, rmdir, writeFile } from 'node:fs/promises';
import { makeDirs } from '../connectors/files/make-dirs.js';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { CheckpointCoordinator } from '../engine/checkpoint/coordinator.js';
import { isCheckpointed } from '../engine/checkpoint/participant.js';
import { type RestoreReport, restore } from '../engine/checkpoint/snapshot.js';
import type { Job } from '../engine/job.js';
import { SourceOperator } from '../engine/source.js';
import { CorruptCheckpointError, FolderCheckpointStore, newestCheckpoint, readCheckpoint } from '../connectors/files/checkpoints.js';
import { parseDuration } from '../format/duration.js';
import type { Pipeline } from '../format/validate.js';

/** Without `settings.checkpoint.interval`, a pipeline whose sources can all be replayed checkpoints this often. */
export const DEFAULT_CHECKPOINT_INTERVAL = 10_000;

export interface CheckpointOptions {
  /** Folder for this pipeline's checkpoints (default `.tributary/checkpoints/<file name>` beside it). */
  readonly checkpointDir?: string;
  /** Folder for savepoints (default: the checkpoint folder). */
  readonly savepointDir?: string;
  /** Resume from this checkpoint or savepoint file instead of the newest. */
  readonly from?: string;
  /** Ignore existing checkpoints. */
  readonly fresh?: boolean;
  readonly allowNonRestoredState?: boolean;
  /** Override the interval (ms); 0 turns periodic checkpoints off (savepoints on stop stay). */
  readonly interval?: number;
}

export interface Checkpointing {
  readonly coordinator: CheckpointCoordinator;
  readonly store: FolderCheckpointStore;
  /** What was resumed, for the user. */
  readonly resumedFrom: string | null;
  readonly report: RestoreReport | null;
  /** Lines to tell the user (fallbacks from damaged checkpoints, dropped state). */
  readonly notes: string[];
  /** Let another run use the folder (the run is over). */
  release(): Promise<void>;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * One run per checkpoint folder: two runs continuing the same in-progress files would corrupt
 * them. A lock left by a killed run (its process gone) is taken over. Resolves with the holder's
 * pid when another live run has it.
 */
async function lockFolder(dir: string, made: { first: string | undefined }): Promise<number | null> {
  made.first = await makeDirs(dir);
  const lock = join(dir, 'run.lock');
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      await writeFile(lock, String(process.pid), { flag: 'wx' });
      return null;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const holder = Number((await readFile(lock, 'utf8').catch(() => '')).trim());
    if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && alive(holder)) return holder;
    await rm(lock, { force: true });
  }
  throw new Error(`cannot lock ${dir}`);
}

export function defaultCheckpointDir(pipelinePath: string): string {
  const file = basename(pipelinePath, extname(pipelinePath));
  return join(dirname(resolve(pipelinePath)), '.tributary', 'checkpoints', file);
}

/**
 * Checkpoints need every source to be replayable from a position the checkpoint holds (files and
 * the generator today); otherwise state restored from one would meet input read again or lost.
 */
export function replayable(job: Job): boolean {
  const sources = [...new Set(job.operators.values())].filter((o) => o instanceof SourceOperator);
  return sources.length > 0 && sources.every((s) => isCheckpointed(s));
}

/**
 * Set up checkpointing for a planned job and restore it when a checkpoint is there; null when the
 * pipeline's sources cannot be replayed. Throws (with the reason) when the checkpoint to resume
 * cannot be used: a damaged `--from`, state it cannot place, or state of parallel instances that
 * cannot be split for this run's parallelism.
 */
export async function setUpCheckpointing(
  job: Job,
  pipeline: Pipeline,
  pipelinePath: string,
  opts: CheckpointOptions,
  onFailure?: (err: unknown) => void,
  warn: (line: string) => void = () => {},
): Promise<Checkpointing | null> {
  if (!replayable(job)) return null;
  const dir = opts.checkpointDir ?? defaultCheckpointDir(pipelinePath);
  const made: { first: string | undefined } = { first: undefined };
  const holder = await lockFolder(dir, made);
  if (holder !== null) {
    warn(`checkpoints off for this run: another run (process ${holder}) is using ${dir}; pass --checkpoint-dir to give this one its own`);
    return null;
  }
  const lock = join(dir, 'run.lock');
  const release = async () => {
    await rm(lock, { force: true });
    // Folders this run created and left empty (a run that finished, or never checkpointed) go too.
    if (made.first === undefined) return;
    for (let d = dir; ; d = dirname(d)) {
      if (!(await rmdir(d).then(() => true, () => false))) break;
      if (d === made.first) break;
    }
  };
  try {
    return await setUp(job, pipeline, pipelinePath, dir, opts, release, onFailure);
  } catch (err) {
    await release();
    throw err;
  }
}

async function setUp(
  job: Job,
  pipeline: Pipeline,
  pipelinePath: string,
  dir: string,
  opts: CheckpointOptions,
  release: () => Promise<void>,
  onFailure?: (err: unknown) => void,
): Promise<Checkpointing> {
  const store = new FolderCheckpointStore(dir, opts.savepointDir ?? dir);
  const notes: string[] = [];
  let resumedFrom: string | null = null;
  let report: RestoreReport | null = null;
  let data = null;
  if (opts.from !== undefined) {
    resumedFrom = resolve(opts.from);
    data = await readCheckpoint(resumedFrom);
  } else if (!opts.fresh) {
    const { found, skipped } = await newestCheckpoint([dir, store.savepointDir]);
    for (const s of skipped) notes.push(`${s.message}${found ? '; using an older one' : ''}`);
    if (found) {
      data = found.data;
      resumedFrom = found.path;
    }
  }
  if (data) {
    report = restore(job, data, opts.allowNonRestoredState === true);
    if (report.dropped.length > 0) notes.push(`state of ${report.dropped.map((n) => `'${n}'`).join(', ')} not restored (no such node now)`);
  }
  const configured = pipeline.settings.checkpoint?.interval;
  const interval = opts.interval !== undefined ? opts.interval : configured !== undefined ? parseDuration(configured)! : DEFAULT_CHECKPOINT_INTERVAL;
  const coordinator = new CheckpointCoordinator(job, store, {
    interval: interval > 0 ? interval : null,
    pipeline: pipeline.name ?? basename(pipelinePath),
    firstId: Math.max(await store.nextId(), (data?.id ?? 0) + 1),
    onFailure,
  });
  return { coordinator, store, resumedFrom, report, notes, release };
}

export { CorruptCheckpointError };
