// pipelines/trending-boosted-recs.json: per-user visit recommendations boosted by a trending list
// that reaches every user as broadcast state. Checked against the generator's events and the
// trending lists the pipeline also writes: a view sees only lists of windows that had closed
// before it, the newest such list once one exists, trending items first; and two runs agree.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { generatorEvents } from '../support/generator.js';
import { copyOfPipelines } from '../support/pipelines.js';

const FILE = 'trending-boosted-recs.json';

interface Row {
  userId: string;
  productId: string;
  ts: number;
  recs: string[];
  boosted: string[];
  trendingAsOf: number | null;
}

function lines<T>(path: string): T[] {
  return readFileSync(path, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as T);
}

async function run(): Promise<{ rows: Row[]; lists: { windowEnd: number; top: { value: string }[] }[]; text: string }> {
  const dir = copyOfPipelines();
  const r = await runCli(['run', FILE, '--trust'], { cwd: dir, timeout: 90_000 });
  expect(r.code, r.stderr).toBe(0);
  const text = readFileSync(join(dir, 'out/boosted-recs.jsonl'), 'utf8');
  return { rows: lines<Row>(join(dir, 'out/boosted-recs.jsonl')), lists: lines(join(dir, 'out/trending-lists.jsonl')), text };
}

describe('trending-boosted-recs pipeline', () => {
  it('boosts each view\'s visit recommendations with the latest trending list broadcast before it', async () => {
    const { rows, lists, text } = await run();
    const { events } = generatorEvents(FILE);
    const views = events.filter((e) => e.eventType === 'VIEW');
    expect(rows.length).toBe(views.length);
    const byEnd = new Map(lists.map((l) => [l.windowEnd, l.top.map((t) => t.value)]));

    let lastAsOf = -Infinity;
    const viewedBefore = new Map<string, Set<string>>();
    let boostedRows = 0;
    rows.forEach((row, i) => {
      const v = views[i]!;
      expect([row.userId, row.productId, row.ts]).toEqual([v.userId, v.productId, v.ts]);
      expect(row.recs.length).toBeLessThanOrEqual(5);
      expect(row.recs).not.toContain(row.productId);
      if (row.trendingAsOf !== null) {
        // Broadcast updates are seen by later main records, in order, never one from the future.
        expect(row.trendingAsOf).toBeGreaterThanOrEqual(lastAsOf);
        expect(row.trendingAsOf).toBeLessThanOrEqual(row.ts);
        lastAsOf = row.trendingAsOf;
        const hot = byEnd.get(row.trendingAsOf)!;
        expect(hot, `list ${row.trendingAsOf}`).toBeDefined();
        // Trending items of the visit come first, then the rest of the visit, then trending discoveries.
        expect(row.recs.slice(0, row.boosted.length)).toEqual(row.boosted);
        const seen = viewedBefore.get(row.userId) ?? new Set<string>();
        for (const p of row.boosted) expect(hot.includes(p) && seen.has(p), p).toBe(true);
        // The rest: earlier views of the user (of this visit), or trending discoveries.
        for (const p of row.recs.slice(row.boosted.length)) expect(seen.has(p) || hot.includes(p), p).toBe(true);
        if (row.boosted.length > 0) boostedRows++;
      } else {
        expect(lastAsOf).toBe(-Infinity);
        expect(row.boosted).toEqual([]);
      }
      const s = viewedBefore.get(row.userId) ?? new Set<string>();
      s.add(row.productId);
      viewedBefore.set(row.userId, s);
    });
    // The list moves on along the run (lists arriving together in one batch: the newest wins).
    const used = new Set(rows.map((r) => r.trendingAsOf).filter((x) => x !== null));
    expect(used.size).toBeGreaterThan(10);
    expect(boostedRows).toBeGreaterThan(rows.length / 4);

    // Deterministic: the same input gives the same output.
    expect((await run()).text).toBe(text);
  }, 180_000);
});
