// pipelines/session-recommendations.json: for every VIEW, the user's other recent views in the
// same category, forgotten after 30 minutes of event-time silence, and the products most often
// viewed just before this one. Checked against the generator's own events.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { generatorEvents } from '../support/generator.js';
import { copyOfPipelines } from '../support/pipelines.js';

interface Row {
  userId: string;
  productId: string;
  category: string;
  sameCategory: string[];
  coViewed: { productId: string; views: number }[];
  ts: number;
}

const QUIET = 30 * 60_000;

describe('session-recommendations pipeline', () => {
  it('recommends from the user\'s recent same-category views and from co-views', async () => {
    const dir = copyOfPipelines();
    const r = await runCli(['run', 'session-recommendations.json', '--trust'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    const rows = readFileSync(join(dir, 'out/session-recommendations.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Row);

    const { events, disorder } = generatorEvents('session-recommendations.json');
    const views = events.filter((e) => e.eventType === 'VIEW');
    const category = new Map(events.map((e) => [e.productId, e.category]));
    // One output per VIEW, in order: each is a VIEW of that user.
    expect(rows.length).toBe(views.length);
    rows.forEach((row, i) => {
      const v = views[i]!;
      expect([row.userId, row.productId, row.category, row.ts]).toEqual([v.userId, v.productId, v.category, v.ts]);
    });

    // Replay the stated rules: a user is forgotten once the watermark (max ts − disorder − 1, as the
    // generator emits it) passes 30 minutes after their last event; the 20 latest views are kept.
    const recent = new Map<string, string[]>();
    const quietAt = new Map<string, number>();
    const coViews = new Map<string, Map<string, number>>();
    let maxTs = -Infinity;
    let forgotten = 0;
    let n = 0;
    for (const e of events) {
      const wm = maxTs - disorder - 1;
      const q = quietAt.get(e.userId);
      if (q !== undefined && q <= wm && recent.has(e.userId)) {
        recent.delete(e.userId);
        forgotten++;
      }
      quietAt.set(e.userId, e.ts + QUIET);
      maxTs = Math.max(maxTs, e.ts);
      if (e.eventType !== 'VIEW') continue;
      const row = rows[n++]!;
      const earlier = [...new Set((recent.get(e.userId) ?? []).filter((p) => p !== e.productId).reverse())];
      // Same category as the viewed item, viewed by this user earlier in this visit, newest first.
      expect(row.sameCategory).toEqual(earlier.filter((p) => category.get(p) === e.category).slice(0, 5));
      for (const p of row.sameCategory) expect(category.get(p)).toBe(row.category);
      // Co-viewed: counts of earlier viewers' recent views, most first, never the product itself.
      const counts = coViews.get(e.productId) ?? new Map<string, number>();
      const top = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, 5);
      expect(row.coViewed).toEqual(top.map(([productId, views]) => ({ productId, views })));
      expect(row.coViewed.some((c) => c.productId === row.productId)).toBe(false);
      for (const p of earlier.slice(0, 10)) counts.set(p, (counts.get(p) ?? 0) + 1);
      coViews.set(e.productId, counts);
      recent.set(e.userId, [...(recent.get(e.userId) ?? []), e.productId].slice(-20));
    }
    // The rules are exercised: users do get forgotten, and most views get recommendations.
    expect(forgotten).toBeGreaterThan(10);
    expect(rows.filter((row) => row.sameCategory.length > 0).length / rows.length).toBeGreaterThan(0.5);
    expect(rows.filter((row) => row.coViewed.length > 0).length / rows.length).toBeGreaterThan(0.7);
  }, 60_000);
});
