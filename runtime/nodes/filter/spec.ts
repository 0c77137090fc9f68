import { z } from 'zod';
import { code, expression } from '../../format/params.js';
import { defineNode, ERRORS_PORT } from '../spec.js';
import { exactlyOne } from '../one-of.js';
import { preserveFields } from '../../format/fields.js';

export const filterSpec = defineNode({
  type: 'filter',
  title: 'Filter',
  category: 'transform',
  doc: 'Keeps the records for which `condition` is true (or `code` returns a truthy value) and drops the rest. Stateless; chained with its neighbours into one loop.',
  params: z
    .strictObject({
      condition: expression('Expression over the record; the record is kept when it is truthy.').optional(),
      code: code('Function body with `event` and `ctx` in scope; return true to keep the record.', ['event', 'ctx']).optional(),
    })
    .superRefine(exactlyOne('condition', 'code')),
  inputs: [{ name: 'in', doc: 'Records to test.' }],
  outputs: [{ name: 'out', doc: 'Records that passed.' }, ERRORS_PORT],
  keyed: 'none',
  keyOutput: 'preserve',
  outputFields: preserveFields,
  flinkExport: true,
  example: { condition: "eventType == 'ADD_TO_CART' && price * quantity >= 100" },
});
