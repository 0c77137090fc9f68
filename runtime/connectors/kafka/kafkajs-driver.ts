// The Kafka interface on kafkajs. kafkajs reads only through group membership, so the reader
// joins `groupId`, subscribes to the topics and seeks each assigned partition to its start
// offset; its batch callback waits while the fetch buffer is full, which stops kafkajs fetching
// (and keeps heartbeating so the group does not evict it).
import kafkajs from 'kafkajs';
import type { Consumer, KafkaConfig, SASLOptions } from 'kafkajs';
import { partialAssignment } from './assignment.js';
import { FETCH_MAX_BYTES, FETCH_PARTITION_MAX_BYTES, FetchBuffer } from './fetch-buffer.js';
import type { ConsumedMessage, KafkaAdmin, KafkaConnection, KafkaDriver, KafkaReader, KafkaWriter, PartitionOffset, ReaderOptions, TopicPartition, WriterOptions } from './types.js';

const { Kafka, logLevel, CompressionTypes } = kafkajs;

function config(conn: KafkaConnection): KafkaConfig {
  const c: KafkaConfig = {
    clientId: conn.clientId,
    brokers: [...conn.brokers],
    connectionTimeout: conn.connectTimeout,
    requestTimeout: 30_000,
    logLevel: logLevel.NOTHING,
    retry: { retries: 3, initialRetryTime: 200 },
  };
  if (conn.tls) c.ssl = { ca: conn.tls.ca, cert: conn.tls.cert, key: conn.tls.key, rejectUnauthorized: conn.tls.rejectUnauthorized };
  if (conn.sasl) c.sasl = { mechanism: conn.sasl.mechanism, username: conn.sasl.username, password: conn.sasl.password } as SASLOptions;
  return c;
}

function headersOf(h: Record<string, unknown> | undefined): Record<string, string> | null {
  if (!h) return null;
  let out: Record<string, string> | null = null;
  for (const k in h) {
    const v = h[k];
    (out ??= {})[k] = Array.isArray(v) ? String(v[v.length - 1]) : String(v ?? '');
  }
  return out;
}

class KafkajsAdmin implements KafkaAdmin {
  constructor(private readonly admin: kafkajs.Admin) {}

  async partitions(topic: string): Promise<number[]> {
    const topics = await this.admin.listTopics();
    if (!topics.includes(topic)) throw new Error(`topic '${topic}' does not exist`);
    const md = await this.admin.fetchTopicMetadata({ topics: [topic] });
    return md.topics[0]!.partitions.map((p) => p.partitionId).sort((a, b) => a - b);
  }

  async offsets(topic: string, at: 'earliest' | 'latest' | number): Promise<Map<number, number>> {
    if (typeof at === 'number') {
      const latest = await this.offsets(topic, 'latest');
      const found = await this.admin.fetchTopicOffsetsByTimestamp(topic, at);
      // No record at or after the timestamp: start at the end, as Kafka's ListOffsets says (-1).
      return new Map(found.map((p) => [p.partition, Number(p.offset) < 0 ? latest.get(p.partition)! : Number(p.offset)]));
    }
    const offs = await this.admin.fetchTopicOffsets(topic);
    return new Map(offs.map((p) => [p.partition, Number(at === 'earliest' ? p.low : p.high)]));
  }

  async committed(groupId: string, topic: string): Promise<Map<number, number>> {
    const res = await this.admin.fetchOffsets({ groupId, topics: [topic] });
    return new Map((res[0]?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]));
  }

  async createTopic(topic: string, partitions: number): Promise<void> {
    await this.admin.createTopics({ topics: [{ topic, numPartitions: partitions, replicationFactor: 1 }], waitForLeaders: true });
  }

  async deleteTopics(topics: readonly string[]): Promise<void> {
    await this.admin.deleteTopics({ topics: [...topics] });
  }

  close(): Promise<void> {
    return this.admin.disconnect();
  }
}

class KafkajsReader implements KafkaReader {
  private readonly buffer: FetchBuffer;
  private closed = false;

  constructor(
    private readonly consumer: Consumer,
    opts: ReaderOptions,
  ) {
    this.buffer = new FetchBuffer(opts.maxBuffered);
  }

  async start(opts: ReaderOptions): Promise<void> {
    // Next offset per partition: where to (re)start after every group join, so a rebalance or a
    // restart of the consumer after a crash resumes where this reader is, not at a commit.
    const positions = new Map(opts.start.map((s) => [`${s.topic}:${s.partition}`, s.offset]));
    const topics = [...new Set(opts.start.map((s) => s.topic))];
    await this.consumer.subscribe({ topics, fromBeginning: true });
    const { CRASH, GROUP_JOIN, START_BATCH_PROCESS } = this.consumer.events;
    // kafkajs restarts itself after retriable crashes (a coordinator still starting, say).
    this.consumer.on(CRASH, (e) => {
      if (!e.payload.restart) this.buffer.fail(e.payload.error);
    });
    // Seek in the join event itself (kafkajs emits it synchronously before fetching), so no batch
    // from a committed offset is delivered first.
    this.consumer.on(GROUP_JOIN, (e) => {
      const shared = partialAssignment(opts.groupId, opts.start, new Map(Object.entries(e.payload.memberAssignment)));
      if (shared !== null) this.buffer.fail(shared);
      for (const [topic, partitions] of Object.entries(e.payload.memberAssignment)) {
        for (const partition of partitions) {
          const offset = positions.get(`${topic}:${partition}`);
          if (offset !== undefined) this.consumer.seek({ topic, partition, offset: String(offset) });
        }
      }
    });
    // A fetch that held only transaction markers or aborted records never reaches eachBatch; its
    // last offset still moves the position (a bounded read must see it to reach its end).
    this.consumer.on(START_BATCH_PROCESS, (e) => {
      const { topic, partition, batchSize, lastOffset } = e.payload;
      const key = `${topic}:${partition}`;
      const from = positions.get(key);
      if (batchSize !== 0 || from === undefined) return;
      const next = Number(lastOffset) + 1;
      if (next <= from) return;
      positions.set(key, next);
      this.buffer.push({ topic, partition, messages: [], next });
    });
    await this.consumer.run({
      autoCommit: false,
      partitionsConsumedConcurrently: Math.max(1, opts.start.length),
      eachBatch: async ({ batch, heartbeat, isRunning }) => {
        const key = `${batch.topic}:${batch.partition}`;
        const from = positions.get(key);
        if (from === undefined) return;
        const messages: ConsumedMessage[] = [];
        for (const m of batch.messages) {
          const offset = Number(m.offset);
          if (offset < from) continue; // fetched before the seek took effect
          messages.push({ key: m.key ?? null, value: m.value ?? null, headers: headersOf(m.headers), timestamp: Number(m.timestamp), offset });
        }
        // lastOffset() counts the markers and aborted records that kafkajs filtered out.
        const next = Math.max(from, Number(batch.lastOffset()) + 1);
        positions.set(key, next);
        this.buffer.push({ topic: batch.topic, partition: batch.partition, messages, next });
        while (this.buffer.full && isRunning() && !this.closed) {
          await Promise.race([this.buffer.space(), sleep(1000)]);
          await heartbeat();
        }
      },
    });
  }

  poll(maxWaitMs: number, maxMessages?: number) {
    return this.buffer.poll(maxWaitMs, maxMessages);
  }

  pause(partitions: readonly TopicPartition[]): void {
    for (const p of partitions) this.consumer.pause([{ topic: p.topic, partitions: [p.partition] }]);
  }

  async commit(offsets: readonly PartitionOffset[]): Promise<void> {
    await this.consumer.commitOffsets(offsets.map((o) => ({ topic: o.topic, partition: o.partition, offset: String(o.offset) })));
  }

  async close(): Promise<void> {
    this.closed = true;
    this.buffer.releaseAll();
    await this.consumer.disconnect();
  }
}

class KafkajsWriter implements KafkaWriter {
  constructor(
    private readonly producer: kafkajs.Producer,
    private readonly opts: WriterOptions,
  ) {}

  async send(topic: string, messages: readonly import('./types.js').ProducedMessage[]): Promise<void> {
    await this.producer.send({
      topic,
      acks: this.opts.acks,
      compression: this.opts.compression === 'gzip' ? CompressionTypes.GZIP : CompressionTypes.None,
      messages: messages.map((m) => ({ key: m.key, value: m.value, headers: m.headers })),
    });
  }

  close(): Promise<void> {
    return this.producer.disconnect();
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

export const kafkajsDriver: KafkaDriver = {
  name: 'kafkajs',
  async admin(conn) {
    const admin = new Kafka(config(conn)).admin();
    await admin.connect();
    return new KafkajsAdmin(admin);
  },
  async reader(conn, opts) {
    const consumer = new Kafka(config(conn)).consumer({
      groupId: opts.groupId,
      allowAutoTopicCreation: false,
      // kafkajs shuffles the partitions of each fetch request, so a total cap starves none.
      maxBytesPerPartition: FETCH_PARTITION_MAX_BYTES,
      maxBytes: FETCH_MAX_BYTES,
      maxWaitTimeInMs: 100,
      readUncommitted: opts.isolationLevel === 'read_uncommitted',
    });
    await consumer.connect();
    const r = new KafkajsReader(consumer, opts);
    try {
      await r.start(opts);
    } catch (err) {
      await consumer.disconnect().catch(() => {});
      throw err;
    }
    return r;
  },
  async writer(conn, opts) {
    if (opts.compression !== 'none' && opts.compression !== 'gzip') throw new Error(`the kafkajs client supports only gzip compression, not ${opts.compression}`);
    const producer = new Kafka(config(conn)).producer({
      idempotent: opts.idempotent,
      maxInFlightRequests: opts.idempotent ? 5 : undefined,
      allowAutoTopicCreation: false,
    });
    await producer.connect();
    return new KafkajsWriter(producer, opts);
  },
};
