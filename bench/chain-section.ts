// Foundation figures: filter → map → keyBy → discard beside its hand-written twin.
import { runScenario } from './chain.js';
import { type BenchSection, fmtRate, table } from './section.js';

const PAIRS = [
  { label: '(a) pre-built batches', engine: 'engine-batches', plain: 'plain-batches', target: 10e6 },
  { label: '(b) generator', engine: 'engine-generator', plain: 'plain-generator', target: 3e6 },
];

export const chainSection: BenchSection = {
  name: 'chain',
  run: (scenario, records) => runScenario(scenario, records),
  report(child, records, out) {
    out(`filter → map → keyBy → discard, ${records.toLocaleString('en-US')} records, one core (node ${process.version})`);
    out('');
    const rows: string[][] = [['scenario', 'records/s', 'peak RSS', 'hand-written', 'engine/hand', 'target', 'met']];
    for (const pair of PAIRS) {
      const e = child(pair.engine);
      const p = child(pair.plain);
      const er = e.records / e.seconds;
      const pr = p.records / p.seconds;
      const ok = er >= pair.target && pr / er <= 2;
      rows.push([pair.label, fmtRate(er), `${e.peakRssMiB.toFixed(0)} MiB`, `${fmtRate(pr)} (${p.peakRssMiB.toFixed(0)} MiB)`, `${(er / pr).toFixed(2)}×`, `≥ ${fmtRate(pair.target)}, within 2×`, ok ? 'yes' : 'NO']);
    }
    table(rows, out);
  },
};
