import { z } from 'zod';
import { defineNode, ERRORS_PORT } from '../spec.js';

export const sinkConsoleSpec = defineNode({
  type: 'sink.console',
  title: 'Console',
  category: 'sink',
  doc: 'Prints records to standard output: one JSON object a line, or an aligned table whose columns are the first record\'s fields. Progress and errors go to standard error, so stdout stays clean for piping. A record JSON cannot write goes to `errors` as `{node, error, record}` (`record` a short text preview); without an edge from `errors` it fails the run.',
  params: z.strictObject({
    format: z.enum(['json', 'table']).default('json').meta({ description: '`json`: one object a line; `table`: aligned columns.' }),
  }),
  inputs: [{ name: 'in', doc: 'Records to print.', multiple: true }],
  outputs: [ERRORS_PORT],
  keyed: 'none',
  keyOutput: 'clear',
  flinkExport: true,
  example: { format: 'json' },
});
