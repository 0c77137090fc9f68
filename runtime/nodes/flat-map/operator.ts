import type { OperatorFactory } from '../../engine/factory.js';
import type { ParamsOf } from '../spec.js';
import { stageFrom } from '../stage.js';
import type { flatMapSpec } from './spec.js';

export const createFlatMap: OperatorFactory<ParamsOf<typeof flatMapSpec>> = (_ctx, p) => stageFrom('flatMap', p);
