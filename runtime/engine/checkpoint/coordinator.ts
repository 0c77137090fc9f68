// Flink's CheckpointCoordinator, for one process: every `interval` it holds the sources at a batch
// boundary, lets the records in asynchronous stages and server sinks drain (where Flink's aligned
// barrier would travel), copies every operator's state, source position and watermarks in one
// synchronous step, lets the sources go on, then makes the sinks' output durable, writes the copy
// atomically and tells the sinks the checkpoint is complete (notifyCheckpointComplete).
import { errorMessage } from '../errors.js';
import type { Job } from '../job.js';
import { type Checkpointed, isCheckpointed } from './participant.js';
import { type CheckpointData, type CheckpointKind, collect } from './snapshot.js';
import type { Stateful } from '../timed.js';

/** Where checkpoints go (connectors/files/checkpoints.ts writes them to a folder). */
export interface CheckpointStore {
  /** Serialize a copy taken by `collect` (it is independent of the live state). */
  encode(data: CheckpointData): Uint8Array;
  /** Write atomically; resolves with where it went. */
  persist(id: number, kind: CheckpointKind, bytes: Uint8Array): Promise<string>;
}

/** Flink's checkpoint metrics, plus what the progress table and the editor show. */
export interface CheckpointStats {
  completed: number;
  failed: number;
  /** Id of the last completed checkpoint or savepoint. */
  lastId: number | null;
  lastKind: CheckpointKind | null;
  /** Wall-clock time it completed (epoch ms). */
  lastAt: number | null;
  /** From holding the sources to written, ms (Flink's lastCheckpointDuration). */
  lastDuration: number | null;
  /** How long the sources were held, ms: the pipeline's stall. */
  lastStall: number | null;
  /** CPU ms of the copy and its encoding (the work done on the job's thread; the write is I/O). */
  lastCpu: number | null;
  /** Bytes written (Flink's lastCheckpointSize). */
  lastSize: number | null;
  lastPath: string | null;
  lastFailure: string | null;
}

export function emptyStats(): CheckpointStats {
  return { completed: 0, failed: 0, lastId: null, lastKind: null, lastAt: null, lastDuration: null, lastStall: null, lastCpu: null, lastSize: null, lastPath: null, lastFailure: null };
}

export interface CoordinatorOptions {
  /** ms between checkpoints; null: only savepoints. */
  readonly interval: number | null;
  readonly pipeline: string;
  /** First id to use (one past the newest in the folder, so ids keep increasing across restarts). */
  readonly firstId: number;
  /** A checkpoint failed (it is counted; the job carries on, the previous checkpoint stays valid). */
  readonly onFailure?: (err: unknown) => void;
}

function cpuMsSince(from: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(from);
  return (d.user + d.system) / 1000;
}

function yieldToIo(): Promise<void> {
  return new Promise((r) => setImmediate(r));
}

/**
 * Parallel instances' output held since their barrier goes on, and so does the input their nodes
 * held (unless the job stops at this savepoint: the savepoint holds it) (exchange.ts); idempotent.
 */
function endAlignment(job: Job, goOn: boolean): void {
  for (const o of new Set(job.operators.values())) (o as Partial<Stateful>).endAlignment?.(goOn);
}

/**
 * A savepoint asked for as the input ended: the run finishes on its own (its sinks are closing),
 * so none is taken. Not a failure: it is not counted as one, and the caller tells the user so.
 */
export class RunFinishingError extends Error {
  constructor() {
    super('the input has ended and the run is finishing on its own, so no savepoint was taken');
  }
}

export class CheckpointCoordinator {
  readonly stats = emptyStats();
  private nextId: number;
  private due = Infinity;
  private running: Promise<unknown> | null = null;

  constructor(
    private readonly job: Job,
    private readonly store: CheckpointStore,
    private readonly opts: CoordinatorOptions,
  ) {
    this.nextId = opts.firstId;
  }

  /** ms between checkpoints; null: savepoints only. */
  get interval(): number | null {
    return this.opts.interval;
  }

  /** Whether checkpoints are taken every `interval` (false: only savepoints). */
  get periodic(): boolean {
    return this.opts.interval !== null;
  }

  start(): void {
    const every = this.opts.interval;
    for (const op of new Set(this.job.operators.values())) if (isCheckpointed(op)) op.checkpointInterval?.(every);
    this.job.onBatchBoundary(() => this.atBoundary());
    if (every !== null) this.due = performance.now() + every;
  }

  /** No more checkpoints; resolves once the one being written (if any) is done. */
  async stop(): Promise<void> {
    this.job.onBatchBoundary(null);
    this.due = Infinity;
    while (this.running) await this.running.catch(() => {});
  }

  /**
   * Checked before every pull (job.ts). A deterministic run pulls without yielding to timers, so
   * the interval is checked here rather than by a timer; while a checkpoint writes, each pull
   * first yields once, so its file I/O makes progress.
   */
  private atBoundary(): Promise<void> | null {
    if (this.running) return yieldToIo();
    const now = performance.now();
    if (now < this.due || this.job.inputsDone) return null;
    this.due = now + this.opts.interval!;
    this.trigger('checkpoint').catch(() => {}); // counted and reported in take(); it holds the sources itself
    return null;
  }

  /** Take a checkpoint now (after the one running, if any); resolves with its path. */
  async trigger(kind: CheckpointKind): Promise<string> {
    while (this.running) await this.running.catch(() => {});
    const p = this.take(kind, false);
    this.running = p;
    try {
      return await p;
    } finally {
      this.running = null;
    }
  }

  /**
   * Ctrl-C and the editor's Stop: a savepoint, then the job stops with its sources still held, so
   * nothing past the savepoint reaches a sink (a restart continues from exactly there).
   */
  async savepointAndStop(): Promise<string> {
    this.job.onBatchBoundary(null);
    this.due = Infinity;
    while (this.running) await this.running.catch(() => {});
    const p = this.take('savepoint', true);
    this.running = p;
    try {
      return await p;
    } finally {
      this.running = null;
    }
  }

  private async take(kind: CheckpointKind, thenStop: boolean): Promise<string> {
    const job = this.job;
    const id = this.nextId++;
    const started = performance.now();
    let release: (() => void) | null = null;
    let participants: Checkpointed[] = [];
    let finishing = false;
    try {
      if (job.stopped) throw new Error('the job has stopped');
      release = await job.quiesce();
      // Asked for as the input ended: the sinks are closing and parallel instances may have ended
      // with it, so there is nothing left to save; the run finishes (a stop now would cut it short).
      if (job.inputsDone && !job.stopped) {
        finishing = true;
        throw new RunFinishingError();
      }
      // Records inside asynchronous stages and server sinks are finished first (an aligned
      // checkpoint that drains instead of persisting in-flight records, as unaligned ones would).
      const durable = (f: object) => isCheckpointed(f) && typeof f.prepareCheckpoint === 'function';
      await job.barrier(durable);
      // Parallel instances snapshot behind a barrier sent after their records, those of stages
      // upstream drained above included; their outputs up to it are emitted downstream before the
      // drain again, so stages below and the sinks' part cover them.
      // (Their own answers past the barrier are held until the sinks' part is taken: not waited for;
      // input reaching them past it, from timers firing upstream meanwhile, is held for the snapshot.)
      const aligning = new Set([...job.operators.values()].filter((o): o is typeof o & Partial<Stateful> => typeof (o as Partial<Stateful>).alignSnapshot === 'function'));
      if (aligning.size > 0) {
        await job.unlessFailed(Promise.all([...aligning].map((o) => o.alignSnapshot!())));
        await job.barrier((f) => durable(f) || aligning.has(f as never));
      }
      participants = [...new Set(job.operators.values())].filter((o): o is typeof o & Checkpointed => isCheckpointed(o));
      // Synchronous phase: only the copy. Every snapshot is independent of the live state
      // (participant.ts, timed.ts), so encoding and writing it is the asynchronous phase, after
      // the sources go on (Flink's AsyncCheckpointRunnable after the synchronous snapshot).
      const cpu0 = process.cpuUsage();
      const data = collect(job, id, kind, this.opts.pipeline);
      let cpuMs = cpuMsSince(cpu0);
      if (!thenStop) {
        release();
        release = null;
      }
      const stall = performance.now() - started;
      // Started in the same tick as the release, before any record passes the snapshot: a file
      // sink queues its flush up to the snapshot's length before the input can end and close it.
      const prepared = Promise.all(participants.map((p) => p.prepareCheckpoint?.()));
      prepared.catch(() => {}); // awaited below; not an unhandled rejection meanwhile
      endAlignment(job, !thenStop);
      await yieldToIo();
      const cpu1 = process.cpuUsage();
      const bytes = this.store.encode(data);
      cpuMs += cpuMsSince(cpu1);
      await prepared;
      const path = await this.store.persist(id, kind, bytes);
      await Promise.all(participants.map((p) => p.checkpointComplete?.(id)));
      const s = this.stats;
      s.completed++;
      s.lastId = id;
      s.lastKind = kind;
      s.lastAt = Date.now();
      s.lastDuration = performance.now() - started;
      s.lastStall = release === null ? stall : s.lastDuration;
      s.lastCpu = cpuMs;
      s.lastSize = bytes.byteLength;
      s.lastPath = path;
      s.lastFailure = null;
      return path;
    } catch (err) {
      endAlignment(job, !thenStop);
      if (finishing) throw err;
      for (const p of participants) p.checkpointAborted?.(id);
      this.stats.failed++;
      this.stats.lastFailure = errorMessage(err);
      this.opts.onFailure?.(err);
      throw err;
    } finally {
      if (thenStop && !finishing) job.stop();
      release?.();
    }
  }
}
