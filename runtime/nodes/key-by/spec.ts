import { z } from 'zod';
import { expression } from '../../format/params.js';
import { defineNode, ERRORS_PORT } from '../spec.js';
import { preserveFields } from '../../format/fields.js';

export const keyBySpec = defineNode({
  type: 'keyBy',
  title: 'Key by',
  category: 'transform',
  doc: 'Partitions the stream by `key`: downstream keyed nodes (windows, CEP, process) keep state per key and see it as `key`. Stateless nodes after a keyBy keep the key. A key must be a string, a finite number or a boolean.',
  params: z.strictObject({
    key: expression('Expression giving the key, e.g. `userId`.'),
  }),
  inputs: [{ name: 'in', doc: 'Records to key.' }],
  outputs: [{ name: 'out', doc: 'The same records, keyed.' }, ERRORS_PORT],
  keyed: 'none',
  keyOutput: 'set',
  outputFields: preserveFields,
  flinkExport: true,
  example: { key: 'userId' },
});
