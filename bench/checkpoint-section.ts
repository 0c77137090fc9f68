// `npm run bench -- checkpoint`: one checkpoint of 1M keys of window state (duration, how long the
// sources were held, size), and keyed-window throughput with a checkpoint every 10 s beside the
// same run without (target: within 10 %).
import { type BenchSection, fmtRate, type Measured, table } from './section.js';
import { runCheckpointScenario } from './checkpoint.js';

const pct = (ratio: number) => `${((ratio - 1) * 100).toFixed(1)} %`;

/** Long enough for several 10 s checkpoints even on a fast machine. */
const MIN_RECORDS = 60_000_000;

export const checkpointSection: BenchSection = {
  name: 'checkpoint',
  run: (scenario, records) => runCheckpointScenario(scenario, Math.max(records, MIN_RECORDS)),
  report(child, records, out) {
    const n = Math.max(records, MIN_RECORDS);
    const m = child('1m-keys');
    out('checkpoint of a tumbling window holding 1M keys (count + sum)');
    out('');
    table(
      [
        ['keys', 'duration', 'sources held (stall)', 'size', 'peak RSS', 'load (1 min)'],
        [String(m.stateKeys), `${(m.durationMs as number).toFixed(0)} ms`, `${(m.stallMs as number).toFixed(0)} ms`, `${((m.bytes as number) / 2 ** 20).toFixed(1)} MiB`, `${m.peakRssMiB.toFixed(0)} MiB`, (m.load as number).toFixed(2)],
      ],
      out,
    );
    out('');
    out(`keyBy(userId) → tumbling 1m count+sum, 100k users, ${n.toLocaleString('en-US')} events`);
    out('');
    const without = child('without');
    const withCk = child('with-10s');
    // On a shared machine wall-clock rates move with the neighbours' load; events per CPU-second
    // of this process (checkpoint writes included) is the figure the target is judged by.
    const perCpu = (r: Measured) => r.records / (r.cpuSeconds as number);
    const r0 = without.records / without.seconds;
    const r1 = withCk.records / withCk.seconds;
    const c0 = perCpu(without);
    const c1 = perCpu(withCk);
    table(
      [
        ['run', 'events/s', 'events/CPU-s', 'load (1 min)', 'checkpoints', 'longest stall', 'last size', 'vs without (CPU-s)', 'vs without (wall)', 'target', 'met'],
        ['no checkpoints', fmtRate(r0), fmtRate(c0), (without.load as number).toFixed(2), '0', '—', '—', '', '', '', ''],
        [
          'checkpoint every 10 s', fmtRate(r1), fmtRate(c1), (withCk.load as number).toFixed(2), String(withCk.checkpoints), `${(withCk.maxStallMs as number).toFixed(0)} ms`,
          `${((withCk.bytes as number) / 2 ** 20).toFixed(1)} MiB`, pct(c1 / c0), pct(r1 / r0), '≥ −10 %', c1 >= 0.9 * c0 ? 'yes' : 'NO',
        ],
      ],
      out,
    );
  },
};
