// Checkpoints for the editor's runs, on top of the CLI's (checkpointing.ts): the same folder beside
// a saved pipeline file, so `tributary run` and the editor resume each other's checkpoints. What
// crosses the wire: where a checkpoint is (workspace-relative), when, how big; the figures the
// status bar shows, with Flink's checkpoint metric names.
import { realpath, stat } from 'node:fs/promises';
import { dirname, isAbsolute, relative, sep } from 'node:path';
import type { CheckpointStats } from '../engine/checkpoint/coordinator.js';
import { listCheckpoints } from '../connectors/files/checkpoints.js';
import { defaultCheckpointDir } from './checkpointing.js';
import type { CheckpointFigures, SavedCheckpoint } from './contract.js';

/** A path as the user finds it in the workspace; an absolute one when it is outside. */
export function shownPath(root: string, abs: string): string {
  const rel = relative(root, abs);
  return rel === '' || rel.startsWith('..') || isAbsolute(rel) ? abs : rel.split(sep).join('/');
}

function inside(root: string, p: string): boolean {
  const rel = relative(root, p);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/**
 * Whether a pipeline's checkpoint folder really is inside the pipeline's folder: the host writes,
 * reads and deletes checkpoint files there, so a `.tributary` (or a folder below it) that is a
 * symbolic link out of it (a cloned project can carry one) is not followed, as the workspace
 * follows no link out of itself. The closest existing ancestor is checked (the rest is made inside it).
 */
export async function checkpointFolderInside(pipelineFolder: string, pipelinePath: string): Promise<boolean> {
  const base = await realpath(pipelineFolder);
  for (let probe = defaultCheckpointDir(pipelinePath); ; probe = dirname(probe)) {
    try {
      return inside(base, await realpath(probe));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || dirname(probe) === probe) return false;
    }
  }
}

/** A checkpoint file as the editor shows it; null when it is gone. */
export async function savedCheckpoint(root: string, path: string, id: number, kind: SavedCheckpoint['kind']): Promise<SavedCheckpoint | null> {
  try {
    const s = await stat(path);
    return { id, kind, path: shownPath(root, path), at: Math.round(s.mtimeMs), bytes: s.size };
  } catch {
    return null;
  }
}

/**
 * The newest checkpoint or savepoint beside a pipeline file: the one a run would try first (a
 * damaged one is skipped by the run, which then says so). Only the listing and the file's size are
 * read, so asking is cheap even for a large state.
 */
export async function newestSaved(root: string, pipelinePath: string): Promise<SavedCheckpoint | null> {
  for (const c of await listCheckpoints([defaultCheckpointDir(pipelinePath)])) {
    const saved = await savedCheckpoint(root, c.path, c.id, c.kind);
    if (saved) return saved;
  }
  return null;
}

export function checkpointFigures(s: CheckpointStats): CheckpointFigures {
  return {
    completed: s.completed,
    failed: s.failed,
    lastId: s.lastId,
    lastKind: s.lastKind,
    lastAt: s.lastAt,
    lastDuration: s.lastDuration === null ? null : Math.round(s.lastDuration),
    lastStall: s.lastStall === null ? null : Math.round(s.lastStall),
    lastSize: s.lastSize,
    lastFailure: s.lastFailure,
  };
}

/** A checkpoint file a run resumed from, named as the store names them (`chk-000012.ckpt`, `savepoint-000007.ckpt`). */
export async function resumedCheckpoint(root: string, path: string): Promise<SavedCheckpoint | null> {
  const m = /(chk|savepoint)-(\d+)\.ckpt$/.exec(path);
  return savedCheckpoint(root, path, m ? Number(m[2]) : 0, m?.[1] === 'savepoint' ? 'savepoint' : 'checkpoint');
}
