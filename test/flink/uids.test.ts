// Operator uids on Flink: a node's main operator has uid(node id), its helper operators
// `<node id>/<role>`. Node ids may hold '-', so helpers named `<id>-<role>` collided with a node
// whose id was exactly that (`w` and `w-check`), and Flink refused the job ("Hash collision on
// user-specified ID"). Here every helper's old uid is also a node's id; the job must run and give
// the embedded runtime's answer.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { compiled, flinkJar, runEmbedded, runOnFlink, sortedLines } from '../support/flink.js';
import type { PipelineDoc } from '../support/run.js';

function doc(inFile: string, outDir: string): PipelineDoc {
  const sink = (id: string) => ({ id, type: 'sink.file', params: { path: join(outDir, `${id}.jsonl`) } });
  return {
    name: 'uids',
    nodes: [
      // source.file: helpers `src/read` and `src/watermarks` (were `src-read`, `src-watermarks`).
      { id: 'src', type: 'source.file', params: { path: inFile, eventTime: { field: 'ts', maxOutOfOrderness: 0 } } },
      { id: 'src-read', type: 'filter', params: { condition: 'v > 1' } },
      { id: 'src-watermarks', type: 'map', params: { expression: '{ ...event, big: v > 2 }' } },
      { id: 'w-late', type: 'keyBy', params: { key: 'k' } },
      // window: helper `w/check` (was `w-check`).
      { id: 'w', type: 'window', params: { assigner: { kind: 'tumbling', size: 1000 }, aggregates: { n: { fn: 'count' }, s: { fn: 'sum', field: 'v' } } } },
      { id: 'w-check', type: 'filter', params: { condition: 'n > 0' } },
      sink('out'),
      sink('late'),
    ],
    edges: [
      { from: 'src', to: 'src-read' },
      { from: 'src-read', to: 'src-watermarks' },
      { from: 'src-watermarks', to: 'w-late' },
      { from: 'w-late', to: 'w' },
      { from: 'w', to: 'w-check' },
      { from: 'w-check', to: 'out' },
      { from: 'w', fromPort: 'late', to: 'late' },
    ],
  };
}

describe('operator uids on Flink', () => {
  beforeAll(() => {
    flinkJar();
  }, 900_000);

  it("runs a pipeline whose node ids are other nodes' ids plus a helper's role, with the embedded runtime's answer", async () => {
    const root = mkdtempSync(join(tmpdir(), 'tributary-flink-uids-'));
    const [emb, fl] = ['embedded', 'flink'].map((d) => join(root, d));
    for (const d of [emb, fl]) mkdirSync(d);
    const input = join(root, 'in.jsonl');
    const rows = [
      { ts: 0, k: 'a', v: 1 },
      { ts: 100, k: 'a', v: 2 },
      { ts: 200, k: 'b', v: 3 },
      { ts: 1500, k: 'a', v: 4 },
      { ts: 300, k: 'b', v: 5 },
      { ts: 2500, k: 'b', v: 6 },
    ];
    writeFileSync(input, rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
    await runEmbedded(doc(input, emb), root);
    runOnFlink(compiled(doc(input, fl) as never, root));
    for (const f of ['out.jsonl', 'late.jsonl']) expect(sortedLines(join(fl, f)), f).toEqual(sortedLines(join(emb, f)));
    expect(sortedLines(join(emb, 'out.jsonl')).length).toBeGreaterThan(0);
    expect(sortedLines(join(emb, 'late.jsonl')).length).toBe(1); // ts 300 after the watermark passed 1000
  }, 300_000);
});
