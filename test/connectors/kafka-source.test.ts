// source.kafka against the real broker, under each Kafka client: exact counts with malformed
// records, metadata in expressions, resuming from committed offsets, per-partition watermarks,
// idleness, SASL with an environment reference, and a clear error when no broker answers.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FETCH_PARTITION_MAX_BYTES } from '../../runtime/connectors/kafka/fetch-buffer.js';
import { NodeError } from '../../runtime/engine/errors.js';
import { BROKERS, committed, createTopic, deleteTopics, type Msg, produce, produceTransactions, uniqueName } from '../support/kafka.js';
import { freePort, PrivateRedis, redis } from '../support/redis.js';
import { metricsOf, plan, runPipeline } from '../support/run.js';

const topics: string[] = [];
afterAll(() => deleteTopics(topics));

function scratch(): string {
  return mkdtempSync(join(tmpdir(), 'kafka-source-'));
}

function lines(path: string): any[] {
  const text = readFileSync(path, 'utf8').trim();
  return text === '' ? [] : text.split('\n').map((l) => JSON.parse(l));
}

async function topic(prefix: string, partitions: number, messages: Msg[]): Promise<string> {
  const t = await createTopic(prefix, partitions);
  topics.push(t);
  await produce(t, messages);
  return t;
}

/** A bounded read of `topic` into out.jsonl (and errors.jsonl), with a map in between. */
function readDoc(dir: string, source: Record<string, unknown>, expression = 'event') {
  return {
    nodes: [
      // A group of its own: tests sharing one would be handed each other's partitions.
      { id: 'src', type: 'source.kafka', params: { brokers: BROKERS(), bounded: true, groupId: uniqueName('g-read'), ...source } },
      { id: 'shape', type: 'map', params: { expression } },
      { id: 'out', type: 'sink.file', params: { path: join(dir, 'out.jsonl') } },
      { id: 'bad', type: 'sink.file', params: { path: join(dir, 'errors.jsonl') } },
    ],
    edges: [
      { from: 'src', to: 'shape' },
      { from: 'shape', to: 'out' },
      { from: 'src', fromPort: 'errors', to: 'bad' },
    ],
  };
}

for (const client of ['kafkajs', 'platformatic']) {
  describe(`source.kafka (${client} client)`, () => {
    const withClient = async <T>(fn: () => Promise<T>): Promise<T> => {
      const before = process.env.TRIBUTARY_KAFKA_CLIENT;
      process.env.TRIBUTARY_KAFKA_CLIENT = client;
      try {
        return await fn();
      } finally {
        if (before === undefined) delete process.env.TRIBUTARY_KAFKA_CLIENT;
        else process.env.TRIBUTARY_KAFKA_CLIENT = before;
      }
    };

    it('reads 100k records over 4 partitions; exactly the 1% malformed go to errors, with topic, partition and offset', () =>
      withClient(async () => {
        const n = 100_000;
        const msgs: Msg[] = [];
        for (let i = 0; i < n; i++) msgs.push({ key: `u${i % 97}`, value: i % 100 === 42 ? `{"id": ${i}, broken` : JSON.stringify({ id: i, ts: 1_700_000_000_000 + i }), partition: i % 4 });
        const t = await topic('malformed', 4, msgs);
        const dir = scratch();
        const { job } = await runPipeline(readDoc(dir, { topic: t, startFrom: 'earliest' }, '{ id }'));
        const out = lines(join(dir, 'out.jsonl'));
        const errs = lines(join(dir, 'errors.jsonl'));
        expect(out).toHaveLength(n - n / 100);
        expect(errs).toHaveLength(n / 100);
        expect(metricsOf(job, 'src').errors).toBe(n / 100);
        const ids = new Set(out.map((r) => r.id));
        expect(ids.size).toBe(n - n / 100);
        for (let i = 0; i < n; i++) expect(ids.has(i)).toBe(i % 100 !== 42);
        const e = errs.find((x) => x.record === '{"id": 42, broken')!;
        expect(e).toMatchObject({ node: 'src', topic: t, partition: 42 % 4, offset: Math.floor(42 / 4) });
        expect(e.error).toMatch(/not valid JSON/);
      }));

    it('reads records larger than one fetch asks for (a partition at a time, and in all)', () =>
      withClient(async () => {
        // Fetches ask for FETCH_PARTITION_MAX_BYTES per partition and FETCH_MAX_BYTES in all; the
        // broker still returns a larger first record batch whole, and the client must take it.
        const big = (id: number) => JSON.stringify({ id, pad: 'x'.repeat(FETCH_PARTITION_MAX_BYTES + 150_000 * (id % 3)) });
        expect(big(2).length).toBeGreaterThan(FETCH_PARTITION_MAX_BYTES * 2);
        const msgs: Msg[] = [];
        for (let i = 0; i < 12; i++) msgs.push({ value: i % 4 === 1 ? big(i) : JSON.stringify({ id: i }), partition: i % 2 });
        // One message a request: the broker takes at most 1 MiB a record batch.
        const t = await createTopic('big', 2);
        topics.push(t);
        await produce(t, msgs, 1);
        const dir = scratch();
        await runPipeline(readDoc(dir, { topic: t, startFrom: 'earliest' }, '{ id, size: length(pad) }'));
        const out = lines(join(dir, 'out.jsonl')).sort((a, b) => a.id - b.id);
        expect(out.map((r) => r.id)).toEqual(Array.from({ length: 12 }, (_, i) => i));
        for (const r of out) expect(r.size).toBe(r.id % 4 === 1 ? FETCH_PARTITION_MAX_BYTES + 150_000 * (r.id % 3) : null);
      }));

    it('puts key, headers, topic, partition, offset and timestamp where expressions can read them', () =>
      withClient(async () => {
        const t = await topic('meta', 2, [
          { key: 'alice', value: '{"n": 1}', partition: 1, headers: { trace: 'abc' }, timestamp: 1_700_000_000_123 },
          { key: null, value: 'plain text', partition: 0, timestamp: 1_700_000_000_456 },
        ]);
        const dir = scratch();
        await runPipeline(readDoc(dir, { topic: t, startFrom: 'earliest', format: 'string' }, '{ value, key: kafka.key, trace: kafka.headers.trace, topic: kafka.topic, partition: kafka.partition, offset: kafka.offset, ts: kafka.timestamp }'));
        const out = lines(join(dir, 'out.jsonl')).sort((a, b) => a.partition - b.partition);
        expect(out).toEqual([
          { value: 'plain text', key: null, topic: t, partition: 0, offset: 0, ts: 1_700_000_000_456 },
          { value: '{"n": 1}', key: 'alice', trace: 'abc', topic: t, partition: 1, offset: 0, ts: 1_700_000_000_123 },
        ]);
      }));

    it('commits offsets only for what was written, and a restart resumes from them', () =>
      withClient(async () => {
        const make = (from: number, to: number) => Array.from({ length: to - from }, (_, k) => ({ value: JSON.stringify({ id: from + k }), partition: (from + k) % 3 }));
        const t = await topic('resume', 3, make(0, 3000));
        const groupId = uniqueName('g-resume');
        const dir1 = scratch();
        await runPipeline(readDoc(dir1, { topic: t, groupId, startFrom: 'committed' }));
        expect(lines(join(dir1, 'out.jsonl'))).toHaveLength(3000);
        const c = await committed(groupId, t);
        expect([...c.values()].reduce((a, b) => a + b, 0)).toBe(3000);

        await produce(t, make(3000, 4500));
        const dir2 = scratch();
        await runPipeline(readDoc(dir2, { topic: t, groupId, startFrom: 'committed' }));
        const second = lines(join(dir2, 'out.jsonl')).map((r) => r.id).sort((a, b) => a - b);
        expect(second).toEqual(Array.from({ length: 1500 }, (_, k) => 3000 + k));
      }));

    it('a bounded read of a topic written in transactions ends past the markers, without aborted records', () =>
      withClient(async () => {
        // An exactly-once writer leaves a transaction marker after its records: the last offset
        // before the end is one no consumer ever receives.
        const t = await createTopic('txn', 2);
        topics.push(t);
        const msgs = (p: number, from: number, n: number) => Array.from({ length: n }, (_, i) => ({ value: JSON.stringify({ id: from + i }), partition: p }));
        await produceTransactions(t, [{ messages: msgs(0, 0, 10) }, { messages: msgs(1, 100, 5), abort: true }, { messages: msgs(1, 200, 3) }]);
        const groupId = uniqueName('g-txn');
        const dir = scratch();
        const job = plan(readDoc(dir, { topic: t, groupId, startFrom: 'earliest' }, '{ id }'));
        const outcome = await Promise.race([job.run(), new Promise<string>((r) => setTimeout(() => r('hung'), 15_000))]);
        if (outcome === 'hung') job.stop();
        expect(outcome).toBe('finished');
        const ids = lines(join(dir, 'out.jsonl')).map((r) => r.id).sort((a, b) => a - b);
        expect(ids).toEqual([...Array.from({ length: 10 }, (_, i) => i), 200, 201, 202]);
        // Committed past the markers (11 = 10 records + a marker; 10 = 5 aborted + marker + 3 + marker).
        expect(await committed(groupId, t)).toEqual(new Map([[0, 11], [1, 10]]));
      }));

    it('an interrupted unbounded run commits what it wrote; the next run reads exactly the rest', () =>
      withClient(async () => {
        const n = 20_000;
        const t = await topic('interrupt', 2, Array.from({ length: n }, (_, i) => ({ value: JSON.stringify({ id: i }), partition: i % 2 })));
        const groupId = uniqueName('g-interrupt');
        const dir1 = scratch();
        const doc = readDoc(dir1, { topic: t, groupId, startFrom: 'committed', bounded: false, maxBuffered: 500 });
        const job = plan(doc);
        const running = job.run();
        // Stop part-way: once some records are through.
        while (metricsOf(job, 'out').recordsIn < 1000) await new Promise((r) => setTimeout(r, 5));
        job.stop();
        expect(await running).toBe('stopped');
        const first = lines(join(dir1, 'out.jsonl')).map((r) => r.id);
        expect(first.length).toBeGreaterThan(0);
        const c = await committed(groupId, t);
        expect([...c.values()].reduce((a, b) => a + b, 0)).toBe(first.length);

        const dir2 = scratch();
        await runPipeline(readDoc(dir2, { topic: t, groupId, startFrom: 'committed' }));
        const rest = lines(join(dir2, 'out.jsonl')).map((r) => r.id);
        expect(first.length + rest.length).toBe(n);
        expect(new Set([...first, ...rest]).size).toBe(n);
      }));
  });
}

describe('source.kafka event time', () => {
  it('keeps a watermark per partition: a partition that is behind does not make its records late', async () => {
    // Partition 0 is an hour ahead of partition 1; one watermark for both would drop all of 1.
    const base = Date.UTC(2026, 0, 1);
    const msgs: Msg[] = [];
    for (let i = 0; i < 600; i++) msgs.push({ value: JSON.stringify({ ts: base + 3_600_000 + i * 1000 }), partition: 0 });
    for (let i = 0; i < 600; i++) msgs.push({ value: JSON.stringify({ ts: base + i * 1000 }), partition: 1 });
    const t = await topic('perpart', 2, msgs);
    const dir = scratch();
    const { job } = await runPipeline({
      nodes: [
        { id: 'src', type: 'source.kafka', params: { brokers: BROKERS(), topic: t, groupId: uniqueName('g-src'), startFrom: 'earliest', bounded: true, eventTime: { field: 'ts', maxOutOfOrderness: 0 } } },
        { id: 'win', type: 'window', params: { assigner: { kind: 'tumbling', size: '1m' }, aggregates: { n: { fn: 'count' } } } },
        { id: 'out', type: 'sink.file', params: { path: join(dir, 'out.jsonl') } },
      ],
      edges: [
        { from: 'src', to: 'win' },
        { from: 'win', to: 'out' },
      ],
    });
    expect(metricsOf(job, 'win').late).toBe(0);
    const out = lines(join(dir, 'out.jsonl'));
    expect(out).toHaveLength(20);
    for (const w of out) expect(w.n).toBe(60);
  });

  it('declares an empty partition idle after idleTimeout, so windows fire while the source runs', async () => {
    const base = Date.UTC(2026, 0, 1);
    const t = await topic('idle', 2, Array.from({ length: 300 }, (_, i) => ({ value: JSON.stringify({ ts: base + i * 1000 }), partition: 0 })));
    const dir = scratch();
    const job = plan({
      nodes: [
        { id: 'src', type: 'source.kafka', params: { brokers: BROKERS(), topic: t, groupId: uniqueName('g-src'), startFrom: 'earliest', eventTime: { field: 'ts', idleTimeout: '300ms' } } },
        { id: 'win', type: 'window', params: { assigner: { kind: 'tumbling', size: '1m' }, aggregates: { n: { fn: 'count' } } } },
        { id: 'out', type: 'sink.file', params: { path: join(dir, 'out.jsonl') } },
      ],
      edges: [
        { from: 'src', to: 'win' },
        { from: 'win', to: 'out' },
      ],
    });
    const running = job.run();
    // Partition 0 keeps flowing (as a live topic does) while partition 1 stays empty. As in Flink,
    // the source's watermark is the minimum over partitions that are not idle.
    let next = 300;
    const deadline = Date.now() + 15_000;
    while (metricsOf(job, 'out').recordsIn < 4 && Date.now() < deadline) {
      await produce(t, [{ value: JSON.stringify({ ts: base + next++ * 1000 }), partition: 0 }]);
      await new Promise((r) => setTimeout(r, 50));
    }
    job.stop();
    await running;
    // The first four minutes closed on partition 0's watermark alone.
    expect(lines(join(dir, 'out.jsonl')).slice(0, 4).map((w) => w.n)).toEqual([60, 60, 60, 60]);
  });
});

describe('source.kafka start positions and backpressure', () => {
  it('startFrom a timestamp reads from the first record at or after it; latest with bounded reads nothing', async () => {
    const t = await topic('ts', 2, Array.from({ length: 100 }, (_, i) => ({ value: JSON.stringify({ id: i }), partition: i % 2, timestamp: 1_700_000_000_000 + i * 1000 })));
    const dir = scratch();
    await runPipeline(readDoc(dir, { topic: t, startFrom: 'timestamp', startTimestamp: 1_700_000_000_000 + 60_000 }, '{ id }'));
    expect(lines(join(dir, 'out.jsonl')).map((r) => r.id).sort((a, b) => a - b)).toEqual(Array.from({ length: 40 }, (_, i) => 60 + i));
    const none = scratch();
    await runPipeline(readDoc(none, { topic: t, startFrom: 'latest' }));
    expect(lines(join(none, 'out.jsonl'))).toEqual([]);
  });

  it('a sink that cannot write pauses the Kafka source, which resumes and loses nothing', async () => {
    const n = 40_000;
    const t = await topic('backpressure', 2, Array.from({ length: n }, (_, i) => ({ value: JSON.stringify({ id: i }), partition: i % 2 })));
    const server = new PrivateRedis(await freePort());
    await server.start();
    const job = plan({
      nodes: [
        { id: 'src', type: 'source.kafka', params: { brokers: BROKERS(), topic: t, groupId: uniqueName('g-src'), startFrom: 'earliest', bounded: true, maxBuffered: 2000 } },
        { id: 'save', type: 'sink.redis', params: { url: server.url, command: 'SET', key: 'id:{id}', value: 'id', maxBuffered: 1000, batchSize: 200 } },
      ],
      edges: [{ from: 'src', to: 'save' }],
    });
    const running = job.run();
    const src = metricsOf(job, 'src');
    while (src.recordsOut < 2000) await new Promise((r) => setTimeout(r, 5));
    process.kill(server.pid!, 'SIGSTOP');
    await new Promise((r) => setTimeout(r, 500));
    const held = src.recordsOut;
    await new Promise((r) => setTimeout(r, 1500));
    expect(src.recordsOut).toBe(held);
    expect(held).toBeLessThan(n);
    process.kill(server.pid!, 'SIGCONT');
    expect(await running).toBe('finished');
    expect(src.recordsOut).toBe(n);
    const check = redis(server.url);
    expect(await check.dbsize()).toBe(n);
    check.disconnect();
    await server.kill();
  });
});

describe('source.kafka consumer groups', () => {
  for (const client of ['kafkajs', 'platformatic']) {
    it(`a second run in the same group is refused, naming the group, instead of reading part of the topic (${client} client)`, async () => {
      const t = await topic('shared-group', 2, Array.from({ length: 200 }, (_, i) => ({ value: JSON.stringify({ id: i }), partition: i % 2 })));
      const groupId = uniqueName('g-shared');
      process.env.TRIBUTARY_KAFKA_CLIENT = client;
      try {
        const first = plan(readDoc(scratch(), { topic: t, groupId, startFrom: 'earliest', bounded: false }));
        const running = first.run().then(
          (outcome) => ({ outcome, error: null as unknown }),
          (error: unknown) => ({ outcome: 'failed', error }),
        );
        const deadline = Date.now() + 30_000;
        while (metricsOf(first, 'src').recordsOut < 200 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
        expect(metricsOf(first, 'src').recordsOut).toBe(200);
        const second = await runPipeline(readDoc(scratch(), { topic: t, groupId, startFrom: 'earliest' })).catch((e: unknown) => e);
        expect(second).toBeInstanceOf(NodeError);
        expect((second as NodeError).nodeId).toBe('src');
        expect((second as NodeError).message).toMatch(new RegExp(`consumer group '${groupId}' has another member, which was given ${t}\\[[01]\\]`));
        // The first run lost a partition in the same rebalance: it stops too, rather than read half.
        first.stop();
        const ended = await running;
        if (ended.outcome === 'failed') expect(String(ended.error)).toMatch(/has another member/);
      } finally {
        delete process.env.TRIBUTARY_KAFKA_CLIENT;
      }
    });
  }
});

describe('source.kafka connections', () => {
  for (const client of ['kafkajs', 'platformatic']) {
    for (const mechanism of ['plain', 'scram-sha-256', 'scram-sha-512']) {
      it(`authenticates with SASL ${mechanism} (${client} client), the password from an environment reference`, async () => {
        const saslBrokers = process.env.KAFKA_SASL_BROKERS;
        expect(saslBrokers, 'the test broker listens for SASL').toBeDefined();
        const t = await topic('sasl', 1, [{ value: '{"ok": true}' }]);
        process.env.TRIBUTARY_KAFKA_CLIENT = client;
        try {
          process.env.TRIBUTARY_TEST_KAFKA_PASSWORD = 'tributary-secret';
          const sasl = { mechanism, username: 'tributary', password: '${TRIBUTARY_TEST_KAFKA_PASSWORD}' };
          const dir = scratch();
          await runPipeline(readDoc(dir, { topic: t, startFrom: 'earliest', brokers: saslBrokers, sasl }, '{ ok }'));
          expect(lines(join(dir, 'out.jsonl'))).toEqual([{ ok: true }]);

          process.env.TRIBUTARY_TEST_KAFKA_PASSWORD = 'wrong';
          await expect(runPipeline(readDoc(scratch(), { topic: t, startFrom: 'earliest', brokers: saslBrokers, sasl }))).rejects.toThrow(/cannot reach Kafka/);
          delete process.env.TRIBUTARY_TEST_KAFKA_PASSWORD;
          await expect(runPipeline(readDoc(scratch(), { topic: t, brokers: saslBrokers, sasl }))).rejects.toThrow('sasl.password: environment variable TRIBUTARY_TEST_KAFKA_PASSWORD is not set');
        } finally {
          delete process.env.TRIBUTARY_KAFKA_CLIENT;
        }
      });
    }

    it(`connects over TLS (${client} client), trusting the broker's certificate from a file; refuses an untrusted one`, async () => {
      const tlsBrokers = process.env.KAFKA_TLS_BROKERS;
      const ca = process.env.KAFKA_TLS_CA;
      expect(tlsBrokers, 'the test broker listens for TLS (openssl made its certificate)').toBeDefined();
      const t = await topic('tls', 1, [{ value: '{"secure": true}' }]);
      process.env.TRIBUTARY_KAFKA_CLIENT = client;
      try {
        const dir = scratch();
        await runPipeline(readDoc(dir, { topic: t, startFrom: 'earliest', brokers: tlsBrokers, ssl: { ca } }, '{ secure }'));
        expect(lines(join(dir, 'out.jsonl'))).toEqual([{ secure: true }]);
        await expect(runPipeline(readDoc(scratch(), { topic: t, brokers: tlsBrokers, ssl: {} }))).rejects.toThrow(/cannot reach Kafka/);
      } finally {
        delete process.env.TRIBUTARY_KAFKA_CLIENT;
      }
    });
  }

  it('fails at start with a message naming the node when no broker answers', async () => {
    const t0 = Date.now();
    const err = await runPipeline(readDoc(scratch(), { topic: 'x', brokers: '127.0.0.1:1' })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NodeError);
    expect((err as NodeError).nodeId).toBe('src');
    expect((err as NodeError).message).toMatch(/cannot reach Kafka at 127\.0\.0\.1:1/);
    expect(Date.now() - t0).toBeLessThan(30_000);
  });

  it('names a missing topic', async () => {
    await expect(runPipeline(readDoc(scratch(), { topic: uniqueName('missing') }))).rejects.toThrow(/topic 'missing-[0-9a-f]+': topic .* does not exist/);
  });
});

describe('source.kafka commits on failure', () => {
  it('a run that fails while a commit waits for its sinks ends with the failure, and commits nothing after it', async () => {
    const n = 5000;
    const t = await topic('fail-commit', 1, Array.from({ length: n }, (_, i) => ({ value: JSON.stringify({ id: i }) })));
    const groupId = uniqueName('g-fail-commit');
    const server = new PrivateRedis(await freePort());
    await server.start();
    const job = plan({
      nodes: [
        { id: 'src', type: 'source.kafka', params: { brokers: BROKERS(), topic: t, groupId, startFrom: 'earliest', commitInterval: '10ms' } },
        { id: 'save', type: 'sink.redis', params: { url: server.url, command: 'SET', key: 'id:{id}', value: 'id', retryFor: '1s', batchSize: 10 } },
      ],
      edges: [{ from: 'src', to: 'save' }],
    });
    const running = job.run().then(
      (outcome) => ({ outcome, error: null as unknown }),
      (error: unknown) => ({ outcome: null, error }),
    );
    while (metricsOf(job, 'save').recordsIn < 100) await new Promise((r) => setTimeout(r, 5));
    // Redis goes away for good: the sink gives up after retryFor while a commit waits for it.
    await server.kill();
    const res = await Promise.race([running, new Promise<'hung'>((r) => setTimeout(() => r('hung'), 20_000))]);
    expect(res).not.toBe('hung');
    const { error } = res as { error: unknown };
    expect(error).toBeInstanceOf(NodeError);
    expect((error as NodeError).nodeId).toBe('save');
    expect((error as NodeError).message).toMatch(/unreachable/);
  });

  it('commits nothing past records a file sink holds until the run ends: a failed run reads them again', async () => {
    const t = await topic('file-commit', 1, Array.from({ length: 1000 }, (_, i) => ({ value: JSON.stringify({ id: i }) })));
    const groupId = uniqueName('g-file-commit');
    const dir = scratch();
    // No edge from `errors`: the malformed record produced below fails the run.
    const job = plan({
      nodes: [
        { id: 'src', type: 'source.kafka', params: { brokers: BROKERS(), topic: t, groupId, startFrom: 'committed', commitInterval: '20ms' } },
        { id: 'out', type: 'sink.file', params: { path: join(dir, 'out.jsonl') } },
      ],
      edges: [{ from: 'src', to: 'out' }],
    });
    const running = job.run().catch((e: unknown) => e);
    while (metricsOf(job, 'out').recordsIn < 1000) await new Promise((r) => setTimeout(r, 5));
    // Many commit intervals pass while the records sit in the file sink's unpublished output.
    await new Promise((r) => setTimeout(r, 500));
    await produce(t, [{ value: 'not json' }]);
    expect(await running).toBeInstanceOf(NodeError);
    // The failed run discarded its file: none of its records may count as written.
    const c = await committed(groupId, t);
    expect(c.get(0) ?? -1).toBeLessThanOrEqual(0);
    const again = scratch();
    await runPipeline({ ...readDoc(again, { topic: t, groupId, startFrom: 'committed' }) });
    expect(lines(join(again, 'out.jsonl'))).toHaveLength(1000);
  });
});
