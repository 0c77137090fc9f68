import type { OperatorFactory } from '../../engine/factory.js';
import type { ParamsOf } from '../spec.js';
import { stageFrom } from '../stage.js';
import type { keyBySpec } from './spec.js';

export const createKeyBy: OperatorFactory<ParamsOf<typeof keyBySpec>> = (_ctx, p) => stageFrom('keyBy', { expression: p.key });
