// The example models in pipelines/models/ (made by scripts/models/train.py) run in onnxruntime and
// reproduce scikit-learn's probabilities on the training step's fixed test set within 1e-6, and the
// logistic-regression churn model equals the same linear model computed in plain JS from its weights.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { PIPELINES_DIR } from '../support/pipelines.js';

interface Expected {
  features: string[];
  rows: number[][];
  probability: number[];
}

async function run(name: string): Promise<{ expected: Expected; probability: Float32Array; labels: BigInt64Array }> {
  const expected = JSON.parse(readFileSync(join(PIPELINES_DIR, 'models', `${name}.expected.json`), 'utf8')) as Expected;
  const session = await ort.InferenceSession.create(join(PIPELINES_DIR, 'models', `${name}.onnx`), { intraOpNumThreads: 1 });
  expect(session.inputNames).toEqual(['input']);
  expect(session.outputNames).toEqual(['output_label', 'output_probability']);
  const n = expected.rows.length;
  const width = expected.features.length;
  const input = new ort.Tensor('float32', Float32Array.from(expected.rows.flat()), [n, width]);
  const out = await session.run({ input });
  const probs = out.output_probability!.data as Float32Array;
  const probability = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    expect(probs[2 * i]! + probs[2 * i + 1]!).toBeCloseTo(1, 6);
    probability[i] = probs[2 * i + 1]!;
  }
  await session.release();
  return { expected, probability, labels: out.output_label!.data as BigInt64Array };
}

describe('example models', () => {
  for (const name of ['churn', 'cart-abandonment']) {
    it(`${name}.onnx matches scikit-learn on the saved test set within 1e-6`, async () => {
      const { expected, probability, labels } = await run(name);
      expect(expected.rows.length).toBeGreaterThanOrEqual(100);
      let worst = 0;
      for (let i = 0; i < probability.length; i++) {
        worst = Math.max(worst, Math.abs(probability[i]! - expected.probability[i]!));
        expect(Number(labels[i])).toBe(expected.probability[i]! > 0.5 ? 1 : 0);
      }
      expect(worst).toBeLessThan(1e-6);
      // Not a constant model: the probabilities vary across the test set.
      expect(Math.max(...probability) - Math.min(...probability)).toBeGreaterThan(0.01);
    });
  }

  it('churn.onnx equals the logistic function of its own weights, computed in plain JS', async () => {
    const model = readFileSync(join(PIPELINES_DIR, 'models', 'churn.onnx'));
    const { expected, probability } = await run('churn');
    // Recover w and b by scoring unit vectors: logit(p(e_j)) - logit(p(0)) = w_j.
    const session = await ort.InferenceSession.create(model, { intraOpNumThreads: 1 });
    const k = expected.features.length;
    const basis = new Float32Array((k + 1) * k);
    for (let j = 0; j < k; j++) basis[(j + 1) * k + j] = 1;
    const out = await session.run({ input: new ort.Tensor('float32', basis, [k + 1, k]) });
    const p = out.output_probability!.data as Float32Array;
    const logit = (q: number) => Math.log(q / (1 - q));
    const b = logit(p[1]!);
    const w = Array.from({ length: k }, (_, j) => logit(p[2 * (j + 1) + 1]!) - b);
    for (let i = 0; i < expected.rows.length; i++) {
      const z = b + expected.rows[i]!.reduce((s, x, j) => s + x * w[j]!, 0);
      expect(probability[i]!).toBeCloseTo(1 / (1 + Math.exp(-z)), 4);
    }
    await session.release();
  });
});
