// The checkpoint slice: what the status bar shows of a checkpointing run (the last checkpoint, the
// latest failure), Stop with savepoint, and the offer to resume a saved file that has checkpoints.
// The run itself resumes or starts over as the host decides (the same rules as `tributary run`).
import type { CheckpointFigures, HostEvents, RunCheckpointing, RunResult, SavedCheckpoint } from '../../../runtime/host/contract.js';
import type { Deps, Get, Set } from './types.js';

export interface CheckpointSlice {
  /** The latest figures of a checkpointing run (kept after it ends); null when it does not checkpoint. */
  checkpointFigures: CheckpointFigures | null;
  /** How the current (or last) run checkpoints; null when it does not. */
  runCheckpointing: RunCheckpointing | null;
  /** The open file's newest checkpoint or savepoint, offered for resuming; null when there is none or it was answered. */
  resumeOffer: SavedCheckpoint | null;
  /** A savepoint is being taken before the run stops. */
  savingPoint: boolean;

  /** A document was opened: forget the previous one's checkpoints, ask the host whether this one has any, and offer them. */
  checkResume(): Promise<void>;
  /** Run from the newest checkpoint (what Run does anyway; the offer makes it a choice). */
  resume(): Promise<void>;
  /** Run from the beginning, ignoring the checkpoints (`--fresh`). */
  startOver(): Promise<void>;
  dismissResume(): void;
  /** Flink's stop-with-savepoint: the whole state is saved, then the run stops; the next run resumes from it. */
  stopWithSavepoint(): Promise<void>;
  /** A run started: what it resumed from is said once. */
  onRunStarted(r: RunResult & { ok: true }): void;
  onCheckpointMetrics(m: HostEvents['metrics']): void;
}

/** Bytes as a notice says them (the status bar formats its own). */
function bytes(n: number): string {
  return n < 1024 * 1024 ? `${(n / 1024).toFixed(1)} KiB` : `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

function describeSaved(c: SavedCheckpoint, now: number): string {
  return `${c.kind} ${c.id} (${ago(now - c.at)}, ${bytes(c.bytes)})`;
}

/** How long ago, in words a status bar can hold. */
export function ago(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  if (s < 86_400) return `${Math.round(s / 3600)} h ago`;
  return `${Math.round(s / 86_400)} d ago`;
}

export function checkpointSlice(set: Set, get: Get, deps: Deps): CheckpointSlice {
  const errorText = (err: unknown) => (err instanceof Error ? err.message : String(err));
  return {
    checkpointFigures: null,
    runCheckpointing: null,
    resumeOffer: null,
    savingPoint: false,

    async checkResume() {
      const origin = get().origin;
      set({ checkpointFigures: null, runCheckpointing: null, resumeOffer: null });
      if (!deps.host || origin.kind !== 'file') {
        set({ resumeOffer: null });
        return;
      }
      try {
        const { newest } = await deps.host.call('checkpoints', { origin });
        // Another document may have opened meanwhile, or a run started: then the answer is stale.
        if (get().origin !== origin || get().runStatus === 'running' || get().runStatus === 'starting') return;
        set({ resumeOffer: newest });
      } catch {
        set({ resumeOffer: null }); // not a file the host can place: nothing to offer
      }
    },
    async resume() {
      set({ resumeOffer: null });
      await get().run({ fresh: false });
    },
    async startOver() {
      set({ resumeOffer: null });
      await get().run({ fresh: true });
    },
    dismissResume() {
      set({ resumeOffer: null });
    },
    async stopWithSavepoint() {
      if (get().runStatus !== 'running' || get().savingPoint || !deps.host) return;
      set({ savingPoint: true });
      try {
        const r = await deps.host.call('stop', { savepoint: true });
        if (r.savepoint) get().notify(`savepoint saved: ${r.savepoint.path} (${bytes(r.savepoint.bytes)}); the next run resumes from it`);
        else if (r.finishing) get().notify('no savepoint: the input had ended, so the run finishes on its own');
        else if (r.savepointFailed) get().notify(`savepoint failed: ${r.savepointFailed}; the run stopped, the last checkpoint stays`, 'error');
      } catch (err) {
        get().notify(`cannot stop with a savepoint: ${errorText(err)}`, 'error');
      } finally {
        set({ savingPoint: false });
      }
    },
    onRunStarted(r) {
      set({ runCheckpointing: r.checkpoints ?? null, checkpointFigures: null, resumeOffer: null });
      const notes = r.notes ?? [];
      const from = r.checkpoints?.resumedFrom;
      if (from) get().notify([`resumed from ${describeSaved(from, deps.now())}`, ...notes].join('; '));
      else if (notes.length > 0) get().notify(notes.join('; '));
    },
    onCheckpointMetrics(m) {
      const runId = get().runId;
      if (runId !== null && m.runId !== runId) return;
      if (m.checkpoints) set({ checkpointFigures: m.checkpoints });
    },
  };
}
