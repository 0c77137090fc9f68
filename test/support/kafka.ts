// Tests' own view of Kafka, through kafkajs directly (not the drivers under test): unique topics,
// producing fixtures, reading back what a sink wrote, and cleaning up.
import { randomBytes } from 'node:crypto';
import kafkajs from 'kafkajs';

const { Kafka, logLevel } = kafkajs;

export const BROKERS = () => process.env.KAFKA_BROKERS ?? '127.0.0.1:9092';

function kafka() {
  return new Kafka({ clientId: 'tributary-tests', brokers: BROKERS().split(','), logLevel: logLevel.NOTHING });
}

export function uniqueName(prefix: string): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`;
}

export async function createTopic(prefix: string, partitions = 1, config: Record<string, string> = {}): Promise<string> {
  const topic = uniqueName(`t-${prefix}`);
  const admin = kafka().admin();
  await admin.connect();
  const configEntries = Object.entries(config).map(([name, value]) => ({ name, value }));
  await admin.createTopics({ topics: [{ topic, numPartitions: partitions, replicationFactor: 1, configEntries }], waitForLeaders: true });
  await admin.disconnect();
  return topic;
}

/** Create a topic with this exact name unless it exists (shared example topics such as `clicks`). */
export async function ensureTopic(topic: string, partitions: number): Promise<void> {
  const admin = kafka().admin();
  await admin.connect();
  if (!(await admin.listTopics()).includes(topic)) {
    await admin.createTopics({ topics: [{ topic, numPartitions: partitions, replicationFactor: 1 }], waitForLeaders: true }).catch(() => {});
  }
  await admin.disconnect();
}

export async function deleteTopics(topics: string[]): Promise<void> {
  if (topics.length === 0) return;
  const admin = kafka().admin();
  await admin.connect();
  await admin.deleteTopics({ topics }).catch(() => {});
  await admin.disconnect();
}

/** Records the topic holds: the sum over partitions of high watermark minus low. */
export async function topicSize(topic: string): Promise<number> {
  const admin = kafka().admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    return offsets.reduce((n, o) => n + Number(o.high) - Number(o.low), 0);
  } finally {
    await admin.disconnect();
  }
}

export interface Msg {
  key?: string | null;
  value: string | null;
  partition?: number;
  headers?: Record<string, string>;
  timestamp?: number;
}

export async function produce(topic: string, messages: Msg[], chunk = 10_000): Promise<void> {
  const p = kafka().producer({ allowAutoTopicCreation: false });
  await p.connect();
  for (let i = 0; i < messages.length; i += chunk) {
    await p.send({
      topic,
      acks: -1,
      messages: messages.slice(i, i + chunk).map((m) => ({ key: m.key ?? null, value: m.value, partition: m.partition, headers: m.headers, timestamp: m.timestamp === undefined ? undefined : String(m.timestamp) })),
    });
  }
  await p.disconnect();
}

export interface ReadMsg {
  key: string | null;
  value: string | null;
  partition: number;
  offset: number;
  headers: Record<string, string>;
}

/** Every message of the topic, waiting until `count` have arrived (or failing after `ms`). */
export async function readAll(topic: string, count: number, ms = 30_000): Promise<ReadMsg[]> {
  const c = kafka().consumer({ groupId: uniqueName('tests-read') });
  await c.connect();
  await c.subscribe({ topics: [topic], fromBeginning: true });
  const out: ReadMsg[] = [];
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`read ${out.length} of ${count} messages from ${topic}`)), ms);
    void c.run({
      eachMessage: async ({ partition, message }) => {
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(message.headers ?? {})) headers[k] = String(v);
        out.push({ key: message.key?.toString() ?? null, value: message.value?.toString() ?? null, partition, offset: Number(message.offset), headers });
        if (out.length >= count) {
          clearTimeout(t);
          resolve();
        }
      },
    });
  });
  await c.disconnect();
  return out;
}

/** The group's committed offset per partition (-1 where none). */
export async function committed(groupId: string, topic: string): Promise<Map<number, number>> {
  const admin = kafka().admin();
  await admin.connect();
  const res = await admin.fetchOffsets({ groupId, topics: [topic] });
  await admin.disconnect();
  return new Map(res[0]!.partitions.map((p) => [p.partition, Number(p.offset)]));
}

/** Produce in one transaction per entry (as an exactly-once writer does), committed or aborted. */
export async function produceTransactions(topic: string, transactions: { messages: Msg[]; abort?: boolean }[]): Promise<void> {
  const p = kafka().producer({ transactionalId: uniqueName('tests-tx'), idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
  await p.connect();
  for (const t of transactions) {
    const tx = await p.transaction();
    await tx.send({ topic, acks: -1, messages: t.messages.map((m) => ({ key: m.key ?? null, value: m.value, partition: m.partition })) });
    if (t.abort) await tx.abort();
    else await tx.commit();
  }
  await p.disconnect();
}

/**
 * Every committed message of the topic (read_committed): at least `count`, then whatever else
 * arrives within `settleMs`, so a writer that duplicated records shows more than `count`.
 * (topicSize counts transaction markers too, so it cannot say how many records a transactional
 * writer left.)
 */
export async function readSettled(topic: string, count: number, settleMs = 3000, ms = 60_000): Promise<ReadMsg[]> {
  const c = kafka().consumer({ groupId: uniqueName('tests-read'), readUncommitted: false });
  await c.connect();
  await c.subscribe({ topics: [topic], fromBeginning: true });
  const out: ReadMsg[] = [];
  let settle: NodeJS.Timeout | undefined;
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`read ${out.length} of ${count} messages from ${topic}`)), ms);
    const done = () => {
      clearTimeout(t);
      settle ??= setTimeout(resolve, settleMs);
    };
    if (count === 0) done();
    void c.run({
      eachMessage: async ({ partition, message }) => {
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(message.headers ?? {})) headers[k] = String(v);
        out.push({ key: message.key?.toString() ?? null, value: message.value?.toString() ?? null, partition, offset: Number(message.offset), headers });
        if (out.length >= count) done();
      },
    });
  });
  await c.disconnect();
  return out;
}
