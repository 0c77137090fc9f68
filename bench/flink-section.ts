// Flink figures: events/s of the keyed tumbling window and the cart-abandonment CEP pattern on the
// embedded runtime and on Flink (MiniCluster, parallelism 1 and 2), same generator input; the
// outputs must be equal. Runs are interleaved (embedded, p1, p2, then again) and the best of
// REPEATS kept, since the machine is shared.
import { type FlinkBenchResult, FLINK_PIPELINES, runFlinkScenario } from './flink.js';
import { type BenchSection, fmtRate, table } from './section.js';

const RECORDS = Number(process.env.BENCH_FLINK_RECORDS ?? 200_000);
const REPEATS = Number(process.env.BENCH_FLINK_REPEATS ?? 2);
const RUNS = ['embedded', 'flink-p1', 'flink-p2'] as const;

const scenarioName = (run: string, kind: string) => (run === 'embedded' ? `embedded-${kind}` : `flink-${kind}-${run.slice('flink-'.length)}`);

export const flinkSection: BenchSection = {
  name: 'flink',
  run: (scenario) => runFlinkScenario(scenario, RECORDS),
  report(child, _records, out) {
    out(`flink: the same pipeline and input (clickstream generator, ${RECORDS.toLocaleString('en-US')} events, seed 5, 500 users) on the embedded runtime and on Flink 2.3 in a MiniCluster; best of ${REPEATS}`);
    out('(events/s over the job\'s own run: the embedded job in its process, Flink\'s net job runtime; "with start" adds the JVM and MiniCluster start)');
    out('');
    const rows: string[][] = [['pipeline', 'engine', 'events/s', 'with start', 'peak RSS (node)', 'output records', 'same output']];
    for (const kind of FLINK_PIPELINES) {
      const best = new Map<string, FlinkBenchResult & { peakRssMiB: number }>();
      for (let i = 0; i < REPEATS; i++) {
        for (const run of RUNS) {
          const r = child(scenarioName(run, kind)) as unknown as FlinkBenchResult & { peakRssMiB: number };
          const prev = best.get(run);
          if (prev === undefined || r.seconds < prev.seconds) best.set(run, r);
        }
      }
      const reference = best.get('embedded')!;
      for (const run of RUNS) {
        const r = best.get(run)!;
        rows.push([
          kind === 'window' ? 'keyBy → tumbling 1m window' : 'keyBy → cep (cart abandonment)',
          run === 'embedded' ? 'embedded' : `Flink MiniCluster, parallelism ${run.slice(-1)}`,
          fmtRate(r.records / r.seconds),
          r.wallSeconds === undefined ? '—' : fmtRate(r.records / r.wallSeconds),
          run === 'embedded' ? `${r.peakRssMiB.toFixed(0)} MiB` : '— (in java)',
          r.outputLines.toLocaleString('en-US'),
          r.outputHash === reference.outputHash ? 'yes' : 'NO',
        ]);
      }
    }
    table(rows, out);
  },
};
