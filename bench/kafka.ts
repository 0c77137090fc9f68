// Kafka benchmark scenarios (one per child process): raw produce and consume rates of each Kafka
// client, JSON decoding alone, the Redis pipeline rate, and the end-to-end pipeline
// Kafka → filter → keyBy → tumbling window → sink.redis HSET, all on the same broker and server.
import { Redis } from 'ioredis';
import { planJob } from '../runtime/engine/plan.js';
import { validatePipeline } from '../runtime/format/validate.js';
import { OPERATORS } from '../runtime/nodes/operators.js';
import { clickMessages, consume, produce } from './kafka-clients.js';
import type { ScenarioResult } from './section.js';

export const BENCH_PREFIX = 'tributary-bench';

/** Set by the section for its children: the pre-filled topic and how many messages it holds. */
function topic(): { name: string; count: number } {
  return { name: process.env.BENCH_KAFKA_TOPIC!, count: Number(process.env.BENCH_KAFKA_COUNT) };
}

function redisUrl(): string {
  return process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
}

async function endToEnd(fetchThread: string): Promise<ScenarioResult> {
  const t = topic();
  const doc = {
    format: 'tributary.pipeline/v1',
    name: 'bench-kafka-redis',
    nodes: [
      { id: 'src', type: 'source.kafka', params: { brokers: process.env.KAFKA_BROKERS ?? '127.0.0.1:9092', topic: t.name, startFrom: 'earliest', bounded: true, groupId: `${BENCH_PREFIX}-e2e-${Date.now()}`, metadata: false, maxBuffered: 50_000, fetchThread, eventTime: { field: 'ts', maxOutOfOrderness: '2s' } } },
      { id: 'views', type: 'filter', params: { condition: "eventType != 'REMOVE_FROM_CART'" } },
      { id: 'byUser', type: 'keyBy', params: { key: 'userId' } },
      { id: 'perMinute', type: 'window', params: { assigner: { kind: 'tumbling', size: '1m' }, aggregates: { events: { fn: 'count' }, spend: { fn: 'sum', field: 'price' } } } },
      { id: 'save', type: 'sink.redis', params: { url: redisUrl(), command: 'HSET', key: `${BENCH_PREFIX}:user:{key}`, fields: '{ windowEnd, events, spend }', batchSize: 2000 } },
    ],
    edges: [
      { from: 'src', to: 'views' },
      { from: 'views', to: 'byUser' },
      { from: 'byUser', to: 'perMinute' },
      { from: 'perMinute', to: 'save' },
    ],
  };
  const { pipeline, problems } = validatePipeline(doc);
  if (!pipeline) throw new Error(problems.map((p) => p.message).join('\n'));
  const job = planJob(pipeline, { operators: OPERATORS, resolvePath: (p) => p, stdout: process.stdout });
  const m = (id: string) => job.metrics.find((x) => x.nodeId === id)!;
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  // Where the wall time goes: start-up until the first record, reading, and the tail after the
  // last record is read (windows firing, Redis writes, the final commit).
  let firstAt = NaN;
  let lastAt = NaN;
  const watch = setInterval(() => {
    const n = m('src').recordsOut;
    if (n > 0 && Number.isNaN(firstAt)) firstAt = performance.now() - t0;
    if (n >= t.count && Number.isNaN(lastAt)) lastAt = performance.now() - t0;
  }, 5);
  await job.run();
  clearInterval(watch);
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  // CPU seconds of the whole process (every thread), so a loaded machine still compares fairly.
  return { scenario: `pipeline:${fetchThread}`, records: m('src').recordsOut, seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6, windows: m('save').recordsIn, firstSeconds: firstAt / 1000, readSeconds: (Number.isNaN(lastAt) ? seconds * 1000 : lastAt) / 1000 } as ScenarioResult;
}

async function jsonDecode(): Promise<ScenarioResult> {
  const msgs = clickMessages(200_000).map((m) => Buffer.from(m.value as string));
  let sink = 0;
  const t0 = performance.now();
  for (let pass = 0; pass < 5; pass++) for (const b of msgs) sink += (JSON.parse(b.toString()) as { eventId: number }).eventId & 1;
  const seconds = (performance.now() - t0) / 1000;
  return { scenario: 'json', records: msgs.length * 5, seconds, sink } as ScenarioResult;
}

async function redisPipeline(): Promise<ScenarioResult> {
  const r = new Redis(redisUrl());
  const n = 500_000;
  const batch = 1000;
  const t0 = performance.now();
  for (let i = 0; i < n; i += batch) {
    const p = r.pipeline();
    for (let j = i; j < i + batch; j++) p.hset(`${BENCH_PREFIX}:hset:${j % 50_000}`, 'n', j, 'at', 'x');
    await p.exec();
  }
  const seconds = (performance.now() - t0) / 1000;
  r.disconnect();
  return { scenario: 'redis', records: n, seconds };
}

export async function runKafkaScenario(scenario: string): Promise<ScenarioResult> {
  const [what, client] = scenario.split(':') as [string, string | undefined];
  const t = topic();
  switch (what) {
    case 'produce': {
      const msgs = clickMessages(t.count, 2);
      const seconds = await produce(client!, process.env.BENCH_KAFKA_PRODUCE_TOPIC!, msgs);
      return { scenario, records: msgs.length, seconds };
    }
    case 'consume': {
      const { seconds } = await consume(client!, t.name, t.count);
      return { scenario, records: t.count, seconds };
    }
    case 'json':
      return jsonDecode();
    case 'redis':
      return redisPipeline();
    case 'pipeline':
      return endToEnd(client ?? 'fetch');
  }
  throw new Error(`no kafka scenario '${scenario}'`);
}
