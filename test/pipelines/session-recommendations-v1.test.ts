// The session-recommendations pipeline as shipped (state handles kept on `this`, lists read in
// place, co-view counts ranked by MapState.top) against its code before those changes
// (test/fixtures/pipelines/session-recommendations-v1.json: lists copied, the whole co-view map
// sorted on every view), on the same generated clickstreams: the outputs must be identical, record
// for record, including users forgotten by their event-time timer.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { StringOut } from '../support/harness.js';
import { type PipelineDoc, plan } from '../support/run.js';

type Doc = PipelineDoc & { nodes: { id: string; type: string; params: Record<string, unknown> }[] };

function load(rel: string): Doc {
  return JSON.parse(readFileSync(fileURLToPath(new URL(rel, import.meta.url)), 'utf8')) as Doc;
}

const SHIPPED = load('../../pipelines/session-recommendations.json');
const V1 = load('../fixtures/pipelines/session-recommendations-v1.json');

/** Run a pipeline with its generator's params overridden and its file sink replaced by JSON lines in memory. */
async function outputs(doc: Doc, gen: Record<string, unknown>): Promise<string[]> {
  const nodes = doc.nodes.map((n) => {
    if (n.type === 'source.generator') return { ...n, params: { ...n.params, ...gen } };
    if (n.type === 'sink.file') return { id: n.id, type: 'sink.console', params: { format: 'json' } };
    return n;
  });
  const out = new StringOut();
  const job = plan({ ...doc, nodes }, out);
  expect(await job.run()).toBe('finished');
  return out.text.trim().split('\n');
}

describe('session-recommendations: same outputs as before incremental top-K and in-place state reads', () => {
  const runs: [string, Record<string, unknown>][] = [
    ['as shipped (500 users, 67 minutes of shop time)', {}],
    ['5k users, 2k products, 60k events over 100 minutes (users forgotten, long co-view maps)', { count: 60_000, users: 5_000, products: 2_000, eventTimeRate: 10, seed: 3 }],
    ['300 users, 40 products (many ties among the top 5, lists full)', { count: 30_000, users: 300, products: 40, eventTimeRate: 2, seed: 11 }],
  ];
  for (const [label, gen] of runs) {
    it(label, async () => {
      const [now, before] = [await outputs(SHIPPED, gen), await outputs(V1, gen)];
      expect(now.length).toBeGreaterThan(1000);
      expect(now.length).toBe(before.length);
      for (let i = 0; i < now.length; i++) if (now[i] !== before[i]) expect(now[i], `record ${i}`).toBe(before[i]);
      // The runs exercise what the rewrite changed: full top-5 lists, and users' full histories.
      const rows = now.map((l) => JSON.parse(l) as { coViewed: unknown[]; sameCategory: unknown[] });
      expect(rows.filter((r) => r.coViewed.length === 5).length).toBeGreaterThan(rows.length / 10);
      expect(rows.filter((r) => r.sameCategory.length > 0).length).toBeGreaterThan(rows.length / 10);
    }, 120_000);
  }
});
