// Randomly generated pipelines over random inputs for the differential tests: a file of events
// with disorder, late records, nulls and the odd non-number, then filter → keyBy → window (every
// assigner, lateness, every aggregate) with `out`, `late` and `errors` each to a file.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { rng } from '../support/cep.js';
import type { PipelineDoc } from '../support/run.js';

const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;

function events(r: () => number): string {
  const n = 20 + Math.floor(r() * 100);
  const disorder = pick(r, [0, 300, 2000, 8000]);
  const lines: string[] = [];
  let t = 1_000_000 + Math.floor(r() * 5000);
  for (let i = 0; i < n; i++) {
    t += Math.floor(r() * 1500);
    const ts = r() < 0.2 ? t - Math.floor(r() * disorder) : t;
    const e: Record<string, unknown> = { id: i + 1, ts, k: pick(r, ['a', 'b', 'c', 'd']), n: pick(r, [1, 2, 3]), name: pick(r, ['x', 'y', 'z', null]) };
    const v = r();
    if (v < 0.75) e.v = Math.round(r() * 1000) / 10;
    else if (v < 0.9) e.v = null;
    else if (v < 0.97) {
      // missing
    } else e.v = 'oops';
    e.w = Math.floor(r() * 10);
    lines.push(JSON.stringify(e));
  }
  return `${lines.join('\n')}\n`;
}

const AGGREGATES: Record<string, unknown>[] = [
  { fn: 'count' },
  { fn: 'count', field: 'v' },
  { fn: 'sum', field: 'v' },
  { fn: 'avg', field: 'v' },
  { fn: 'min', field: 'w' },
  { fn: 'max', field: 'v' },
  { fn: 'first', field: 'name' },
  { fn: 'last', field: 'id' },
  { fn: 'collect', field: 'id' },
  { fn: 'countDistinct', field: 'k' },
  { fn: 'topK', field: 'name', k: 2 },
  { fn: 'first' },
  { fn: 'approxCountDistinct', field: 'id', precision: 4 },
  { fn: 'approxTopK', field: 'w', k: 3 },
];

function assigner(r: () => number): Record<string, unknown> {
  switch (pick(r, ['tumbling', 'sliding', 'session', 'global'])) {
    case 'tumbling': {
      const size = pick(r, [1000, 2000, 5000, 10_000]);
      return { kind: 'tumbling', size, offset: r() < 0.3 ? Math.floor((r() * 2 - 1) * (size - 1)) : 0 };
    }
    case 'sliding': {
      const slide = pick(r, [1000, 2000, 3000]);
      return { kind: 'sliding', size: slide * pick(r, [1, 2, 3, 4]) + pick(r, [0, 0, 500]), slide, offset: r() < 0.3 ? Math.floor(r() * (slide - 1)) : 0 };
    }
    case 'session':
      return { kind: 'session', gap: pick(r, [500, 1500, 4000]) };
    default:
      return { kind: 'global', count: pick(r, [1, 2, 3, 5]) };
  }
}

/** Case i: writes its input into dir and returns a pipeline whose sinks write there too. */
export function randomWindowCase(seed: number, dir: string): PipelineDoc {
  const r = rng(seed);
  const input = join(dir, `in-${seed}.jsonl`);
  writeFileSync(input, events(r));
  const aggregates: Record<string, unknown> = {};
  const count = 1 + Math.floor(r() * 5);
  for (let i = 0; i < count; i++) aggregates[`a${i}`] = pick(r, AGGREGATES);
  const keyed = r() < 0.8;
  const filtered = r() < 0.5;
  const nodes: PipelineDoc['nodes'] = [
    { id: 'src', type: 'source.file', params: { path: input, eventTime: { field: 'ts', maxOutOfOrderness: pick(r, [0, 0, 500, 3000]) } } },
    { id: 'w', type: 'window', params: { assigner: assigner(r), allowedLateness: pick(r, [0, 0, 1000, 5000]), aggregates } },
    { id: 'out', type: 'sink.file', params: { path: join(dir, `out-${seed}.jsonl`) } },
    { id: 'late', type: 'sink.file', params: { path: join(dir, `late-${seed}.jsonl`) } },
    { id: 'errs', type: 'sink.file', params: { path: join(dir, `errors-${seed}.jsonl`) } },
  ];
  const edges: PipelineDoc['edges'] = [
    { from: 'w', to: 'out' },
    { from: 'w', fromPort: 'late', to: 'late' },
    { from: 'w', fromPort: 'errors', to: 'errs' },
  ];
  let last = 'src';
  if (filtered) {
    nodes.push({ id: 'f', type: 'filter', params: { condition: pick(r, ['v == null || v > 20', "k != 'd'", 'w % 3 != 0', 'id > 5 && name != null']) } });
    edges.push({ from: last, to: 'f' });
    last = 'f';
  }
  if (keyed) {
    nodes.push({ id: 'kb', type: 'keyBy', params: { key: pick(r, ['k', 'n', "concat(k, '-', n)", 'n > 1']) } });
    edges.push({ from: last, to: 'kb' });
    last = 'kb';
  }
  edges.push({ from: last, to: 'w' });
  return { name: `random-${seed}`, nodes, edges };
}
