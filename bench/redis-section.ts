// `npm run bench -- redis`: sink.redis's write rate on the Redis at REDIS_URL (the tests' one,
// or any), beside its twin, the same HSETs sent by hand through ioredis pipelines of the same size.
// BENCH_REDIS_RECORDS sets the records per run (default 300k).
import { deleteRedisKeys, REDIS_BENCH_PREFIX, runRedisScenario } from './redis.js';
import { type BenchSection, fmtRate, table } from './section.js';

const ROUNDS = 2;

export const redisSection: BenchSection = {
  name: 'redis',
  run: (scenario) => runRedisScenario(scenario, Number(process.env.BENCH_REDIS_RECORDS ?? 300_000)),
  async report(child, _records, out) {
    const scenarios = ['sink-HSET', 'twin', 'sink-HINCRBY'];
    const best = new Map<string, { rate: number; perCpu: number; rss: number }>();
    // Interleaved rounds, best of each: Redis runs on the same cores.
    for (let round = 0; round < ROUNDS; round++) {
      for (const s of scenarios) {
        await deleteRedisKeys(REDIS_BENCH_PREFIX);
        const m = child(s);
        const rate = m.records / m.seconds;
        const perCpu = m.records / (m.cpuSeconds as number);
        if (rate > (best.get(s)?.rate ?? 0)) best.set(s, { rate, perCpu, rss: m.peakRssMiB });
      }
    }
    await deleteRedisKeys(REDIS_BENCH_PREFIX);
    const n = Number(process.env.BENCH_REDIS_RECORDS ?? 300_000);
    out(`redis: ${n.toLocaleString('en-US')} generated events, 100k users, written in pipelines of 1000; best of ${ROUNDS} interleaved rounds, Redis on the same cores`);
    const twin = best.get('twin')!;
    const rows = [['scenario', 'records/s', 'per CPU-second (this process)', 'peak RSS', 'against the twin']];
    const label: Record<string, string> = { 'sink-HSET': 'generator → sink.redis HSET (3 fields)', twin: 'twin: the same HSETs through ioredis pipelines', 'sink-HINCRBY': 'generator → sink.redis HINCRBY' };
    for (const s of scenarios) {
      const b = best.get(s)!;
      rows.push([label[s]!, fmtRate(b.rate), fmtRate(b.perCpu), `${b.rss.toFixed(0)} MiB`, s === 'twin' ? '' : `${(b.rate / twin.rate).toFixed(2)}×`]);
    }
    table(rows, out);
  },
};
