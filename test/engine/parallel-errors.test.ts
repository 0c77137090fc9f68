// A record a parallel instance cannot process, with the node's `errors` port unconnected, fails the
// run naming the node and quoting the record, as at parallelism 1; it must not be emitted to a port
// nothing listens to and be lost. With the port connected it goes there, as at parallelism 1.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { NodeError } from '../../runtime/engine/errors.js';
import { runDoc, sinkLines } from '../support/run-doc.js';

const CODE = "if (event.userId === 'u00042') throw new Error('no user 42'); ctx.emit({ userId: event.userId });";

function doc(parallelism: number, errorsTo: string | null, open?: string) {
  return {
    format: 'tributary.pipeline/v1',
    name: 'errors',
    settings: { parallelism },
    nodes: [
      { id: 'clicks', type: 'source.generator', params: { preset: 'ecommerce', rate: 0, count: 5000, seed: 3, users: 100 } },
      { id: 'byUser', type: 'keyBy', params: { key: 'userId' } },
      { id: 'check', type: 'process', params: { code: CODE, ...(open === undefined ? {} : { open }) } },
      { id: 'out', type: 'sink.file', params: { path: `out-${parallelism}.jsonl` } },
      ...(errorsTo === null ? [] : [{ id: 'bad', type: 'sink.file', params: { path: errorsTo } }]),
    ],
    edges: [
      { from: 'clicks', to: 'byUser' },
      { from: 'byUser', to: 'check' },
      { from: 'check', to: 'out' },
      ...(errorsTo === null ? [] : [{ from: 'check', fromPort: 'errors', to: 'bad' }]),
    ],
  };
}

/** The run's outcome, or the error it failed with. */
async function run(dir: string, d: ReturnType<typeof doc>): Promise<unknown> {
  const r = await runDoc(dir, d);
  return r.outcome === 'failed' ? r.error : r.outcome;
}

describe('a failing record in a parallel instance', () => {
  it('fails the run naming the node when `errors` is unconnected, as at parallelism 1', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tributary-perr-'));
    for (const p of [1, 2]) {
      const err = await run(dir, doc(p, null));
      expect(err, `parallelism ${p}`).toBeInstanceOf(NodeError);
      expect((err as NodeError).nodeId).toBe('check');
      expect((err as NodeError).message).toMatch(/^no user 42 \(record: .*u00042/);
    }
  }, 120_000);

  it('goes to the errors port when it is connected, as at parallelism 1', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tributary-perr-'));
    const lines = (f: string) => sinkLines(dir, f, true);
    expect(await run(dir, doc(1, 'bad-1.jsonl'))).toBe('finished');
    expect(await run(dir, doc(2, 'bad-2.jsonl'))).toBe('finished');
    expect(lines('bad-1.jsonl').length).toBeGreaterThan(0);
    expect(lines('bad-2.jsonl')).toEqual(lines('bad-1.jsonl'));
  }, 120_000);

  // Emitted there, a record would go out once per instance, with no input record to merge it by.
  it('a record emitted in open fails the run naming the node, at any parallelism', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tributary-perr-'));
    for (const p of [1, 2]) {
      const err = await run(dir, doc(p, null, 'ctx.emit({ hello: 1 });'));
      expect(err, `parallelism ${p}`).toBeInstanceOf(NodeError);
      expect((err as NodeError).nodeId).toBe('check');
      expect((err as NodeError).message).toMatch(/^open: no current record: ctx.emit/);
    }
  }, 120_000);
});
