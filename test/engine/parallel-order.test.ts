// A parallel process node feeding a stateful node keyed otherwise: its instances' outputs must
// reach the next node in the order of parallelism 1 (merged by the position of the input record
// that caused them), or a node whose answer depends on the order of its key's records (here: the
// users who viewed a product, in order) answers otherwise. Real worker threads.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { NodeError } from '../../runtime/engine/errors.js';
import { runDoc, sinkLines } from '../support/run-doc.js';

/** Per user: a running count; an event-time timer forgets the user after 2 minutes without events. */
const PER_USER = `
const n = (this.n.value() ?? 0) + 1;
this.n.update(n);
const was = this.quiet.value();
if (was !== undefined) ctx.timers.deleteEventTime(was);
this.quiet.update(ctx.timestamp + 120000);
ctx.timers.eventTime(ctx.timestamp + 120000);
const out = { userId: event.userId, productId: event.productId, n, ts: ctx.timestamp, wm: ctx.watermark, forgotAt: this.forgotAt.value() ?? null };
if (this.send) this.send(out);
else ctx.emit(out);`;

/** Per product: the last five viewers in arrival order, and the watermark each record came under. */
const PER_PRODUCT = `
const seen = this.seen;
seen.add(event.userId + '#' + event.n);
seen.keepLast(5);
const last = [];
for (let i = 0; i < seen.size(); i++) last.push(seen.at(i));
ctx.emit({ productId: event.productId, last, wmBefore: event.wm, wmHere: ctx.watermark, userForgotAt: event.forgotAt });`;

function doc(parallelism: number, tag: string, onTimer: string, open = "this.n = ctx.state.value('n'); this.quiet = ctx.state.value('quiet');") {
  return {
    format: 'tributary.pipeline/v1',
    name: 'order',
    settings: { parallelism },
    nodes: [
      { id: 'clicks', type: 'source.generator', params: { preset: 'ecommerce', rate: 0, count: 40_000, seed: 11, users: 3000, eventTimeRate: 20 } },
      { id: 'byUser', type: 'keyBy', params: { key: 'userId' } },
      { id: 'perUser', type: 'process', params: { code: PER_USER, onTimer, open: `${open} this.forgotAt = ctx.state.value('forgotAt');`, state: { n: { kind: 'value' }, quiet: { kind: 'value' }, forgotAt: { kind: 'value' } } } },
      { id: 'byProduct', type: 'keyBy', params: { key: 'productId' } },
      { id: 'perProduct', type: 'process', params: { code: PER_PRODUCT, open: "this.seen = ctx.state.list('seen');", state: { seen: { kind: 'list' } } } },
      { id: 'out', type: 'sink.file', params: { path: `${tag}.jsonl` } },
    ],
    edges: [
      { from: 'clicks', to: 'byUser' },
      { from: 'byUser', to: 'perUser' },
      { from: 'perUser', to: 'byProduct' },
      { from: 'byProduct', to: 'perProduct' },
      { from: 'perProduct', to: 'out' },
    ],
  };
}

// The watermark a timer fires under is kept and shows in the user's later records: an instance
// must move event time where one instance would, between other instances' records too.
const FORGET = "if (timer.timestamp === this.quiet.value()) { this.n.clear(); this.quiet.clear(); this.forgotAt.update(ctx.watermark); }";

async function run(dir: string, d: ReturnType<typeof doc>) {
  const r = await runDoc(dir, d);
  return { state: r.outcome, lines: sinkLines(dir, d.nodes.at(-1)!.params.path as string), notes: r.notes, error: r.error };
}

describe('parallel process nodes feeding a stateful node', () => {
  it('hand it their records in the order and under the watermarks of parallelism 1', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tributary-order-'));
    const one = await run(dir, doc(1, 'p1', FORGET));
    expect(one.state).toBe('finished');
    expect(one.lines.length).toBeGreaterThan(30_000);
    // The timers do forget users, so the counts restart.
    expect(one.lines.some((l) => l.includes('"last":["u') && /#1"\]/.test(l))).toBe(true);
    for (const p of [2, 4]) {
      const r = await run(dir, doc(p, `p${p}`, FORGET));
      expect(r.state).toBe('finished');
      expect(r.notes.at(-1)).toMatch(new RegExp(`^parallelism ${p} .*'perUser', 'perProduct' run in ${p} worker threads`));
      // In order, record for record: not only the same multiset.
      expect(r.lines.length).toBe(one.lines.length);
      for (let i = 0; i < one.lines.length; i++) if (r.lines[i] !== one.lines[i]) expect(r.lines[i], `line ${i + 1} at parallelism ${p}`).toBe(one.lines[i]);
    }
  }, 300_000);

  it('keep a process node whose timers emit on one instance, saying why', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tributary-order-'));
    const r = await run(dir, doc(2, 'emits', `${FORGET} ctx.emit({ userId: ctx.key, productId: 'gone', n: 0, ts: timer.timestamp, wm: ctx.watermark });`));
    expect(r.state).toBe('finished');
    expect(r.notes).toContain(
      "node 'perUser' runs as one instance: it feeds the stateful node 'perProduct' and emits from timers, whose order across keys parallel instances do not keep, so 'perProduct' could see its records in another order",
    );
    expect(r.notes.at(-1)).toMatch(/'perProduct' runs in 2 worker threads/);
  }, 300_000);

  it('fail the run, naming the node, when a timer emits through code outside onTimer', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tributary-order-'));
    // onTimer never names emit, but calls a function that does: only the run can tell.
    const open = "this.n = ctx.state.value('n'); this.quiet = ctx.state.value('quiet'); this.send = (r) => ctx.emit(r);";
    const r = await run(dir, doc(2, 'sneaky', `${FORGET} this.send({ userId: ctx.key, productId: 'gone', n: 0, ts: timer.timestamp, wm: ctx.watermark });`, open));
    expect(r.notes.at(-1)).toMatch(/'perUser', 'perProduct' run in 2 worker threads/);
    expect(r.state).toBe('failed');
    expect(r.error).toBeInstanceOf(NodeError);
    expect((r.error as NodeError).nodeId).toBe('perUser');
    expect((r.error as NodeError).message).toMatch(/^a timer emitted a record through code outside onTimer/);
  }, 300_000);

  it('run such a node as before when it feeds no stateful node: its timers may emit however they like', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tributary-order-'));
    const open = "this.n = ctx.state.value('n'); this.quiet = ctx.state.value('quiet'); this.send = (r) => ctx.emit(r);";
    // (Not ctx.watermark: an instance hears the watermark before its own records only, so a timer
    // may fire at a later one than at parallelism 1.)
    const onTimer = `${FORGET} this.send({ userId: ctx.key, productId: 'gone', n: 0, ts: timer.timestamp });`;
    // perUser straight into the sink: nothing downstream depends on the order across keys.
    const toSink = (p: number, tag: string) => {
      const d = doc(p, tag, onTimer, open);
      d.nodes.splice(3, 2);
      d.edges.splice(2, 3, { from: 'perUser', to: 'out' });
      return d;
    };
    const one = await run(dir, toSink(1, 'sinks-1'));
    const two = await run(dir, toSink(2, 'sinks-2'));
    expect(one.state).toBe('finished');
    expect(one.lines.some((l) => l.includes('"productId":"gone"'))).toBe(true);
    expect(two.error).toBeNull();
    expect(two.state).toBe('finished');
    expect(two.notes.at(-1)).toMatch(/'perUser' runs in 2 worker threads/);
    expect([...two.lines].sort()).toEqual([...one.lines].sort());
  }, 300_000);
});
