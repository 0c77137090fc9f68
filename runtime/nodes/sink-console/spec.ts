import { z } from 'zod';
import { defineNode } from '../spec.js';

export const sinkConsoleSpec = defineNode({
  type: 'sink.console',
  title: 'Console',
  category: 'sink',
  doc: 'Prints records to standard output: one JSON object a line, or an aligned table whose columns are the first record\'s fields. Progress and errors go to standard error, so stdout stays clean for piping.',
  params: z.strictObject({
    format: z.enum(['json', 'table']).default('json').meta({ description: '`json`: one object a line; `table`: aligned columns.' }),
  }),
  inputs: [{ name: 'in', doc: 'Records to print.', multiple: true }],
  outputs: [],
  keyed: 'none',
  keyOutput: 'clear',
  flinkExport: true,
  example: { format: 'json' },
});
