// The infer node's operator factory (spec.ts says what users see).
import { NodeError } from '../../engine/errors.js';
import type { OperatorFactory } from '../../engine/factory.js';
import type { InferParams } from './spec.js';

export const createInfer: OperatorFactory<InferParams> = (ctx, p) => {
  throw new NodeError(ctx.nodeId, `model kind '${p.model.kind}' cannot run yet`);
};
