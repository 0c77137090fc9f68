// `npm run bench -- checkpoint`: one checkpoint of 1M keys of window state (duration, how long the
// sources were held, size), and keyed-window throughput with a checkpoint every 10 s beside the
// same run without (target: within 10 %).
import { type BenchSection, fmtRate, table } from './section.js';
import { runCheckpointScenario } from './checkpoint.js';

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
        ['keys', 'duration', 'sources held (stall)', 'size', 'peak RSS'],
        [String(m.stateKeys), `${(m.durationMs as number).toFixed(0)} ms`, `${(m.stallMs as number).toFixed(0)} ms`, `${((m.bytes as number) / 2 ** 20).toFixed(1)} MiB`, `${m.peakRssMiB.toFixed(0)} MiB`],
      ],
      out,
    );
    out('');
    out(`keyBy(userId) → tumbling 1m count+sum, 100k users, ${n.toLocaleString('en-US')} events`);
    out('');
    const without = child('without');
    const withCk = child('with-10s');
    const r0 = without.records / without.seconds;
    const r1 = withCk.records / withCk.seconds;
    table(
      [
        ['run', 'events/s', 'checkpoints', 'longest stall', 'last size', 'vs without', 'target', 'met'],
        ['no checkpoints', fmtRate(r0), '0', '—', '—', '', '', ''],
        ['checkpoint every 10 s', fmtRate(r1), String(withCk.checkpoints), `${(withCk.maxStallMs as number).toFixed(0)} ms`, `${((withCk.bytes as number) / 2 ** 20).toFixed(1)} MiB`, `${((r1 / r0 - 1) * 100).toFixed(1)} %`, '≥ −10 %', r1 >= 0.9 * r0 ? 'yes' : 'NO'],
      ],
      out,
    );
  },
};
