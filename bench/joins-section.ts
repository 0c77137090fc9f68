// Two-input figures: join.interval of two streams over 100k keys with ±5 minutes, and the
// broadcast node boosting per-user records with a trending list; state against event time.
import { runJoinScenario, type JoinResult } from './joins.js';
import { type BenchSection, fmtRate, table } from './section.js';

const TARGET = 1_000_000;

/** Flat: the later half of the run holds no more than 25 % above the earlier half's peak (after the first tenth). */
function flatness(r: JoinResult): number {
  const settled = r.samples.slice(Math.floor(r.samples.length / 10));
  const half = Math.floor(settled.length / 2);
  const early = Math.max(...settled.slice(0, half).map((s) => s.bytes));
  const late = Math.max(...settled.slice(half).map((s) => s.bytes));
  return late / early;
}

export const joinSection: BenchSection = {
  name: 'join',
  run: (scenario, records) => runJoinScenario(scenario, records),
  report(child, records, out) {
    out(`join: two-input nodes, ${records.toLocaleString('en-US')} events in all from pre-built batches, 100k keys`);
    out('');
    const rows: string[][] = [['scenario', 'events/s', 'per CPU second', 'peak RSS', 'outputs', 'state later/earlier peak', 'state peak', 'target', 'met']];
    const scenarios = [
      { name: 'interval', label: 'join.interval ±5m, two streams of half the events each, 200 events/s of event time each', flat: true, target: TARGET },
      { name: 'broadcast-expr', label: 'broadcast: boost by a trending map (output expression), a list per 4096 events', flat: false, target: TARGET },
      { name: 'broadcast-code', label: 'broadcast: trending-boosted-recs\' code (visit state, timers), same feed', flat: false, target: 0 },
    ];
    for (const s of scenarios) {
      const timed = child(s.name) as unknown as JoinResult & { peakRssMiB: number };
      const sampled = timed;
      const rate = timed.records / timed.seconds;
      const ratio = flatness(sampled);
      const peak = Math.max(...sampled.samples.map((x) => x.bytes));
      const ok = rate >= s.target && (!s.flat || ratio <= 1.25);
      rows.push([
        s.label, fmtRate(rate), fmtRate(timed.records / timed.cpuSeconds), `${timed.peakRssMiB.toFixed(0)} MiB`, timed.outputs.toLocaleString('en-US'), ratio.toFixed(2), `${(peak / 2 ** 20).toFixed(1)} MiB`,
        s.target > 0 ? `≥ ${fmtRate(s.target)}${s.flat ? ', flat (≤ 1.25)' : ''}` : '(reported)', s.target > 0 ? (ok ? 'yes' : 'NO') : '—',
      ]);
      if (s.name === 'interval') {
        const step = Math.max(1, Math.floor(sampled.samples.length / 10));
        out(`join.interval state over event time: ${sampled.samples.filter((_, i) => i % step === 0).map((x) => `${x.minutes.toFixed(0)}m ${(x.bytes / 2 ** 20).toFixed(1)} MiB`).join(', ')}`);
      }
    }
    out('');
    table(rows, out);
    out('(events/s is wall time, the target\'s measure; per CPU second divides by the process\'s CPU time, which tells on a machine shared with other work)');
  },
};
