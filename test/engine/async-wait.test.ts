// The async-wait base (Flink's AsyncWaitOperator semantics): order, watermarks never overtaking
// records, capacity and backpressure, timeouts to errors, end of input after pending requests.
import { describe, expect, it } from 'vitest';
import type { Batch } from '../../runtime/engine/batch.js';
import { AsyncFailure, AsyncWaitOperator } from '../../runtime/engine/async-wait.js';
import { NodeMetrics } from '../../runtime/engine/metrics.js';
import { type JobControl, Operator } from '../../runtime/engine/operator.js';
import { FakeJob } from '../support/harness.js';

class Collector extends Operator {
  readonly items: { rec?: unknown; wm: number }[] = [];
  ended = false;
  constructor(job: JobControl) {
    super(job, 0);
    this.addInput();
  }
  receive(_i: number, b: Batch): void {
    b.recs.forEach((rec, i) => this.items.push({ rec, wm: b.wm ? b.wm[i]! : this.wmOut }));
    if (b.wmEnd > this.wmOut) {
      this.wmOut = b.wmEnd;
      this.items.push({ wm: b.wmEnd });
    }
  }
  override inputEnded(): void {
    this.ended = true;
  }
}

/** Each request waits until the test resolves it; results are the records doubled. */
class Manual extends AsyncWaitOperator {
  readonly pending: { recs: readonly unknown[]; resolve: (r: unknown[]) => void }[] = [];
  protected invoke(recs: readonly unknown[]): Promise<unknown[]> {
    return new Promise((resolve) => this.pending.push({ recs, resolve }));
  }
  release(i: number, results?: unknown[]): void {
    const p = this.pending[i]!;
    p.resolve(results ?? p.recs.map((x) => (x as number) * 2));
  }
}

function setup(opts: Partial<{ capacity: number; timeout: number; ordered: boolean }> = {}) {
  const job = new FakeJob();
  const op = new Manual(job, 2, 'look', new NodeMetrics('look', 'lookup.redis'), { capacity: 10, timeout: 60_000, ordered: true, errorsPort: 1, ...opts });
  const out = new Collector(job);
  const errs = new Collector(job);
  op.outputs[0]!.connect(out, 0);
  op.outputs[1]!.connect(errs, 0);
  const input = op.addInput();
  const push = (recs: number[], wmBefore: number, wmEnd: number) => op.receive(input, { recs, ts: recs, keys: null, wm: recs.map(() => wmBefore), wmEnd });
  return { job, op, out, errs, push, end: () => op.inputEnded(input) };
}

const tick = () => new Promise((r) => setTimeout(r, 0));

describe('AsyncWaitOperator', () => {
  it('ordered: results leave in input order with their own watermarks, whatever order requests finish in', async () => {
    const { op, out, push } = setup();
    push([1, 2], 0, 10);
    push([3], 10, 20);
    op.release(1);
    await tick();
    expect(out.items).toEqual([]);
    op.release(0);
    await tick();
    expect(out.items).toEqual([{ rec: 2, wm: 0 }, { rec: 4, wm: 0 }, { wm: 10 }, { rec: 6, wm: 10 }, { wm: 20 }]);
  });

  it('unordered: without watermarks, requests leave in the order they finish', async () => {
    const { op, out, push } = setup({ ordered: false });
    push([1], -Infinity, -Infinity);
    push([2], -Infinity, -Infinity);
    op.release(1);
    await tick();
    expect(out.items).toEqual([{ rec: 4, wm: -Infinity }]);
    op.release(0);
    await tick();
    expect(out.items).toEqual([{ rec: 4, wm: -Infinity }, { rec: 2, wm: -Infinity }]);
  });

  it('unordered: a record that arrived after a watermark waits for it, and the watermark for the records before it (Flink)', async () => {
    const { op, out, push } = setup({ ordered: false });
    push([1], 0, 10);
    push([2], 10, 20);
    op.release(1);
    await tick();
    // Record 2 came after watermark 10: leaving first would carry it past that watermark, so a
    // record late there would no longer be late downstream.
    expect(out.items).toEqual([]);
    op.release(0);
    await tick();
    expect(out.items).toEqual([{ rec: 2, wm: 0 }, { wm: 10 }, { rec: 4, wm: 10 }, { wm: 20 }]);
  });

  it('unordered: records reorder freely between two watermarks, never across one', async () => {
    const { op, out, push } = setup({ ordered: false });
    push([1], -Infinity, -Infinity);
    push([2], -Infinity, 10);
    push([3], 10, 10);
    push([4], 10, 10);
    op.release(3);
    op.release(1);
    await tick();
    // 2 and 1 share a segment; 4 is behind watermark 10, which waits for record 1.
    expect(out.items).toEqual([{ rec: 4, wm: -Infinity }]);
    op.release(0);
    await tick();
    expect(out.items).toEqual([{ rec: 4, wm: -Infinity }, { rec: 2, wm: -Infinity }, { wm: 10 }, { rec: 8, wm: 10 }]);
    op.release(2);
    await tick();
    expect(out.items.at(-1)).toEqual({ rec: 6, wm: 10 });
  });

  it('capacity counts records done but waiting to leave in order, as Flink\'s queue does', async () => {
    const { job, op, out, push } = setup({ capacity: 2 });
    push([1], 0, 0);
    push([2], 0, 0);
    op.release(1);
    await tick();
    // Record 2 is done but waits for record 1: the queue is still full.
    push([3], 0, 0);
    expect(op.pending).toHaveLength(2);
    expect(job.blocked).toBe(1);
    op.release(0);
    await tick();
    expect(op.pending).toHaveLength(3);
    expect(job.blocked).toBe(0);
    op.release(2);
    await tick();
    expect(out.items.filter((i) => 'rec' in i).map((i) => i.rec)).toEqual([2, 4, 6]);
  });

  it('holds at most `capacity` records in flight and pauses the job until there is room', async () => {
    const { job, op, out, push } = setup({ capacity: 2 });
    push([1, 2], 0, 0);
    expect(job.blocked).toBe(0);
    push([3], 0, 0);
    expect(op.pending).toHaveLength(1);
    expect(job.blocked).toBe(1);
    op.release(0);
    await tick();
    expect(op.pending).toHaveLength(2);
    expect(job.blocked).toBe(0);
    op.release(1);
    await tick();
    expect(out.items.filter((i) => 'rec' in i).map((i) => i.rec)).toEqual([2, 4, 6]);
  });

  it('splits a batch larger than capacity into requests', () => {
    const { op, push } = setup({ capacity: 2 });
    push([1, 2, 3, 4, 5], 0, 0);
    expect(op.pending.map((p) => p.recs)).toEqual([[1, 2]]);
  });

  it('sends timed-out and failed records to errors, the rest out', async () => {
    const { op, out, errs, push } = setup({ timeout: 20 });
    push([1, 2], 0, 0);
    push([3], 0, 0);
    op.release(0, [2, new AsyncFailure('no such key')]);
    await new Promise((r) => setTimeout(r, 50));
    expect(out.items.filter((i) => 'rec' in i).map((i) => i.rec)).toEqual([2]);
    expect(errs.items.filter((i) => 'rec' in i).map((i) => i.rec)).toEqual([
      { node: 'look', error: 'no such key', record: 2 },
      { node: 'look', error: 'timed out after 20 ms', record: 3 },
    ]);
  });

  it('ends only after pending requests leave; flushed() waits for them', async () => {
    const { op, out, push, end } = setup();
    push([1], 0, Infinity);
    let flushed = false;
    void op.flushed().then(() => (flushed = true));
    end();
    await tick();
    expect(out.ended).toBe(false);
    expect(flushed).toBe(false);
    op.release(0);
    await tick();
    expect(flushed).toBe(true);
    expect(out.ended).toBe(true);
    expect(out.items).toEqual([{ rec: 2, wm: 0 }, { wm: Infinity }]);
  });
});
