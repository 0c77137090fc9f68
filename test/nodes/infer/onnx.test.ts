import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { OnnxModel, type ScoredBatch } from '../../../runtime/nodes/infer/onnx-model.js';
import type { InferOperator } from '../../../runtime/nodes/infer/operator.js';
import { inferSpec } from '../../../runtime/nodes/infer/spec.js';
import { EXPECTED, f32, finish, MODELS, openInfer, records } from '../../support/infer.js';

const F = EXPECTED.features;

describe('infer: ONNX models in-process', () => {
  it('logistic regression (LinearClassifier + ZipMap) equals the same model computed in plain JS within 1e-6', async () => {
    const h = await openInfer({ model: { kind: 'onnx', path: join(MODELS, 'logreg20.onnx') }, features: F, outputs: { p: 'output_probability[1]', label: 'output_label', probs: 'output_probability' }, batchSize: 64 });
    h.values(records());
    await finish(h);
    const out = h.outValues() as { id: number; p: number; label: number; probs: Record<string, number>; modelVersion: string }[];
    expect(out).toHaveLength(200);
    const { coef, intercept } = EXPECTED.logreg20;
    out.forEach((r, i) => {
      expect(r.id).toBe(i);
      let z = intercept;
      EXPECTED.inputs[i]!.forEach((x, j) => (z += coef[j]! * f32(x)));
      const p = 1 / (1 + Math.exp(-z));
      expect(Math.abs(r.p - p)).toBeLessThan(1e-6);
      expect(Math.abs(r.p - EXPECTED.logreg20.probability[i]!)).toBeLessThan(1e-6);
      expect(r.label).toBe(EXPECTED.logreg20.label[i]);
      expect(Math.abs(r.probs['0']! + r.probs['1']! - 1)).toBeLessThan(1e-6);
      expect(r.modelVersion).toMatch(/^[0-9a-f]{12}$/);
    });
  });

  it('a 50-tree gradient-boosted classifier (TreeEnsembleClassifier) matches scikit-learn\'s saved predictions within 1e-6', async () => {
    const h = await openInfer({ model: { kind: 'onnx', path: join(MODELS, 'gbm50.onnx') }, features: F, outputs: { p: 'output_probability[1]', label: 'output_label' } });
    h.values(records());
    await finish(h);
    const out = h.outValues() as { p: number; label: number }[];
    expect(out).toHaveLength(200);
    out.forEach((r, i) => {
      expect(Math.abs(r.p - EXPECTED.gbm50.probability[i]!)).toBeLessThan(1e-6);
      expect(r.label).toBe(EXPECTED.gbm50.label[i]);
    });
  });

  it('a MatMul regression with default outputs (a field per output) equals plain JS', async () => {
    const h = await openInfer({ model: { kind: 'onnx', path: join(MODELS, 'linreg20.onnx') }, features: F.map((f) => `${f} * 1`), batchSize: 7 });
    h.values(records(50));
    await finish(h);
    const out = h.outValues() as { variable: number }[];
    const { coef, intercept } = EXPECTED.linreg20;
    out.forEach((r, i) => {
      let y = f32(intercept);
      EXPECTED.inputs[i]!.forEach((x, j) => (y += f32(coef[j]!) * f32(x)));
      expect(Math.abs(r.variable - y)).toBeLessThan(1e-4 * Math.max(1, Math.abs(y)));
      expect(Math.abs(r.variable - EXPECTED.linreg20.prediction[i]!)).toBeLessThan(1e-4);
    });
  });

  it('a feature that is not a number sends its record to errors naming the node and the feature; the rest of the batch is scored', async () => {
    const recs = records(10);
    (recs[3] as Record<string, unknown>).f5 = 'abc';
    delete (recs[6] as Record<string, unknown>).f0;
    const h = await openInfer({ model: { kind: 'onnx', path: join(MODELS, 'logreg20.onnx') }, features: F, outputs: { p: 'output_probability[1]' } });
    h.values(recs);
    await finish(h);
    expect(h.outValues()).toHaveLength(8);
    const errs = h.outValues('errors') as { node: string; error: string; record: { id: number } }[];
    expect(errs.map((e) => e.record.id)).toEqual([3, 6]);
    expect(errs[0]!.node).toBe('infer');
    expect(errs[0]!.error).toContain('feature "f5" is not a number (string "abc")');
    expect(errs[1]!.error).toContain('feature "f0" is not a number (missing)');
  });

  it('a null record goes to errors alone; the rest of its batch is scored', async () => {
    const recs: unknown[] = records(6);
    recs[2] = null;
    const h = await openInfer({ model: { kind: 'onnx', path: join(MODELS, 'logreg20.onnx') }, features: F, outputs: { p: 'output_probability[1]' } });
    h.values(recs);
    await finish(h);
    const out = h.outValues() as { id: number; p: number }[];
    expect(out.map((r) => r.id)).toEqual([0, 1, 3, 4, 5]);
    for (const r of out) expect(Math.abs(r.p - EXPECTED.logreg20.probability[r.id]!)).toBeLessThan(1e-6);
    const errs = h.outValues('errors') as { error: string; record: unknown }[];
    expect(errs).toHaveLength(1);
    expect(errs[0]!.record).toBeNull();
    expect(errs[0]!.error).toContain('feature "f0" is not a number (missing)');
  });

  it('runs that overlap never share an input buffer; a reused buffer does not leak a previous batch into a bad row', async () => {
    const model = await OnnxModel.load(join(MODELS, 'logreg20.onnx'), 1, { features: F });
    try {
      const recs = records();
      const check = (b: ScoredBatch, from: number, to: number) => {
        const read = b.cols.get('output_probability')!.getter('1') as (row: number) => number;
        for (let i = from; i < to; i++) expect(Math.abs(read(i - from) - EXPECTED.logreg20.probability[i]!)).toBeLessThan(1e-6);
      };
      // Three runs at once, then three more reusing the buffers the first ones gave back.
      for (let round = 0; round < 2; round++) {
        const spans = [[0, 64], [64, 150], [150, 200]] as const;
        const res = await Promise.all(spans.map(([a, b]) => model.score(recs, a, b)));
        res.forEach((b, k) => check(b, spans[k]![0], spans[k]![1]));
      }
      // A bad row in a reused buffer is zero-filled (not last batch's values) and reported.
      const bad = records(4);
      (bad[1] as Record<string, unknown>).f0 = 'x';
      const b = await model.score(bad, 0, 4);
      expect([...b.bad!.keys()]).toEqual([1]);
      check({ ...b, bad: null }, 0, 1);
    } finally {
      await model.release();
    }
  });

  it('with fallback, an unscorable record leaves on out with the fallback fields and a null version', async () => {
    const recs = records(3);
    (recs[1] as Record<string, unknown>).f2 = null;
    const h = await openInfer({ model: { kind: 'onnx', path: join(MODELS, 'logreg20.onnx') }, features: F, outputs: { p: 'output_probability[1]' }, fallback: { p: -1 } });
    h.values(recs);
    await finish(h);
    const out = h.outValues() as { p: number; modelVersion: string | null }[];
    expect(out.map((r) => r.p < 0)).toEqual([false, true, false]);
    expect(out[1]!.modelVersion).toBeNull();
  });

  it('a wrong number of features, a bad model file, an unknown output and a pickle fail with messages naming the node', async () => {
    await expect(openInfer({ model: { kind: 'onnx', path: join(MODELS, 'logreg20.onnx') }, features: F.slice(0, 5) })).rejects.toMatchObject({ nodeId: 'infer', message: expect.stringContaining("input 'input' takes 20 features per row, the node gives 5") });
    const dir = mkdtempSync(join(tmpdir(), 'infer-bad-'));
    writeFileSync(join(dir, 'bad.onnx'), 'not a model at all');
    await expect(openInfer({ model: { kind: 'onnx', path: join(dir, 'bad.onnx') }, features: F })).rejects.toThrow(/bad\.onnx (is not|could not be loaded as) an ONNX model/);
    const h = await openInfer({ model: { kind: 'onnx', path: join(MODELS, 'logreg20.onnx') }, features: F, outputs: { p: 'probability[1]' } });
    h.values(records(2));
    await finish(h);
    expect((h.outValues('errors') as { error: string }[])[0]!.error).toContain("output 'probability' (for field 'p') is not one of the model's outputs: output_label, output_probability");
    const parsed = inferSpec.params.safeParse({ model: { kind: 'onnx', path: 'models/churn.pkl' }, features: ['a'] });
    expect(parsed.success).toBe(false);
    expect(JSON.stringify(parsed.error)).toContain('runs whatever code it carries');
    expect(JSON.stringify(parsed.error)).toContain('skl2onnx');
  });

  it('hot reload mid-run: the version changes between batches, no record lost or scored twice; a broken file leaves the old model serving', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'infer-reload-'));
    const path = join(dir, 'model.onnx');
    copyFileSync(join(MODELS, 'logreg20.onnx'), path);
    const h = await openInfer({ model: { kind: 'onnx', path, watch: false }, features: F, outputs: { p: 'output_probability[1]' }, batchSize: 10 });
    const op = h.op as InferOperator;
    const all = records(200);
    h.values(all.slice(0, 100));
    copyFileSync(join(MODELS, 'gbm50.onnx'), path);
    const reload = op.reloadNow();
    h.values(all.slice(100, 150));
    await reload;
    h.values(all.slice(150));
    writeFileSync(path, 'garbage');
    await op.reloadNow();
    h.values(records(5).map((r) => ({ ...r, id: 1000 + r.id })));
    await finish(h);
    const out = h.outValues() as { id: number; p: number; modelVersion: string }[];
    expect(out.map((r) => r.id)).toEqual([...Array.from({ length: 200 }, (_, i) => i), 1000, 1001, 1002, 1003, 1004]);
    const versions = [...new Set(out.map((r) => r.modelVersion))];
    expect(versions).toHaveLength(2);
    for (const r of out) {
      const i = r.id % 1000;
      const expected = r.modelVersion === versions[0] ? EXPECTED.logreg20.probability[i]! : EXPECTED.gbm50.probability[i]!;
      expect(Math.abs(r.p - expected)).toBeLessThan(1e-6);
    }
    expect(out.slice(-5).every((r) => r.modelVersion === versions[1])).toBe(true);
    const fig = h.metrics.model!();
    expect(fig.reloads).toBe(1);
    expect(fig.reloadFailures).toBe(1);
    expect(fig.version).toBe(versions[1]);
  });

  it('the file watcher picks up a replaced model file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'infer-watch-'));
    const path = join(dir, 'model.onnx');
    copyFileSync(join(MODELS, 'logreg20.onnx'), path);
    const h = await openInfer({ model: { kind: 'onnx', path }, features: F, outputs: { p: 'output_probability[1]' } });
    const before = h.metrics.model!().version;
    copyFileSync(join(MODELS, 'gbm50.onnx'), join(dir, 'next.tmp'));
    const { renameSync } = await import('node:fs');
    renameSync(join(dir, 'next.tmp'), path);
    const end = Date.now() + 15_000;
    while (h.metrics.model!().version === before && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
    expect(h.metrics.model!().version).not.toBe(before);
    h.values(records(3));
    await finish(h);
    const out = h.outValues() as { p: number }[];
    out.forEach((r, i) => expect(Math.abs(r.p - EXPECTED.gbm50.probability[i]!)).toBeLessThan(1e-6));
  });
});
