// `npm run bench -- kafka`: the Kafka and Redis figures, on a broker this section starts when
// none answers at KAFKA_BROKERS (and stops afterwards) and the Redis at REDIS_URL. Each client's
// raw produce and consume rates, JSON decoding alone and the Redis pipeline rate show where the
// ceiling of the end-to-end pipeline is.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureBroker, freeBrokerAddress } from '../scripts/kafka/broker.js';
import { clickMessages, createTopic, deleteTopics, produce } from './kafka-clients.js';
import { BENCH_PREFIX, runKafkaScenario } from './kafka.js';
import { deleteRedisKeys } from './redis.js';
import { loadavg } from 'node:os';
import { type BenchSection, type Measured, table } from './section.js';

/** Issue 19's end-to-end target on a 2-core machine. */
const E2E_TARGET = 300_000;
/** The source's `fetchThread` modes the end-to-end pipeline runs under, interleaved. */
const FETCH_MODES = ['off', 'fetch', 'parse'] as const;
const ROUNDS = Number(process.env.BENCH_KAFKA_ROUNDS ?? 2);

/** Thousands a second: these rates sit far below the engine's millions. */
function fmtRate(n: number): string {
  return `${Math.round(n / 1000)}k/s`;
}

export const kafkaSection: BenchSection = {
  name: 'kafka',
  run: (scenario) => runKafkaScenario(scenario),
  async report(child, _records, out) {
    const count = Number(process.env.BENCH_KAFKA_RECORDS ?? 500_000);
    // As in the tests: KAFKA_BROKERS names a broker to use (started if down); unset, the section
    // runs a broker of its own on free ports. Its scenario processes inherit the address.
    process.env.KAFKA_BROKERS ??= await freeBrokerAddress();
    const address = process.env.KAFKA_BROKERS.split(',')[0]!;
    const dir = mkdtempSync(join(tmpdir(), 'tributary-bench-kafka-'));
    const broker = await ensureBroker(address, dir, (l) => out(l));
    const topics: string[] = [];
    try {
      const fill = `${BENCH_PREFIX}-clicks-${Date.now()}`;
      await createTopic(fill);
      topics.push(fill);
      await produce('platformatic', fill, clickMessages(count));
      process.env.BENCH_KAFKA_TOPIC = fill;
      process.env.BENCH_KAFKA_COUNT = String(count);
      out(`kafka + redis, ${count.toLocaleString('en-US')} clickstream events (~185 B of JSON each), 4 partitions, broker ${address}${broker.started !== null ? ' (started for this run)' : ''}`);
      out('');
      const rows: string[][] = [['scenario', 'rate', 'peak RSS', 'note']];
      const row = (label: string, m: ReturnType<typeof child>, note = '') => rows.push([label, fmtRate(m.records / m.seconds), `${m.peakRssMiB.toFixed(0)} MiB`, note]);
      for (const client of ['kafkajs', 'platformatic']) {
        const target = `${BENCH_PREFIX}-produce-${client}-${Date.now()}`;
        await createTopic(target);
        topics.push(target);
        process.env.BENCH_KAFKA_PRODUCE_TOPIC = target;
        row(`produce, ${client} (idempotent, acks=all)`, child(`produce:${client}`));
        row(`consume, ${client}`, child(`consume:${client}`), 'to the client\'s buffer, incl. group join');
      }
      row('JSON.parse of the same values', child('json'), 'one core, no I/O');
      row('Redis HSET, pipelined ×1000 (ioredis)', child('redis'));
      // The end-to-end pipeline under each fetchThread mode, interleaved; best wall rate of each,
      // with the CPU seconds of every thread of the process (per CPU-second holds on a busy machine).
      const load0 = loadavg()[0]!;
      const best = new Map<string, Measured>();
      for (let round = 0; round < ROUNDS; round++) {
        for (const mode of FETCH_MODES) {
          const m = child(`pipeline:${mode}`);
          const was = best.get(mode);
          if (was === undefined || m.records / m.seconds > was.records / was.seconds) best.set(mode, m);
        }
      }
      for (const mode of FETCH_MODES) {
        const e2e = best.get(mode)!;
        const rate = e2e.records / e2e.seconds;
        const perCpu = e2e.records / (e2e.cpuSeconds as number);
        const when = `first record at ${(e2e.firstSeconds as number).toFixed(2)} s, last read at ${(e2e.readSeconds as number).toFixed(2)} s of ${e2e.seconds.toFixed(2)} s`;
        row(`Kafka → filter → keyBy → tumbling 1m → sink.redis HSET, fetchThread ${mode}`, e2e, `${fmtRate(perCpu)} per CPU-second; ${e2e.windows} windows; ${when}; target ≥ ${fmtRate(E2E_TARGET)}: ${rate >= E2E_TARGET ? 'met' : 'NOT met'}`);
      }
      out(`load average ${load0.toFixed(1)} before the end-to-end runs, ${loadavg()[0]!.toFixed(1)} after; best of ${ROUNDS} interleaved rounds`);
      table(rows, out);
    } finally {
      await deleteTopics(topics).catch(() => {});
      await deleteRedisKeys(BENCH_PREFIX).catch(() => {});
      await broker.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
