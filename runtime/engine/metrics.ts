// Per-node figures. Operators bump plain numeric fields on their hot path (no calls, no labels);
// reporters (the progress line, Prometheus, the editor) read them a few times a second.

export interface StateSize {
  keys: number;
  bytes: number;
  /** Pattern nodes (cep): partial matches alive across all keys. */
  partialMatches?: number;
  /** Nodes with two inputs (joins, broadcast, connect): keys and bytes held for each input port. */
  inputs?: Readonly<Record<string, { readonly keys: number; readonly bytes: number }>>;
}

/** Model nodes (infer): the figures the progress table, Prometheus and the canvas show. */
export interface ModelFigures {
  /** Latency of a model call (a batch or request, retries included), ms, over recent calls. */
  latencyP50: number;
  latencyP99: number;
  /** Model calls (requests or runs) in flight now. */
  inFlight: number;
  /** Records in the latest model call. */
  batchSize: number;
  timeouts: number;
  retries: number;
  /** Share of cache lookups that hit, 0..1; null without a cache. */
  cacheHitRate: number | null;
  /** Version of the model serving now (file hash or the server's version); null before the first. */
  version: string | null;
  reloads: number;
  reloadFailures: number;
}

export class NodeMetrics {
  recordsIn = 0;
  recordsOut = 0;
  errors = 0;
  /** Records dropped to a `late` port (or, without an edge from it, discarded) for being behind the watermark. */
  late = 0;
  /** Latest watermark this node has seen on its output; -Infinity before the first. */
  watermark = -Infinity;
  /** Filled by keyed operators through `stateSize`; stateless nodes report zeros. */
  stateSize: () => StateSize = () => ZERO_STATE;
  /** Set by model nodes (infer). */
  model: (() => ModelFigures) | null = null;
  /**
   * The latest failed records (newest last, at most RECENT_ERRORS), for the editor's run problems
   * (NiFi's bulletins). Only the error paths write it; `errors` stays the count.
   */
  readonly recentErrors: RecentError[] = [];
  /** Filled by window operators: when the next window fires, and how many windows are open. */
  windowTiming: (() => WindowTiming) | null = null;
  /** Set for nodes running as several parallel instances (parallel/exchange.ts): figures per instance; the fields above are their sums. */
  instances: (() => readonly ParallelInstance[]) | null = null;

  /** Remember a failed record (called where `errors` is bumped; a cold path). */
  noteError(message: string, record: unknown): void {
    if (this.recentErrors.length >= RECENT_ERRORS) this.recentErrors.shift();
    this.recentErrors.push({ at: Date.now(), message, record });
  }

  constructor(
    readonly nodeId: string,
    readonly type: string,
  ) {}
}

const ZERO_STATE: StateSize = Object.freeze({ keys: 0, bytes: 0 });

/** How many failed records a node keeps for the editor. */
export const RECENT_ERRORS = 5;

export interface RecentError {
  /** Wall-clock time, epoch ms. */
  readonly at: number;
  readonly message: string;
  readonly record: unknown;
}

/** One parallel instance of a node: the key groups it owns and its own figures. */
export interface ParallelInstance {
  readonly instance: number;
  /** Inclusive range of key groups (Flink's KeyGroupRange). */
  readonly keyGroups: { readonly start: number; readonly end: number };
  /** cpuMs: CPU time of the instance's thread (Linux; null elsewhere). */
  readonly figures: { readonly recordsIn: number; readonly recordsOut: number; readonly errors: number; readonly late: number; readonly watermark: number; readonly state: StateSize; readonly cpuMs: number | null };
}

export interface WindowTiming {
  /** Event or processing time at which the next window fires; null when none is open. */
  readonly nextFire: number | null;
  readonly openWindows: number;
  /** Whether the node's windows follow the wall clock rather than the watermark. */
  readonly processingTime: boolean;
}

export interface MetricsSnapshot {
  nodeId: string;
  type: string;
  recordsIn: number;
  recordsOut: number;
  errors: number;
  late: number;
  watermark: number;
  stateKeys: number;
  stateBytes: number;
  /** Partial matches alive (cep nodes only). */
  partialMatches?: number;
  /** Model nodes only. */
  model?: ModelFigures;
  /** Records out per second since the previous snapshot of the same sampler. */
  rate: number;
  /** Nodes running as several parallel instances: in, out, state keys and bytes per instance. */
  instances?: { instance: number; recordsIn: number; recordsOut: number; stateKeys: number; stateBytes: number }[];
}

/** Turns counters into rates: one per consumer, since each samples at its own pace. */
export class RateSampler {
  private last = new Map<string, number>();
  private lastAt: number;

  /** The first sample's rate is the average since the sampler was made. */
  constructor(private readonly now: () => number = () => performance.now()) {
    this.lastAt = now();
  }

  sample(nodes: readonly NodeMetrics[]): MetricsSnapshot[] {
    const at = this.now();
    const dt = (at - this.lastAt) / 1000;
    this.lastAt = at;
    return nodes.map((m) => {
      const prev = this.last.get(m.nodeId) ?? 0;
      const count = m.type.startsWith('sink.') ? m.recordsIn : m.recordsOut;
      this.last.set(m.nodeId, count);
      const state = m.stateSize();
      return {
        nodeId: m.nodeId,
        type: m.type,
        recordsIn: m.recordsIn,
        recordsOut: m.recordsOut,
        errors: m.errors,
        late: m.late,
        watermark: m.watermark,
        stateKeys: state.keys,
        stateBytes: state.bytes,
        ...(state.partialMatches === undefined ? {} : { partialMatches: state.partialMatches }),
        ...(m.model === null ? {} : { model: m.model() }),
        ...(m.instances === null ? {} : { instances: m.instances().map((i) => ({ instance: i.instance, recordsIn: i.figures.recordsIn, recordsOut: i.figures.recordsOut, stateKeys: i.figures.state.keys, stateBytes: i.figures.state.bytes })) }),
        rate: dt > 0 ? (count - prev) / dt : 0,
      };
    });
  }
}
