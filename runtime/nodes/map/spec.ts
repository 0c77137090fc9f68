import { z } from 'zod';
import { code, expression } from '../../format/params.js';
import { defineNode, ERRORS_PORT } from '../spec.js';
import { exactlyOne } from '../one-of.js';
import { objectExpressionFields, UNKNOWN } from '../../format/fields.js';

export const mapSpec = defineNode({
  type: 'map',
  title: 'Map',
  category: 'transform',
  doc: 'Turns each record into one new record: an object expression such as `{...event, total: price * quantity}`, or `code` returning an object. Stateless; chained with its neighbours.',
  params: z
    .strictObject({
      expression: expression('Object expression building the output record; `event` is the input record.').optional(),
      code: code('Function body with `event` and `ctx` in scope; return the output record (an object).', ['event', 'ctx']).optional(),
    })
    .superRefine(exactlyOne('expression', 'code')),
  inputs: [{ name: 'in', doc: 'Records to transform.' }],
  outputs: [{ name: 'out', doc: 'One record per input record.' }, ERRORS_PORT],
  keyed: 'none',
  keyOutput: 'preserve',
  // An object expression's keys (`...event` brings the input's); code may return anything.
  outputFields: ({ params, input }) => (typeof params.expression === 'string' ? objectExpressionFields(params.expression, input, 'set by the map expression') : UNKNOWN),
  flinkExport: true,
  example: { expression: '{...event, total: price * quantity}' },
});
