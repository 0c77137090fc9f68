// Shared by the stateless nodes: an expression or a code body becomes the stage function.
import { compileCode, compileExpression } from '../expr/index.js';
import type { StageContext, StageKind } from '../engine/chain.js';
import type { Built } from '../engine/factory.js';

type StageFn = (event: any, ctx: StageContext) => unknown;

/** A stage from either an expression (`(event) => …`) or code (`(event, ctx) => …`). */
export function stageFrom(kind: StageKind, params: { expression?: string; code?: string }): Built {
  if (params.code !== undefined) {
    return { stage: { kind, fn: compileCode(params.code, ['event', 'ctx']) as StageFn, usesCtx: true } };
  }
  return { stage: { kind, fn: compileExpression(params.expression!) as StageFn, usesCtx: false } };
}
