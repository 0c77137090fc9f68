// "Everything emitted so far has been written": what an at-least-once source waits for before it
// commits its read position (the role Flink's checkpoint barrier plays for the Kafka source's
// offset commit, without checkpointing operator state). Operators that hold records in flight —
// asynchronous stages and sinks — implement Flushable; the job awaits them in topological order,
// so whatever an upstream stage releases while draining is counted by the stages after it.

export interface Flushable {
  /** Resolves once every record this operator accepted before the call has left it (or been written). */
  flushed(): Promise<void>;
}

export function isFlushable(op: unknown): op is Flushable {
  return typeof (op as Partial<Flushable>).flushed === 'function';
}

/** Counts accepted and completed records and resolves `flushed()` waiters as completion passes them. */
export class FlushTracker {
  private accepted = 0;
  private completed = 0;
  private waiters: { upTo: number; resolve: () => void }[] = [];

  accept(n: number): void {
    this.accepted += n;
  }

  complete(n: number): void {
    this.completed += n;
    if (this.waiters.length === 0) return;
    const still: typeof this.waiters = [];
    for (const w of this.waiters) {
      if (w.upTo <= this.completed) w.resolve();
      else still.push(w);
    }
    this.waiters = still;
  }

  get pending(): number {
    return this.accepted - this.completed;
  }

  flushed(): Promise<void> {
    if (this.completed >= this.accepted) return Promise.resolve();
    // On a failed run the promise never settles: nothing may be committed for records that were lost.
    return new Promise((resolve) => this.waiters.push({ upTo: this.accepted, resolve }));
  }
}
