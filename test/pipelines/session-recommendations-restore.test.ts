// A checkpoint of session-recommendations' recentViews node taken before the user's recent views
// became two lists of strings (test/fixtures/pipelines/session-recommendations-recent-objects.json:
// one list of {productId, category, ts} objects in state 'recent') restored into the node as
// shipped: the views held there must carry on, so the output is the one the old node would have
// given without the restart, record for record.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Stateful } from '../../runtime/engine/timed.js';
import { OperatorHarness } from '../support/harness.js';

type Params = Record<string, unknown>;

const shipped = (JSON.parse(readFileSync(new URL('../../pipelines/session-recommendations.json', import.meta.url), 'utf8')) as { nodes: { id: string; params: Params }[] }).nodes.find((n) => n.id === 'recentViews')!.params;
const objects = (JSON.parse(readFileSync(new URL('../fixtures/pipelines/session-recommendations-recent-objects.json', import.meta.url), 'utf8')) as { params: Params }).params;

const MIN = 60_000;

interface Rec {
  value: { userId: string; eventType: string; productId: string; category: string };
  ts: number;
  key: string;
  wmAfter: number;
}

/** A seeded clickstream of a few users over a few products, with quiet spells that end sessions. */
function clicks(seed: number, n: number): Rec[] {
  let x = seed;
  const r = () => ((x = (x * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const out: Rec[] = [];
  let t = 0;
  for (let i = 0; i < n; i++) {
    t += Math.floor(r() * 2 * MIN);
    if (r() < 0.01) t += 40 * MIN;
    const userId = `u${Math.floor(r() * 6)}`;
    const p = Math.floor(r() * 30);
    out.push({ value: { userId, eventType: r() < 0.8 ? 'VIEW' : 'CART', productId: `p${p}`, category: `c${p % 4}` }, ts: t, key: userId, wmAfter: t });
  }
  return out;
}

/** Run `recs` through the node, switching from `first` to `then` params by a checkpoint restore every `every` records. */
function run(first: Params, then: Params, recs: Rec[], every: number, advance = 0): unknown[] {
  let h = new OperatorHarness('process', first, { keyed: true });
  const out: unknown[] = [];
  for (let i = 0; i < recs.length; i += every) {
    h.push(recs.slice(i, i + every));
    h.job.clock.advance(advance);
    const snap = structuredClone((h.op as unknown as Stateful).snapshotState());
    out.push(...h.outValues());
    h = new OperatorHarness('process', then, { keyed: true });
    h.job.clock.advance(advance * (i / every + 1));
    (h.op as unknown as Stateful).restoreState(snap);
  }
  h.end();
  out.push(...h.outValues());
  return out;
}

describe('session-recommendations: restoring a checkpoint that holds recent views as objects', () => {
  it.each([1, 2, 3])('seed %i: the shipped node carries the views on, as the old node would have', (seed) => {
    const recs = clicks(seed, 3000);
    const before = run(objects, objects, recs, 100);
    expect(before.length).toBeGreaterThan(2000);
    const rows = before as { recentlyViewed: unknown[] }[];
    expect(rows.filter((o) => o.recentlyViewed.length > 5).length).toBeGreaterThan(rows.length / 4);
    // Restored once from the old node's checkpoint, then on with the shipped node (checkpoints of
    // its own restored now and then).
    let h = new OperatorHarness('process', objects, { keyed: true });
    h.push(recs.slice(0, 1500));
    const snap = structuredClone((h.op as unknown as Stateful).snapshotState());
    const out = [...h.outValues()];
    h = new OperatorHarness('process', shipped, { keyed: true });
    (h.op as unknown as Stateful).restoreState(snap);
    h.push(recs.slice(1500, 2000));
    const own = structuredClone((h.op as unknown as Stateful).snapshotState());
    out.push(...h.outValues());
    h = new OperatorHarness('process', shipped, { keyed: true });
    (h.op as unknown as Stateful).restoreState(own);
    h.push(recs.slice(2000));
    h.end();
    out.push(...h.outValues());
    expect(out).toEqual(before);
  });

  it('with processing time passing, the views carried on expire at their own times (30 minutes TTL), as before', () => {
    const recs = clicks(4, 600);
    // Every 100 records, 20 minutes of processing time pass: a view expires two rounds later.
    const before = run(objects, objects, recs, 100, 20 * MIN);
    expect(before, 'the TTL changes the output').not.toEqual(run(objects, objects, recs, 100));
    expect(run(objects, shipped, recs, 100, 20 * MIN)).toEqual(before);
  });
});
