import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { Batch } from '../../runtime/engine/batch.js';
import type { OperatorFactory } from '../../runtime/engine/factory.js';
import type { Job } from '../../runtime/engine/job.js';
import { planJob } from '../../runtime/engine/plan.js';
import { SinkOperator } from '../../runtime/engine/sink.js';
import { SourceOperator } from '../../runtime/engine/source.js';
import { validatePipeline } from '../../runtime/format/validate.js';
import { OPERATORS } from '../../runtime/nodes/operators.js';
import { makeRegistry, NODE_SPECS } from '../../runtime/nodes/registry.js';
import { defineNode } from '../../runtime/nodes/spec.js';
import { StringOut } from '../support/harness.js';

// A test sink that records every record with the watermark before it, and can be made slow.
interface Seen {
  value: unknown;
  ts: number;
  wm: number;
}
const collected = new Map<string, { seen: Seen[]; watermarks: number[] }>();
let slowSink: { blockFor: number; writes: number } | null = null;

class CollectSink extends SinkOperator {
  private readonly out: { seen: Seen[]; watermarks: number[] };
  constructor(...args: ConstructorParameters<typeof SinkOperator>) {
    super(...args);
    this.out = { seen: [], watermarks: [] };
    collected.set(this.metrics.nodeId, this.out);
  }
  override receive(input: number, b: Batch): void {
    let wm = this.out.watermarks.at(-1) ?? -Infinity;
    for (let i = 0; i < b.recs.length; i++) this.out.seen.push({ value: b.recs[i], ts: b.ts[i]!, wm: b.wm ? b.wm[i]! : wm });
    if (b.wmEnd > wm) this.out.watermarks.push((wm = b.wmEnd));
    super.receive(input, b);
  }
  protected write(): boolean {
    if (slowSink) {
      slowSink.writes++;
      return false;
    }
    return true;
  }
  protected waitForDrain(): void {
    setTimeout(() => this.drained(), slowSink!.blockFor);
  }
  protected async close(): Promise<void> {}
  async abort(): Promise<void> {}
}

// A source that emits one record, then nothing for a while (an unbounded input gone quiet).
class QuietSource extends SourceOperator {
  readonly deterministic = false;
  private sent = false;
  async pull(): Promise<boolean> {
    if (!this.sent) {
      this.sent = true;
      this.emitOn(0, { recs: [{ quiet: 1 }], ts: [1000], keys: null, wm: [-Infinity], wmEnd: 999 });
      return true;
    }
    await new Promise((r) => setTimeout(r, 1500)); // outlives the other source, so only idleness can free the union
    return false;
  }
}

const collectSpec = defineNode({ type: 'test.collect', title: 'Collect', category: 'sink', doc: '', params: z.strictObject({}), inputs: [{ name: 'in', doc: '', multiple: true }], outputs: [], keyed: 'none', keyOutput: 'clear', flinkExport: false, example: {} });
const quietSpec = defineNode({ type: 'test.quiet', title: 'Quiet', category: 'source', doc: '', params: z.strictObject({ idleTimeout: z.number() }), inputs: [], outputs: [{ name: 'out', doc: '' }], keyed: 'none', keyOutput: 'clear', flinkExport: false, example: { idleTimeout: 1 } });
const registry = makeRegistry([...NODE_SPECS, collectSpec, quietSpec]);
const operators: Record<string, OperatorFactory> = {
  ...OPERATORS,
  'test.collect': (ctx) => ({ operator: new CollectSink(ctx.job, ctx.metrics) }),
  'test.quiet': (ctx, p: { idleTimeout: number }) => ({ operator: new QuietSource(ctx.job, 1, ctx.metrics, p.idleTimeout) }),
};

function job(dir: string, nodes: unknown[], edges: unknown[], settings: object = {}): Job {
  const { pipeline, problems } = validatePipeline({ format: 'tributary.pipeline/v1', name: 't', settings, nodes, edges }, registry);
  expect(problems).toEqual([]);
  return planJob(pipeline!, { operators, resolvePath: (p) => join(dir, p), stdout: new StringOut() });
}

function scratch(files: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'tributary-job-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

const jsonl = (rows: object[]) => rows.map((r) => JSON.stringify(r)).join('\n');

describe('job', () => {
  it('event time: per-record bounded-out-of-orderness watermarks, then the final watermark', async () => {
    const dir = scratch({ 'e.jsonl': jsonl([{ ts: 1000 }, { ts: 3000 }, { ts: 2000 }, { ts: '1970-01-01T00:00:05Z' }]) });
    await job(dir, [{ id: 'src', type: 'source.file', params: { path: 'e.jsonl', eventTime: { field: 'ts', maxOutOfOrderness: '1s' } } }, { id: 'c', type: 'test.collect' }], [{ from: 'src', to: 'c' }]).run();
    const out = collected.get('c')!;
    // watermark = max ts − 1000 − 1, in effect before each record
    expect(out.seen.map((s) => [s.ts, s.wm])).toEqual([
      [1000, -Infinity],
      [3000, -1],
      [2000, 1999],
      [5000, 1999],
    ]);
    expect(out.watermarks).toEqual([3999, Infinity]);
  });

  it('processing time without eventTime: ingestion timestamps, no watermark until the end', async () => {
    const dir = scratch({ 'p.jsonl': jsonl([{ a: 1 }, { a: 2 }]) });
    const before = Date.now();
    await job(dir, [{ id: 'src', type: 'source.file', params: { path: 'p.jsonl' } }, { id: 'c', type: 'test.collect' }], [{ from: 'src', to: 'c' }]).run();
    const out = collected.get('c')!;
    expect(out.seen.every((s) => s.ts >= before && s.ts <= Date.now() && s.wm === -Infinity)).toBe(true);
    expect(out.watermarks).toEqual([Infinity]);
  });

  it('deterministic sources interleave the same way on every run (union of two files)', async () => {
    const rows = (tag: string, n: number) => jsonl(Array.from({ length: n }, (_, i) => ({ tag, i, ts: i * 10 })));
    const dir = scratch({ 'a.jsonl': rows('a', 9000), 'b.jsonl': rows('b', 7000) });
    const run = async () => {
      await job(
        dir,
        [
          { id: 'a', type: 'source.file', params: { path: 'a.jsonl', eventTime: { field: 'ts' } } },
          { id: 'b', type: 'source.file', params: { path: 'b.jsonl', eventTime: { field: 'ts' } } },
          { id: 'u', type: 'union' },
          { id: 'f', type: 'sink.file', params: { path: 'out.jsonl' } },
          { id: 'c', type: 'test.collect' },
        ],
        [{ from: 'a', to: 'u' }, { from: 'b', to: 'u' }, { from: 'u', to: 'f' }, { from: 'u', to: 'c' }],
      ).run();
      return readFileSync(join(dir, 'out.jsonl'), 'utf8');
    };
    const first = await run();
    const wms = collected.get('c')!.seen.map((s) => s.wm);
    expect(first.trim().split('\n')).toHaveLength(16_000);
    expect(await run()).toBe(first);
    expect(collected.get('c')!.seen.map((s) => s.wm)).toEqual(wms);
    // The union's watermark never runs ahead of the slower input.
    expect(Math.max(...wms.filter(Number.isFinite))).toBeLessThanOrEqual(69_990);
  });

  it('an idle input stops holding back the watermark of a union', async () => {
    const dir = scratch({ 'a.jsonl': jsonl([{ ts: 50_000 }]) });
    const j = job(
      dir,
      [
        { id: 'q', type: 'test.quiet', params: { idleTimeout: 100 } },
        { id: 'slow', type: 'source.generator', params: { rate: 50, count: 25, startTime: 10_000, disorder: 0 } },
        { id: 'u', type: 'union' },
        { id: 'c', type: 'test.collect' },
      ],
      [{ from: 'q', to: 'u' }, { from: 'slow', to: 'u' }, { from: 'u', to: 'c' }],
    );
    await j.run();
    const out = collected.get('c')!;
    // While `q` was active its watermark (999) capped the union; once idle, the generator's
    // watermark (from 10 s on, 20 ms per event at 50/s) went past it before the end.
    const finite = out.watermarks.filter(Number.isFinite);
    expect(finite[0]).toBe(999);
    expect(finite.some((w) => w > 10_000)).toBe(true);
  });

  it('an idle input passes through a parallel node to free a union downstream, as through one instance', async () => {
    for (const parallelism of [1, 2]) {
      const dir = scratch();
      const j = job(
        dir,
        [
          { id: 'q', type: 'test.quiet', params: { idleTimeout: 100 } },
          { id: 'k', type: 'keyBy', params: { key: 'quiet' } },
          { id: 'p', type: 'process', params: { code: 'ctx.emit(event);' } },
          { id: 'slow', type: 'source.generator', params: { rate: 50, count: 25, startTime: 10_000, disorder: 0 } },
          { id: 'u', type: 'union' },
          { id: 'c', type: 'test.collect' },
        ],
        [{ from: 'q', to: 'k' }, { from: 'k', to: 'p' }, { from: 'p', to: 'u' }, { from: 'slow', to: 'u' }, { from: 'u', to: 'c' }],
        { parallelism },
      );
      await j.run();
      if (parallelism === 2) expect(j.notes.at(-1)).toMatch(/'p' runs in 2 worker threads/);
      // Once `q` went idle, so did `p`'s output, and the generator's watermark led the union.
      const finite = collected.get('c')!.watermarks.filter(Number.isFinite);
      expect(finite.some((w) => w > 10_000), `parallelism ${parallelism}`).toBe(true);
    }
  });

  it('a full sink pauses the sources until it drains', async () => {
    slowSink = { blockFor: 20, writes: 0 };
    try {
      const dir = scratch();
      const started = performance.now();
      await job(dir, [{ id: 'g', type: 'source.generator', params: { rate: 0, count: 40_000 } }, { id: 'c', type: 'test.collect' }], [{ from: 'g', to: 'c' }]).run();
      // Ten batches, each followed by a 20 ms drain before the next pull.
      expect(slowSink.writes).toBe(10);
      expect(performance.now() - started).toBeGreaterThan(180);
      expect(collected.get('c')!.seen).toHaveLength(40_000);
    } finally {
      slowSink = null;
    }
  });

  it('stop() ends the inputs without the final watermark and settles as stopped', async () => {
    const j = job(scratch(), [{ id: 'g', type: 'source.generator', params: { rate: 5000 } }, { id: 'c', type: 'test.collect' }], [{ from: 'g', to: 'c' }]);
    setTimeout(() => j.stop(), 300);
    expect(await j.run()).toBe('stopped');
    const out = collected.get('c')!;
    expect(out.seen.length).toBeGreaterThan(500);
    expect(out.watermarks.at(-1)).toBeLessThan(Infinity);
  });

  it('source.file sends watermarks on its errors port too, so a union of both is not held back', async () => {
    const dir = scratch({ 'e.jsonl': jsonl([{ ts: 1000 }, { ts: 5000 }, { ts: 9000 }]) });
    await job(
      dir,
      [{ id: 'src', type: 'source.file', params: { path: 'e.jsonl', eventTime: { field: 'ts' } } }, { id: 'u', type: 'union' }, { id: 'c', type: 'test.collect' }],
      [{ from: 'src', to: 'u' }, { from: 'src', fromPort: 'errors', to: 'u' }, { from: 'u', to: 'c' }],
    ).run();
    expect(collected.get('c')!.watermarks).toEqual([8999, Infinity]);
  });

  it('a full sink does not make file sources idle: same output, no late records, with a tiny idleTimeout', async () => {
    const rows = (tag: string) => jsonl(Array.from({ length: 9000 }, (_, i) => ({ tag, ts: i })));
    const dir = scratch({ 'a.jsonl': rows('a'), 'b.jsonl': rows('b') });
    const eventTime = { field: 'ts', idleTimeout: 1 };
    slowSink = { blockFor: 60, writes: 0 };
    try {
      await job(
        dir,
        [
          { id: 'a', type: 'source.file', params: { path: 'a.jsonl', eventTime } },
          { id: 'b', type: 'source.file', params: { path: 'b.jsonl', eventTime } },
          { id: 'u', type: 'union' },
          { id: 'c', type: 'test.collect' },
        ],
        [{ from: 'a', to: 'u' }, { from: 'b', to: 'u' }, { from: 'u', to: 'c' }],
      ).run();
    } finally {
      slowSink = null;
    }
    const seen = collected.get('c')!.seen;
    expect(seen).toHaveLength(18_000);
    expect(seen.filter((s) => s.ts <= s.wm)).toEqual([]);
  });

  it('a run that fails publishes no output, not even from sinks that had finished', async () => {
    const big = Array.from({ length: 20_000 }, (_, i) => JSON.stringify({ i }));
    big.push('{"broken":');
    const dir = scratch({ 'small.jsonl': jsonl([{ i: 1 }]), 'big.jsonl': big.join('\n') });
    const j = job(
      dir,
      [
        { id: 'small', type: 'source.file', params: { path: 'small.jsonl' } },
        { id: 'big', type: 'source.file', params: { path: 'big.jsonl' } },
        { id: 'fa', type: 'sink.file', params: { path: 'a-out.jsonl' } },
        { id: 'fb', type: 'sink.file', params: { path: 'b-out.jsonl' } },
      ],
      [{ from: 'small', to: 'fa' }, { from: 'big', to: 'fb' }],
    );
    await expect(j.run()).rejects.toThrow(/line 20001/);
    const { readdirSync } = await import('node:fs');
    expect(readdirSync(dir).sort()).toEqual(['big.jsonl', 'small.jsonl']);
  });
});
