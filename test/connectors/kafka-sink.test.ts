// sink.kafka against the real broker, under each Kafka client: exactly what lands on the topic,
// keys, value and header expressions, and a delivery that keeps failing.
import { afterAll, describe, expect, it } from 'vitest';
import { BROKERS, createTopic, deleteTopics, readAll } from '../support/kafka.js';
import { metricsOf, plan, runPipeline } from '../support/run.js';

const topics: string[] = [];
afterAll(() => deleteTopics(topics));

async function topic(prefix: string, partitions = 1): Promise<string> {
  const t = await createTopic(prefix, partitions);
  topics.push(t);
  return t;
}

for (const client of ['kafkajs', 'platformatic']) {
  describe(`sink.kafka (${client} client)`, () => {
    const withClient = async <T>(fn: () => Promise<T>): Promise<T> => {
      process.env.TRIBUTARY_KAFKA_CLIENT = client;
      try {
        return await fn();
      } finally {
        delete process.env.TRIBUTARY_KAFKA_CLIENT;
      }
    };

    it('writes 100k generated events, each exactly once, keyed by user', () =>
      withClient(async () => {
        const n = 100_000;
        const t = await topic('sink', 4);
        await runPipeline({
          nodes: [
            { id: 'gen', type: 'source.generator', params: { count: n, rate: 0, seed: 3 } },
            { id: 'out', type: 'sink.kafka', params: { brokers: BROKERS(), topic: t, key: 'userId' } },
          ],
          edges: [{ from: 'gen', to: 'out' }],
        });
        const got = await readAll(t, n);
        expect(got).toHaveLength(n);
        const ids = new Set<number>();
        const partitionOf = new Map<string, number>();
        for (const m of got) {
          const e = JSON.parse(m.value!);
          expect(m.key).toBe(e.userId);
          ids.add(e.eventId);
          // Same key, same partition.
          expect(partitionOf.get(m.key!) ?? m.partition).toBe(m.partition);
          partitionOf.set(m.key!, m.partition);
        }
        expect(ids.size).toBe(n);
        expect(Math.min(...ids)).toBe(1);
        expect(Math.max(...ids)).toBe(n);
      }));

    it('puts each key in the partition Java\'s default partitioner picks (murmur2, taken positive)', () =>
      withClient(async () => {
        // Java's Utils.murmur2 of these keys (Apache Kafka's UtilsTest); the partition is
        // (hash & 0x7fffffff) % partitions (BuiltInPartitioner.partitionForKey). Three partitions:
        // a negative hash taken unsigned would land elsewhere (2^31 mod 3 = 2).
        const java: Record<string, number> = {
          '21': -973932308,
          foobar: -790332482,
          'a-little-bit-long-string': -985981536,
          'a-little-bit-longer-string': -1486304829,
          lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8: -58897971,
          abc: 479470107,
        };
        const t = await topic('sink-partitioner', 3);
        await runPipeline({
          nodes: [
            { id: 'gen', type: 'source.generator', params: { count: 60, rate: 0, seed: 5 } },
            { id: 'k', type: 'map', params: { expression: `{ k: [${Object.keys(java).map((k) => `'${k}'`).join(', ')}][eventId % 6] }` } },
            { id: 'out', type: 'sink.kafka', params: { brokers: BROKERS(), topic: t, key: 'k' } },
          ],
          edges: [
            { from: 'gen', to: 'k' },
            { from: 'k', to: 'out' },
          ],
        });
        const got = await readAll(t, 60);
        expect(new Set(got.map((m) => m.key))).toEqual(new Set(Object.keys(java)));
        for (const m of got) expect(m.partition, m.key!).toBe((java[m.key!]! & 0x7fffffff) % 3);
      }));

    it('sends the value and headers expressions give, in order within a partition', () =>
      withClient(async () => {
        const t = await topic('sink-expr');
        await runPipeline({
          nodes: [
            { id: 'gen', type: 'source.generator', params: { count: 500, rate: 0, seed: 4 } },
            { id: 'out', type: 'sink.kafka', params: { brokers: BROKERS(), topic: t, value: "concat(eventType, ':', eventId)", headers: '{ user: userId, n: eventId }' } },
          ],
          edges: [{ from: 'gen', to: 'out' }],
        });
        const got = (await readAll(t, 500)).sort((a, b) => a.offset - b.offset);
        expect(got.map((m) => Number(m.value!.split(':')[1]))).toEqual(Array.from({ length: 500 }, (_, i) => i + 1));
        expect(got[0]!.key).toBeNull();
        expect(got[0]!.headers).toEqual({ user: expect.stringMatching(/^u/), n: '1' });
      }));

    it('counts failed deliveries in metrics and fails the run naming the node once retries are spent', () =>
      withClient(async () => {
        // The topic takes messages of at most 64 bytes; every event is larger, so every attempt is refused.
        const t = await createTopic('sink-fail', 1, { 'max.message.bytes': '64' });
        topics.push(t);
        const job = plan({
          nodes: [
            { id: 'gen', type: 'source.generator', params: { count: 3, rate: 0 } },
            { id: 'out', type: 'sink.kafka', params: { brokers: BROKERS(), topic: t, retries: 2, retryBackoff: '20ms' } },
          ],
          edges: [{ from: 'gen', to: 'out' }],
        });
        await expect(job.run()).rejects.toThrow(new RegExp(`delivery to topic '${t}' failed after 3 attempts`));
        expect(metricsOf(job, 'out').errors).toBe(3);
      }));
  });
}
