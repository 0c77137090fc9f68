import type { OperatorFactory } from '../../engine/factory.js';
import type { ParamsOf } from '../spec.js';
import { stageFrom } from '../stage.js';
import type { filterSpec } from './spec.js';

export const createFilter: OperatorFactory<ParamsOf<typeof filterSpec>> = (_ctx, p) => stageFrom('filter', { expression: p.condition, code: p.code });
