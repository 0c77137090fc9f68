import { z } from 'zod';
import { defineNode } from '../spec.js';
import { preserveFields } from '../../format/fields.js';

export const unionSpec = defineNode({
  type: 'union',
  title: 'Union',
  category: 'transform',
  doc: 'Merges any number of inputs into one stream. Its watermark is the minimum over the inputs that are not idle (Flink\'s rule). The output is keyed only when every input is.',
  params: z.strictObject({}),
  inputs: [{ name: 'in', doc: 'Streams to merge; connect as many as needed.', multiple: true }],
  outputs: [{ name: 'out', doc: 'All input records.' }],
  keyed: 'none',
  keyOutput: 'preserve',
  outputFields: preserveFields,
  flinkExport: true,
  example: {},
});
