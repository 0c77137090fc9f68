// The one small interface the Kafka nodes use. Two implementations sit behind it (kafkajs and
// @platformatic/kafka); `npm run bench -- kafka` measures both on the same broker, and
// `driver.ts` picks the default. Offsets are plain numbers: int64 in the protocol, but far below
// 2^53 in practice, and numbers keep the per-record path free of BigInt arithmetic.

export interface KafkaSasl {
  readonly mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512';
  readonly username: string;
  readonly password: string;
}

export interface KafkaTls {
  /** PEM text of the certificate authorities to trust (unset: the system's). */
  readonly ca?: string;
  readonly cert?: string;
  readonly key?: string;
  readonly rejectUnauthorized: boolean;
}

export interface KafkaConnection {
  readonly brokers: readonly string[];
  readonly clientId: string;
  readonly tls: KafkaTls | null;
  readonly sasl: KafkaSasl | null;
  /** ms to wait for a broker connection before giving up. */
  readonly connectTimeout: number;
}

export interface TopicPartition {
  readonly topic: string;
  readonly partition: number;
}

export interface PartitionOffset extends TopicPartition {
  /** The next offset to read (Kafka's convention for positions and commits). */
  readonly offset: number;
}

export interface ConsumedMessage {
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  /** Header values decoded as UTF-8; null when the record has none. */
  readonly headers: Record<string, string> | null;
  /** The record's timestamp (CreateTime or LogAppendTime), epoch ms. */
  readonly timestamp: number;
  readonly offset: number;
}

/** Consecutive messages of one partition, in offset order. */
export interface FetchedBatch {
  readonly topic: string;
  readonly partition: number;
  readonly messages: readonly ConsumedMessage[];
  /**
   * The partition's read position after these messages, when the client knows it: past entries it
   * never delivers (transaction markers, records of aborted transactions), so a bounded read can
   * reach its end offset and a commit need not stop short of them. May come with no messages.
   */
  readonly next?: number;
}

export interface ProducedMessage {
  readonly key: string | Buffer | null;
  readonly value: string | Buffer | null;
  readonly headers?: Record<string, string>;
}

export interface KafkaAdmin {
  /** Partition ids of a topic; rejects when the topic does not exist. */
  partitions(topic: string): Promise<number[]>;
  /** Per partition: the earliest or latest offset, or the first offset at or after a timestamp. */
  offsets(topic: string, at: 'earliest' | 'latest' | number): Promise<Map<number, number>>;
  /** Per partition: the group's committed offset, or -1 where it has none. */
  committed(groupId: string, topic: string): Promise<Map<number, number>>;
  createTopic(topic: string, partitions: number): Promise<void>;
  deleteTopics(topics: readonly string[]): Promise<void>;
  close(): Promise<void>;
}

export interface ReaderOptions {
  readonly groupId: string;
  /** Where each partition starts; only these partitions are read. */
  readonly start: readonly PartitionOffset[];
  /** Fetching pauses while this many messages wait to be polled (backpressure). */
  readonly maxBuffered: number;
  /** `read_committed` (unset) skips records of open and aborted transactions (Kafka's isolation.level). */
  readonly isolationLevel?: 'read_committed' | 'read_uncommitted';
}

export interface KafkaReader {
  /** What has arrived (at most `maxMessages` messages, unset: `maxBuffered`), waiting at most `maxWaitMs` for something; may be empty. */
  poll(maxWaitMs: number, maxMessages?: number): Promise<FetchedBatch[]>;
  /** Stop fetching these partitions (a bounded read reached its end offsets). */
  pause(partitions: readonly TopicPartition[]): void;
  /** Commit positions for the reader's group. */
  commit(offsets: readonly PartitionOffset[]): Promise<void>;
  close(): Promise<void>;
}

export interface WriterOptions {
  /** Idempotent producer: retries never duplicate or reorder within a partition. */
  readonly idempotent: boolean;
  readonly acks: -1 | 0 | 1;
  readonly compression: 'none' | 'gzip' | 'snappy' | 'lz4' | 'zstd';
}

export interface KafkaWriter {
  /** Resolves once every message is acknowledged per `acks`. */
  send(topic: string, messages: readonly ProducedMessage[]): Promise<void>;
  close(): Promise<void>;
}

/** Identifies one transaction of a transactional producer, so another process can finish it. */
export interface TransactionHandle {
  readonly transactionalId: string;
  /** int64 as a decimal string (structured-clone-able, exact). */
  readonly producerId: string;
  readonly producerEpoch: number;
  /** ms since the epoch when the transaction began here (the broker's timeout runs from a little later); absent in older checkpoints. */
  readonly startedAt?: number;
}

export interface TransactionalWriterOptions {
  readonly transactionalId: string;
  /** ms the broker keeps a transaction open before aborting it (transaction.timeout.ms). */
  readonly transactionTimeout: number;
  readonly compression: 'none' | 'gzip' | 'snappy' | 'lz4' | 'zstd';
}

/**
 * A transactional producer (Kafka's KIP-98). Every transaction starts with InitProducerId
 * (producer id and epoch -1), which aborts a transaction left open under the same id and bumps the
 * epoch, so each transaction has its own (producer id, epoch) and an older producer is fenced.
 */
export interface TransactionalWriter {
  /** Send within the open transaction, starting one first when none is open. */
  send(topic: string, messages: readonly ProducedMessage[]): Promise<void>;
  /** Register the transactional id now (aborting what an earlier producer left open) if no transaction is open. */
  fence(): Promise<void>;
  /** The open transaction, or null when nothing was sent since the last commit. */
  readonly open: TransactionHandle | null;
  commit(): Promise<void>;
  abort(): Promise<void>;
  close(): Promise<void>;
}

/** What finishing a transaction by its handle found. */
export type ResumeOutcome = 'committed' | 'superseded';

export interface KafkaDriver {
  readonly name: KafkaDriverName;
  admin(conn: KafkaConnection): Promise<KafkaAdmin>;
  reader(conn: KafkaConnection, opts: ReaderOptions): Promise<KafkaReader>;
  writer(conn: KafkaConnection, opts: WriterOptions): Promise<KafkaWriter>;
  /** Only clients whose transactions are safe across crashes (KIP-447, fencing) offer these. */
  transactionalWriter?(conn: KafkaConnection, opts: TransactionalWriterOptions): Promise<TransactionalWriter>;
  /**
   * Commit a transaction another process left open (Flink's two-phase-commit recovery): 'committed'
   * when it is committed now or already was; 'superseded' when its producer epoch has been bumped
   * since, or the id has a new producer id (a later transaction began under the id, or the broker
   * aborted it on timeout: the caller must tell these apart).
   */
  resumeCommit?(conn: KafkaConnection, handle: TransactionHandle): Promise<ResumeOutcome>;
}

export type KafkaDriverName = 'kafkajs' | 'platformatic';
