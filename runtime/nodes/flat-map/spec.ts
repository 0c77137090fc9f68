import { z } from 'zod';
import { code } from '../../format/params.js';
import { defineNode, ERRORS_PORT } from '../spec.js';
import { UNKNOWN } from '../../format/fields.js';

export const flatMapSpec = defineNode({
  type: 'flatMap',
  title: 'Flat map',
  category: 'transform',
  doc: 'Runs `code` for each record; it returns an array of zero or more output records, each with the input record\'s timestamp. On Flink: a `ProcessFunction` running the code in GraalJS.',
  params: z.strictObject({
    code: code('Function body with `event` and `ctx` in scope; return an array of objects.', ['event', 'ctx']),
  }),
  inputs: [{ name: 'in', doc: 'Records to expand.' }],
  outputs: [{ name: 'out', doc: 'Zero or more records per input record.' }, ERRORS_PORT],
  keyed: 'none',
  keyOutput: 'preserve',
  // Code builds the records: their fields cannot be known before running.
  outputFields: () => UNKNOWN,
  flinkExport: true,
  example: { code: 'return (event.items ?? []).map((item) => ({ ...item, orderId: event.orderId }));' },
});
