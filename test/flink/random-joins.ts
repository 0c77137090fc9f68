// Random join pipelines for the differential tests: one file of events, split by `side` into a
// left and a right stream, each keyed, into join.interval (bounds either side of zero, exclusive
// ends, equal timestamps) or join.window (tumbling, sliding, session; inner and outer types).
// Disorder stays within the source's maxOutOfOrderness, so no record is late: which records a
// two-input node finds late depends on how Flink interleaves its inputs (docs/flink.md, known
// differences), while every pair a join finds without late records is fixed by the input alone.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { rng } from '../support/cep.js';
import type { PipelineDoc } from '../support/run.js';

const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;

function events(r: () => number, bound: number): string {
  const n = 30 + Math.floor(r() * 90);
  const lines: string[] = [];
  let t = 1_000_000 + Math.floor(r() * 5000);
  const keys = pick<(string | number)[]>(r, [['a', 'b'], ['a', 'b', 'c', 'd'], [1, 2, 3]]);
  for (let i = 0; i < n; i++) {
    // Steps of 0 give equal timestamps; multiples of 100 land records on interval and window edges.
    t += pick(r, [0, 0, 100, 300, 500, 1000, 1700]);
    // Never behind the watermark (max timestamp − bound − 1): at most `bound` behind the newest.
    const ts = bound > 0 && r() < 0.3 ? t - Math.floor(r() * (bound + 1)) : t;
    lines.push(JSON.stringify({ id: i + 1, ts, side: r() < 0.5 ? 'L' : 'R', k: pick(r, keys), v: r() < 0.9 ? Math.floor(r() * 10) : null }));
  }
  return `${lines.join('\n')}\n`;
}

function joinNode(r: () => number): { type: string; params: Record<string, unknown> } {
  if (r() < 0.5) {
    const lower = pick(r, [-3000, -1000, -500, 0, 200]);
    const upper = lower + pick(r, [0, 500, 1000, 2000]);
    const lowerBoundExclusive = lower < upper && r() < 0.3;
    const upperBoundExclusive = upper - (lowerBoundExclusive ? 1 : 0) > lower && r() < 0.3;
    return {
      type: 'join.interval',
      params: { lowerBound: lower, upperBound: upper, lowerBoundExclusive, upperBoundExclusive, output: '{ l: left.id, r: right.id, key, lt: left.ts, rt: right.ts, sum: left.v + right.v }' },
    };
  }
  const assigner = pick(r, [
    { kind: 'tumbling', size: pick(r, [1000, 2000, 5000]) },
    { kind: 'sliding', size: 3000, slide: pick(r, [1000, 1500]) },
    // Gaps off the 100 ms grid: a session never ends exactly where the watermark stands.
    { kind: 'session', gap: pick(r, [550, 1250, 2450]) },
  ]);
  return {
    type: 'join.window',
    params: {
      assigner,
      type: pick(r, ['inner', 'inner', 'left', 'right', 'full']),
      // A null `v` on the left makes `left.v.x` throw: the error names the left record on both engines.
      output: pick(r, ['{ l: left?.id ?? null, r: right?.id ?? null, key, start: window.start, end: window.end }', '{ l: left?.id, r: right?.id, n: left === null ? 0 : left.v === null ? left.v.x : left.v }']),
    },
  };
}

/** Case `seed`: writes its input into dir and returns a pipeline whose sinks write there too. */
export function randomJoinCase(seed: number, dir: string): PipelineDoc {
  const r = rng(seed);
  const bound = pick(r, [0, 300, 1000]);
  const input = join(dir, `in-${seed}.jsonl`);
  writeFileSync(input, events(r, bound));
  const j = joinNode(r);
  const nodes: PipelineDoc['nodes'] = [
    { id: 'src', type: 'source.file', params: { path: input, eventTime: { field: 'ts', maxOutOfOrderness: bound } } },
    { id: 'fl', type: 'filter', params: { condition: "side == 'L'" } },
    { id: 'fr', type: 'filter', params: { condition: "side == 'R'" } },
    { id: 'kl', type: 'keyBy', params: { key: 'k' } },
    { id: 'kr', type: 'keyBy', params: { key: 'k' } },
    { id: 'j', type: j.type, params: j.params },
    { id: 'out', type: 'sink.file', params: { path: join(dir, `out-${seed}.jsonl`) } },
    { id: 'late', type: 'sink.file', params: { path: join(dir, `late-${seed}.jsonl`) } },
    { id: 'errs', type: 'sink.file', params: { path: join(dir, `errors-${seed}.jsonl`) } },
  ];
  const edges: PipelineDoc['edges'] = [
    { from: 'src', to: 'fl' },
    { from: 'src', to: 'fr' },
    { from: 'fl', to: 'kl' },
    { from: 'fr', to: 'kr' },
    { from: 'kl', to: 'j', toPort: 'left' },
    { from: 'kr', to: 'j', toPort: 'right' },
    { from: 'j', to: 'out' },
    { from: 'j', fromPort: 'late', to: 'late' },
    { from: 'j', fromPort: 'errors', to: 'errs' },
  ];
  return { name: `join-${seed}`, nodes, edges };
}
