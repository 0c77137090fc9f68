// Sinks with `deliveryGuarantee: exactly-once` toward systems without transactions (Redis, HTTP,
// SMTP): Flink's TwoPhaseCommitSinkFunction shape (and Sink V2's SinkWriter.prepareCommit +
// Committer). Writes are held per checkpoint epoch; the snapshot seals the open epoch into a
// transaction that the checkpoint itself carries (the "pre-commit": its content is then fixed,
// whatever order a replay brings records in); once the checkpoint is written
// (notifyCheckpointComplete) the transaction is applied by the sink's idempotent `apply`, and a
// restored run applies again every transaction its checkpoint still lists (Flink's
// recoverAndCommit), so `apply` must be safe to repeat: Redis checks an epoch marker, HTTP sends an
// Idempotency-Key, e-mail claims a deterministic id.
//
// The cost: output waits for the next completed checkpoint (up to one interval plus the time to
// take it), and the sink holds one interval of output in memory and in the checkpoint. A run with
// no periodic checkpoints applies each batch as it is written (applyAsWritten).
import { randomUUID } from 'node:crypto';
import type { Batch } from './batch.js';
import { FlushTracker } from './barrier.js';
import type { Checkpointed } from './checkpoint/participant.js';
import type { NodeMetrics } from './metrics.js';
import type { JobControl } from './operator.js';
import { SinkOperator } from './sink.js';

/** One sealed epoch of output: applied as a whole, any number of times, with one effect. */
export interface Transaction<Item> {
  /** Random per fresh run, kept across restores: ids below are unique within it. */
  readonly lineage: string;
  /** 1, 2, … within the lineage, in the order they must be applied. */
  readonly id: number;
  /** Ordinal (within the lineage) of this transaction's first item: a stable id for each item. */
  readonly first: number;
  readonly items: readonly Item[];
  /**
   * The last transaction of a run whose input ended: a run restored from an older checkpoint
   * afterwards (killed before it could clear them) replays only what this already covered.
   */
  readonly final: boolean;
}

interface Saved<Item> {
  readonly lineage: string;
  readonly txn: number;
  readonly count: number;
  readonly pending: readonly Transaction<Item>[];
}

export abstract class TransactionalSink<Item> extends SinkOperator implements Checkpointed {
  private lineage: string = randomUUID();
  /** Id of the last transaction sealed. */
  private txn = 0;
  /** Items sealed or buffered so far in the lineage. */
  private count = 0;
  private open_: Item[] = [];
  /** Sealed, not yet known to be applied (oldest first). */
  private pending: Transaction<Item>[] = [];
  /** Id of the last transaction handed to `apply` (its checkpoint completed, or the run ended). */
  private scheduled = 0;
  /** Items of the transactions handed to `apply` and not applied yet: what backpressure counts. */
  private scheduledItems = 0;
  private applying: Promise<void> = Promise.resolve();
  private aborted = false;
  private wantDrain = false;
  private readonly tracker = new FlushTracker();
  /** No periodic checkpoints will come (writeWithoutCheckpoints): each batch is applied as written. */
  private eager = false;

  constructor(
    job: JobControl,
    metrics: NodeMetrics,
    /**
     * Items of completed epochs waiting to be applied before the sources pause. The open epoch and
     * sealed ones whose checkpoint has not completed are not counted: holding the sources would
     * keep the next checkpoint from ever being taken.
     */
    private readonly maxPending: number,
    outputCount = 0,
  ) {
    super(job, metrics, outputCount);
  }

  /** The items a batch becomes (records that cannot become one go to `errors` here). */
  protected abstract prepare(b: Batch): Item[];

  /** Apply a transaction; repeating it must change nothing. A rejection fails the run. */
  protected abstract apply(t: Transaction<Item>): Promise<void>;

  /** Connect; called by `open` before restored transactions are applied again. */
  protected abstract connect(): Promise<void>;

  /** Release connections (after a successful run or an abort). */
  protected abstract disconnect(): Promise<void>;

  override async open(): Promise<void> {
    await this.connect();
    // Transactions the restored checkpoint lists may or may not have been applied before the crash.
    for (const t of this.pending) await this.apply(t);
    this.pending = [];
  }

  protected write(b: Batch): boolean {
    const items = this.prepare(b);
    for (const it of items) this.open_.push(it);
    this.tracker.accept(items.length);
    if (this.eager) {
      this.seal(false);
      this.applyInBackground();
    }
    return this.scheduledItems < this.maxPending;
  }

  /**
   * Without periodic checkpoints nothing would ever be applied before the run ends (an unbounded
   * source: never, with all output held in memory). The sink then applies each batch as it comes,
   * still through `apply` with its markers and ids, so a savepoint taken on stop and restored
   * later re-applies nothing twice; a crash is a fresh start, as for any sink without checkpoints.
   */
  applyAsWritten(): void {
    this.eager = true;
  }

  private applyInBackground(): void {
    this.applySealed().catch((err: unknown) => {
      this.aborted = true;
      this.job.fail(err);
    });
  }

  private seal(final: boolean): void {
    if (this.open_.length === 0) return;
    const t: Transaction<Item> = { lineage: this.lineage, id: ++this.txn, first: this.count, items: this.open_, final };
    this.count += this.open_.length;
    this.open_ = [];
    this.pending.push(t);
  }

  /** Apply, in order, every transaction sealed so far (after those already queued). */
  private applySealed(): Promise<void> {
    const upTo = this.txn;
    for (const t of this.pending) if (t.id > this.scheduled && t.id <= upTo) this.scheduledItems += t.items.length;
    this.scheduled = upTo;
    this.applying = this.applying.then(async () => {
      while (!this.aborted && this.pending.length > 0 && this.pending[0]!.id <= upTo) {
        const t = this.pending[0]!;
        await this.apply(t);
        this.pending.shift();
        this.scheduledItems -= t.items.length;
        this.tracker.complete(t.items.length);
        if (this.wantDrain && this.scheduledItems <= this.maxPending / 2) {
          this.wantDrain = false;
          this.drained();
        }
      }
    });
    return this.applying;
  }

  // Checkpointed

  snapshotCheckpoint(): Saved<Item> {
    this.seal(false);
    return { lineage: this.lineage, txn: this.txn, count: this.count, pending: [...this.pending] };
  }

  restoreCheckpoint(s: unknown): void {
    const c = s as Saved<Item>;
    this.lineage = c.lineage;
    this.txn = c.txn;
    this.count = c.count;
    this.pending = [...c.pending];
    this.scheduled = c.txn;
  }

  /** Nothing to flush: the sealed transaction travels in the checkpoint (and keeps the job's barrier from waiting on this sink). */
  async prepareCheckpoint(): Promise<void> {}

  /** Applied in the background, so the next checkpoint need not wait (a crash before it ends re-applies from the checkpoint). */
  async checkpointComplete(): Promise<void> {
    this.applyInBackground();
  }

  flushed(): Promise<void> {
    return this.tracker.flushed();
  }

  protected waitForDrain(): void {
    this.wantDrain = true;
  }

  /** What completed checkpoints cover is applied before the sink counts as closed. */
  protected async close(): Promise<void> {
    await this.applying;
  }

  /**
   * The run succeeded: what no completed checkpoint covers is applied now. Final only when the
   * input ended, not on an interrupt.
   */
  override async commit(): Promise<void> {
    this.seal(!this.job.stopped);
    try {
      await this.applySealed();
    } finally {
      await this.disconnect();
    }
  }

  async abort(): Promise<void> {
    this.aborted = true;
    this.open_ = [];
    await this.disconnect();
  }
}

/** The run takes no periodic checkpoints: exactly-once sinks write as records arrive instead of holding them. */
export function writeWithoutCheckpoints(operators: Iterable<unknown>): number {
  let n = 0;
  for (const op of operators) {
    if (op instanceof TransactionalSink) {
      op.applyAsWritten();
      n++;
    }
  }
  return n;
}
