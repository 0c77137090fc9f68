// sink.redis scenarios (one per child process): records from the generator written with HSET by
// the sink, against its twin, the same commands sent by hand through ioredis pipelines of the
// same size (how the sink wrote before it had a connection of its own), and HINCRBY by the sink.
import { Redis } from 'ioredis';
import { planJob } from '../runtime/engine/plan.js';
import { validatePipeline } from '../runtime/format/validate.js';
import { OPERATORS } from '../runtime/nodes/operators.js';
import { type ClickEvent, EcommerceGenerator } from '../runtime/nodes/source-generator/ecommerce.js';
import type { ScenarioResult } from './section.js';

export const REDIS_BENCH_PREFIX = 'tributary-bench:redis';
const BATCH = 1000;
const SEED = 5;
const USERS = 100_000;

function redisUrl(): string {
  return process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
}

async function sink(command: 'HSET' | 'HINCRBY', n: number): Promise<ScenarioResult> {
  const fields = command === 'HSET' ? '{ lastEvent: eventId, lastProduct: productId, at: ts }' : '{ events: 1 }';
  const doc = {
    format: 'tributary.pipeline/v1',
    name: 'bench-redis-sink',
    nodes: [
      { id: 'gen', type: 'source.generator', params: { count: n, rate: 0, seed: SEED, users: USERS } },
      { id: 'save', type: 'sink.redis', params: { url: redisUrl(), command, key: `${REDIS_BENCH_PREFIX}:{userId}`, fields, batchSize: BATCH } },
    ],
    edges: [{ from: 'gen', to: 'save' }],
  };
  const { pipeline, problems } = validatePipeline(doc);
  if (!pipeline) throw new Error(problems.map((p) => p.message).join('\n'));
  const job = planJob(pipeline, { operators: OPERATORS, resolvePath: (p) => p, stdout: process.stdout });
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await job.run();
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const written = job.metrics.find((m) => m.nodeId === 'save')!.recordsIn;
  if (written !== n) throw new Error(`the sink took ${written} of ${n} records`);
  return { scenario: `sink-${command}`, records: n, seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6 } as ScenarioResult;
}

/** The same HSETs, made from the same generated events, sent by hand through ioredis pipelines. */
async function twin(n: number): Promise<ScenarioResult> {
  // As the sink's connection was made (runtime/connectors/redis/client.ts).
  const r = new Redis(redisUrl(), { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0, commandTimeout: 10_000 });
  await r.connect();
  const gen = new EcommerceGenerator({ seed: SEED, users: USERS, products: 5000, categories: 12, abandonment: 0.7, startTime: Date.UTC(2026, 0, 1), eventTimeRate: 1, disorder: 0 });
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < n; i += BATCH) {
    const recs: ClickEvent[] = [];
    gen.fill(recs, [], Math.min(BATCH, n - i));
    const cmds = recs.map((e) => ['hset', `${REDIS_BENCH_PREFIX}:${e.userId}`, 'lastEvent', String(e.eventId), 'lastProduct', e.productId, 'at', String(e.ts)]);
    await r.pipeline(cmds).exec();
  }
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  r.disconnect();
  return { scenario: 'twin', records: n, seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6 } as ScenarioResult;
}

/** Delete the keys under `prefix` on the Redis at REDIS_URL (the benchmarks' own keys). */
export async function deleteRedisKeys(prefix: string): Promise<void> {
  const r = new Redis(redisUrl());
  let cursor = '0';
  do {
    const [next, keys] = await r.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 5000);
    cursor = next;
    if (keys.length > 0) await r.del(...keys);
  } while (cursor !== '0');
  r.disconnect();
}

export function runRedisScenario(scenario: string, n: number): Promise<ScenarioResult> {
  if (scenario === 'sink-HSET') return sink('HSET', n);
  if (scenario === 'sink-HINCRBY') return sink('HINCRBY', n);
  if (scenario === 'twin') return twin(n);
  throw new Error(`no redis scenario '${scenario}'`);
}
