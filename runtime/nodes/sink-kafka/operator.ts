// Writes records to Kafka through the writer of the chosen client (spec.ts says what users see).
import { kafkaConnection, openAdmin, unreachable } from '../../connectors/kafka/connection.js';
import { driverNamed, kafkaDriver } from '../../connectors/kafka/driver.js';
import type { KafkaWriter, ProducedMessage } from '../../connectors/kafka/types.js';
import { AsyncSink } from '../../engine/async-sink.js';
import type { Batch } from '../../engine/batch.js';
import { unwritablePreview, unwritableReason } from '../../connectors/json-lines.js';
import { NodeError, errorMessage } from '../../engine/errors.js';
import type { OperatorFactory } from '../../engine/factory.js';
import type { NodeMetrics } from '../../engine/metrics.js';
import type { JobControl } from '../../engine/operator.js';
import { compileExpression } from '../../expr/index.js';
import { parseDuration } from '../../format/duration.js';
import type { ParamsOf } from '../spec.js';
import type { sinkKafkaSpec } from './spec.js';
import type { Checkpointed } from '../../engine/checkpoint/participant.js';
import { transactionalId, EpochTransactions, type KafkaSinkCheckpoint } from './epochs.js';

type Params = ParamsOf<typeof sinkKafkaSpec>;
type Fn = (event: unknown) => unknown;

const ACKS = { all: -1, leader: 1, none: 0 } as const;

function text(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v) ?? 'null';
}

export class KafkaSink extends AsyncSink implements Checkpointed {
  private writer: KafkaWriter | null = null;
  /** exactly-once: one transaction per checkpoint epoch. */
  private readonly epochs: EpochTransactions | null;
  private readonly key: Fn | null;
  private readonly value: Fn | null;
  private readonly headers: Fn | null;
  private readonly backoff: number;

  constructor(
    job: JobControl,
    metrics: NodeMetrics,
    private readonly nodeId: string,
    private readonly p: Params,
    private readonly resolvePath: (path: string) => string,
    pipelinePath: string,
    warn: (message: string) => void,
  ) {
    super(job, metrics, { batchSize: p.batchSize, maxInFlight: 1, maxBuffered: p.maxBuffered }, 1);
    this.epochs =
      p.deliveryGuarantee === 'exactly-once'
        ? new EpochTransactions(nodeId, transactionalId(p.transactionalIdPrefix, pipelinePath, nodeId), parseDuration(p.transactionTimeout)!, p.compression, warn)
        : null;
    this.key = p.key === undefined ? null : (compileExpression(p.key) as Fn);
    this.value = p.value === undefined ? null : (compileExpression(p.value) as Fn);
    this.headers = p.headers === undefined ? null : (compileExpression(p.headers) as Fn);
    this.backoff = parseDuration(p.retryBackoff)!;
  }

  override async open(): Promise<void> {
    const conn = await kafkaConnection(this.p, this.nodeId, this.resolvePath);
    const driver = kafkaDriver('writer');
    const admin = await openAdmin(driver, conn, this.nodeId);
    try {
      await admin.partitions(this.p.topic).catch(async (err: unknown) => {
        if (this.p.partitions === undefined) throw err;
        // Another writer may create it at the same moment; either way it exists afterwards.
        await admin.createTopic(this.p.topic, this.p.partitions).catch(() => {});
        await admin.partitions(this.p.topic);
      });
    } catch (err) {
      throw new NodeError(this.nodeId, `topic '${this.p.topic}': ${errorMessage(err)}`);
    } finally {
      await admin.close().catch(() => {});
    }
    try {
      // Transactions only on the client that is safe across crashes (platformatic-txn.ts says why).
      if (this.epochs !== null) await this.epochs.open(driverNamed('platformatic'), conn);
      else this.writer = await driver.writer(conn, { idempotent: this.p.idempotent, acks: ACKS[this.p.acks], compression: this.p.compression });
    } catch (err) {
      throw unreachable(this.nodeId, conn, err);
    }
  }

  // Checkpointed (exactly-once only does anything; at-least-once keeps nothing)

  /**
   * No prepareCheckpoint: sinks without one are drained by the checkpoint's barrier before the
   * snapshot, so every record produced before it is in the transaction the snapshot seals.
   */
  snapshotCheckpoint(): KafkaSinkCheckpoint {
    return this.epochs?.snapshot() ?? { pending: null };
  }

  restoreCheckpoint(s: unknown): void {
    this.epochs?.restore(s as KafkaSinkCheckpoint);
  }

  async checkpointComplete(): Promise<void> {
    // A commit that fails after the checkpoint is written fails the run; the restart commits it.
    await this.epochs?.complete().catch((err: unknown) => this.job.fail(err));
  }

  checkpointAborted(): void {
    this.epochs?.aborted();
  }

  checkpointInterval(ms: number | null): void {
    this.epochs?.setInterval(ms);
  }

  /** The message for a record, or throws with the reason (a key, value or header expression failed, or the value cannot be written as JSON). */
  private message(rec: unknown): ProducedMessage {
    const k = this.key === null ? null : this.key(rec);
    const h = this.headers === null ? undefined : this.headers(rec);
    let headers: Record<string, string> | undefined;
    if (h !== undefined && h !== null) {
      if (typeof h !== 'object' || Array.isArray(h)) throw new Error('headers must be an object');
      headers = {};
      for (const [name, v] of Object.entries(h)) if (v !== undefined && v !== null) headers[name] = typeof v === 'string' ? v : text(v);
    }
    return { key: k === null || k === undefined ? null : text(k), value: text(this.value === null ? rec : this.value(rec)), headers };
  }

  /** Messages are built as records arrive, so a record that cannot become one goes to `errors` with the reason at once. */
  protected override write(b: Batch): boolean {
    const messages: ProducedMessage[] = [];
    const ts: number[] = [];
    let errs: { error: string; record: unknown; ts: number }[] | null = null;
    for (let i = 0; i < b.recs.length; i++) {
      try {
        messages.push(this.message(b.recs[i]));
        ts.push(b.ts[i]!);
      } catch (err) {
        const deep = err instanceof RangeError;
        (errs ??= []).push({ error: deep ? unwritableReason(err) : errorMessage(err), record: deep ? unwritablePreview(b.recs[i]) : b.recs[i], ts: b.ts[i]! });
      }
    }
    if (errs !== null) this.emitErrors(this.nodeId, errs);
    return super.write({ recs: messages, ts, keys: null, wm: null, wmEnd: b.wmEnd });
  }

  protected async send(items: unknown[]): Promise<void> {
    const messages = items as ProducedMessage[];
    for (let attempt = 0; ; attempt++) {
      try {
        if (this.epochs !== null) await this.epochs.send(this.p.topic, messages);
        else await this.writer!.send(this.p.topic, messages);
        return;
      } catch (err) {
        this.metrics.errors++;
        if (attempt >= this.p.retries) {
          throw new NodeError(this.nodeId, `delivery to topic '${this.p.topic}' failed after ${attempt + 1} attempts: ${errorMessage(err)}`, { cause: err });
        }
        await new Promise((r) => setTimeout(r, this.backoff * 2 ** attempt));
      }
    }
  }

  protected override async close(): Promise<void> {
    await super.close();
    await this.writer?.close();
    this.writer = null;
  }

  /** Every sink closed and the run did not fail: the records after the last checkpoint commit. */
  override async commit(): Promise<void> {
    if (this.epochs === null) return;
    try {
      await this.epochs.commitRest();
    } catch (err) {
      throw new NodeError(this.nodeId, `committing the final transaction failed: ${errorMessage(err)}`, { cause: err });
    } finally {
      await this.epochs.close().catch(() => {});
    }
  }

  override async abort(): Promise<void> {
    await super.abort();
    await this.writer?.close().catch(() => {});
    this.writer = null;
    await this.epochs?.abort();
  }
}

export const createKafkaSink: OperatorFactory<Params> = (ctx, p) => ({
  // Without a pipeline file (the editor's unsaved runs), the folder stands in for it.
  operator: new KafkaSink(ctx.job, ctx.metrics, ctx.nodeId, p, ctx.resolvePath, ctx.pipelinePath ?? ctx.resolvePath('.'), ctx.warn ?? ((m) => process.stderr.write(`tributary: ${m}\n`))),
});
