// JavaScript on Flink (GraalJS): code reaches no Java class, file, thread or other language, and
// a failure of a node downstream of `ctx.emit` stays that node's failure (JavaScript's catch must
// not route it to the process node's `errors`).
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { compiled, flinkJar, runOnFlink } from '../support/flink.js';
import type { PipelineDoc } from '../support/run.js';

// Each probe returns what it reached, or throws; every one must throw.
const PROBES: Record<string, string> = {
  javaType: "return String(Java.type('java.lang.System').getenv('HOME'));",
  hostClass: "return String(Java.type('java.io.File'));",
  load: "load('/etc/hostname'); return 'loaded';",
  polyglot: "return String(Polyglot.eval('js', '1+1'));",
  thread: "return String(new (Java.type('java.lang.Thread'))(() => {}));",
  hostObject: 'return String(ctx.emit.constructor.constructor("return this")().Java.type("java.lang.Runtime"));',
};

describe('code on Flink', () => {
  let dir: string;
  beforeAll(() => {
    flinkJar();
    dir = mkdtempSync(join(tmpdir(), 'tributary-flink-sandbox-'));
    writeFileSync(join(dir, 'in.jsonl'), `${Object.keys(PROBES).map((probe, i) => JSON.stringify({ ts: i, probe })).join('\n')}\n`);
  }, 600_000);

  it('reaches no host class, file or other language: every probe goes to errors', () => {
    const cases = Object.entries(PROBES).map(([name, body]) => `if (event.probe === ${JSON.stringify(name)}) { ctx.emit({ probe: event.probe, got: (() => { ${body} })() }); }`);
    const doc: PipelineDoc = {
      name: 'sandbox',
      nodes: [
        { id: 'src', type: 'source.file', params: { path: join(dir, 'in.jsonl'), eventTime: { field: 'ts', maxOutOfOrderness: 0 } } },
        { id: 'p', type: 'process', params: { code: cases.join('\n') } },
        { id: 'out', type: 'sink.file', params: { path: join(dir, 'out.jsonl') } },
        { id: 'errs', type: 'sink.file', params: { path: join(dir, 'errors.jsonl') } },
      ],
      edges: [
        { from: 'src', to: 'p' },
        { from: 'p', to: 'out' },
        { from: 'p', fromPort: 'errors', to: 'errs' },
      ],
    };
    runOnFlink(compiled(doc as never, dir));
    const out = readFileSync(join(dir, 'out.jsonl'), 'utf8');
    expect(out).toBe('');
    const errors = readFileSync(join(dir, 'errors.jsonl'), 'utf8').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as { record: { probe: string } });
    expect(errors.map((e) => e.record.probe).sort()).toEqual(Object.keys(PROBES).sort());
  }, 600_000);

  it('fails the job naming the node downstream of ctx.emit when that node fails, not the process node', () => {
    const doc: PipelineDoc = {
      name: 'downstream',
      nodes: [
        { id: 'src', type: 'source.file', params: { path: join(dir, 'in.jsonl'), eventTime: { field: 'ts', maxOutOfOrderness: 0 } } },
        // The user's own try/catch around emit must not swallow the downstream failure either.
        { id: 'p', type: 'process', params: { code: 'try { ctx.emit({ v: 1 }); } catch (e) { ctx.emit({ swallowed: String(e) }, "side"); }' } },
        { id: 'boom', type: 'filter', params: { code: "throw new Error('boom downstream');" } },
        { id: 'out', type: 'sink.file', params: { path: join(dir, 'down-out.jsonl') } },
        { id: 'side', type: 'sink.file', params: { path: join(dir, 'down-side.jsonl') } },
        { id: 'errs', type: 'sink.file', params: { path: join(dir, 'down-errors.jsonl') } },
      ],
      edges: [
        { from: 'src', to: 'p' },
        { from: 'p', to: 'boom' },
        { from: 'boom', to: 'out' },
        { from: 'p', fromPort: 'side', to: 'side' },
        { from: 'p', fromPort: 'errors', to: 'errs' },
      ],
    };
    expect(() => runOnFlink(compiled(doc as never, dir))).toThrow(/node 'boom': boom downstream/);
  }, 600_000);
});
