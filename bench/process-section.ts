// Process-node figures: the session-recommendations pipeline (two process nodes with list, value
// and map state, event-time timers and a top-5 per product) over 100k users and 50k products, for
// 200k and 1M events (and 10M with BENCH_PROCESS_LONG=1), beside its hand-written twin; the
// per-record cost of the process code and state is the pipeline's time per event minus that of
// the same pipeline with pass-through code, and beside them the pipeline at parallelism 2.
// BENCH_PROCESS_V1=1 adds the pipeline's code as it was
// before incremental top-K and the state handles (slow: ~10k events/s). Below the table, where an
// event's CPU time goes: one more 1M-event run under V8's CPU profiler, its self time grouped by
// what the code is (bench/process-profile.ts).
import type { CostLine } from './process-profile.js';
import { PROCESS_GEN, type ProcessResult } from './process.js';
import { runProcessScenario } from './process.js';
import { type BenchSection, fmtRate as fmtM, type Measured, table } from './section.js';

/** events/s, in k/s below 0.1M/s (the figures before this work, or on a loaded machine). */
function fmtRate(n: number): string {
  return n < 100_000 ? `${(n / 1e3).toFixed(1)}k/s` : fmtM(n);
}

const TARGET = 300_000;
/** Flat: the last tenth of the run at least this share of the first tenth's events/s. */
const FLAT = 0.8;

/** Events of the profiled run. */
const PROFILED = 1_000_000;

function sizes(): number[] {
  const n = [200_000, 1_000_000];
  if (process.env.BENCH_PROCESS_LONG === '1') n.push(10_000_000);
  return n;
}

function usPerEvent(r: Measured): number {
  return (r.seconds * 1e6) / r.records;
}

export const processSection: BenchSection = {
  name: 'process',
  run: (scenario) => runProcessScenario(scenario),
  report(child, _records, out) {
    const v1 = process.env.BENCH_PROCESS_V1 === '1';
    out(`process: session recommendations (pipelines/session-recommendations.json), keyBy(userId) → process → keyBy(productId) → process → discard,`);
    out(`${PROCESS_GEN.users.toLocaleString('en-US')} users, ${PROCESS_GEN.products.toLocaleString('en-US')} products, pre-built batches, one core (node ${process.version})`);
    out('');
    const rows: string[][] = [['events', 'events/s', 'peak RSS', 'first → last tenth', 'process code+state µs/event', 'hand-written', 'engine/hand', 'parallelism 2', ...(v1 ? ['before (v1 code)'] : []), 'target', 'met']];
    for (const n of sizes()) {
      // Interleaved, so load on a shared machine hits all of them alike.
      const e = child(`engine-${n}`) as Measured & ProcessResult;
      const p = child(`plain-${n}`) as Measured & ProcessResult;
      const pass = child(`passthrough-${n}`) as Measured & ProcessResult;
      // Both process nodes in 2 worker threads (the first's outputs merged in input order).
      const par = child(`parallel-${n}`) as Measured & ProcessResult;
      if (par.out !== e.out) throw new Error(`parallelism 2 gave ${par.out} records, parallelism 1 ${e.out}`);
      const old = v1 ? (child(`v1-${n}`) as Measured & ProcessResult) : null;
      const er = e.records / e.seconds;
      const pr = p.records / p.seconds;
      const first = e.tenths[0]!;
      const last = e.tenths.at(-1)!;
      const cpuFirst = e.cpuTenths[0]!;
      const cpuLast = e.cpuTenths.at(-1)!;
      const flat = last >= FLAT * first;
      const ok = er >= TARGET && flat;
      rows.push([
        n.toLocaleString('en-US'), fmtRate(er), `${e.peakRssMiB.toFixed(0)} MiB`, `${fmtRate(first)} → ${fmtRate(last)} (per CPU s ${fmtRate(cpuFirst)} → ${fmtRate(cpuLast)})`,
        `${(usPerEvent(e) - usPerEvent(pass)).toFixed(2)} (${usPerEvent(e).toFixed(2)} − ${usPerEvent(pass).toFixed(2)} pass-through)`,
        `${fmtRate(pr)} (${p.peakRssMiB.toFixed(0)} MiB)`, `${(er / pr).toFixed(2)}×`,
        `${fmtRate(par.records / par.seconds)} (${par.peakRssMiB.toFixed(0)} MiB)`,
        ...(old ? [fmtRate(old.records / old.seconds)] : []),
        `≥ ${fmtRate(TARGET)}, last tenth ≥ ${FLAT}× first`, ok ? 'yes' : 'NO',
      ]);
    }
    table(rows, out);
    const prof = child(`profile-${PROFILED}`) as Measured & ProcessResult;
    const costs = prof.costs ?? [];
    const total = costs.reduce((a, c) => a + c.usPerEvent, 0);
    out('');
    out(`where an event's CPU time goes (${PROFILED.toLocaleString('en-US')} events under the CPU profiler, ${total.toFixed(2)} µs/event in all; self time, so what V8 inlines into the process code counts there):`);
    table([['', 'µs/event', 'share'], ...costs.map((c: CostLine) => [c.group, c.usPerEvent.toFixed(2), `${(c.share * 100).toFixed(1)} %`])], out);
  },
};
