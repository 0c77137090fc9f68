// The host's modelInfo call: an ONNX model's inputs, outputs and metadata for the infer node's
// form, read with onnxruntime as a run would load it. The file is held to the trust rules of a
// run (trust-needs.ts): inside the pipeline's folder and not hidden, or else named by a document
// the user trusts. Pickles are refused by the loader, as in a run.
import { stat } from 'node:fs/promises';
import { relative, resolve } from 'node:path';
import { errorMessage } from '../engine/errors.js';
import { serializePipeline } from '../format/serialize.js';
import { validatePipeline } from '../format/validate.js';
import { OnnxModel } from '../nodes/infer/onnx-model.js';
import type { CheckedParamsOf, ModelInfo } from './contract.js';
import { RpcError } from './rpc.js';
import type { TrustStore } from './trust.js';
import { hidden, inside, real } from './trust-needs.js';

/** Does this document read `path` as a model file (so its trust covers reading it here too)? */
function names(doc: Record<string, unknown>, path: string): boolean {
  const { pipeline } = validatePipeline(doc);
  return pipeline !== null && pipeline.filePaths.some((f) => f.value === path);
}

export async function modelInfo(p: CheckedParamsOf<'modelInfo'>, baseDir: string, trust: TrustStore): Promise<ModelInfo> {
  const folder = await real(resolve(baseDir));
  const target = await real(resolve(baseDir, p.path));
  if (!inside(folder, target) || hidden(folder, target)) {
    const trusted = p.doc !== undefined && names(p.doc, p.path) && (await trust.isTrusted(serializePipeline(p.doc)));
    if (!trusted) {
      throw new RpcError(`${p.path} is ${inside(folder, target) ? 'hidden inside' : 'outside'} the pipeline's folder ${folder}: its model is read once you trust the pipeline (Run asks)`);
    }
  }
  if (!target.toLowerCase().endsWith('.onnx')) throw new RpcError(`${p.path}: not an .onnx file`);
  try {
    await stat(target);
  } catch (err) {
    throw new RpcError((err as NodeJS.ErrnoException).code === 'ENOENT' ? `${p.path}: no such file in ${folder}` : errorMessage(err));
  }
  try {
    const d = await OnnxModel.describe(target);
    const rel = relative(folder, target);
    return { ...d, file: rel.startsWith('..') ? target : rel };
  } catch (err) {
    throw new RpcError(errorMessage(err));
  }
}
