// One consistent copy of a job, and putting it back: state is matched by node id, as Flink matches
// operator state by `uid`. Taken at a batch boundary with nothing in flight (coordinator.ts), so
// operator state, source positions and watermarks all describe the same point of the input.
import { NodeError, errorMessage } from '../errors.js';
import type { HeldInput } from '../held-input.js';
import type { Job } from '../job.js';
import type { Operator, SavedWatermarks } from '../operator.js';
import { isParallelSnapshot, singleInstance } from '../parallel/rescale.js';
import type { OperatorSnapshot, Stateful } from '../timed.js';
import { type Checkpointed, isCheckpointed } from './participant.js';

/** Bumped when the layout below changes; older files are refused with the reason. */
export const CHECKPOINT_VERSION = 1;

export type CheckpointKind = 'checkpoint' | 'savepoint';

export interface SavedNode {
  readonly type: string;
  /** Keyed state and timers of a stateful operator (window, process, cep). */
  readonly state?: OperatorSnapshot;
  /** A source's position or a sink's committed output (participant.ts). */
  readonly io?: unknown;
  /** Watermarks, once per operator: under the first node id of a chain. */
  readonly watermarks?: SavedWatermarks;
  /** Input that reached a parallel node after its instances' barrier, handed to it again on restore (held-input.ts). */
  readonly held?: readonly HeldInput[];
}

export interface CheckpointData {
  readonly version: number;
  readonly id: number;
  readonly kind: CheckpointKind;
  readonly pipeline: string;
  /** Wall-clock time it was taken: processing-time timers and TTL are absolute, so they carry on from it. */
  readonly takenAt: number;
  readonly nodes: Record<string, SavedNode>;
}

function isStateful(op: Operator): op is Operator & Stateful {
  return typeof (op as Partial<Stateful>).snapshotState === 'function';
}

/** Node id → type, from the job's figures (one per node, in the pipeline's order). */
function nodeTypes(job: Job): Map<string, string> {
  return new Map(job.metrics.map((m) => [m.nodeId, m.type]));
}

/** Synchronous: call only while the job is quiesced (no pull running, nothing in flight). */
export function collect(job: Job, id: number, kind: CheckpointKind, pipeline: string): CheckpointData {
  const types = nodeTypes(job);
  const nodes: Record<string, SavedNode> = {};
  const seen = new Set<Operator>();
  for (const [nodeId, op] of job.operators) {
    const first = !seen.has(op);
    seen.add(op);
    const saved: { -readonly [K in keyof SavedNode]: SavedNode[K] } = { type: types.get(nodeId) ?? 'unknown' };
    if (first) {
      if (isStateful(op)) saved.state = op.snapshotState();
      if (isCheckpointed(op)) saved.io = op.snapshotCheckpoint();
      saved.watermarks = op.saveWatermarks();
      const held = [...job.undelivered(op), ...((op as Partial<Stateful>).heldInput?.() ?? [])];
      if (held.length > 0) saved.held = held;
    }
    nodes[nodeId] = saved;
  }
  return { version: CHECKPOINT_VERSION, id, kind, pipeline, takenAt: Date.now(), nodes };
}

/** Raised when a checkpoint holds state no node of the pipeline can take. */
export class UnplacedStateError extends Error {
  constructor(readonly nodes: readonly string[]) {
    super(
      `the checkpoint holds state for ${nodes.map((n) => `'${n}'`).join(', ')}, which this pipeline no longer has (or has with another type); ` +
        'rerun with --allow-non-restored-state to drop it, or --fresh to ignore the checkpoint',
    );
    this.name = 'UnplacedStateError';
  }
}

export interface RestoreReport {
  /** Nodes whose state came back. */
  readonly restored: string[];
  /** Saved state left behind (allowed by the caller). */
  readonly dropped: string[];
  /** Nodes the checkpoint does not know: they start empty. */
  readonly fresh: string[];
}

function holdsState(n: SavedNode): boolean {
  return n.state !== undefined || n.io !== undefined || n.held !== undefined;
}

/** Put a checkpoint back into a planned job, before it runs. */
export function restore(job: Job, data: CheckpointData, allowNonRestored: boolean): RestoreReport {
  if (data.version !== CHECKPOINT_VERSION) throw new Error(`checkpoint format version ${data.version} is not supported (this version reads ${CHECKPOINT_VERSION})`);
  const types = nodeTypes(job);
  const dropped = Object.entries(data.nodes)
    .filter(([id, n]) => holdsState(n) && types.get(id) !== n.type)
    .map(([id]) => id);
  if (dropped.length > 0 && !allowNonRestored) throw new UnplacedStateError(dropped);
  const restored: string[] = [];
  const fresh: string[] = [];
  const seen = new Set<Operator>();
  for (const [nodeId, op] of job.operators) {
    const first = !seen.has(op);
    seen.add(op);
    const saved = data.nodes[nodeId];
    if (!saved || saved.type !== types.get(nodeId)) {
      fresh.push(nodeId);
      continue;
    }
    if (!first) continue;
    try {
      if (saved.watermarks) op.restoreWatermarks(saved.watermarks);
      if (saved.state !== undefined && isStateful(op)) {
        if (isParallelSnapshot(saved.state) && op.alignSnapshot === undefined) {
          // Saved by parallel instances, restored into one: their keys merged, their event time.
          const one = singleInstance(saved.state);
          if (one.watermarks) op.restoreWatermarks(one.watermarks);
          op.restoreState(one.state);
        } else op.restoreState(saved.state);
      }
      if (saved.io !== undefined && isCheckpointed(op)) (op as Checkpointed).restoreCheckpoint(saved.io);
      if (saved.held !== undefined) {
        const beyond = saved.held.find((h) => h.input >= op.inputCount);
        if (beyond) throw new Error(`it held input for its input ${beyond.input + 1}, and it has ${op.inputCount} inputs now`);
        job.redeliver(op, saved.held);
      }
    } catch (err) {
      throw new NodeError(nodeId, `cannot restore its state from the checkpoint: ${errorMessage(err)}`);
    }
    if (holdsState(saved)) restored.push(nodeId);
  }
  return { restored, dropped, fresh };
}
