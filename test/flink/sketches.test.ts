// approxCountDistinct and approxTopK on both engines, which must agree exactly: the Java port of
// the sketches (flink/…/window/sketch) against the embedded ones. First the aggregate function
// itself over random states (many keys, duplicates, ties, every value type, session merges in
// Flink's order against the embedded runtime's), then random window pipelines in one Flink job.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { flinkTestClasses } from '../../runtime/cli/flink-build.js';
import { Accumulators } from '../../runtime/nodes/window/accumulators.js';
import { H1, H2, hash2 } from '../../runtime/nodes/window/sketch/hash.js';
import type { AggregateSpec } from '../../runtime/nodes/window/spec.js';
import { batched, compiled, flinkJar, runEmbedded, runOnFlink } from '../support/flink.js';
import { rng } from '../support/cep.js';
import type { PipelineDoc } from '../support/run.js';
import { compare, retarget, sinkFiles } from './compare.js';

const STATE_CASES = Number(process.env.FLINK_SKETCH_CASES ?? 200);
const PIPELINES = Number(process.env.FLINK_SKETCH_PIPELINES ?? 30);

const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;

/** A value source: a domain of `size` values of mixed types, drawn uniformly (ties) or skewed (heavy hitters). */
function values(r: () => number): () => unknown {
  const size = pick(r, [3, 20, 70, 300, 2000, 50_000]);
  const kind = pick(r, ['string', 'int', 'float', 'mixed']);
  const skew = r() < 0.5;
  const of = (i: number): unknown => {
    const t = kind === 'mixed' ? ['string', 'int', 'float', 'bool', 'object', 'unicode'][i % 6] : kind;
    switch (t) {
      case 'string':
        return `p${i}`;
      case 'int':
        return i - 100;
      case 'float':
        return i / 7;
      case 'bool':
        return i % 12 === 0;
      case 'object':
        return { id: i, tags: [i % 3] };
      default:
        return `é😀${String.fromCharCode(0x4e00 + i)}`;
    }
  };
  return () => {
    if (r() < 0.05) return null;
    const i = skew ? Math.floor(size * r() ** 3) : Math.floor(r() * size);
    return of(i);
  };
}

interface StateCase {
  aggregates: Record<string, AggregateSpec>;
  parts: { start: number; records: unknown[] }[];
  target: number;
  extra: unknown;
  extraTs: number;
}

function stateCase(seed: number): StateCase {
  const r = rng(seed);
  const next = values(r);
  const aggregates: Record<string, AggregateSpec> = {
    d: { fn: 'approxCountDistinct', field: 'v', precision: pick(r, [4, 5, 6, 7, 10, 12, 14, 16]) },
    t: { fn: 'approxTopK', field: 'v', k: pick(r, [1, 3, 10, 16, 40]) },
  };
  const nParts = pick(r, [1, 1, 2, 3, 4, 6]);
  const total = pick(r, [5, 60, 400, 3000, 20_000]);
  // Distinct starts (sessions of one key never share one), listed in no particular order.
  const starts = Array.from({ length: nParts }, (_, i) => i * 1_000_000 + Math.floor(r() * 1000)).sort(() => r() - 0.5);
  const parts = starts.map((start) => ({ start, records: [] as unknown[] }));
  for (let i = 0; i < total; i++) {
    const v = next();
    const rec = v === null && r() < 0.5 ? {} : { v };
    parts[Math.floor(r() * nParts)]!.records.push(rec);
  }
  return { aggregates, parts, target: Math.floor(r() * nParts), extra: { v: next() }, extraTs: Math.floor(r() * nParts * 1_000_000) };
}

/** The embedded runtime's side: sessions.ts folds the touched sessions into the earliest, in start order, then adds. */
function embedded(c: StateCase): Record<string, unknown> {
  const acc = new Accumulators(c.aggregates);
  const slots = c.parts.map((p) => {
    const slot = acc.alloc();
    for (const rec of p.records) {
      acc.prepare(rec);
      acc.add(slot);
    }
    return { start: p.start, slot };
  });
  slots.sort((a, b) => a.start - b.start);
  const dst = slots[0]!.slot;
  for (const s of slots.slice(1)) acc.merge(dst, s.slot);
  acc.prepare(c.extra);
  acc.add(dst);
  return JSON.parse(JSON.stringify(acc.results(dst, {}))) as Record<string, unknown>;
}

/** Random window pipelines over values from large and small domains: every assigner, lateness, keyed or not. */
function sketchPipeline(seed: number, dir: string): PipelineDoc {
  const r = rng(seed);
  const next = values(r);
  const lines: string[] = [];
  let t = 1_000_000;
  const n = pick(r, [50, 400, 2500]);
  for (let i = 0; i < n; i++) {
    t += Math.floor(r() * pick(r, [20, 200, 1500]));
    const ts = r() < 0.15 ? t - Math.floor(r() * 3000) : t;
    lines.push(JSON.stringify({ ts, k: pick(r, ['a', 'b', 'c']), v: next(), w: Math.floor(r() * 8) }));
  }
  const input = join(dir, `in-${seed}.jsonl`);
  writeFileSync(input, `${lines.join('\n')}\n`);
  const assigner = pick(r, [
    { kind: 'tumbling', size: pick(r, [2000, 10_000, 60_000]) },
    { kind: 'sliding', size: pick(r, [4000, 30_000]), slide: 2000 },
    { kind: 'session', gap: pick(r, [300, 1000, 3000]) },
    { kind: 'session', gap: pick(r, [300, 1000]) },
    { kind: 'global', count: pick(r, [7, 100, 1000]) },
  ]);
  const aggregates = {
    d: { fn: 'approxCountDistinct', field: 'v', precision: pick(r, [4, 7, 12]) },
    t: { fn: 'approxTopK', field: 'v', k: pick(r, [1, 3, 10]) },
    tw: { fn: 'approxTopK', field: 'w', k: 3 },
    c: { fn: 'count' },
  };
  const nodes: PipelineDoc['nodes'] = [
    { id: 'src', type: 'source.file', params: { path: input, eventTime: { field: 'ts', maxOutOfOrderness: pick(r, [0, 1000, 3000]) } } },
    { id: 'w', type: 'window', params: { assigner, allowedLateness: pick(r, [0, 0, 2000]), aggregates } },
    { id: 'out', type: 'sink.file', params: { path: join(dir, `out-${seed}.jsonl`) } },
    { id: 'late', type: 'sink.file', params: { path: join(dir, `late-${seed}.jsonl`) } },
  ];
  const edges: PipelineDoc['edges'] = [
    { from: 'w', to: 'out' },
    { from: 'w', fromPort: 'late', to: 'late' },
  ];
  if (r() < 0.7) {
    nodes.push({ id: 'kb', type: 'keyBy', params: { key: 'k' } });
    edges.push({ from: 'src', to: 'kb' }, { from: 'kb', to: 'w' });
  } else edges.push({ from: 'src', to: 'w' });
  return { name: `sketch-${seed}`, nodes, edges };
}

describe('approxCountDistinct and approxTopK: the same sketches on both engines', () => {
  let cp = '';
  beforeAll(() => {
    cp = flinkTestClasses();
    flinkJar();
  }, 900_000);

  it('hash the same values to the same two words', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tributary-sketch-hash-'));
    const xs: unknown[] = ['', 'a', 'ab', 'abc', 'é😀', '\u0000', 'x'.repeat(1001), 0, -0, 1, -1, 0.1, 1e300, -1e-300, 2 ** 53, true, false];
    const r = rng(3);
    for (let i = 0; i < 2000; i++) xs.push(i % 2 === 0 ? String.fromCharCode(...Array.from({ length: i % 17 }, () => Math.floor(r() * 0x10000))) : (r() - 0.5) * 10 ** Math.floor(r() * 40 - 20));
    // JSON.stringify writes -0 as 0; the literal -0.0 reaches the job as a negative zero.
    writeFileSync(join(dir, 'in.jsonl'), `${JSON.stringify({ hash: xs }).replace(/\]\}$/, ',-0.0]}')}\n`);
    xs.push(-0);
    const run = spawnSync('java', ['-cp', cp, 'dev.tributary.flink.window.SketchCases', join(dir, 'in.jsonl'), join(dir, 'out.jsonl')], { encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    const want = xs.map((x) => {
      hash2(x);
      return [H1, H2];
    });
    expect(JSON.parse(readFileSync(join(dir, 'out.jsonl'), 'utf8'))).toEqual(want);
  });

  it(`${STATE_CASES} random states: adds, session merges in Flink's order, results`, () => {
    const dir = mkdtempSync(join(tmpdir(), 'tributary-sketch-states-'));
    const cases = Array.from({ length: STATE_CASES }, (_, i) => stateCase(100 + i));
    writeFileSync(join(dir, 'in.jsonl'), cases.map((c) => JSON.stringify(c)).join('\n') + '\n');
    const run = spawnSync('java', ['-cp', cp, 'dev.tributary.flink.window.SketchCases', join(dir, 'in.jsonl'), join(dir, 'out.jsonl')], { encoding: 'utf8', maxBuffer: 64 * 2 ** 20 });
    expect(run.status, run.stderr).toBe(0);
    const got = readFileSync(join(dir, 'out.jsonl'), 'utf8').split('\n').slice(0, -1).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(got).toHaveLength(cases.length);
    let sketched = 0;
    let dense = 0;
    cases.forEach((c, i) => {
      const want = embedded(c);
      expect({ d: got[i]!.d, t: got[i]!.t }, `case ${100 + i}`).toEqual(want);
      const distinct = new Set(c.parts.flatMap((p) => p.records.map((x) => JSON.stringify((x as { v?: unknown }).v ?? null)))).size;
      if (distinct > Math.max(4 * (c.aggregates.t!.k ?? 10), 64)) sketched++;
      if (distinct > 400) dense++;
    });
    // Both sketches left their exact modes in many cases (count-min counters, dense registers).
    expect(sketched).toBeGreaterThan(STATE_CASES / 5);
    expect(dense).toBeGreaterThan(STATE_CASES / 10);
  }, 120_000);

  it(`${PIPELINES} random window pipelines with sketches agree`, async () => {
    const root = mkdtempSync(join(tmpdir(), 'tributary-flink-sketch-'));
    const emb = join(root, 'embedded');
    const fl = join(root, 'flink');
    mkdirSync(emb);
    mkdirSync(fl);
    const docs = Array.from({ length: PIPELINES }, (_, i) => sketchPipeline(3000 + i, emb));
    for (const d of docs) await runEmbedded(d, root);
    runOnFlink(batched(docs.map((d) => compiled(retarget(d, emb, fl) as never, root))));
    let results = 0;
    for (const d of docs) {
      const files = sinkFiles(d);
      compare(files, (f) => f.replace(emb, fl));
      results += readFileSync(files[0]!, 'utf8').split('\n').length - 1;
    }
    expect(results).toBeGreaterThan(PIPELINES);
  }, 600_000);
});
