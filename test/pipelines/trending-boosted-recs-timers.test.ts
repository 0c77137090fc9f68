// pipelines/trending-boosted-recs.json ends a visit with one timer per visit that is moved lazily
// (a record only pushes `due` later; a timer finding `due` ahead of it sets the next one, which must
// fire in the same watermark advance when the watermark is already past it). This checks that the
// pipeline's own code and onTimer give exactly what the plain form gives (delete the old timer and
// register one at the new `due` on every record, as Flink users write it), on random out-of-order
// input whose watermarks jump over several dues at once, with checkpoints restored now and then.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Stateful } from '../../runtime/engine/timed.js';
import { OperatorHarness } from '../support/harness.js';

const MAIN = 0;
const BROADCAST = 1;
const MIN = 60_000;

const doc = JSON.parse(readFileSync(new URL('../../pipelines/trending-boosted-recs.json', import.meta.url), 'utf8')) as { nodes: { type: string; params: Record<string, unknown> }[] };
const piped = doc.nodes.find((n) => n.type === 'broadcast')!.params;

/** The reference: the same recommendations, and the visit's timer deleted and registered per record. */
const REFERENCE = {
  key: piped.key,
  value: piped.value,
  code: `
const recent = ctx.state.list('recent');
const seen = [...new Set(recent.get().reverse())].filter((p) => p !== event.productId);
const trending = ctx.broadcast.get('trending');
const hot = trending ? trending.top.map((t) => t.value) : [];
const boosted = seen.filter((p) => hot.includes(p));
const others = seen.filter((p) => !hot.includes(p));
const discover = hot.filter((p) => p !== event.productId && !seen.includes(p));
ctx.emit({ userId: ctx.key, productId: event.productId, ts: ctx.timestamp, recs: [...boosted, ...others, ...discover].slice(0, 5), boosted: boosted.slice(0, 5), trendingAsOf: trending ? trending.windowEnd : null });
recent.add(event.productId);
const all = recent.get();
if (all.length > 20) recent.update(all.slice(-20));
const due = ctx.state.value('due');
if (due.value() !== undefined) ctx.timers.deleteEventTime(due.value());
due.update(ctx.timestamp + 30 * 60_000);
ctx.timers.eventTime(due.value());`,
  onTimer: "ctx.state.list('recent').clear(); ctx.state.value('due').clear();",
};

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

type Step = { input: number; recs: { value: unknown; ts: number; key?: unknown; wmAfter?: number }[] };

/** Views of a few users, up to `jitter` behind the newest, with watermarks that sometimes leap ahead. */
function script(seed: number, jitter: number): Step[] {
  const r = rng(seed);
  const steps: Step[] = [];
  let t = 0;
  let wm = -Infinity;
  for (let b = 0; b < 400; b++) {
    if (r() < 0.1) {
      const top = Array.from({ length: 4 }, () => ({ value: `p${Math.floor(r() * 30)}` }));
      steps.push({ input: BROADCAST, recs: [{ value: { windowEnd: t, top }, ts: t, wmAfter: wm }] });
    }
    const recs: Step['recs'] = [];
    for (let i = 1 + Math.floor(r() * 20); i > 0; i--) {
      t += Math.floor(r() * 3 * MIN);
      // Now and then a quiet spell long enough to end many visits at once.
      if (r() < 0.02) t += Math.floor(r() * 120 * MIN);
      const ts = t - Math.floor(r() * jitter);
      const rec: Step['recs'][number] = { value: { productId: `p${Math.floor(r() * 30)}` }, ts, key: `u${Math.floor(r() * 8)}` };
      // The watermark trails the newest time, and moves only now and then (a jump over several dues).
      if (r() < 0.3) rec.wmAfter = wm = Math.max(wm, t - jitter);
      recs.push(rec);
    }
    steps.push({ input: MAIN, recs });
    steps.push({ input: BROADCAST, recs: [] });
  }
  return steps;
}

function run(params: Record<string, unknown>, steps: Step[], restoreEvery = 0): unknown[] {
  const make = () => new OperatorHarness('broadcast', params, { keyed: true, inputs: 2 });
  let h = make();
  const out: unknown[] = [];
  const wm = [-Infinity, -Infinity];
  steps.forEach((s, i) => {
    if (s.recs.length === 0) {
      // The broadcast input keeps up with the main one, so the node's watermark follows main.
      h.watermark(wm[MAIN]!, BROADCAST);
      wm[BROADCAST] = wm[MAIN]!;
    } else {
      h.push(s.recs, s.input);
      for (const r of s.recs) if (r.wmAfter !== undefined) wm[s.input] = Math.max(wm[s.input]!, r.wmAfter);
    }
    if (restoreEvery > 0 && i % restoreEvery === restoreEvery - 1) {
      const snap = structuredClone((h.op as unknown as Stateful).snapshotState());
      out.push(...h.output().map((o) => [o.ts, o.value]));
      h = make();
      (h.op as unknown as Stateful).restoreState(snap);
      h.watermark(wm[MAIN]!, MAIN).watermark(wm[BROADCAST]!, BROADCAST);
    }
  });
  h.watermark(Infinity, MAIN).watermark(Infinity, BROADCAST);
  out.push(...h.output().map((o) => [o.ts, o.value]));
  return out;
}

describe('trending-boosted-recs: the lazily moved visit timer', () => {
  it.each([
    [1, 0],
    [2, 10 * MIN],
    [3, 40 * MIN],
    [4, 90 * MIN],
  ])('seed %i, records up to %i ms out of order: the same output as deleting and registering a timer per record', (seed, jitter) => {
    const steps = script(seed, jitter);
    const expected = run(REFERENCE, steps);
    expect(expected.length).toBeGreaterThan(2000);
    expect(run(piped, steps)).toEqual(expected);
    // Restored from a checkpoint now and then: the moved timers and `due` come back alike.
    expect(run(piped, steps, 37)).toEqual(expected);
    // The input ends visits often enough to tell: without the timer the output differs.
    expect(run({ ...REFERENCE, onTimer: '' }, steps)).not.toEqual(expected);
  });
});
