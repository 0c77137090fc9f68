// A running pipeline: drives the sources, pauses them while a sink is full, and settles when
// every sink has flushed (or the first failure aborts everything).
import { type ProcessingClock, SystemClock } from './clock.js';
import type { Flushable } from './barrier.js';
import { type HeldInput, deliverHeld } from './held-input.js';
import type { Lifecycle } from './lifecycle.js';
import type { GraphEdge } from '../format/graph.js';
import type { NodeMetrics } from './metrics.js';
import type { JobControl, Operator } from './operator.js';
import type { EdgeProbe } from './probe.js';
import type { SinkOperator } from './sink.js';
import type { SourceOperator } from './source.js';

export type JobOutcome = 'finished' | 'stopped';

export interface JobParts {
  readonly sources: readonly SourceOperator[];
  readonly sinks: readonly SinkOperator[];
  readonly metrics: readonly NodeMetrics[];
  /** Asynchronous stages and sinks, in topological order (barrier.ts). */
  readonly flushables?: readonly Flushable[];
  /** Operators other than sources and sinks that open a connection (lifecycle.ts). */
  readonly resources?: readonly Lifecycle[];
  /** Where each edge can be watched (record counts, data taps). */
  readonly edges?: ReadonlyMap<GraphEdge, EdgeProbe>;
  /** The operator running each node (the stages of a chain share one): checkpoints match state by node id. */
  readonly operators?: ReadonlyMap<string, Operator>;
  /** What the planner wants the user to know (which nodes run in parallel, and which cannot). */
  readonly notes?: readonly string[];
}

const IDLE_CHECK_MS = 50;

export class Job implements JobControl {
  private parts: JobParts | null = null;
  private blockedSinks = 0;
  private unblockWaiters: (() => void)[] = [];
  private openSinks = 0;
  private failure: unknown = null;
  private interrupted = false;
  private committing = false;
  /** Checkpoints (checkpoint/coordinator.ts): while set, sources wait before their next pull. */
  private hold: Promise<void> | null = null;
  private pulling = 0;
  private pullWaiters: (() => void)[] = [];
  private inputsOver = false;
  /** Input a restored checkpoint held for operators (held-input.ts), until the run has opened everything. */
  private redeliveries = new Map<Operator, readonly HeldInput[]>();
  private boundaryHook: (() => Promise<void> | null) | null = null;
  private settle: { resolve: () => void; reject: (e: unknown) => void } | null = null;
  private readonly settled: Promise<void>;
  /** Rejects with the failure once the run fails, so nothing waits for a barrier that cannot pass. */
  private readonly failed: Promise<never>;
  private rejectFailed: (e: unknown) => void = () => {};
  private readonly wallClock = new SystemClock();
  /** Calls scheduled by operators run only while the job runs; one that throws fails the job. */
  readonly clock: ProcessingClock = {
    now: () => this.wallClock.now(),
    schedule: (at, fn) =>
      this.wallClock.schedule(at, () => {
        if (this.stopped) return;
        try {
          fn();
        } catch (err) {
          this.fail(err);
        }
      }),
  };

  constructor() {
    this.settled = new Promise<void>((resolve, reject) => {
      this.settle = { resolve, reject };
    });
    this.settled.catch(() => {}); // observed by run(); avoid an unhandled rejection before that
    this.failed = new Promise<never>((_, reject) => {
      this.rejectFailed = reject;
    });
    this.failed.catch(() => {});
  }

  /** Set by the planner once operators exist (they need the job to be built). */
  attach(parts: JobParts): void {
    this.parts = parts;
    this.openSinks = parts.sinks.length;
  }

  get metrics(): readonly NodeMetrics[] {
    return this.parts?.metrics ?? [];
  }

  get edges(): ReadonlyMap<GraphEdge, EdgeProbe> {
    return this.parts?.edges ?? new Map();
  }

  get operators(): ReadonlyMap<string, Operator> {
    return this.parts?.operators ?? new Map();
  }

  get notes(): readonly string[] {
    return this.parts?.notes ?? [];
  }

  get flushables(): readonly Flushable[] {
    return this.parts?.flushables ?? [];
  }

  /** Every source has ended (or the run stopped): no batch boundary is left to checkpoint at. */
  get inputsDone(): boolean {
    return this.inputsOver || this.stopped;
  }

  /**
   * Hold the sources at a batch boundary: resolves once no source is inside a pull, and keeps them
   * from starting another until the returned release is called (a checkpoint's synchronous part).
   */
  async quiesce(): Promise<() => void> {
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    this.hold = held;
    while (this.pulling > 0) await new Promise<void>((r) => this.pullWaiters.push(r));
    return () => {
      if (this.hold === held) this.hold = null;
      release();
    };
  }

  /**
   * Called before every pull, at a batch boundary: a checkpoint starts from here (deterministic
   * sources may never yield to timers), and may ask the loop to wait (a promise) meanwhile.
   */
  onBatchBoundary(hook: (() => Promise<void> | null) | null): void {
    this.boundaryHook = hook;
  }

  get stopped(): boolean {
    return this.interrupted || this.failure !== null;
  }

  async run(): Promise<JobOutcome> {
    const parts = this.parts;
    if (!parts) throw new Error('job has no operators');
    // Wait for every open to settle before aborting, so no sink creates its file after the cleanup.
    const resources = parts.resources ?? [];
    const opened = await Promise.allSettled([...parts.sinks.map((s) => s.open()), ...resources.map((r) => r.open()), ...parts.sources.map((s) => s.open())]);
    const openFailure = opened.find((o): o is PromiseRejectedResult => o.status === 'rejected');
    if (openFailure) {
      this.fail(openFailure.reason);
      await this.settled.catch(() => {});
      await Promise.allSettled([...resources.map((r) => r.close()), ...parts.sources.map((s) => s.close(false))]);
      throw this.failure;
    }
    try {
      this.deliverRestored();
    } catch (err) {
      this.fail(err);
    }
    // Deterministic sources are never idle: they have data until they end, and idleness measured
    // in wall-clock time would make their output depend on timing. Others go idle after their
    // timeout, except while a full sink is holding them back (as Flink ≥ 1.18 pauses the clock).
    const deterministic = parts.sources.every((s) => s.deterministic);
    const idle = setInterval(() => {
      const now = Date.now();
      for (const s of parts.sources) {
        if (deterministic || this.blockedSinks > 0) s.touch(now);
        else s.checkIdle(now);
      }
    }, IDLE_CHECK_MS);
    idle.unref();
    try {
      if (deterministic) await this.roundRobin(parts.sources);
      else await Promise.all(parts.sources.map((s) => this.roundRobin([s])));
    } catch (err) {
      this.fail(err);
    }
    this.inputsOver = true;
    if (this.openSinks === 0) this.commit();
    try {
      await this.settled;
    } finally {
      clearInterval(idle);
      this.wallClock.cancelAll();
      await Promise.allSettled(parts.sources.map((s) => s.close(this.failure === null)));
      await Promise.allSettled(resources.map((r) => r.close()));
    }
    if (this.failure !== null) throw this.failure;
    return this.interrupted ? 'stopped' : 'finished';
  }

  /** Input a restored checkpoint held for `op`: handed to it once the run has opened everything, before any source pulls. */
  redeliver(op: Operator, held: readonly HeldInput[]): void {
    this.redeliveries.set(op, held);
  }

  /** What `redeliver` gave `op` that it has not been handed yet (a checkpoint taken as the run opens keeps it). */
  undelivered(op: Operator): readonly HeldInput[] {
    return this.redeliveries.get(op) ?? [];
  }

  private deliverRestored(): void {
    const all = this.redeliveries;
    this.redeliveries = new Map();
    // A savepoint that stopped the job as it opened holds this input already.
    for (const [op, held] of all) deliverHeld(op, held, !this.stopped);
  }

  /**
   * Pull from the given sources in a fixed order until all are exhausted or the job stops.
   * With several deterministic sources in one call, their batches interleave identically on
   * every run.
   */
  private async roundRobin(sources: readonly SourceOperator[]): Promise<void> {
    const live = [...sources];
    while (live.length > 0 && !this.stopped) {
      for (let i = 0; i < live.length && !this.stopped; ) {
        if (this.blockedSinks > 0) await new Promise<void>((r) => this.unblockWaiters.push(r));
        if (this.boundaryHook !== null) {
          const wait = this.boundaryHook();
          if (wait !== null) await wait;
        }
        while (this.hold !== null && !this.stopped) await this.hold;
        if (this.stopped) break;
        this.pulling++;
        let more: boolean;
        try {
          more = await live[i]!.pull();
        } finally {
          if (--this.pulling === 0) this.pullsSettled();
        }
        if (more) {
          i++;
        } else {
          live.splice(i, 1)[0]!.endOfInput(true);
        }
      }
    }
    if (this.failure === null) for (const s of live) s.endOfInput(false);
  }

  /** Interrupt: sources stop, sinks flush what they have, the run resolves 'stopped'. */
  stop(): void {
    this.interrupted = true;
    this.releaseSources();
  }

  fail(err: unknown): void {
    if (this.failure !== null) return;
    this.failure = err ?? new Error('unknown failure');
    this.rejectFailed(this.failure);
    this.releaseSources();
    const sinks = this.parts?.sinks ?? [];
    void Promise.allSettled(sinks.map((s) => s.abort())).then(() => this.settle!.reject(this.failure));
  }

  /** `p`, or a rejection once the run fails (what `p` waits for may then never come). */
  unlessFailed<T>(p: Promise<T>): Promise<T> {
    return Promise.race([p, this.failed]);
  }

  /**
   * Resolves once everything emitted before the call has been written; rejects once the run has
   * failed (what was in flight is lost, so its positions must never be committed, and a source
   * closing after the failure must not wait for them).
   */
  async barrier(skip?: (f: Flushable) => boolean): Promise<void> {
    for (const f of this.parts?.flushables ?? []) {
      if (skip?.(f)) continue; // a checkpoint makes sinks with a commit protocol durable its own way
      if (this.failure !== null) throw this.failure;
      await Promise.race([f.flushed(), this.failed]);
    }
    if (this.failure !== null) throw this.failure;
  }

  block(): void {
    this.blockedSinks++;
  }

  unblock(): void {
    if (this.blockedSinks > 0) this.blockedSinks--;
    if (this.blockedSinks === 0) this.releaseSources();
  }

  sinkDone(): void {
    this.openSinks--;
    if (this.openSinks === 0) this.commit();
  }

  /**
   * Every sink has flushed: publish all outputs together (files are renamed into place only now),
   * so a run that fails anywhere publishes nothing.
   */
  private commit(): void {
    if (this.committing || this.failure !== null) return;
    this.committing = true;
    Promise.all((this.parts?.sinks ?? []).map((s) => s.commit())).then(
      () => this.settle!.resolve(),
      (err: unknown) => this.fail(err),
    );
  }

  private pullsSettled(): void {
    const waiters = this.pullWaiters;
    this.pullWaiters = [];
    for (const w of waiters) w();
  }

  private releaseSources(): void {
    const waiters = this.unblockWaiters;
    this.unblockWaiters = [];
    for (const w of waiters) w();
  }
}
