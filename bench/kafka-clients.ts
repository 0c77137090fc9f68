// Raw client figures for `npm run bench -- kafka`: produce and consume rates of each Kafka client
// on the same broker, with clickstream JSON of the size the pipelines see, so the end-to-end
// figure can be read against the ceiling the client sets.
import { driverNamed as kafkaDriver } from '../runtime/connectors/kafka/driver.js';
import type { KafkaConnection, ProducedMessage } from '../runtime/connectors/kafka/types.js';
import { EcommerceGenerator, type ClickEvent } from '../runtime/nodes/source-generator/ecommerce.js';

export const PARTITIONS = 4;

export function connection(clientId: string): KafkaConnection {
  return { brokers: (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(','), clientId, tls: null, sasl: null, connectTimeout: 5000 };
}

/** `count` clickstream events as JSON, keyed by user. */
export function clickMessages(count: number, seed = 1): ProducedMessage[] {
  const gen = new EcommerceGenerator({ seed, users: 100_000, products: 50_000, categories: 12, abandonment: 0.7, startTime: Date.UTC(2026, 0, 1), eventTimeRate: 5000, disorder: 2000 });
  const recs: ClickEvent[] = [];
  const ts: number[] = [];
  gen.fill(recs, ts, count);
  return recs.map((r) => ({ key: r.userId, value: JSON.stringify(r) }));
}

/** Produce `messages` to a fresh topic in chunks, `inFlight` sends at a time; returns seconds. */
export async function produce(client: string, topic: string, messages: readonly ProducedMessage[], chunk = 5000, inFlight = 4): Promise<number> {
  const driver = kafkaDriver(client);
  const w = await driver.writer(connection(`bench-produce-${client}`), { idempotent: true, acks: -1, compression: 'none' });
  const t0 = performance.now();
  let next = 0;
  const lane = async () => {
    while (next < messages.length) {
      const from = next;
      next += chunk;
      await w.send(topic, messages.slice(from, from + chunk));
    }
  };
  await Promise.all(Array.from({ length: inFlight }, lane));
  const s = (performance.now() - t0) / 1000;
  await w.close();
  return s;
}

/** Read `count` messages of `topic` from the start; returns seconds and bytes. */
export async function consume(client: string, topic: string, count: number): Promise<{ seconds: number; bytes: number }> {
  const driver = kafkaDriver(client);
  const start = Array.from({ length: PARTITIONS }, (_, partition) => ({ topic, partition, offset: 0 }));
  const t0 = performance.now();
  const r = await driver.reader(connection(`bench-consume-${client}`), { groupId: `bench-${topic}-${client}`, start, maxBuffered: 50_000 });
  let n = 0;
  let bytes = 0;
  while (n < count) {
    for (const b of await r.poll(1000)) {
      n += b.messages.length;
      for (const m of b.messages) bytes += m.value?.length ?? 0;
    }
  }
  const seconds = (performance.now() - t0) / 1000;
  await r.close();
  return { seconds, bytes };
}

export async function createTopic(topic: string, partitions = PARTITIONS): Promise<void> {
  const admin = await kafkaDriver('kafkajs').admin(connection('bench-admin'));
  await admin.createTopic(topic, partitions);
  await admin.close();
}

export async function deleteTopics(topics: string[]): Promise<void> {
  const admin = await kafkaDriver('kafkajs').admin(connection('bench-admin'));
  await admin.deleteTopics(topics);
  await admin.close();
}
