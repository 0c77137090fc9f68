// The state of a parallel node in a checkpoint, and handing it to instances at any parallelism.
// A checkpoint keeps each instance's snapshot with the key groups it owned (Flink's
// KeyGroupsStateHandle); a restore at the same parallelism gives each instance its own. At another
// parallelism — or from a checkpoint of parallelism 1, or into a run of parallelism 1 — each new
// instance takes from the old snapshots overlapping its key-group range exactly the keys of its
// groups, timers included, as Flink redistributes keyed state when rescaling from a savepoint
// (StateAssignmentOperation). Snapshot layouts that cannot be split by key (older versions) and
// a changed number of key groups are refused.
import { errorMessage } from '../errors.js';
import type { SavedWatermarks } from '../operator.js';
import type { OperatorSnapshot } from '../timed.js';
import { assignToKeyGroup, keyGroupRange } from './key-groups.js';
import { rekeyCep } from './rekey-cep.js';
import { rekeyProcess } from './rekey-process.js';
import { rekeyCount, rekeyPanes, rekeySessions } from './rekey-window.js';

export const PARALLEL_SNAPSHOT = 'parallel';

/** One instance's part of a checkpoint. */
export interface InstanceState {
  /** The key groups it owned, inclusive. */
  readonly start: number;
  readonly end: number;
  readonly state: OperatorSnapshot;
  /** Its operator's watermarks and event time (equal across instances at an aligned checkpoint). */
  readonly watermarks?: SavedWatermarks;
}

export interface ParallelSnapshotData {
  readonly maxParallelism: number;
  readonly instances: readonly InstanceState[];
}

export function isParallelSnapshot(s: OperatorSnapshot): s is OperatorSnapshot & { data: ParallelSnapshotData } {
  return s.kind === PARALLEL_SNAPSHOT;
}

/** The parallelism a node's saved state was taken at. */
function savedParallelism(s: OperatorSnapshot): number {
  return isParallelSnapshot(s) ? s.data.instances.length : 1;
}

/** Snapshot layouts (kind and version) that can be split by key; the data of several parts merged, keeping `keep`'s keys. */
const REKEY: Readonly<Record<string, (parts: readonly unknown[], keep: (key: unknown) => boolean) => unknown>> = {
  'window.panes@3': rekeyPanes,
  'window.sessions@2': rekeySessions,
  'window.count@2': rekeyCount,
  'process@1': rekeyProcess,
  'cep@2': rekeyCep,
};

/**
 * What each of `parallelism` instances restores, from a node's saved state at any parallelism.
 * `watermarks`: the node's own saved watermarks, used for a snapshot of parallelism 1.
 */
export function instanceStates(s: OperatorSnapshot, watermarks: SavedWatermarks | undefined, maxParallelism: number, parallelism: number): InstanceState[] {
  try {
    return split(s, watermarks, maxParallelism, parallelism);
  } catch (err) {
    throw new Error(`saved at parallelism ${savedParallelism(s)}, this run has parallelism ${parallelism}: ${errorMessage(err)}`);
  }
}

function split(s: OperatorSnapshot, watermarks: SavedWatermarks | undefined, maxParallelism: number, parallelism: number): InstanceState[] {
  const parts: readonly InstanceState[] = isParallelSnapshot(s) ? s.data.instances : [{ start: 0, end: maxParallelism - 1, state: s, watermarks }];
  if (isParallelSnapshot(s) && s.data.maxParallelism !== maxParallelism) {
    throw new Error(`its state was saved with ${s.data.maxParallelism} key groups, this run has ${maxParallelism} (the maximum parallelism cannot change, as in Flink)`);
  }
  const out: InstanceState[] = [];
  for (let j = 0; j < parallelism; j++) {
    const { start, end } = keyGroupRange(maxParallelism, parallelism, j);
    const same = parts.length === parallelism && parts[j]!.start === start && parts[j]!.end === end;
    if (same) {
      out.push(parts[j]!);
      continue;
    }
    const from = parts.filter((p) => p.start <= end && p.end >= start);
    const kinds = new Set(from.map((p) => `${p.state.kind}@${p.state.version}`));
    const [kind] = kinds;
    const rekey = kinds.size === 1 ? REKEY[kind!] : undefined;
    if (!rekey) throw new Error(`its state (${[...kinds].join(', ')}) cannot be split by key group yet; restore it at its own parallelism`);
    const keep = (key: unknown): boolean => {
      const g = assignToKeyGroup(key, maxParallelism);
      return g >= start && g <= end;
    };
    const first = from[0]!.state;
    out.push({ start, end, state: { kind: first.kind, version: first.version, data: rekey(from.map((p) => p.state.data), keep) }, watermarks: from[0]!.watermarks });
  }
  return out;
}

/** A parallel node's saved state merged for the one instance of a run at parallelism 1. */
export function singleInstance(s: OperatorSnapshot & { data: ParallelSnapshotData }): InstanceState {
  return instanceStates(s, undefined, s.data.maxParallelism, 1)[0]!;
}
