// Nodes that cannot run on Flink are named with their own reason before anything is built.
import { describe, expect, it } from 'vitest';
import { flinkProblems } from '../../runtime/format/flink.js';
import { validated } from '../support/flink.js';

const cep = (id: string, more: Record<string, unknown> = {}) => ({
  id,
  type: 'cep',
  params: { pattern: [{ name: 'a', where: "t == 'a'" }, { name: 'b', where: "t == 'b'" }], ...more },
});

describe('what cannot run on Flink, and why', () => {
  it('names each node with its own reason, and passes the ones that translate', () => {
    const pipeline = validated({
      nodes: [
        { id: 'src', type: 'source.file', params: { path: 'in.jsonl', eventTime: { field: 'ts' } } },
        { id: 'expand', type: 'flatMap', params: { code: 'return [event];' } },
        cep('ok'),
        cep('withErrors'),
        cep('clock', { time: 'processing' }),
        { id: 'print', type: 'sink.console', params: {} },
        { id: 'errs', type: 'sink.file', params: { path: 'errors.jsonl' } },
      ],
      edges: [
        { from: 'src', to: 'expand' },
        { from: 'expand', to: 'ok' },
        { from: 'src', to: 'withErrors' },
        { from: 'src', to: 'clock' },
        { from: 'ok', to: 'print' },
        { from: 'withErrors', to: 'print' },
        { from: 'clock', to: 'print' },
        { from: 'withErrors', fromPort: 'errors', to: 'errs' },
      ],
    });
    const problems = Object.fromEntries(flinkProblems(pipeline).map((p) => [p.nodeId, p.reason]));
    // flatMap's code runs in GraalJS on Flink.
    expect(Object.keys(problems).sort()).toEqual(['clock', 'withErrors']);
    expect(problems.withErrors).toMatch(/edge from `errors`.*CepOperator cannot/);
    expect(problems.clock).toMatch(/processing-time cep/);
  });

  it('Kafka, Redis and HTTP nodes translate, except settings the Java clients cannot honour', () => {
    const pipeline = validated({
      nodes: [
        { id: 'in', type: 'source.kafka', params: { brokers: '${KAFKA_BROKERS:-127.0.0.1:9092}', topic: 'a', eventTime: { field: 'ts', idleTimeout: '5s' } } },
        { id: 'insecure', type: 'source.kafka', params: { brokers: 'b:9093', topic: 'a', ssl: { rejectUnauthorized: false } } },
        { id: 'out', type: 'sink.kafka', params: { brokers: 'b:9092', topic: 'b', key: 'userId' } },
        { id: 'hash', type: 'sink.redis', params: { command: 'HSET', key: 'u:{userId}', fields: '{ ts }' } },
        { id: 'socket', type: 'sink.redis', params: { url: '/tmp/redis.sock', command: 'SET', key: 'k', value: 'ts' } },
        { id: 'hook', type: 'sink.http', params: { url: 'http://127.0.0.1:1/hook' } },
      ],
      edges: [
        { from: 'in', to: 'out' },
        { from: 'in', to: 'hash' },
        { from: 'insecure', to: 'socket' },
        { from: 'in', to: 'hook' },
      ],
    });
    const problems = Object.fromEntries(flinkProblems(pipeline).map((p) => [p.nodeId, p.reason]));
    expect(Object.keys(problems).sort()).toEqual(['insecure', 'socket']);
    expect(problems.insecure).toMatch(/rejectUnauthorized: false.*ssl\.ca/);
    expect(problems.socket).toMatch(/redis:\/\/ or rediss:\/\//);
  });

  it('two-input nodes and infer with onnx or http models translate; an embeddings model is named with its reason', () => {
    const pipeline = validated({
      nodes: [
        { id: 'src', type: 'source.file', params: { path: 'in.jsonl', eventTime: { field: 'ts' } } },
        { id: 'kb', type: 'keyBy', params: { key: 'k' } },
        { id: 'ij', type: 'join.interval', params: { lowerBound: '-1m', upperBound: '1m', output: '{ a: left.id, b: right.id }' } },
        { id: 'wj', type: 'join.window', params: { assigner: { kind: 'tumbling', size: '1m' }, type: 'full', output: '{ a: left?.id }' } },
        { id: 'co', type: 'connect', params: { onLeft: 'ctx.emit(event);', onRight: 'ctx.emit(event);' } },
        { id: 'bc', type: 'broadcast', params: { key: 'k', output: '{ ...event, rule: broadcast[k] }' } },
        { id: 'model', type: 'infer', params: { model: { kind: 'http', protocol: 'kserve-v2', url: 'http://127.0.0.1:1', name: 'm' }, features: ['id'], outputs: { s: 'score' } } },
        { id: 'scored', type: 'infer', params: { model: { kind: 'onnx', path: 'm.onnx' }, features: ['id'] } },
        { id: 'similar', type: 'infer', params: { model: { kind: 'embeddings', path: 'items.jsonl', query: 'id' } } },
        { id: 'print', type: 'sink.console', params: {} },
      ],
      edges: [
        { from: 'src', to: 'kb' },
        ...['ij', 'wj', 'co'].flatMap((j) => [{ from: 'kb', to: j, toPort: 'left' }, { from: 'kb', to: j, toPort: 'right' }, { from: j, to: 'print' }]),
        { from: 'kb', to: 'bc', toPort: 'main' },
        { from: 'src', to: 'bc', toPort: 'broadcast' },
        { from: 'bc', to: 'model' },
        { from: 'model', to: 'scored' },
        { from: 'scored', to: 'similar' },
        { from: 'similar', to: 'print' },
      ],
    });
    const problems = Object.fromEntries(flinkProblems(pipeline).map((p) => [p.nodeId, p.reason]));
    expect(Object.keys(problems)).toEqual(['similar']);
    expect(problems.similar).toMatch(/embeddings.*not translated/);
  });

  it('sketch aggregates, Redis lookups and at-least-once e-mail translate; exactly-once e-mail and a lookup over a socket are named', () => {
    const mail = { host: '127.0.0.1', from: 'a@example.com', to: '{email}', subject: 'hi', text: 'x' };
    const pipeline = validated({
      nodes: [
        { id: 'src', type: 'source.file', params: { path: 'in.jsonl', eventTime: { field: 'ts' } } },
        { id: 'w', type: 'window', params: { assigner: { kind: 'session', gap: '1m' }, aggregates: { d: { fn: 'approxCountDistinct', field: 'u' }, t: { fn: 'approxTopK', field: 'p', k: 3 } } } },
        { id: 'look', type: 'lookup.redis', params: { key: 'user:{u}', as: 'profile', ordered: false, cacheTtl: '1m' } },
        { id: 'socket', type: 'lookup.redis', params: { url: 'unix:///tmp/redis.sock', key: 'user:{u}', as: 'profile' } },
        { id: 'mail', type: 'sink.email', params: mail },
        { id: 'once', type: 'sink.email', params: { ...mail, deliveryGuarantee: 'exactly-once', dedupeRedis: 'redis://127.0.0.1:6379' } },
        { id: 'print', type: 'sink.console', params: {} },
      ],
      edges: [
        { from: 'src', to: 'w' },
        { from: 'w', to: 'print' },
        { from: 'src', to: 'look' },
        { from: 'src', to: 'socket' },
        { from: 'look', to: 'mail' },
        { from: 'socket', to: 'once' },
      ],
    });
    const problems = Object.fromEntries(flinkProblems(pipeline).map((p) => [p.nodeId, p.reason]));
    expect(Object.keys(problems).sort()).toEqual(['once', 'socket']);
    expect(problems.once).toMatch(/exactly-once is not translated yet.*at-least-once is/);
    expect(problems.socket).toMatch(/lookup\.redis on Flink takes redis:\/\/ or rediss:\/\//);
  });
});
