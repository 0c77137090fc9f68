// pipelines/trending-products.json: a sliding 10 min / 1 min approximate top-K must name the
// products an exact count names, and fire once a minute.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { copyOfPipelines } from '../support/pipelines.js';

interface Row {
  windowStart: number;
  windowEnd: number;
  views: number;
  shoppers: number;
  top: { value: string; count: number }[];
}

async function run(edit?: (doc: any) => void): Promise<Row[]> {
  const dir = copyOfPipelines();
  const file = join(dir, 'trending-products.json');
  if (edit) {
    const doc = JSON.parse(readFileSync(file, 'utf8'));
    edit(doc);
    writeFileSync(file, JSON.stringify(doc));
  }
  const r = await runCli(['run', 'trending-products.json'], { cwd: dir });
  expect(r.code, r.stderr).toBe(0);
  return readFileSync(join(dir, 'out/trending.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Row);
}

describe('trending-products pipeline', () => {
  it('lists the hot products of the last 10 minutes every minute, matching an exact count', async () => {
    const approx = await run();
    const exact = await run((doc) => {
      const w = doc.nodes.find((n: { id: string }) => n.id === 'trending');
      w.params.aggregates.top.fn = 'topK';
      w.params.aggregates.shoppers.fn = 'countDistinct';
    });
    expect(approx.length).toBeGreaterThan(100);
    expect(approx.length).toBe(exact.length);
    for (let i = 0; i < approx.length; i++) {
      const a = approx[i]!;
      const e = exact[i]!;
      expect(a.windowEnd - a.windowStart).toBe(600_000);
      if (i > 0) expect(a.windowStart - approx[i - 1]!.windowStart).toBe(60_000);
      expect(a.views).toBe(e.views);
      expect(Math.abs(a.shoppers - e.shoppers) / e.shoppers).toBeLessThan(0.05);
      expect(a.top.length).toBe(Math.min(10, e.top.length));
      for (let j = 1; j < a.top.length; j++) expect(a.top[j]!.count).toBeLessThanOrEqual(a.top[j - 1]!.count);
      // Count-Min never underestimates; the leader is the exact leader (or tied with it).
      const exactCount = new Map(e.top.map((t) => [t.value, t.count]));
      expect(a.top[0]!.count).toBeGreaterThanOrEqual(e.top[0]!.count);
      expect(a.top[0]!.count).toBeLessThanOrEqual(e.top[0]!.count * 1.05);
      const shared = a.top.filter((t) => exactCount.has(t.value)).length;
      expect(shared, `window ${i}`).toBeGreaterThanOrEqual(8);
    }
  }, 60_000);
});
