// sink.kafka's exactly-once mode: Flink's KafkaSink with DeliveryGuarantee.EXACTLY_ONCE (a
// TwoPhaseCommittingSink) reduced to one process. The records of one checkpoint epoch go out in
// one Kafka transaction; the checkpoint's snapshot seals it (pre-commit: everything before the
// barrier has been sent, the job drained the sink first) and saves its handle; when the checkpoint
// is written, the transaction commits (notifyCheckpointComplete). Records arriving in between wait
// for that commit, so at most one transaction is open and a saved handle can never commit a later
// one (each transaction also has its own producer epoch).
//
// After a crash, the restored handle is committed from here (Flink's recovery commits the
// transactions of the restored checkpoint); a transaction the crashed run left open past the
// checkpoint is aborted when the new producer registers its transactional id (fencing the old one).
import { createHash } from 'node:crypto';
import type { KafkaConnection, KafkaDriver, ProducedMessage, TransactionalWriter, TransactionHandle } from '../../connectors/kafka/types.js';
import { NodeError, errorMessage } from '../../engine/errors.js';

export interface KafkaSinkCheckpoint {
  /** The transaction holding this checkpoint's records, committed once the checkpoint is written; null when it had none. */
  readonly pending: TransactionHandle | null;
}

/**
 * A transactional id unique to a pipeline file and node, stable across its restarts. With a
 * prefix (Flink's KafkaSink transactionalIdPrefix), the node id follows it, so two sinks given the
 * same prefix do not fence each other.
 */
export function transactionalId(prefix: string | undefined, pipelinePath: string, nodeId: string): string {
  if (prefix !== undefined) return `${prefix}-${nodeId}`;
  const h = createHash('sha256').update(pipelinePath).update('\0').update(nodeId).digest('hex').slice(0, 16);
  return `tributary-${nodeId.slice(0, 60)}-${h}`;
}

/** Time allowed for a restart to commit the checkpoint's transaction before the broker aborts it. */
export const RECOVERY_MARGIN_MS = 60_000;

export class EpochTransactions {
  private writer: TransactionalWriter | null = null;
  /** Sealed by a snapshot, waiting for its checkpoint to be written. */
  private sealed: TransactionHandle | null = null;
  /** Resolves once the sealed transaction is committed (or was unsealed); sends wait for it. */
  private gate: Promise<void> = Promise.resolve();
  private openGate: () => void = () => {};
  private restored: TransactionHandle | null = null;

  constructor(
    private readonly nodeId: string,
    private readonly transactionalId: string,
    private readonly transactionTimeout: number,
    private readonly compression: 'none' | 'gzip',
    /** A line for the run's log (stderr in the CLI). */
    private readonly warn: (message: string) => void,
  ) {}

  private interval: number | null = null;

  /** The run's checkpoint interval, checked when the sink opens. */
  setInterval(ms: number | null): void {
    this.interval = ms;
  }

  /** A timeout shorter than a checkpoint interval plus a restart could abort what a restart must commit. */
  private checkInterval(): void {
    const intervalMs = this.interval;
    if (intervalMs === null) return;
    if (this.transactionTimeout <= intervalMs + RECOVERY_MARGIN_MS) {
      throw new NodeError(
        this.nodeId,
        `params.transactionTimeout (${this.transactionTimeout} ms) must be longer than the checkpoint interval (${intervalMs} ms) plus ${RECOVERY_MARGIN_MS / 1000} s for a restart; otherwise the broker may abort a transaction a restart still has to commit`,
      );
    }
  }

  restore(s: KafkaSinkCheckpoint): void {
    this.restored = s.pending;
  }

  async open(driver: KafkaDriver, conn: KafkaConnection): Promise<void> {
    this.checkInterval();
    if (!driver.transactionalWriter || !driver.resumeCommit) throw new NodeError(this.nodeId, `exactly-once needs transactions, which the ${driver.name} client does not offer safely`);
    const pending = this.restored;
    this.restored = null;
    if (pending !== null) {
      // Nothing else may use the transactional id before this: a new producer would abort it.
      const outcome = await driver.resumeCommit(conn, pending).catch((err: unknown) => {
        throw new NodeError(this.nodeId, `cannot commit the transaction of the checkpoint being resumed (${pending.transactionalId}): ${errorMessage(err)}`, { cause: err });
      });
      if (outcome === 'superseded') this.superseded(pending);
    }
    this.writer = await driver.transactionalWriter(conn, { transactionalId: this.transactionalId, transactionTimeout: this.transactionTimeout, compression: this.compression });
    // Register the id now, not at the first record: this aborts what the crashed run left open
    // past its checkpoint, which would otherwise hold back every read_committed reader.
    await this.writer.fence();
  }

  /**
   * The resumed checkpoint's transaction had already ended. A later transaction began under the id
   * only once it had committed (sends wait for that commit), so that is the usual case: an earlier
   * run committed it. The other way it ends is the broker aborting it after transactionTimeout,
   * losing its records; that can only have happened if it began longer ago than that, and then
   * the log says so (the protocol cannot tell the two apart once the epoch has moved on).
   */
  private superseded(h: TransactionHandle): void {
    const age = h.startedAt === undefined ? null : Date.now() - h.startedAt;
    if (age !== null && age < this.transactionTimeout) return;
    const since = age === null ? 'at an unknown time' : `${Math.round(age / 1000)} s ago`;
    this.warn(
      `${this.nodeId}: the transaction of the checkpoint being resumed (${h.transactionalId}, producer ${h.producerId} epoch ${h.producerEpoch}) had already ended; it began ${since}, which is longer than transactionTimeout (${this.transactionTimeout / 1000} s), so the broker may have aborted it: then the records written for that checkpoint are lost (read_committed readers never see them). If an earlier run committed it, nothing is lost`,
    );
  }

  /** Send within the current epoch's transaction, after the previous epoch has committed. */
  async send(topic: string, messages: readonly ProducedMessage[]): Promise<void> {
    await this.gate;
    await this.writer!.send(topic, messages);
  }

  /** The snapshot: seal the open transaction (everything before the barrier is in it). */
  snapshot(): KafkaSinkCheckpoint {
    const open = this.writer?.open ?? null;
    if (open === null || this.sealed !== null) return { pending: this.sealed };
    this.sealed = open;
    this.gate = new Promise((r) => (this.openGate = r));
    return { pending: open };
  }

  /** The checkpoint is written: commit its transaction, and let the next epoch's records go. */
  async complete(): Promise<void> {
    if (this.sealed === null) return;
    try {
      await this.writer!.commit();
    } catch (err) {
      throw new NodeError(this.nodeId, `committing the checkpoint's transaction failed: ${errorMessage(err)}`, { cause: err });
    }
    this.sealed = null;
    this.openGate();
  }

  /** The checkpoint failed: its records stay in the open transaction, committed with the next one. */
  aborted(): void {
    if (this.sealed === null) return;
    this.sealed = null;
    this.openGate();
  }

  /** End of a run that did not fail: what came after the last checkpoint commits now. */
  async commitRest(): Promise<void> {
    await this.writer?.commit();
    this.sealed = null;
    this.openGate();
  }

  /** A failed run: abort what is open (a checkpoint's sealed transaction stays for the restart). */
  async abort(): Promise<void> {
    const w = this.writer;
    this.writer = null;
    this.openGate();
    if (w === null) return;
    if (this.sealed === null) await w.abort().catch(() => {});
    await w.close().catch(() => {});
  }

  async close(): Promise<void> {
    await this.writer?.close();
    this.writer = null;
  }
}
