import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderProgress } from '../../../runtime/cli/progress.js';
import { RateSampler } from '../../../runtime/engine/metrics.js';
import { metricsRegistry } from '../../../runtime/host/prometheus.js';
import { EXPECTED, finish, MODELS, openInfer, records } from '../../support/infer.js';

describe('infer: figures and similarity', () => {
  it('model figures reach Prometheus and the progress table', async () => {
    const h = await openInfer({ model: { kind: 'onnx', path: join(MODELS, 'logreg20.onnx') }, features: EXPECTED.features, outputs: { p: 'output_probability[1]' }, batchSize: 50, cache: { key: 'id' } });
    h.values(records(100));
    await finish(h);
    const text = await metricsRegistry(() => [h.metrics]).metrics();
    const version = h.metrics.model!().version!;
    expect(text).toContain(`tributary_model_batch_size{node="infer",type="infer",version="${version}"} 50`);
    expect(text).toMatch(/tributary_model_latency_p99_milliseconds\{[^}]*\} [0-9.e-]+/);
    expect(text).toContain('tributary_model_cache_hit_ratio{node="infer",type="infer"');
    const lines = renderProgress('t', 1000, new RateSampler().sample([h.metrics]));
    expect(lines.join('\n')).toMatch(new RegExp(`model ${version}, p50 [0-9.]+ ms, p99 [0-9.]+ ms, 0 in flight, batch 50, 0 timeouts, 0 retries, cache 0%`));
  });

  it('embeddings: top-k by cosine for an item id or a vector, equal to a brute-force computation; .f32 + .ids too', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'infer-emb-'));
    let seed = 3;
    const rnd = () => ((seed = (seed * 16807) % 2147483647) / 2147483647) - 0.5;
    const items = Array.from({ length: 300 }, (_, i) => ({ id: `sku-${i}`, vector: Array.from({ length: 16 }, rnd) }));
    writeFileSync(join(dir, 'items.jsonl'), items.map((o) => JSON.stringify(o)).join('\n'));
    const f32 = new Float32Array(items.flatMap((o) => o.vector));
    writeFileSync(join(dir, 'items.f32'), new Uint8Array(f32.buffer));
    writeFileSync(join(dir, 'items.ids'), items.map((o) => o.id).join('\n') + '\n');
    const norm = (v: number[]) => { const n = Math.hypot(...v); return v.map((x) => x / n); };
    const brute = (q: number[], self: string | null) =>
      items.filter((o) => o.id !== self).map((o) => ({ id: o.id, score: norm(o.vector).reduce((s, x, j) => s + x * norm(q)[j]!, 0) })).sort((a, b) => b.score - a.score).slice(0, 5);
    for (const file of ['items.jsonl', 'items.f32']) {
      const h = await openInfer({ model: { kind: 'embeddings', path: join(dir, file), query: 'coalesce(vector, item)', k: 5 }, batchSize: 7 });
      const recs = [...items.slice(0, 20).map((o) => ({ item: o.id, vector: null })), { item: null, vector: items[5]!.vector }, { item: 'missing', vector: null }];
      h.values(recs);
      await finish(h);
      const out = h.outValues() as { item: string | null; similar: { id: string; score: number }[]; modelVersion: string }[];
      expect(out).toHaveLength(21);
      out.forEach((r, i) => {
        const want = i < 20 ? brute(items[i]!.vector, items[i]!.id) : brute(items[5]!.vector, null);
        expect(r.similar.map((x) => x.id)).toEqual(want.map((x) => x.id));
        r.similar.forEach((x, j) => expect(Math.abs(x.score - want[j]!.score)).toBeLessThan(1e-5));
      });
      expect((h.outValues('errors') as { error: string }[])[0]!.error).toContain('item "missing" is not in the embeddings index');
    }
  });
});
