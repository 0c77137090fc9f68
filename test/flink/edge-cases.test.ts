// Hand-made inputs the random generator rarely makes, on both engines, batched into one Flink job:
// ties at window boundaries, negative timestamps, session merges with lateness, sliding windows
// with offsets, null/missing/odd values in aggregates, numbers vs strings as keys, unicode, large
// numbers, an empty input and malformed lines.
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { batched, compiled, flinkJar, runEmbedded, runOnFlink, sortedLines } from '../support/flink.js';
import type { PipelineDoc } from '../support/run.js';

interface Case {
  name: string;
  input: string;
  key?: string;
  assigner: Record<string, unknown>;
  lateness?: number;
  bound?: number;
  aggregates: Record<string, unknown>;
  format?: 'jsonl' | 'csv';
}

const L = (...rs: unknown[]) => `${rs.map((r) => (typeof r === 'string' ? r : JSON.stringify(r))).join('\n')}\n`;

const ALL = { c: { fn: 'count' }, cv: { fn: 'count', field: 'v' }, s: { fn: 'sum', field: 'v' }, a: { fn: 'avg', field: 'v' }, mn: { fn: 'min', field: 'v' }, mx: { fn: 'max', field: 'v' }, f: { fn: 'first', field: 'v' }, l: { fn: 'last', field: 'v' }, col: { fn: 'collect', field: 'v' }, cd: { fn: 'countDistinct', field: 'v' }, tk: { fn: 'topK', field: 'v', k: 3 } };

export const CASES: Case[] = [
  { name: 'boundary-ties', input: L({ ts: 0, k: 'a', v: 1 }, { ts: 999, k: 'a', v: 2 }, { ts: 1000, k: 'a', v: 3 }, { ts: 2000, k: 'a', v: 4 }, { ts: 1999, k: 'a', v: 5 }, { ts: 3000, k: 'a', v: 6 }), key: 'k', assigner: { kind: 'tumbling', size: 1000 }, aggregates: ALL },
  { name: 'negative-ts', input: L({ ts: -2500, k: 'a', v: 1 }, { ts: -1000, k: 'a', v: 2 }, { ts: -1, k: 'a', v: 3 }, { ts: 0, k: 'a', v: 4 }, { ts: 1, k: 'b', v: 5 }, { ts: -3001, k: 'b', v: 6 }), key: 'k', assigner: { kind: 'tumbling', size: 1000, offset: -300 }, lateness: 5000, aggregates: ALL },
  { name: 'negative-sliding', input: L({ ts: -2500, k: 'a', v: 1 }, { ts: -1000, k: 'a', v: 2 }, { ts: -1, k: 'a', v: 3 }, { ts: 0, k: 'a', v: 4 }), key: 'k', assigner: { kind: 'sliding', size: 3000, slide: 1000, offset: 250 }, aggregates: ALL },
  { name: 'sliding-offset-ties', input: L({ ts: 250, k: 'a', v: 1 }, { ts: 1250, k: 'a', v: 2 }, { ts: 1249, k: 'a', v: 3 }, { ts: 5000, k: 'a', v: 4 }, { ts: 1250, k: 'a', v: 9 }), key: 'k', assigner: { kind: 'sliding', size: 2500, slide: 1000, offset: 250 }, lateness: 1000, aggregates: ALL },
  { name: 'session-merge-late', input: L({ ts: 1000, k: 'a', v: 1 }, { ts: 5000, k: 'a', v: 2 }, { ts: 9000, k: 'a', v: 3 }, { ts: 3000, k: 'a', v: 4 }, { ts: 12000, k: 'a', v: 5 }, { ts: 7000, k: 'a', v: 6 }, { ts: 20000, k: 'a', v: 7 }, { ts: 2500, k: 'a', v: 8 }, { ts: 30000, k: 'a', v: 9 }), key: 'k', assigner: { kind: 'session', gap: 2500 }, lateness: 6000, aggregates: ALL },
  { name: 'session-merge-late-bad', input: L({ ts: 1000, k: 'a', v: 1 }, { ts: 5000, k: 'a', v: 2 }, { ts: 9000, k: 'a', v: 'x' }, { ts: 3000, k: 'a', v: 'y' }, { ts: 12000, k: 'a', v: 5 }, { ts: 30000, k: 'a', v: 9 }), key: 'k', assigner: { kind: 'session', gap: 2500 }, lateness: 8000, aggregates: { s: { fn: 'sum', field: 'v' }, c: { fn: 'count' } } },
  { name: 'nulls-missing', input: L({ ts: 1, k: 'a' }, { ts: 2, k: 'a', v: null }, { ts: 3, k: 'b', v: null }, { ts: 4, k: 'c', v: 0 }, { ts: 5, k: 'c', v: -0 }, { ts: 6, k: 'c', v: false }, { ts: 7, k: 'c', v: '' }, { ts: 8, k: 'c', v: [1] }, { ts: 9, k: 'c', v: { x: 1 } }, { ts: 5000, k: 'z', v: 1 }), key: 'k', assigner: { kind: 'tumbling', size: 1000 }, aggregates: ALL },
  { name: 'mixed-key-types', input: L({ ts: 1, k: 1, v: 1 }, { ts: 2, k: '1', v: 2 }, { ts: 3, k: 1.0, v: 3 }, { ts: 4, k: true, v: 4 }, { ts: 5, k: 'true', v: 5 }, { ts: 6, k: null, v: 6 }, { ts: 7, v: 7 }, { ts: 8, k: 'null', v: 8 }, { ts: 9, k: 1e21, v: 9 }, { ts: 10, k: 0.1, v: 10 }, { ts: 11, k: -0, v: 11 }, { ts: 12, k: 0, v: 12 }), key: 'k', assigner: { kind: 'tumbling', size: 1000 }, aggregates: { c: { fn: 'count' }, col: { fn: 'collect', field: 'v' } } },
  { name: 'object-key', input: L({ ts: 1, k: { b: 1, a: 2 }, v: 1 }, { ts: 2, k: { a: 2, b: 1 }, v: 2 }, { ts: 3, k: [1, 2], v: 3 }), key: 'k', assigner: { kind: 'tumbling', size: 1000 }, aggregates: { c: { fn: 'count' } } },
  { name: 'unicode', input: L({ ts: 1, k: 'é', v: '😀' }, { ts: 2, k: 'é', v: 'ü' }, { ts: 3, k: 'e\u0301', v: '😀' }, { ts: 4, k: '日本', v: '\u0000' }, { ts: 5, k: '😀', v: 'a\nb' }), key: 'k', assigner: { kind: 'tumbling', size: 1000 }, aggregates: { c: { fn: 'count' }, cd: { fn: 'countDistinct', field: 'v' }, tk: { fn: 'topK', field: 'v', k: 2 }, col: { fn: 'collect', field: 'v' }, mn: { fn: 'min', field: 'v' } } },
  { name: 'large-numbers', input: '{"ts":1,"k":"a","v":9007199254740993}\n{"ts":2,"k":"a","v":1e308}\n{"ts":3,"k":"a","v":1e308}\n{"ts":4,"k":"b","v":0.1}\n{"ts":5,"k":"b","v":0.2}\n{"ts":6,"k":"b","v":1e-7}\n{"ts":7,"k":"c","v":123456789012345678901234567890}\n{"ts":8,"k":"d","v":1.5e300}\n{"ts":9,"k":"d","v":-1.5e300}\n{"ts":10,"k":"e","v":100}\n{"ts":11,"k":"e","v":1e21}\n', key: 'k', assigner: { kind: 'tumbling', size: 1000 }, aggregates: ALL },
  { name: 'float-ts', input: L({ ts: 999.5, k: 'a', v: 1 }, { ts: 1000.4, k: 'a', v: 2 }, { ts: '1970-01-01T00:00:01.500Z', k: 'a', v: 3 }, { ts: null, k: 'a', v: 4 }, { k: 'a', v: 5 }, { ts: 'garbage', k: 'a', v: 6 }, { ts: 1e20, k: 'a', v: 7 }), key: 'k', assigner: { kind: 'tumbling', size: 1000 }, aggregates: { c: { fn: 'count' }, col: { fn: 'collect', field: 'v' } } },
  { name: 'empty', input: '', key: 'k', assigner: { kind: 'tumbling', size: 1000 }, aggregates: ALL },
  { name: 'bad-lines', input: '{"ts":1,"k":"a","v":1}\n\n{"ts":2,"k":"a",\n  \n[1,2]\n"str"\n42\nnull\n{"ts":3,"k":"a","v":3}\r\n\uFEFF{"ts":4,"k":"a","v":4}\n{"ts":5,"k":"a","v":5}', key: 'k', assigner: { kind: 'tumbling', size: 1000 }, aggregates: { c: { fn: 'count' }, col: { fn: 'collect', field: 'v' } } },
  { name: 'dup-fields', input: '{"ts":1,"k":"a","v":1,"v":2}\n{"ts":2,"k":"a","v":3,"__proto__":{"x":1}}\n{"ts":3,"2":"x","1":"y","k":"a","v":4}\n', key: 'k', assigner: { kind: 'tumbling', size: 1000 }, aggregates: { c: { fn: 'count' }, col: { fn: 'collect' } } },
  { name: 'global-count', input: L({ ts: 5, k: 'a', v: 1 }, { ts: 1, k: 'a', v: 2 }, { ts: -7, k: 'a', v: 3 }, { ts: 4, k: 'b', v: 4 }), key: 'k', assigner: { kind: 'global', count: 3 }, aggregates: ALL },
  { name: 'unkeyed-bound', input: L({ ts: 1000, v: 1 }, { ts: 3000, v: 2 }, { ts: 1500, v: 3 }, { ts: 500, v: 4 }, { ts: 6000, v: 5 }, { ts: 2999, v: 6 }), assigner: { kind: 'tumbling', size: 1000 }, bound: 1500, lateness: 500, aggregates: ALL },
  { name: 'csv', format: 'csv', input: 'ts,k,v\n1,a,1\n2,a,\n3,"a",x\n4,b,1e3\n5,b,0x10\n6,b," 7 "\n7,c,true\n8,c,-0\n9,c,007\n', key: 'k', assigner: { kind: 'tumbling', size: 1000 }, aggregates: ALL },
];

function doc(c: Case, inDir: string, outDir: string): PipelineDoc {
  const input = join(inDir, `${c.name}.${c.format ?? 'jsonl'}`);
  const src: Record<string, unknown> = { path: input, eventTime: { field: 'ts', maxOutOfOrderness: c.bound ?? 0 } };
  if (c.format === 'csv') src.format = 'csv';
  const nodes: PipelineDoc['nodes'] = [
    { id: 'src', type: 'source.file', params: src },
    { id: 'w', type: 'window', params: { assigner: c.assigner, allowedLateness: c.lateness ?? 0, aggregates: c.aggregates } },
    { id: 'out', type: 'sink.file', params: { path: join(outDir, `${c.name}-out.jsonl`) } },
    { id: 'late', type: 'sink.file', params: { path: join(outDir, `${c.name}-late.jsonl`) } },
    { id: 'werr', type: 'sink.file', params: { path: join(outDir, `${c.name}-werr.jsonl`) } },
    { id: 'serr', type: 'sink.file', params: { path: join(outDir, `${c.name}-serr.jsonl`) } },
  ];
  const edges: PipelineDoc['edges'] = [
    { from: 'w', to: 'out' },
    { from: 'w', fromPort: 'late', to: 'late' },
    { from: 'w', fromPort: 'errors', to: 'werr' },
    { from: 'src', fromPort: 'errors', to: 'serr' },
  ];
  if (c.key) {
    nodes.push({ id: 'kb', type: 'keyBy', params: { key: c.key } }, { id: 'kerr', type: 'sink.file', params: { path: join(outDir, `${c.name}-kerr.jsonl`) } });
    edges.push({ from: 'src', to: 'kb' }, { from: 'kb', to: 'w' }, { from: 'kb', fromPort: 'errors', to: 'kerr' });
  } else edges.push({ from: 'src', to: 'w' });
  return { name: c.name, nodes, edges };
}

// Malformed-JSON messages are V8's and Jackson's own wording (a documented difference): compared
// up to the line number.
function normalized(line: string): string {
  const r = JSON.parse(line) as { error?: unknown };
  if (typeof r.error === 'string') r.error = r.error.replace(/^(line \d+: malformed JSON).*$/s, '$1');
  return JSON.stringify(r);
}
const lines = (f: string) => (existsSync(f) ? sortedLines(f).map(normalized).sort() : []);

describe('differential edge cases: embedded runtime vs Flink', () => {
  beforeAll(() => {
    flinkJar();
  }, 900_000);

  it('agree on boundary ties, negative times, merges, odd values, keys, unicode, big numbers, bad lines', async () => {
    const root = mkdtempSync(join(tmpdir(), 'tributary-flink-edge-'));
    const [inDir, emb, fl] = ['in', 'embedded', 'flink'].map((d) => join(root, d));
    for (const d of [inDir, emb, fl]) mkdirSync(d);
    for (const c of CASES) writeFileSync(join(inDir, `${c.name}.${c.format ?? 'jsonl'}`), c.input);
    const docs = CASES.map((c) => doc(c, inDir, emb));
    const embeddedErrors: string[] = [];
    for (const d of docs) {
      try {
        await runEmbedded(d, root);
      } catch (err) {
        embeddedErrors.push(`${d.name}: ${(err as Error).message}`);
      }
    }
    runOnFlink(batched(CASES.map((c) => compiled(doc(c, inDir, fl) as never, root))));
    const diffs: string[] = [];
    for (const c of CASES) {
      for (const port of ['out', 'late', 'werr', 'serr', 'kerr']) {
        const want = lines(join(emb, `${c.name}-${port}.jsonl`));
        const got = lines(join(fl, `${c.name}-${port}.jsonl`)).map((l) => l.replace(/"node":"p\d+_/, '"node":"')).sort();
        if (JSON.stringify(want) !== JSON.stringify(got)) diffs.push(`${c.name} ${port}:\n  embedded ${want.join('\n           ')}\n  flink    ${got.join('\n           ')}`);
      }
    }
    expect(embeddedErrors).toEqual([]);
    expect(diffs.join('\n')).toBe('');
  }, 900_000);
});
