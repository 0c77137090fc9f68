// Reads Kafka topics (spec.ts says what users see). Pulls what the reader has fetched, at most
// POLL_MS apart so the job can stop it and idleness is noticed; decodes, stamps event time with
// per-partition watermarks, and commits positions only once the job's barrier says that
// everything read before them has been written.
import type { Worker } from 'node:worker_threads';
import { kafkaConnection, openAdmin, unreachable } from '../../connectors/kafka/connection.js';
import { kafkaDriver } from '../../connectors/kafka/driver.js';
import type { PackedPoll } from '../../connectors/kafka/packed.js';
import type { FetchedBatch, KafkaConnection, KafkaDriver, KafkaReader, PartitionOffset, TopicPartition } from '../../connectors/kafka/types.js';
import { ThreadedReader } from '../../connectors/kafka/threaded-reader.js';
import { BatchBuilder } from '../../engine/batch.js';
import { NodeError, describeValue, errorMessage } from '../../engine/errors.js';
import type { OperatorFactory } from '../../engine/factory.js';
import type { NodeMetrics } from '../../engine/metrics.js';
import type { JobControl } from '../../engine/operator.js';
import { SourceOperator } from '../../engine/source.js';
import { SplitWatermarks } from '../../engine/split-watermarks.js';
import { parseDuration } from '../../format/duration.js';
import { toTimestamp } from '../source-file/operator.js';
import type { ParamsOf } from '../spec.js';
import { resolveStart } from './offsets.js';
import { decoder, type Decoder, type MessageView, MessagesView, PackedView } from './decode.js';
import type { sourceKafkaSpec } from './spec.js';
import { retryWhileCoordinatorLoads } from '../../connectors/kafka/retriable.js';
import type { Checkpointed } from '../../engine/checkpoint/participant.js';

/**
 * What a checkpoint keeps: per partition the next offset, the bounded read's end and the split's
 * watermark generator (Flink's KafkaPartitionSplit: partition, starting and stopping offset). A
 * restore reads from these, not from the group's commits, which are kept for monitoring only.
 */
interface KafkaSourceCheckpoint {
  readonly partitions: readonly { topic: string; partition: number; position: number; end: number | null; wm: [number, number] }[];
  readonly wm: number;
}

type Params = ParamsOf<typeof sourceKafkaSpec>;

const POLL_MS = 100;
/**
 * Most messages one poll hands the pipeline: smaller batches die young (a scavenge, not a major
 * GC); 4096 took about a sixth less CPU than 50,000 on `npm run bench -- kafka`.
 */
const POLL_MESSAGES = 4096;
/** Consecutive failed commits (a group rebalancing, a broker restarting) tolerated before failing. */
const MAX_COMMIT_FAILURES = 5;

interface PartitionState {
  readonly topic: string;
  readonly partition: number;
  readonly split: number;
  /** Next offset to read. */
  position: number;
  /** Bounded: stop before this offset; Infinity otherwise. */
  readonly end: number;
  done: boolean;
}

export class KafkaSource extends SourceOperator implements Checkpointed {
  readonly deterministic = false;
  /** The client, on this thread or on a fetch thread (`fetchThread`). */
  private reader: Pick<KafkaReader, 'pause' | 'commit' | 'close'> | null = null;
  private inThread: KafkaReader | null = null;
  private threaded: ThreadedReader | null = null;
  private readonly parts = new Map<string, PartitionState>();
  private readonly splits: SplitWatermarks;
  private readonly decode: Decoder;
  private readonly eventField: string[] | null;
  private readonly commitInterval: number;
  private nextCommit = 0;
  private committing: Promise<void> | null = null;
  private commitFailures = 0;
  private live = 0;
  private restored: KafkaSourceCheckpoint | null = null;

  constructor(
    job: JobControl,
    metrics: NodeMetrics,
    private readonly nodeId: string,
    private readonly p: Params,
    private readonly resolvePath: (path: string) => string,
    private readonly warn: (message: string) => void,
  ) {
    const idle = p.eventTime?.idleTimeout !== undefined ? parseDuration(p.eventTime.idleTimeout) : null;
    super(job, 2, metrics, idle);
    this.splits = new SplitWatermarks(p.eventTime ? parseDuration(p.eventTime.maxOutOfOrderness)! : 0, idle);
    this.decode = decoder(p.format, p.metadata ? p.metadataField : null);
    this.eventField = p.eventTime ? p.eventTime.field.split('.') : null;
    this.commitInterval = parseDuration(p.commitInterval)!;
  }

  override async open(): Promise<void> {
    const conn = await kafkaConnection(this.p, this.nodeId, this.resolvePath);
    const driver = kafkaDriver('reader');
    // The fetch thread starts (and loads its client) while this thread asks where to start.
    const thread = this.p.fetchThread === 'off' ? Promise.resolve(null) : ThreadedReader.spawn(driver.name, (why) => this.warn(`${this.nodeId}: the Kafka fetch thread (fetchThread: ${this.p.fetchThread}) cannot run here, so the client runs on the pipeline's thread (as fetchThread: off): ${why}`));
    let connecting = false;
    try {
      const reading = await this.resolveParts(driver, conn);
      if (reading === null) return;
      connecting = true;
      await this.connectReader(driver, conn, reading, await thread);
    } finally {
      if (!connecting) await (await thread)?.terminate();
    }
  }

  /** Where each partition starts and ends (from the checkpoint, else `startFrom`); the partitions left to read, or null if none. */
  private async resolveParts(driver: KafkaDriver, conn: KafkaConnection): Promise<PartitionOffset[] | null> {
    const admin = await openAdmin(driver, conn, this.nodeId);
    let start: PartitionOffset[];
    let ends: Map<string, number>;
    let range: Map<string, [number, number]>;
    try {
      const from = this.p.startFrom === 'timestamp' ? { timestamp: this.p.startTimestamp! } : this.p.startFrom;
      ({ start, ends, range } = await resolveStart(admin, this.nodeId, this.topics(), this.groupId(), from, this.p.bounded));
    } finally {
      await admin.close().catch(() => {});
    }
    const now = Date.now();
    const saved = new Map((this.restored?.partitions ?? []).map((p) => [`${p.topic}:${p.partition}`, p]));
    checkRestorable(this.nodeId, saved, range);
    for (let i = 0; i < start.length; i++) {
      const s = start[i]!;
      const key = `${s.topic}:${s.partition}`;
      const back = saved.get(key);
      // A restored partition goes on from the checkpoint, a bounded one to the end it had then;
      // partitions added since start as `startFrom` says.
      if (back !== undefined) start[i] = { topic: s.topic, partition: s.partition, offset: back.position };
      const end = back !== undefined ? (back.end ?? Infinity) : (ends.get(key) ?? Infinity);
      const position = start[i]!.offset;
      const done = position >= end;
      const split = this.splits.add(now);
      if (back !== undefined) this.splits.loadSplit(split, back.wm);
      this.parts.set(key, { topic: s.topic, partition: s.partition, split, position, end, done });
      if (done) this.splits.finish(split);
      else this.live++;
    }
    if (this.restored !== null) this.splits.restoreCurrent(this.restored.wm);
    this.restored = null;
    const reading = start.filter((s) => !this.parts.get(`${s.topic}:${s.partition}`)!.done);
    this.nextCommit = now + this.commitInterval;
    return reading.length === 0 ? null : reading;
  }

  private groupId(): string {
    return this.p.groupId ?? `tributary-${this.nodeId}`;
  }

  /** The client on the fetch thread when one started (`thread`), else on this thread. */
  private async connectReader(driver: KafkaDriver, conn: KafkaConnection, start: PartitionOffset[], thread: Worker | null): Promise<void> {
    const opts = { groupId: this.groupId(), start, maxBuffered: this.p.maxBuffered, isolationLevel: this.p.isolationLevel };
    try {
      if (thread !== null) this.threaded = await ThreadedReader.connect(thread, driver.name, conn, opts, this.p.fetchThread === 'parse' && this.p.format === 'json', POLL_MESSAGES);
      else this.inThread = await driver.reader(conn, opts);
    } catch (err) {
      throw unreachable(this.nodeId, conn, err);
    }
    this.reader = this.threaded ?? this.inThread;
  }

  private topics(): string[] {
    return typeof this.p.topic === 'string' ? [this.p.topic] : this.p.topic;
  }

  async pull(): Promise<boolean> {
    if (this.live === 0) return false;
    let polled: PackedPoll | null = null;
    let fetched: FetchedBatch[] = [];
    try {
      if (this.threaded !== null) polled = await this.threaded.poll(POLL_MS);
      else fetched = await this.inThread!.poll(POLL_MS, POLL_MESSAGES);
    } catch (err) {
      throw new NodeError(this.nodeId, `reading from Kafka failed: ${errorMessage(err)}`, { cause: err });
    }
    const now = Date.now();
    const withWm = this.eventField !== null;
    const out = new BatchBuilder(false, withWm);
    const errs = new BatchBuilder(false, withWm);
    if (polled !== null) {
      const view = new PackedView(polled.data);
      for (const b of polled.batches) this.take(view, b.from, b.count, b.topic, b.partition, b.next, now, out, errs);
    }
    for (const b of fetched) this.take(new MessagesView(b.messages), 0, b.messages.length, b.topic, b.partition, b.next, now, out, errs);
    if (this.splits.checkIdle(now) || out.length > 0 || errs.length > 0) {
      const wmEnd = withWm ? this.splits.current : -Infinity;
      const advanced = wmEnd > this.wmOut;
      if (out.length > 0 || advanced) this.emitOn(0, out.build(wmEnd));
      if (errs.length > 0 || advanced) this.emitOn(1, errs.build(wmEnd));
    }
    if (now >= this.nextCommit && this.committing === null) this.commitSoon(now);
    return this.live > 0;
  }

  /** Decode one partition's messages (`count` of them from index `from`) into the output (or errors) batch. */
  private take(v: MessageView, from: number, count: number, topic: string, partition: number, next: number | undefined, now: number, out: BatchBuilder, errs: BatchBuilder): void {
    const st = this.parts.get(`${topic}:${partition}`);
    if (st === undefined || st.done) return;
    const splits = this.splits;
    const field = this.eventField;
    if (count > 0) splits.active(st.split, now);
    const to = from + count;
    for (let i = from; i < to; i++) {
      const offset = v.offset(i);
      if (offset < st.position) continue; // a re-delivery after a seek or reconnect
      if (offset >= st.end) {
        st.position = st.end; // what lay before the end was compacted away or never delivered
        break;
      }
      st.position = offset + 1;
      const rec = this.decode(v, i, topic, partition);
      if (typeof rec === 'string') {
        this.bad(errs, rec, v.value(i), topic, partition, offset, now);
        continue;
      }
      if (field === null) {
        out.push(rec, now, undefined, 0);
        continue;
      }
      let x: any = rec;
      for (let j = 0; j < field.length && x !== null && x !== undefined; j++) x = x[field[j]!];
      const ts = toTimestamp(x);
      if (!Number.isFinite(ts)) {
        this.bad(errs, `field '${field.join('.')}' must be epoch milliseconds or an ISO-8601 timestamp, got ${describeValue(x)}`, rec, topic, partition, offset, now);
        continue;
      }
      out.push(rec, ts, undefined, splits.current);
      splits.observe(st.split, ts);
    }
    // Past what the client skipped (transaction markers, aborted records): the consumer's position
    // decides when a bounded partition is done, not its last record, which may be followed by a
    // marker and nothing else (Flink's KafkaPartitionSplitReader.fetch).
    if (next !== undefined && next > st.position) st.position = Math.min(next, st.end);
    if (st.position >= st.end) {
      st.done = true;
      this.live--;
      const p: TopicPartition = { topic: st.topic, partition: st.partition };
      this.reader!.pause([p]);
      splits.finish(st.split);
    }
  }

  private bad(errs: BatchBuilder, error: string, record: unknown, topic: string, partition: number, offset: number, now: number): void {
    if (!this.outputs[1]!.connected) throw new NodeError(this.nodeId, `${topic}/${partition}@${offset}: ${error}`);
    errs.push({ node: this.nodeId, error, record, topic, partition, offset }, now, undefined, this.splits.current);
  }

  /** Positions read so far, committed once everything before them has been written. */
  private positions(): PartitionOffset[] {
    return [...this.parts.values()].map((s) => ({ topic: s.topic, partition: s.partition, offset: s.position }));
  }

  private commitSoon(now: number): void {
    const snapshot = this.positions();
    this.nextCommit = now + this.commitInterval;
    this.committing = this.job
      .barrier()
      .then(() => this.reader && retryWhileCoordinatorLoads(() => this.reader!.commit(snapshot)))
      .then(
        () => {
          this.commitFailures = 0;
        },
        (err: unknown) => {
          if (++this.commitFailures >= MAX_COMMIT_FAILURES) this.job.fail(new NodeError(this.nodeId, `committing offsets failed ${MAX_COMMIT_FAILURES} times: ${errorMessage(err)}`));
        },
      )
      .finally(() => {
        this.committing = null;
      });
  }

  // Checkpointed

  snapshotCheckpoint(): KafkaSourceCheckpoint {
    const partitions = [...this.parts.values()].map((s) => ({ topic: s.topic, partition: s.partition, position: s.position, end: Number.isFinite(s.end) ? s.end : null, wm: this.splits.saveSplit(s.split) }));
    return { partitions, wm: this.splits.current };
  }

  restoreCheckpoint(s: unknown): void {
    this.restored = s as KafkaSourceCheckpoint;
  }

  override touch(now: number): void {
    super.touch(now);
    this.splits.touchAll(now);
  }

  override async close(succeeded = true): Promise<void> {
    const reader = this.reader;
    this.reader = this.threaded = this.inThread = null;
    if (reader === null) return;
    try {
      await this.committing;
      // The run settled: every sink has written what it was given, so every position is safe.
      if (succeeded) await retryWhileCoordinatorLoads(() => reader.commit(this.positions()));
    } finally {
      await reader.close().catch(() => {});
    }
  }
}

export const createKafkaSource: OperatorFactory<Params> = (ctx, p) => ({
  operator: new KafkaSource(ctx.job, ctx.metrics, ctx.nodeId, p, ctx.resolvePath, ctx.warn ?? ((m) => process.stderr.write(`tributary: ${m}\n`))),
});

/**
 * A checkpoint's positions must still exist: a topic deleted and created again, fewer partitions,
 * or records removed by retention would otherwise make the reader fail with an offset error (or,
 * with a reset, silently skip or repeat records). Flink's Kafka source falls back to the
 * consumer's auto.offset.reset there; here the run stops and says why, and `--fresh` starts over.
 */
function checkRestorable(nodeId: string, saved: ReadonlyMap<string, { position: number }>, range: ReadonlyMap<string, [number, number]>): void {
  const problems: string[] = [];
  for (const [key, s] of saved) {
    const r = range.get(key);
    if (r === undefined) problems.push(`partition ${key} no longer exists`);
    else if (s.position < r[0] || s.position > r[1]) problems.push(`partition ${key} holds offsets ${r[0]}..${r[1]}, the checkpoint's position ${s.position} is outside them`);
  }
  if (problems.length === 0) return;
  throw new NodeError(
    nodeId,
    `cannot resume from the checkpoint: ${problems.join('; ')} (was the topic deleted and created again, or were records removed by retention?). Run with --fresh to start over without the checkpoint`,
  );
}
