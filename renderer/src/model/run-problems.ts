// What went wrong while the pipeline ran, per node (NiFi's bulletins): how many records failed,
// the latest messages with the records, and the error that ended the run. Built from the figures
// the host streams and its job events; cleared when the next run starts.
import type { NodeFigures, RecentErrorFigure } from '../../../runtime/host/contract.js';

export interface NodeRunProblems {
  /** Records that failed in this node so far. */
  readonly errors: number;
  /** Latest failures, newest first. */
  readonly recent: readonly RecentErrorFigure[];
  /** The error that ended the run, when it was this node's. */
  readonly failure: { readonly message: string; readonly at: number } | null;
}

/** Per node id; `''` holds a failure no node is named for. */
export type RunProblems = Readonly<Record<string, NodeRunProblems>>;

/** Failures kept per node. */
export const RECENT_KEPT = 5;

const EMPTY: NodeRunProblems = { errors: 0, recent: [], failure: null };

/** Fold a metrics sample in; returns the same object when nothing changed (so nothing re-renders). */
export function runProblemsFromFigures(prev: RunProblems, nodes: readonly NodeFigures[]): RunProblems {
  let next: Record<string, NodeRunProblems> | null = null;
  for (const f of nodes) {
    if (f.errors === 0 && !f.recentErrors) continue;
    const old = prev[f.id] ?? EMPTY;
    const newest = f.recentErrors?.[f.recentErrors.length - 1];
    if (old.errors === f.errors && (newest === undefined || old.recent[0]?.at === newest.at)) continue;
    next ??= { ...prev };
    const recent = f.recentErrors ? [...f.recentErrors].reverse().slice(0, RECENT_KEPT) : old.recent;
    next[f.id] = { ...old, errors: Math.max(old.errors, f.errors), recent };
  }
  return next ?? prev;
}

/** The run ended with an error (named for a node, or not). */
export function runProblemsAfterFailure(prev: RunProblems, error: { readonly message: string; readonly nodeId: string | null }, at: number): RunProblems {
  const id = error.nodeId ?? '';
  const old = prev[id] ?? EMPTY;
  return { ...prev, [id]: { ...old, failure: { message: error.message, at } } };
}

export interface RunProblemRow extends NodeRunProblems {
  readonly nodeId: string;
}

/** Rows for the panel: the failed node first, then by error count. */
export function runProblemRows(p: RunProblems): RunProblemRow[] {
  return Object.entries(p)
    .map(([nodeId, v]) => ({ nodeId, ...v }))
    .sort((a, b) => Number(b.failure !== null) - Number(a.failure !== null) || b.errors - a.errors || a.nodeId.localeCompare(b.nodeId));
}
