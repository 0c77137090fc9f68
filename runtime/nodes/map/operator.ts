import type { OperatorFactory } from '../../engine/factory.js';
import type { ParamsOf } from '../spec.js';
import { stageFrom } from '../stage.js';
import type { mapSpec } from './spec.js';

export const createMap: OperatorFactory<ParamsOf<typeof mapSpec>> = (_ctx, p) => stageFrom('map', p);
