// Window figures: tumbling and sliding windows, state bytes per key, beside hand-written loops.
import { type BenchSection, fmtRate, table } from './section.js';
import { runWindowScenario } from './windows.js';

const WINDOW_PAIRS = [
  { label: 'keyBy(userId) → tumbling 1m count+sum, 100k users', name: 'tumbling', target: 2e6, maxBytesPerKey: Infinity },
  { label: 'same, count only (state per counter)', name: 'counter', target: 2e6, maxBytesPerKey: 64 },
  { label: 'sliding 10m/1m approxTopK, 50k products', name: 'topk', target: 1e6, maxBytesPerKey: Infinity },
];

export const windowSection: BenchSection = {
  name: 'windows',
  run: (scenario, records) => runWindowScenario(scenario, records),
  report(child, records, out) {
    out(`windows, ${records.toLocaleString('en-US')} events from pre-built batches`);
    out('');
    const rows: string[][] = [['scenario', 'events/s', 'peak RSS', 'state', 'bytes/key at most keys', 'firings', 'hand-written', 'target', 'met']];
    for (const pair of WINDOW_PAIRS) {
      const e = child(`engine-${pair.name}`);
      const p = child(`plain-${pair.name}`);
      const er = e.records / e.seconds;
      const keys = e.stateKeys as number;
      const perKey = keys ? (e.stateBytes as number) / keys : 0;
      const ok = er >= pair.target && perKey <= pair.maxBytesPerKey;
      rows.push([
        pair.label, fmtRate(er), `${e.peakRssMiB.toFixed(0)} MiB`, `${keys} keys, peak ${((e.peakStateBytes as number) / 2 ** 20).toFixed(1)} MiB`, perKey.toFixed(1), String(e.firings),
        `${fmtRate(p.records / p.seconds)} (${p.peakRssMiB.toFixed(0)} MiB)`, `≥ ${fmtRate(pair.target)}${Number.isFinite(pair.maxBytesPerKey) ? `, ≤ ${pair.maxBytesPerKey} B/key` : ''}`, ok ? 'yes' : 'NO',
      ]);
    }
    table(rows, out);
  },
};
