// The Kafka interface on @platformatic/kafka (maintained, pure JavaScript). The reader consumes
// in MANUAL mode from the start offsets it is given, with autocommit off; its message stream is
// paused while the fetch buffer is full, which stops fetching.
import { Admin, type BaseOptions, compatibilityPartitioner, Consumer, FetchIsolationLevels, type MessagesStream, Producer, ListOffsetTimestamps } from '@platformatic/kafka';
import { partialAssignment } from './assignment.js';
import { FETCH_FIXED_ORDER_PARTITION_BYTES, FETCH_MAX_BYTES, FetchBuffer } from './fetch-buffer.js';
import { resumeCommit, transactionalWriter } from './platformatic-txn.js';
import type { FetchedBatch, KafkaAdmin, KafkaConnection, KafkaDriver, KafkaReader, KafkaWriter, PartitionOffset, ProducedMessage, ReaderOptions, TopicPartition } from './types.js';

const MECHANISMS = { plain: 'PLAIN', 'scram-sha-256': 'SCRAM-SHA-256', 'scram-sha-512': 'SCRAM-SHA-512' } as const;

function base(conn: KafkaConnection): BaseOptions {
  const o: BaseOptions = {
    clientId: conn.clientId,
    bootstrapBrokers: [...conn.brokers],
    connectTimeout: conn.connectTimeout,
    timeout: 30_000,
    retries: 3,
    retryDelay: 200,
    autocreateTopics: false,
  };
  if (conn.tls) o.tls = { ca: conn.tls.ca, cert: conn.tls.cert, key: conn.tls.key, rejectUnauthorized: conn.tls.rejectUnauthorized };
  if (conn.sasl) o.sasl = { mechanism: MECHANISMS[conn.sasl.mechanism], username: conn.sasl.username, password: conn.sasl.password };
  return o;
}

type Bytes = Buffer | null | undefined;

function headersOf(h: Map<Bytes, Bytes>): Record<string, string> | null {
  if (h.size === 0) return null;
  const out: Record<string, string> = {};
  for (const [k, v] of h) if (k) out[k.toString()] = v ? v.toString() : '';
  return out;
}

class PlatformaticAdmin implements KafkaAdmin {
  constructor(
    private readonly conn: KafkaConnection,
    private readonly admin: Admin,
  ) {}

  async partitions(topic: string): Promise<number[]> {
    const topics = await this.admin.listTopics();
    if (!topics.includes(topic)) throw new Error(`topic '${topic}' does not exist`);
    const md = await this.admin.metadata({ topics: [topic] });
    return Array.from({ length: md.topics.get(topic)!.partitionsCount }, (_, i) => i);
  }

  /** Offset look-ups live on the consumer in this client; a group-less one is enough. */
  private async withConsumer<T>(groupId: string, fn: (c: Consumer) => Promise<T>): Promise<T> {
    const c = new Consumer({ ...base(this.conn), groupId });
    try {
      return await fn(c);
    } finally {
      await closeConsumer(c);
    }
  }

  async offsets(topic: string, at: 'earliest' | 'latest' | number): Promise<Map<number, number>> {
    const ts = at === 'earliest' ? ListOffsetTimestamps.EARLIEST : at === 'latest' ? ListOffsetTimestamps.LATEST : BigInt(at);
    const [found, latest] = await this.withConsumer(`${this.conn.clientId}-offsets`, (c) =>
      Promise.all([c.listOffsets({ topics: [topic], timestamp: ts }), typeof at === 'number' ? c.listOffsets({ topics: [topic], timestamp: ListOffsetTimestamps.LATEST }) : null]),
    );
    const out = new Map<number, number>();
    found.get(topic)!.forEach((o, p) => out.set(p, o < 0n ? Number(latest!.get(topic)![p]) : Number(o)));
    return out;
  }

  async committed(groupId: string, topic: string): Promise<Map<number, number>> {
    const partitions = await this.partitions(topic);
    const res = await this.withConsumer(groupId, (c) => c.listCommittedOffsets({ topics: [{ topic, partitions }] }));
    const out = new Map<number, number>();
    res.get(topic)!.forEach((o, p) => out.set(p, Number(o)));
    return out;
  }

  async createTopic(topic: string, partitions: number): Promise<void> {
    await this.admin.createTopics({ topics: [topic], partitions, replicas: 1 });
  }

  async deleteTopics(topics: readonly string[]): Promise<void> {
    await this.admin.deleteTopics({ topics: [...topics] });
  }

  close(): Promise<void> {
    return this.admin.close();
  }
}

class PlatformaticReader implements KafkaReader {
  private readonly buffer: FetchBuffer;
  private stream: MessagesStream<Buffer, Buffer, Buffer, Buffer> | null = null;
  private readonly stopped = new Set<string>();
  /** Fetch positions already handed out, per `topic:partition`. */
  private readonly reported = new Map<string, number>();

  constructor(
    private readonly consumer: Consumer,
    opts: ReaderOptions,
  ) {
    this.buffer = new FetchBuffer(opts.maxBuffered);
    this.buffer.onSpace = () => this.stream?.resume();
  }

  async start(opts: ReaderOptions): Promise<void> {
    this.consumer.on('consumer:group:join', (e) => {
      // The KIP-848 protocol's join carries no assignment; the classic one's does.
      if (e.assignments === undefined) return;
      const assigned = new Map<string, number[]>();
      for (const a of e.assignments) assigned.set(a.topic, [...(assigned.get(a.topic) ?? []), ...a.partitions]);
      const shared = partialAssignment(opts.groupId, opts.start, assigned);
      if (shared !== null) this.buffer.fail(shared);
    });
    const stream = await this.consumer.consume({
      topics: [...new Set(opts.start.map((s) => s.topic))],
      mode: 'manual',
      offsets: opts.start.map((s) => ({ topic: s.topic, partition: s.partition, offset: BigInt(s.offset) })),
      autocommit: false,
      maxWaitTime: 100,
      // This client asks for a leader's partitions in the same order every time, and the broker fills
      // a response in request order: under a total cap, or with batches larger than a partition's
      // cap, the last partitions of a backlog would wait until the first ones caught up. So each
      // partition's share holds a whole batch, and the total a share for every partition.
      maxBytes: Math.max(FETCH_MAX_BYTES, FETCH_FIXED_ORDER_PARTITION_BYTES * opts.start.length),
      maxBytesPerPartition: FETCH_FIXED_ORDER_PARTITION_BYTES,
      highWaterMark: 8192,
    });
    this.stream = stream;
    const buffer = this.buffer;
    const stopped = this.stopped;
    stream.on('data', (m) => {
      if (stopped.size > 0 && stopped.has(`${m.topic}:${m.partition}`)) return;
      buffer.pushOne(m.topic, m.partition, { key: m.key ?? null, value: m.value ?? null, headers: headersOf(m.headers as Map<Bytes, Bytes>), timestamp: Number(m.timestamp), offset: Number(m.offset) });
      if (buffer.full) stream.pause();
    });
    stream.on('error', (err) => buffer.fail(err));
  }

  async poll(maxWaitMs: number, maxMessages?: number): Promise<FetchedBatch[]> {
    const out = await this.buffer.poll(maxWaitMs, maxMessages);
    // The stream's fetch positions count transaction markers and aborted records, which it never
    // emits. They are safe to hand on only once every message fetched before them has been handed
    // out: nothing waits in the buffer or in the stream.
    const stream = this.stream;
    if (stream !== null && this.buffer.empty && stream.readableLength === 0) {
      for (const [key, offset] of stream.offsetsToFetch) {
        const next = Number(offset);
        if (this.reported.get(key) === next) continue;
        this.reported.set(key, next);
        const at = key.lastIndexOf(':');
        out.push({ topic: key.slice(0, at), partition: Number(key.slice(at + 1)), messages: [], next });
      }
    }
    return out;
  }

  /** This client cannot pause one partition of a stream; what arrives past the pause is dropped here. */
  pause(partitions: readonly TopicPartition[]): void {
    for (const p of partitions) this.stopped.add(`${p.topic}:${p.partition}`);
  }

  async commit(offsets: readonly PartitionOffset[]): Promise<void> {
    await this.consumer.commit({ offsets: offsets.map((o) => ({ topic: o.topic, partition: o.partition, offset: BigInt(o.offset), leaderEpoch: -1 })) });
  }

  async close(): Promise<void> {
    this.buffer.releaseAll();
    await this.stream?.close().catch(() => {});
    await closeConsumer(this.consumer);
  }
}

class PlatformaticWriter implements KafkaWriter {
  private tail: Promise<unknown> = Promise.resolve();

  constructor(private readonly producer: Producer<Buffer | string, Buffer | string, string, string>) {}

  /**
   * Sends run one after another: this client's idempotent producer numbers a partition's batches
   * as it builds them, and overlapping sends reach the broker out of sequence.
   */
  send(topic: string, messages: readonly ProducedMessage[]): Promise<void> {
    const run = () => this.producer.send({ messages: messages.map((m) => ({ topic, key: m.key ?? undefined, value: m.value ?? undefined, headers: m.headers })) });
    const p = this.tail.then(run, run);
    this.tail = p.catch(() => {});
    return p.then(() => {});
  }

  close(): Promise<void> {
    return this.producer.close();
  }
}

/** Force-close (leave the group without waiting); the typed overloads hide the promise form. */
function closeConsumer(c: Consumer): Promise<void> {
  return c.close(true) as unknown as Promise<void>;
}

const toBuffer = (v: Buffer | string | undefined) => (v === undefined ? undefined : typeof v === 'string' ? Buffer.from(v) : v);

export const platformaticDriver: KafkaDriver = {
  name: 'platformatic',
  async admin(conn) {
    const admin = new Admin(base(conn));
    // The client connects lazily; a metadata request checks now that a broker answers.
    await admin.metadata({ topics: [] }).catch(async (err: unknown) => {
      await admin.close().catch(() => {});
      throw err;
    });
    return new PlatformaticAdmin(conn, admin);
  },
  async reader(conn, opts) {
    const isolationLevel = opts.isolationLevel === 'read_uncommitted' ? FetchIsolationLevels.READ_UNCOMMITTED : FetchIsolationLevels.READ_COMMITTED;
    const consumer = new Consumer({ ...base(conn), groupId: opts.groupId, autocommit: false, maxWaitTime: 100, isolationLevel });
    const r = new PlatformaticReader(consumer, opts);
    try {
      await r.start(opts);
    } catch (err) {
      await closeConsumer(consumer).catch(() => {});
      throw err;
    }
    return r;
  },
  async writer(conn, opts) {
    const producer = new Producer<Buffer | string, Buffer | string, string, string>({
      ...base(conn),
      idempotent: opts.idempotent,
      acks: opts.acks,
      compression: opts.compression,
      // Java's default partitioner (murmur2 & 0x7fffffff, as kafkajs's): a key lands where Java
      // producers, Kafka Streams and Flink's KafkaSink put it. The client's own default takes the
      // hash unsigned, which differs for topics whose partition count is not a power of two.
      partitioner: compatibilityPartitioner,
      serializers: { key: toBuffer, value: toBuffer, headerKey: toBuffer, headerValue: toBuffer },
    });
    await producer.metadata({ topics: [] }).catch(async (err: unknown) => {
      await producer.close();
      throw err;
    });
    return new PlatformaticWriter(producer);
  },
  transactionalWriter: (conn, opts) => transactionalWriter(base(conn), opts),
  resumeCommit: (conn, handle) => resumeCommit(base(conn), handle),
};
