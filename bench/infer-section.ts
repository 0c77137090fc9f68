// Model inference figures: embedded ONNX models and a remote kserve-v2 server, end to end.
import { runInferScenario } from './infer.js';
import { type BenchSection, fmtRate, table } from './section.js';

const SCENARIOS = [
  { name: 'onnx-logreg', label: 'ONNX logistic regression, 20 features', target: 1e6, share: 1 },
  { name: 'onnx-gbm', label: 'ONNX gradient boosting, 50 trees', target: 400e3, share: 0.4 },
  { name: 'kserve', label: 'remote kserve-v2 (JSON, FP32), batches of 4,096', target: 100e3, share: 0.2 },
  { name: 'kserve-binary', label: 'remote kserve-v2 (binary tensors, FP64), batches of 4,096', target: 100e3, share: 0.4 },
];

export const inferSection: BenchSection = {
  name: 'infer',
  // Fewer records for the slower scenarios, so each runs for seconds, not minutes.
  run: (scenario, records) => runInferScenario(scenario, Math.max(4096, Math.round(records * 0.5 * (SCENARIOS.find((s) => s.name === scenario)?.share ?? 1)))),
  report(child, _records, out) {
    out(`replay → infer → discard, one core (node ${process.version}); latency: per model call (an ONNX run, or an HTTP request)`);
    out('');
    const rows: string[][] = [['scenario', 'records', 'records/s', 'records/CPU-s', 'call p50', 'call p99', 'peak RSS', 'target', 'met']];
    for (const s of SCENARIOS) {
      const r = child(s.name);
      const rate = r.records / r.seconds;
      rows.push([s.label, r.records.toLocaleString('en-US'), fmtRate(rate), fmtRate(r.records / Number(r.cpuSeconds)), `${Number(r.p50).toFixed(2)} ms`, `${Number(r.p99).toFixed(2)} ms`, `${r.peakRssMiB.toFixed(0)} MiB`, `≥ ${fmtRate(s.target)}`, rate >= s.target ? 'yes' : 'NO']);
    }
    table(rows, out);
  },
};
