// `npm run bench -- decode`: JSON Lines decoding on the operator thread against decode workers,
// alone and inside file pipelines (file → keyBy → tumbling window → file; file → filter → file).
// Runs interleave the thread counts and repeat, as the machine may be shared; the best of each is
// reported with the load average at the start.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { runDecodeScenario, writeClicks } from './decode.js';
import { type BenchSection, fmtRate, type Measured, table } from './section.js';

const THREADS = [0, 1, 2];
const ROUNDS = Number(process.env.BENCH_DECODE_ROUNDS ?? 2);

export const decodeSection: BenchSection = {
  name: 'decode',
  run: (scenario) => runDecodeScenario(scenario),
  async report(child, _records, out) {
    const count = Number(process.env.BENCH_DECODE_RECORDS ?? 1_000_000);
    const dir = mkdtempSync(join(tmpdir(), 'tributary-bench-decode-'));
    try {
      const path = join(dir, 'clicks.jsonl');
      await writeClicks(path, count);
      process.env.BENCH_DECODE_FILE = path;
      process.env.BENCH_DECODE_COUNT = String(count);
      out(`decode, ${count.toLocaleString('en-US')} clickstream events as JSON Lines (${(statSync(path).size / 2 ** 20).toFixed(0)} MiB), load average ${loadavg()[0]!.toFixed(1)} at start`);
      out('');
      const best = new Map<string, Measured>();
      for (let round = 0; round < ROUNDS; round++) {
        for (const what of ['decode', 'window', 'stateless']) {
          for (const t of THREADS) {
            const key = `${what}:${t}`;
            const m = child(key);
            const was = best.get(key);
            if (was === undefined || m.records / m.seconds > was.records / was.seconds) best.set(key, m);
          }
        }
      }
      const rows: string[][] = [['scenario', ...THREADS.map((t) => (t === 0 ? 'on the operator thread' : `${t} decode worker${t > 1 ? 's' : ''}`)), 'best ×']];
      const labels: Record<string, string> = {
        decode: 'JSON Lines → records (decode alone)',
        window: 'file → keyBy → tumbling 1m count+sum → file',
        stateless: 'file → filter → file',
      };
      for (const what of ['decode', 'window', 'stateless']) {
        const rates = THREADS.map((t) => {
          const m = best.get(`${what}:${t}`)!;
          return { rate: m.records / m.seconds, rss: m.peakRssMiB };
        });
        const speedup = Math.max(...rates.slice(1).map((r) => r.rate)) / rates[0]!.rate;
        rows.push([labels[what]!, ...rates.map((r) => `${fmtRate(r.rate)} (${r.rss.toFixed(0)} MiB)`), `${speedup.toFixed(2)}×`]);
      }
      table(rows, out);
      out(`operator thread busy a record while decoding alone: ${THREADS.map((t) => `${t === 0 ? 'in-thread' : `${t} worker${t > 1 ? 's' : ''}`} ${(best.get(`decode:${t}`)!.busyNs as number).toFixed(0)} ns`).join(', ')}`);
      const c = child('costs');
      const f = (k: string) => `${(c[k] as number).toFixed(0)} ns`;
      out('');
      out(`operator-thread cost a record: JSON.parse ${f('parse')}, receiving it parsed by a worker (structured clone) ${f('receiveClone')}; JSON.stringify ${f('stringify')}, handing it to an encoding worker by structured clone ${f('sendClone')} or packed ${f('sendPacked')}`);
      out(`load average ${loadavg()[0]!.toFixed(1)} at the end; best of ${ROUNDS} interleaved rounds`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
