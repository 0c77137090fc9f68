// The one RPC contract between the editor and the runtime host. Isomorphic: the renderer, the
// browser-mode server and (next) the Electron main process and preload all import it; only the
// transport differs (a WebSocket in browser mode, a MessagePort to a utilityProcess in Electron).
//
// Every method's params are a zod schema, so the host checks what arrives over the wire against the
// same declaration the client's types come from (VS Code's common/ interface + typed proxy idea).
// Values cross the boundary as plain JSON: no Infinity, no Map, no class instances, so a JSON
// WebSocket and structured-clone MessagePorts carry the same messages.
import { z } from 'zod';
import type { Problem } from '../format/problems.js';

/** A pipeline document as the editor holds it: the JSON envelope, not yet validated. */
export type PipelineDoc = Record<string, unknown>;

const doc = z.record(z.string(), z.unknown());
/**
 * The longest pipeline file the host saves, in characters: far above any drawn pipeline (a
 * thousand nodes is well under 1 MB) and small enough that a message carrying one (at most three
 * UTF-8 bytes a character once JSON-encoded) stays under the studio's message limit.
 */
export const MAX_DOCUMENT_CHARS = 8_000_000;

/** A workspace-relative path with '/' separators, e.g. `jobs/carts.json`. */
const relPath = z.string().min(1).max(1024);

/** An edge as the format names it; ports default as in pipeline-format.md. */
export const edgeRefSchema = z.strictObject({
  from: z.string(),
  fromPort: z.string().default('out'),
  to: z.string(),
  toPort: z.string().default('in'),
});
export type EdgeRef = z.input<typeof edgeRefSchema>;

/** Stable id of an edge, used for rates and taps on both sides. */
export function edgeKey(e: EdgeRef): string {
  return `${e.from}.${e.fromPort ?? 'out'}->${e.to}.${e.toPort ?? 'in'}`;
}

/**
 * Where a document came from, which decides what its relative paths (files it reads and writes)
 * resolve against: a workspace file's folder, the template gallery's folder, or the workspace.
 */
export const originSchema = z.union([
  z.strictObject({ kind: z.literal('file'), path: relPath }),
  z.strictObject({ kind: z.literal('template'), name: relPath }),
  z.strictObject({ kind: z.literal('new') }),
]);
export type Origin = z.output<typeof originSchema>;

export const METHOD_PARAMS = {
  /** Who the host is and what to open first. */
  hello: z.strictObject({}),
  /** Every problem the validator finds (the editor also validates locally as you type). */
  validate: z.strictObject({ doc }),
  /**
   * Validate, check trust, plan and start the pipeline. One run per connection at a time. A saved
   * file whose sources can be replayed checkpoints, and resumes from its newest checkpoint or
   * savepoint unless `fresh` (as `tributary run` and its `--fresh`).
   */
  run: z.strictObject({ doc, origin: originSchema, fresh: z.boolean().default(false) }),
  /**
   * Interrupt the run: sources stop, sinks flush. With `savepoint`, first a savepoint of the whole
   * state (open windows, partial matches, timers) that the next run resumes from, as Ctrl-C in
   * `tributary run` (Flink's stop-with-savepoint).
   */
  stop: z.strictObject({ savepoint: z.boolean().default(false) }),
  /** The newest checkpoint or savepoint a run of this saved file would resume from (none for templates and untitled documents). */
  checkpoints: z.strictObject({ origin: originSchema }),
  /** The user trusts this document's code (remembered per content hash of its saved form). */
  trust: z.strictObject({ doc, origin: originSchema }),
  /** What in this document needs the user's trust before it runs (code, files outside its folder, environment variables set here). */
  trustNeeds: z.strictObject({ doc, origin: originSchema }),
  /** Start sampling the records on one edge of the running job; `tap` events follow. */
  tapOpen: z.strictObject({ edge: edgeRefSchema, maxPerSecond: z.number().int().positive().max(200).default(20) }),
  tapClose: z.strictObject({ tapId: z.number().int() }),
  /** Field names seen in a few records on each edge of the running job (for completion). */
  sampleFields: z.strictObject({ timeoutMs: z.number().int().positive().max(5000).default(600) }),
  /** The template gallery (the project's example pipelines). */
  listTemplates: z.strictObject({}),
  openTemplate: z.strictObject({ name: relPath }),
  /** Pipeline files in the workspace folder. */
  listFiles: z.strictObject({}),
  readFile: z.strictObject({ path: relPath }),
  /**
   * An ONNX model's inputs, outputs (names, element types, shapes) and metadata, for the infer
   * node's form. `path` resolves against the document's folder; a file outside it (or hidden)
   * is read only for a trusted `doc` that names it, as a run would.
   */
  modelInfo: z.strictObject({ origin: originSchema, path: relPath, doc: doc.optional() }),
  /** Write a pipeline file; refuses to replace an existing file unless `overwrite`. */
  /**
   * "Run on Flink…": validate, name every node that cannot run on Flink, check trust, build the
   * job jar and submit it to the cluster whose JobManager REST address is `jobmanager` (http or
   * https; the only remote address the host contacts for it). The job's Flink state and its
   * per-operator figures then arrive as `job` and `metrics` events, as for an embedded run.
   */
  flinkRun: z.strictObject({
    doc,
    origin: originSchema,
    jobmanager: z.string().min(1).max(2048),
    parallelism: z.number().int().positive().max(32_768).optional(),
  }),
  /** Cancel the Flink job, or with `savepoint` stop it with a savepoint (Flink's stop-with-savepoint). */
  flinkStop: z.strictObject({ savepoint: z.boolean().default(false) }),
  /**
   * A document was opened (or the page reloaded): the Flink job last submitted from it, if the
   * host remembers one (across its own restarts too), checked on its cluster (`GET /jobs/<id>`);
   * a job still going is followed again, with `job` and `metrics` events as after "Run on Flink…".
   */
  flinkAttach: z.strictObject({ origin: originSchema }),
  writeFile: z.strictObject({ path: relPath, text: z.string().max(MAX_DOCUMENT_CHARS, `a pipeline file holds at most ${MAX_DOCUMENT_CHARS} characters`), overwrite: z.boolean().default(false) }),
} as const;

export type MethodName = keyof typeof METHOD_PARAMS;
export const METHOD_NAMES = Object.keys(METHOD_PARAMS) as MethodName[];
export type ParamsOf<M extends MethodName> = z.input<(typeof METHOD_PARAMS)[M]>;
export type CheckedParamsOf<M extends MethodName> = z.output<(typeof METHOD_PARAMS)[M]>;

export interface HostInfo {
  readonly version: string;
  /** The workspace folder files are read from and saved to (shown to the user). */
  readonly root: string;
  /** The document to open at start (`tributary studio <file>`), if any. */
  readonly initial: OpenedDoc | null;
}

export interface OpenedDoc {
  readonly origin: Origin;
  readonly text: string;
}

export interface FileEntry {
  /** Workspace-relative path, or the template's name. */
  readonly path: string;
  readonly name: string;
  readonly description: string | null;
  readonly nodes: number;
}

/** A model input or output: element type (`float32`, …) and shape (a string for a named dynamic axis, -1 or a name for "any"). */
export interface ModelTensor {
  readonly name: string;
  readonly type: string;
  readonly shape: readonly (number | string)[];
  /** A classifier's ZipMap output: its class labels. */
  readonly zipMapLabels?: readonly (string | number)[];
}

export interface ModelInfo {
  /** Where the file was read, as the user would look for it. */
  readonly file: string;
  /** First 12 hex digits of the file's SHA-256: the version a run stamps on its records. */
  readonly version: string;
  readonly producer: string;
  readonly producerVersion: string;
  readonly domain: string;
  readonly modelVersion: number;
  readonly doc: string;
  readonly metadata: Readonly<Record<string, string>>;
  readonly inputs: readonly ModelTensor[];
  readonly outputs: readonly ModelTensor[];
}

/** A checkpoint or savepoint on disk, as the editor offers to resume it. */
export interface SavedCheckpoint {
  readonly id: number;
  readonly kind: 'checkpoint' | 'savepoint';
  /** Workspace-relative where it is inside the workspace, else absolute. */
  readonly path: string;
  /** When it was written (the file's modification time, epoch ms). */
  readonly at: number;
  readonly bytes: number;
}

/** How a run checkpoints: present when it does (a saved file whose sources can be replayed). */
export interface RunCheckpointing {
  /** What it resumed from; null when it started from the beginning. */
  readonly resumedFrom: SavedCheckpoint | null;
  /** ms between checkpoints; null: savepoints only. */
  readonly interval: number | null;
}

export type RunResult =
  | {
      readonly ok: true;
      readonly runId: number;
      readonly checkpoints?: RunCheckpointing;
      /** What to tell the user about checkpoints: damaged ones skipped, state not restored, checkpoints off and why. */
      readonly notes?: readonly string[];
    }
  | { readonly ok: false; readonly reason: 'invalid'; readonly problems: readonly Problem[] }
  /** What needs the user's trust (code, files outside the pipeline's folder, environment variables by name), one sentence each. */
  | { readonly ok: false; readonly reason: 'untrusted'; readonly reasons: readonly string[] }
  | { readonly ok: false; readonly reason: 'busy' }
  | { readonly ok: false; readonly reason: 'failed'; readonly message: string; readonly nodeId: string | null };

/** A node that cannot run on Flink, and why (runtime/format/flink.ts). */
export interface FlinkProblemFigure {
  readonly nodeId: string;
  readonly reason: string;
}

export type FlinkRunResult =
  | { readonly ok: true; readonly runId: number; readonly jobId: string; readonly webUi: string }
  | { readonly ok: false; readonly reason: 'notOnFlink'; readonly problems: readonly FlinkProblemFigure[] }
  | Exclude<RunResult, { ok: true }>;

/**
 * What `flinkAttach` found for a document. `following`: the job still runs and its events follow
 * under `runId`. `ended`: it has finished, failed or was cancelled since (`message` says which and,
 * for a failure, why). `gone`: its cluster answers but no longer knows the job. `unreachable`: its
 * cluster does not answer (the job may still be running there). `busy`: it still runs, but this
 * host is running something else, so it is not followed. `unreachable` and `busy` are asked about
 * again at the next open; the others are said once. `none` also answers an attach overtaken by a
 * later one or by a submission while its cluster was asked.
 */
export type FlinkAttachResult =
  | { readonly status: 'none' }
  | { readonly status: 'following'; readonly runId: number; readonly job: FlinkJobInfo; readonly submittedAt: number }
  | { readonly status: 'ended' | 'gone' | 'unreachable' | 'busy'; readonly job: FlinkJobInfo; readonly submittedAt: number; readonly message: string };

/** The Flink job a run follows: Flink's own state name (RUNNING, FINISHED, CANCELED…) and its web UI. */
export interface FlinkJobInfo {
  readonly jobId: string;
  readonly state: string;
  readonly webUi: string;
  /** The JobManager's REST address the job was submitted to. */
  readonly cluster: string;
}

/**
 * Where a node's figures come from on Flink. Operators chained into one task share a vertex:
 * records in and out, rates and watermarks are the node's own operator's; `busy` and
 * `backPressured` (ms per second, the busiest subtask) are the whole chain's.
 */
export interface FlinkNodeInfo {
  readonly vertexId: string;
  readonly vertexName: string;
  readonly parallelism: number;
  /** Every node whose operators run in this vertex, this one included. */
  readonly chain: readonly string[];
  readonly busy: number | null;
  readonly backPressured: number | null;
  /** The watermark is the vertex's input watermark (the node's operator reported none). */
  readonly watermarkOfChain: boolean;
}

export interface MethodResults {
  hello: HostInfo;
  validate: { readonly problems: readonly Problem[] };
  run: RunResult;
  /**
   * `savepoint`: where the savepoint went; `savepointFailed`: why it could not be taken (the run
   * stops all the same); `finishing`: asked for as the input ended, so none was taken and the run
   * finishes on its own.
   */
  stop: { readonly stopping: boolean; readonly savepoint?: SavedCheckpoint; readonly savepointFailed?: string; readonly finishing?: boolean };
  checkpoints: { readonly newest: SavedCheckpoint | null };
  trust: { readonly hash: string };
  /** One sentence per reason; empty when it needs no trust; null when the document does not validate. */
  trustNeeds: { readonly reasons: readonly string[] | null };
  tapOpen: { readonly tapId: number };
  tapClose: Record<string, never>;
  sampleFields: { readonly edges: Readonly<Record<string, readonly string[]>> };
  listTemplates: readonly FileEntry[];
  openTemplate: OpenedDoc;
  listFiles: readonly FileEntry[];
  readFile: OpenedDoc;
  writeFile: { readonly path: string };
  modelInfo: ModelInfo;
  flinkRun: FlinkRunResult;
  /** `savepoint`: where Flink wrote it; `savepointFailed`: why it could not (the job goes on running). */
  flinkStop: { readonly stopping: boolean; readonly savepoint?: string; readonly savepointFailed?: string };
  flinkAttach: FlinkAttachResult;
}

export type ResultOf<M extends MethodName> = MethodResults[M];

/** The host's side: one async function per method. */
export type HostApi = { [M in MethodName]: (params: CheckedParamsOf<M>) => Promise<ResultOf<M>> };

/** A watermark on the wire: epoch ms, `null` before the first, `'end'` after the final one. */
export type WireWatermark = number | null | 'end';

export function toWireWatermark(wm: number): WireWatermark {
  if (wm === -Infinity) return null;
  if (wm === Infinity) return 'end';
  return wm;
}

/** The figures of a model node (same shape as the engine's ModelFigures). */
export interface ModelFigures {
  readonly latencyP50: number;
  readonly latencyP99: number;
  readonly inFlight: number;
  readonly batchSize: number;
  readonly timeouts: number;
  readonly retries: number;
  readonly cacheHitRate: number | null;
  readonly version: string | null;
  readonly reloads: number;
  readonly reloadFailures: number;
}

export interface NodeFigures {
  readonly id: string;
  readonly recordsIn: number;
  readonly recordsOut: number;
  /** Records per second since the previous sample. */
  readonly rateIn: number;
  readonly rateOut: number;
  readonly errors: number;
  readonly late: number;
  readonly watermark: WireWatermark;
  readonly stateKeys: number;
  readonly stateBytes: number;
  /** Pattern nodes (cep): partial matches alive across all keys. */
  readonly partialMatches?: number;
  /** Model nodes (infer): call latency, requests in flight, batch size, timeouts, retries, cache, version. */
  readonly model?: ModelFigures;
  /** Nodes with errors: the latest failed records (newest last), for the editor's run problems. */
  readonly recentErrors?: readonly RecentErrorFigure[];
  /** Window nodes: when the next window fires (epoch ms; null when none is open) and how many are open. */
  readonly window?: { readonly nextFire: number | null; readonly openWindows: number; readonly processingTime: boolean };
  /** A run on Flink: the vertex the node's operators run in, and the chain's own figures. */
  readonly flink?: FlinkNodeInfo;
}

export interface RecentErrorFigure {
  /** Wall-clock time of the failure, epoch ms. */
  readonly at: number;
  readonly message: string;
  /** The record that failed, as short JSON (cut at a few hundred characters). */
  readonly record: string;
}

export interface EdgeFigures {
  /** `edgeKey` of the edge. */
  readonly id: string;
  readonly records: number;
  readonly rate: number;
}

export type JobState = 'running' | 'finished' | 'stopped' | 'failed';

/** A checkpointing run's figures: Flink's checkpoint metrics (lastCheckpointDuration, lastCheckpointSize, numberOfCompletedCheckpoints, numberOfFailedCheckpoints) and what the status bar shows. */
export interface CheckpointFigures {
  readonly completed: number;
  readonly failed: number;
  readonly lastId: number | null;
  readonly lastKind: 'checkpoint' | 'savepoint' | null;
  /** When the last one completed, epoch ms. */
  readonly lastAt: number | null;
  readonly lastDuration: number | null;
  /** How long the sources were held for it, ms. */
  readonly lastStall: number | null;
  readonly lastSize: number | null;
  /** Why the latest attempt failed; cleared by the next one that completes. */
  readonly lastFailure: string | null;
}

export interface HostEvents {
  /** A few times a second while a job runs, and once more when it ends. */
  metrics: {
    readonly runId: number;
    readonly uptimeMs: number;
    /** Records per second leaving all sources. */
    readonly throughput: number;
    readonly nodes: readonly NodeFigures[];
    readonly edges: readonly EdgeFigures[];
    /** Present while the run checkpoints. */
    readonly checkpoints?: CheckpointFigures;
  };
  job: {
    readonly runId: number;
    readonly state: JobState;
    readonly uptimeMs: number;
    readonly error?: { readonly message: string; readonly nodeId: string | null };
    /** A run on Flink: the job there. */
    readonly flink?: FlinkJobInfo;
  };
  /** The latest records seen on a tapped edge since the previous event (sampled, rate-limited). */
  tap: {
    readonly tapId: number;
    readonly records: readonly { readonly ts: number; readonly key?: unknown; readonly value: unknown }[];
    /** Records that passed the edge since the tap opened. */
    readonly seen: number;
  };
  /** Lines a `sink.console` node printed (rate-limited; `dropped` counts what was left out). */
  console: { readonly runId: number; readonly lines: readonly string[]; readonly dropped: number };
}

export type EventName = keyof HostEvents;
export const EVENT_NAMES: readonly EventName[] = ['metrics', 'job', 'tap', 'console'];

/** How often the host pushes figures: "a few times a second". */
export const METRICS_INTERVAL_MS = 250;
