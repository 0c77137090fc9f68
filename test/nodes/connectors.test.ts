// Node semantics of the connector nodes that need no server: param validation, key templates,
// environment references, Kafka record decoding, per-partition watermarks, Redis commands, the
// lookup cache and the fetch buffer's backpressure.
import { describe, expect, it } from 'vitest';
import { resolveEnv } from '../../runtime/connectors/env.js';
import { kafkaConnection } from '../../runtime/connectors/kafka/connection.js';
import { FetchBuffer } from '../../runtime/connectors/kafka/fetch-buffer.js';
import { SplitWatermarks } from '../../runtime/engine/split-watermarks.js';
import { compileTemplate } from '../../runtime/expr/index.js';
import { validatePipeline } from '../../runtime/format/validate.js';
import { TtlCache } from '../../runtime/nodes/lookup-redis/cache.js';
import { commandBuilder } from '../../runtime/nodes/sink-redis/commands.js';
import { decoder, type MessageView, MessagesView, PackedView } from '../../runtime/nodes/source-kafka/decode.js';
import { pack } from '../../runtime/connectors/kafka/packed.js';
import type { ConsumedMessage } from '../../runtime/connectors/kafka/types.js';

function problems(type: string, params: Record<string, unknown>): string[] {
  const doc = {
    format: 'tributary.pipeline/v1',
    name: 't',
    nodes: [
      { id: 'gen', type: 'source.generator', params: { count: 1 } },
      { id: 'n', type, params },
    ],
    edges: [{ from: 'gen', to: 'n' }],
  };
  if (type.startsWith('source.')) {
    doc.nodes = [{ id: 'n', type, params }];
    doc.edges = [];
  }
  return validatePipeline(doc).problems.map((p) => `${p.path}: ${p.message}`);
}

describe('connector params', () => {
  it('sink.redis: each command asks for what it needs', () => {
    expect(problems('sink.redis', { command: 'HSET', key: 'u:{userId}' })).toEqual(['$.nodes[1].params.fields: HSET needs \'fields\'']);
    expect(problems('sink.redis', { command: 'ZADD', key: 'top', member: 'productId' })).toEqual(['$.nodes[1].params.score: ZADD needs \'score\'']);
    expect(problems('sink.redis', { command: 'SET', key: 'k', value: 'x', maxLen: 3 })).toEqual(['$.nodes[1].params.maxLen: maxLen applies to LPUSH and XADD only']);
    expect(problems('sink.redis', { command: 'LPUSH', key: 'recent:{userId}', value: 'productId', maxLen: 10 })).toEqual([]);
  });

  it('rejects malformed key templates and environment references with their position', () => {
    expect(problems('sink.redis', { command: 'SET', key: 'user:{userId', value: 'x' })[0]).toMatch(/key: unclosed '\{' at column 6/);
    expect(problems('sink.redis', { command: 'SET', key: 'user:{user id}', value: 'x' })[0]).toMatch(/is not a field name/);
    expect(problems('sink.redis', { command: 'SET', key: 'k', value: 'x', url: 'redis://${REDIS' })[0]).toMatch(/url: malformed environment reference/);
  });

  it('lookup.redis: a string needs a field to go into', () => {
    expect(problems('lookup.redis', { key: 'name:{productId}', kind: 'string' })).toEqual(["$.nodes[1].params.as: kind 'string' needs 'as', the field to put the value in"]);
  });

  it('sink.kafka: an idempotent producer needs acks all', () => {
    expect(problems('sink.kafka', { brokers: 'b:9092', topic: 't', acks: 'leader' })).toEqual(['$.nodes[1].params.acks: an idempotent producer needs acks: all (or set idempotent: false)']);
    expect(problems('sink.kafka', { brokers: 'b:9092', topic: 't', acks: 'leader', idempotent: false })).toEqual([]);
  });

  it('source.kafka: startFrom takes the three names, or timestamp with startTimestamp', () => {
    expect(problems('source.kafka', { brokers: 'b:9092', topic: 't', startFrom: 'timestamp', startTimestamp: '2026-01-01T00:00:00Z' })).toEqual([]);
    expect(problems('source.kafka', { brokers: 'b:9092', topic: 't', startFrom: 'timestamp' })).toEqual(["$.nodes[0].params.startTimestamp: startFrom 'timestamp' needs 'startTimestamp'"]);
    expect(problems('source.kafka', { brokers: 'b:9092', topic: ['a', 'b'], startFrom: 'newest' })).toHaveLength(1);
  });
});

describe('Kafka brokers', () => {
  it('take a comma-separated string or a list, each entry with environment references', async () => {
    expect(problems('source.kafka', { brokers: 'a:9092,b:9092', topic: 't' })).toEqual([]);
    expect(problems('source.kafka', { brokers: ['a:9092', '${B:-b:9092}'], topic: 't' })).toEqual([]);
    expect(problems('sink.kafka', { brokers: ['a:9092'], topic: 't' })).toEqual([]);
    expect(problems('source.kafka', { brokers: [], topic: 't' }).join()).toContain('$.nodes[0].params.brokers');
    expect(problems('sink.kafka', { brokers: ['a:9092', '${B'], topic: 't' }).join()).toContain('malformed environment reference');
    const at = (brokers: string | string[]) => kafkaConnection({ brokers }, 'k', (p) => p).then((c) => c.brokers);
    expect(await at(' a:9092, b:9092 ')).toEqual(['a:9092', 'b:9092']);
    expect(await at(['a:9092', 'b:9092,c:9092'])).toEqual(['a:9092', 'b:9092', 'c:9092']);
    await expect(at(['a:9092', '${TRIBUTARY_TEST_UNSET_BROKER}'])).rejects.toThrow('brokers.1: environment variable TRIBUTARY_TEST_UNSET_BROKER is not set');
  });
});

describe('key templates', () => {
  it('fills fields, nested fields and literal braces', () => {
    expect(compileTemplate('user:{userId}')({ userId: 'u1' })).toBe('user:u1');
    expect(compileTemplate('{a.b}:{n}{{x}}')({ a: { b: 'deep' }, n: 3 })).toBe('deep:3{x}');
    expect(compileTemplate('fixed')({})).toBe('fixed');
  });

  it('names the missing field', () => {
    expect(() => compileTemplate('user:{userId}')({})).toThrow("key template \"user:{userId}\": the record has no 'userId'");
  });
});

describe('environment references', () => {
  it('resolves ${NAME} and ${NAME:-default}, and names an unset variable', () => {
    const env = { HOST: 'h', EMPTY: '' };
    expect(resolveEnv('${HOST}:${PORT:-9092}', 'n', 'brokers', env)).toBe('h:9092');
    expect(resolveEnv('${EMPTY:-fallback}', 'n', 'url', env)).toBe('fallback');
    expect(() => resolveEnv('${SECRET}', 'src', 'sasl.password', env)).toThrow('sasl.password: environment variable SECRET is not set');
  });
});

describe('Kafka record decoding', () => {
  const msg = (value: string | null): ConsumedMessage => ({ key: Buffer.from('k'), value: value === null ? null : Buffer.from(value), headers: { h: 'v' }, timestamp: 5, offset: 9 });
  // The same message read in-thread, packed by a fetch thread, and packed with JSON parsed there.
  const views: [string, (m: ConsumedMessage) => [MessageView, number]][] = [
    ['in-thread', (m) => [new MessagesView([m]), 0]],
    ['packed', (m) => [new PackedView(pack([{ topic: 't', partition: 0, messages: [msg('{"x":0}'), m] }], false).data), 1]],
    ['packed, parsed by the fetch thread', (m) => [new PackedView(pack([{ topic: 't', partition: 0, messages: [msg('{"x":0}'), m] }], true).data), 1]],
  ];
  for (const [how, view] of views) {
    const decode = (format: 'json' | 'string', meta: string | null, m: ConsumedMessage, topic: string, partition: number) => decoder(format, meta)(...view(m), topic, partition);

    it(`json: the object becomes the record, metadata under the chosen field (${how})`, () => {
      expect(decode('json', 'kafka', msg('{"a":1}'), 't', 2)).toEqual({ a: 1, kafka: { topic: 't', partition: 2, offset: 9, timestamp: 5, key: 'k', headers: { h: 'v' } } });
      expect(decode('json', 'kafka', { ...msg('{"a":"é"}'), key: null, headers: null }, 't', 2)).toEqual({ a: 'é', kafka: { topic: 't', partition: 2, offset: 9, timestamp: 5, key: null, headers: {} } });
      expect(decode('json', null, msg('{"a":1}'), 't', 2)).toEqual({ a: 1 });
    });

    it(`json: says why a value is not a record (${how})`, () => {
      expect(decode('json', null, msg('[1]'), 't', 0)).toMatch(/must be a JSON object, got an array/);
      expect(decode('json', null, msg('{oops'), 't', 0)).toMatch(/not valid JSON/);
      expect(decode('json', null, msg(null), 't', 0)).toMatch(/tombstone/);
      expect(decode('json', null, msg('['.repeat(1001) + ']'.repeat(1001)), 't', 0)).toMatch(/nested more than 1000 levels/);
    });

    it(`string: the value as text (${how})`, () => {
      expect(decode('string', null, msg('hi'), 't', 0)).toEqual({ value: 'hi' });
      expect(decode('string', null, msg(null), 't', 0)).toEqual({ value: null });
    });
  }
});

describe('per-partition watermarks (Flink KafkaSource with withIdleness)', () => {
  it('is the minimum over active partitions, and never goes back', () => {
    const w = new SplitWatermarks(0, 100);
    const a = w.add(0);
    const b = w.add(0);
    expect(w.observe(a, 1000)).toBe(-Infinity); // b has nothing yet
    expect(w.observe(b, 500)).toBe(499);
    expect(w.observe(b, 2000)).toBe(999);
    w.active(a, 0);
    w.active(b, 150);
    expect(w.checkIdle(150)).toBe(true); // a idle: only b counts
    expect(w.current).toBe(1999);
    expect(w.observe(a, 1100)).toBe(1999); // a is back, behind: held, not reversed
  });

  it('a finished partition stops holding the others back; all idle holds the watermark', () => {
    const w = new SplitWatermarks(0, null);
    const a = w.add(0);
    const b = w.add(0);
    w.observe(a, 100);
    expect(w.finish(b)).toBe(true);
    expect(w.current).toBe(99);
    const idle = new SplitWatermarks(0, 10);
    idle.observe(idle.add(0), 50);
    expect(idle.checkIdle(100)).toBe(false);
    expect(idle.current).toBe(49);
  });
});

describe('Redis commands', () => {
  const rec = { userId: 'u1', n: 2, productId: 'p', price: 1.5, tags: ['a'] };
  it('builds each command with ttl and trimming', () => {
    expect(commandBuilder({ command: 'HSET', key: 'u:{userId}', fields: '{ n, tags }' }, 1000)(rec)).toEqual([['hset', 'u:u1', 'n', '2', 'tags', '["a"]'], ['pexpire', 'u:u1', 1000]]);
    expect(commandBuilder({ command: 'SET', key: 'k', value: 'price' }, 50)(rec)).toEqual([['set', 'k', '1.5', 'PX', 50]]);
    expect(commandBuilder({ command: 'LPUSH', key: 'l', value: 'productId', maxLen: 3 }, null)(rec)).toEqual([['lpush', 'l', 'p'], ['ltrim', 'l', 0, 2]]);
    expect(commandBuilder({ command: 'XADD', key: 's', fields: '{ n }', maxLen: 10 }, null)(rec)).toEqual([['xadd', 's', 'MAXLEN', '~', 10, '*', 'n', '2']]);
    expect(commandBuilder({ command: 'ZINCRBY', key: 'z', member: 'productId', score: 'n' }, null)(rec)).toEqual([['zincrby', 'z', 2, 'p']]);
    expect(commandBuilder({ command: 'HINCRBY', key: 'c', fields: '{ views: 1, n }' }, null)(rec)).toEqual([['hincrby', 'c', 'views', 1], ['hincrby', 'c', 'n', 2]]);
  });

  it('throws with the reason for a record it cannot write', () => {
    expect(() => commandBuilder({ command: 'ZADD', key: 'z', member: 'productId', score: 'productId' }, null)(rec)).toThrow('score must be a finite number, got "p"');
    expect(() => commandBuilder({ command: 'HSET', key: 'h', fields: 'n' }, null)(rec)).toThrow('fields must be an object, got 2');
  });
});

describe('lookup cache', () => {
  it('expires entries and evicts the oldest past its size', () => {
    const c = new TtlCache<string>(100, 2);
    c.set('a', 'A', 0);
    c.set('b', 'B', 10);
    expect(c.get('a', 50)?.value).toBe('A');
    expect(c.get('a', 100)).toBeUndefined();
    c.set('c', 'C', 20);
    c.set('d', 'D', 20);
    expect(c.get('b', 20)).toBeUndefined();
    expect(c.size).toBe(2);
  });
});

describe('fetch buffer', () => {
  it('makes the fetcher wait while full, and a poll frees it', async () => {
    const b = new FetchBuffer(2);
    const m = (offset: number) => ({ key: null, value: null, headers: null, timestamp: 0, offset });
    b.pushOne('t', 0, m(0));
    b.pushOne('t', 0, m(1));
    expect(b.full).toBe(true);
    let room = false;
    void b.space().then(() => (room = true));
    await Promise.resolve();
    expect(room).toBe(false);
    const got = await b.poll(0);
    expect(got).toEqual([{ topic: 't', partition: 0, messages: [m(0), m(1)] }]);
    await Promise.resolve();
    expect(room).toBe(true);
  });

  it('a poll waits for data at most its timeout', async () => {
    const b = new FetchBuffer(10);
    const t0 = Date.now();
    expect(await b.poll(30)).toEqual([]);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(25);
  });
});
