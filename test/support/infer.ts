// Shared by the infer node's tests: the fixture models and their expected outputs, and a harness
// helper that opens the operator (the job does this before running) and waits for the end.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { InferOperator } from '../../runtime/nodes/infer/operator.js';
import { OperatorHarness } from './harness.js';

export const MODELS = join(import.meta.dirname, '..', 'fixtures', 'models');

export interface Expected {
  features: string[];
  inputs: number[][];
  logreg20: { coef: number[]; intercept: number; label: number[]; probability: number[] };
  gbm50: { label: number[]; probability: number[] };
  linreg20: { coef: number[]; intercept: number; prediction: number[] };
}

export const EXPECTED = JSON.parse(readFileSync(join(MODELS, 'expected.json'), 'utf8')) as Expected;

/** The test inputs as records {f0..f19, id}. */
export function records(n = EXPECTED.inputs.length): Record<string, number>[] {
  return EXPECTED.inputs.slice(0, n).map((row, id) => Object.fromEntries([['id', id], ...row.map((v, j) => [`f${j}`, v])]));
}

export async function openInfer(params: Record<string, unknown>, connect = ['out', 'errors']): Promise<OperatorHarness> {
  const h = new OperatorHarness('infer', params, { connect });
  await (h.op as InferOperator).open();
  return h;
}

export async function until(cond: () => boolean, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** End the input, wait until the operator has emitted everything, close it. */
export async function finish(h: OperatorHarness): Promise<void> {
  h.end();
  await until(() => h.ended('out'));
  await (h.op as InferOperator).close();
}

/** float32 rounding, as the model sees its features. */
export const f32 = (x: number) => Math.fround(x);
