// CEP figures: the cart-abandonment pattern over 200k users; events/s, peak RSS, and the partial
// matches alive over event time, which must level off once `within` has passed.
import type { CepResult, StateSample } from './cep.js';
import { runCepScenario } from './cep.js';
import { type BenchSection, fmtRate, table } from './section.js';

const TARGET = 500_000;
const MIN_RECORDS = 2_000_000;

/** Flat: once `within` has passed, the later half of the run holds no more than 25 % above the earlier half's peak. */
function flatness(samples: StateSample[], withinMinutes: number): { ratio: number; settled: StateSample[] } {
  const settled = samples.filter((s) => s.minutes >= 2 * withinMinutes);
  const half = Math.floor(settled.length / 2);
  const early = Math.max(...settled.slice(0, half).map((s) => s.partialMatches));
  const late = Math.max(...settled.slice(half).map((s) => s.partialMatches));
  return { ratio: late / early, settled };
}

export const cepSection: BenchSection = {
  name: 'cep',
  run: (scenario, records) => runCepScenario(scenario, Math.max(records, MIN_RECORDS)),
  report(child, records, out) {
    const timed = child('timed') as unknown as CepResult & { peakRssMiB: number };
    const r = child('sampled') as unknown as CepResult & { peakRssMiB: number };
    const n = Math.max(records, MIN_RECORDS);
    const within = r.within / 60_000;
    out(`cep: cart abandonment (pipelines/cart-abandonment.json), keyBy(userId) → cep, ${n.toLocaleString('en-US')} events, 200k users, pre-built batches`);
    out('');
    const rate = timed.records / timed.seconds;
    const { ratio, settled } = flatness(r.samples, within);
    const peak = Math.max(...r.samples.map((s) => s.partialMatches));
    const peakBytes = Math.max(...r.samples.map((s) => s.bytes));
    const flat = settled.length >= 4 && ratio <= 1.25;
    const ok = rate >= TARGET && flat;
    table(
      [
        ['events/s', 'peak RSS', 'event time', 'matches', 'partial matches alive (peak)', 'state peak', 'later/earlier peak', 'target', 'met'],
        [
          fmtRate(rate), `${timed.peakRssMiB.toFixed(0)} MiB`, `${r.samples.at(-1)!.minutes.toFixed(0)} min`, r.matches.toLocaleString('en-US'),
          peak.toLocaleString('en-US'), `${(peakBytes / 2 ** 20).toFixed(1)} MiB`, ratio.toFixed(2),
          `≥ ${fmtRate(TARGET)}, flat (≤ 1.25) after 2×within`, ok ? 'yes' : 'NO',
        ],
      ],
      out,
    );
    out('');
    // The series: partial matches alive against event time.
    const step = Math.max(1, Math.floor(r.samples.length / 12));
    const series = r.samples.filter((_, i) => i % step === 0).map((s) => `${s.minutes.toFixed(0)}m ${s.partialMatches.toLocaleString('en-US')}`);
    out(`partial matches alive over event time: ${series.join(', ')}`);
    out(`(events/s and peak RSS from a run without sampling; the series from a second run taking ${r.samples.length} state samples, ${r.sampleMs.toFixed(0)} ms in all)`);
  },
};
