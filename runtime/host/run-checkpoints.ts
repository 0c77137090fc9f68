// Checkpoints for the editor's runs, on top of the CLI's (checkpointing.ts): the same folder beside
// a saved pipeline file, so `tributary run` and the editor resume each other's checkpoints. What
// crosses the wire: where a checkpoint is (workspace-relative), when, how big; the figures the
// status bar shows, with Flink's checkpoint metric names.
import { stat } from 'node:fs/promises';
import { isAbsolute, relative, sep } from 'node:path';
import type { CheckpointStats } from '../engine/checkpoint/coordinator.js';
import { listCheckpoints } from '../connectors/files/checkpoints.js';
import { defaultCheckpointDir } from './checkpointing.js';
import type { CheckpointFigures, SavedCheckpoint } from './contract.js';

/** A path as the user finds it in the workspace; an absolute one when it is outside. */
export function shownPath(root: string, abs: string): string {
  const rel = relative(root, abs);
  return rel === '' || rel.startsWith('..') || isAbsolute(rel) ? abs : rel.split(sep).join('/');
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
