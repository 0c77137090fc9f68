// How much the Kafka readers ask for per fetch (fetch-buffer.ts), against the real broker: with a
// backlog on every partition, a client that asks for its partitions in a fixed order must still
// reach every partition in its first fetch, not only the first ones the total cap has room for,
// and record batches larger than kafkajs's partition cap must not make later partitions wait.
import { afterAll, describe, expect, it } from 'vitest';
import { FETCH_FIXED_ORDER_PARTITION_BYTES, FETCH_MAX_BYTES, FETCH_PARTITION_MAX_BYTES } from '../../runtime/connectors/kafka/fetch-buffer.js';
import { driverNamed } from '../../runtime/connectors/kafka/driver.js';
import { BROKERS, createTopic, deleteTopics, produce, uniqueName } from '../support/kafka.js';

const topics: string[] = [];
afterAll(() => deleteTopics(topics));

describe('Kafka fetch sizes', () => {
  it('@platformatic/kafka reads every partition of a backlog from the first fetch on (its cap leaves each partition a share)', async () => {
    const partitions = 8;
    // More partitions than the total cap holds shares for, each with more than a share waiting.
    expect(partitions * FETCH_FIXED_ORDER_PARTITION_BYTES).toBeGreaterThan(FETCH_MAX_BYTES);
    const perPartition = Math.ceil((2.5 * FETCH_FIXED_ORDER_PARTITION_BYTES) / 1024);
    const t = await createTopic('fetch-share', partitions);
    topics.push(t);
    const pad = 'x'.repeat(1000);
    const msgs = [];
    for (let p = 0; p < partitions; p++) for (let i = 0; i < perPartition; i++) msgs.push({ value: JSON.stringify({ p, i, pad }), partition: p });
    // Small record batches (the broker hands out a batch larger than a share whole).
    await produce(t, msgs, 32);

    const conn = { brokers: BROKERS().split(','), clientId: 'test-fetch-share', tls: null, sasl: null, connectTimeout: 5000 };
    const start = Array.from({ length: partitions }, (_, partition) => ({ topic: t, partition, offset: 0 }));
    const r = await driverNamed('platformatic').reader(conn, { groupId: uniqueName('g-fetch-share'), start, maxBuffered: 100_000 });
    try {
      // The messages of about one fetch that gives each partition its share, in arrival order.
      const oneFetch = Math.floor((partitions * FETCH_FIXED_ORDER_PARTITION_BYTES) / 1024);
      const order: number[] = [];
      const deadline = Date.now() + 30_000;
      while (order.length < oneFetch && Date.now() < deadline) {
        for (const b of await r.poll(500)) for (const _ of b.messages) order.push(b.partition);
      }
      expect(new Set(order.slice(0, oneFetch)).size).toBe(partitions);
    } finally {
      await r.close();
    }
  });

  // kafkajs shuffles the partitions of each request, so it reaches them in random turns (not asserted: random).
  for (const client of ['platformatic'] as const) {
    it(`${client}: record batches larger than kafkajs's partition cap reach every partition before the first is drained`, async () => {
      // The broker returns a batch larger than a partition's cap only in the first partition with
      // data, so a fixed request order whose cap is below the batch size reads one partition after another.
      const partitions = 4;
      const batches = 6;
      const perBatch = Math.ceil((1.5 * FETCH_PARTITION_MAX_BYTES) / 1024);
      const t = await createTopic('fetch-big-batches', partitions);
      topics.push(t);
      const pad = 'x'.repeat(1000);
      // One send a round: one record batch of perBatch records (~384 KiB) per partition.
      for (let b = 0; b < batches; b++) {
        const msgs = [];
        for (let p = 0; p < partitions; p++) for (let i = 0; i < perBatch; i++) msgs.push({ value: JSON.stringify({ p, i, pad }), partition: p });
        await produce(t, msgs);
      }
      const conn = { brokers: BROKERS().split(','), clientId: 'test-fetch-big-batches', tls: null, sasl: null, connectTimeout: 5000 };
      const start = Array.from({ length: partitions }, (_, partition) => ({ topic: t, partition, offset: 0 }));
      const r = await driverNamed(client).reader(conn, { groupId: uniqueName('g-fetch-big-batches'), start, maxBuffered: 1_000_000 });
      try {
        const total = partitions * batches * perBatch;
        const order: number[] = [];
        const deadline = Date.now() + 30_000;
        while (order.length < total && Date.now() < deadline) for (const b of await r.poll(500)) for (const _ of b.messages) order.push(b.partition);
        expect(order).toHaveLength(total);
        // Every partition is reached within the first half (one after another would be 3/4).
        for (let p = 0; p < partitions; p++) expect(order.indexOf(p)).toBeLessThan(total / 2);
      } finally {
        await r.close();
      }
    });
  }
});
