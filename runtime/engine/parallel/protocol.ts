// Messages between the job's thread and its operator instances in worker threads. Every message
// to an instance is answered by exactly one `out` message with the same sequence number, which is
// what lets the job's thread merge the instances' results in a fixed order (exchange.ts).
import type { StateSize, WindowTiming } from '../metrics.js';
import type { SavedWatermarks } from '../operator.js';
import type { OperatorSnapshot } from '../timed.js';
import type { InstanceState } from './rescale.js';
import type { Column, Columns } from './columns.js';
import type { Packed } from './packed.js';

/** One node whose keyed operator runs as `parallelism` instances. */
export interface VertexInit {
  readonly nodeId: string;
  readonly type: string;
  readonly params: unknown;
  /** The input port each incoming edge names, in the order the planner added the inputs. */
  readonly inputs: readonly string[];
  readonly outputs: number;
  /** Per output port, whether anything downstream is connected to it. */
  readonly connected: readonly boolean[];
}

export interface InitMessage {
  readonly t: 'init';
  readonly index: number;
  readonly parallelism: number;
  readonly vertices: readonly VertexInit[];
  /** Paths the nodes' factories resolved on the job's thread (resolvePath is a function, not cloneable). */
  readonly paths: readonly (readonly [string, string])[];
  /** Per vertex, the state this instance starts from (a restored checkpoint), or null. */
  readonly restore: readonly (InstanceState | null)[];
}

export interface BatchMessage {
  readonly t: 'batch';
  readonly v: number;
  readonly seq: number;
  readonly input: number;
  readonly n: number;
  /** The records packed (packed.ts: whole, or the fields the node reads), or null. */
  readonly packed: Packed | null;
  /** Else the fields a window reads, as columns; else whole records in `whole`. */
  readonly cols: Columns | null;
  readonly whole: unknown[] | null;
  readonly ts: Float64Array;
  readonly keys: Column;
  /** The watermark before each record. */
  readonly wm: Float64Array;
  /** Each record's position among all the step's records (every instance's), in arrival order. */
  readonly pos: Int32Array;
  /** Where in the step (positions) the watermark rises, and to what: the same for every instance. */
  readonly wmAt: Int32Array;
  readonly wmVal: Float64Array;
  readonly wmEnd: number;
}

export interface InputEventMessage {
  readonly t: 'idle' | 'end';
  readonly v: number;
  readonly seq: number;
  readonly input: number;
  readonly idle?: boolean;
}

/**
 * A checkpoint's barrier (Flink's CheckpointBarrier): sent after every batch before it, through the
 * same ordered channel, so the instance snapshots its state with exactly those records in it.
 */
export interface SnapshotMessage {
  readonly t: 'snapshot';
  readonly v: number;
  readonly seq: number;
}

export type ToWorker = InitMessage | BatchMessage | InputEventMessage | SnapshotMessage;

/** What one output port of an instance emitted while handling one message. */
export interface PortOut {
  /** The records, or none when they came `packed`. */
  readonly recs: unknown[];
  /** The records packed (packed.ts), or null. */
  readonly packed: Packed | null;
  readonly ts: number[];
  readonly keys: unknown[] | null;
  /** Watermark before each record (the instance's event time when it emitted it). */
  readonly wm: number[];
  /** Each record's origin in the step (timed.ts Origins), by which the job's thread merges instances. */
  readonly org: number[];
}

/** One instance's figures, sent with every answer (cheap: a handful of numbers). */
export interface InstanceFigures {
  recordsIn: number;
  recordsOut: number;
  errors: number;
  late: number;
  watermark: number;
  state: StateSize;
  window: WindowTiming | null;
  /** CPU time of the instance's thread so far (Linux only, else null), sampled every 100 ms or so. */
  cpuMs: number | null;
}

export interface OutMessage {
  readonly t: 'out';
  readonly v: number;
  /** The answered message's sequence number; -1 for results of a processing-time timer. */
  readonly seq: number;
  readonly ports: readonly (PortOut | null)[];
  /** The instance's output watermark after this step. */
  readonly wmEnd: number;
  /** The instance's operator has finished (all its inputs ended). */
  readonly ended: boolean;
  /** The operator's outputs went idle (true) or active again (false) in this step; null: neither. */
  readonly idle: boolean | null;
  readonly figures: InstanceFigures;
  /** The answer to a snapshot message: the operator's state (its buffers transferred) and watermarks. */
  readonly snapshot?: { readonly state: OperatorSnapshot; readonly watermarks: SavedWatermarks };
}

export interface FailedMessage {
  readonly t: 'failed';
  readonly nodeId: string | null;
  readonly message: string;
}

export type FromWorker = { readonly t: 'ready' } | OutMessage | FailedMessage;
