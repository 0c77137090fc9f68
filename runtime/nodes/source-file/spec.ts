import { z } from 'zod';
import { declaredFields, eventTime, filePath } from '../../format/params.js';
import { defineNode, ERRORS_PORT } from '../spec.js';
import { closedSet, UNKNOWN } from '../../format/fields.js';

export const sourceFileSpec = defineNode({
  type: 'source.file',
  title: 'File source',
  category: 'source',
  doc: 'Reads a JSON Lines or CSV file once, in order, then ends: the final watermark closes every window. A malformed line goes to `errors` with its line number. CSV values that look like numbers become numbers.',
  params: z.strictObject({
    path: filePath('File to read; relative paths resolve against the pipeline file\'s folder.'),
    format: z.enum(['jsonl', 'csv']).default('jsonl').meta({ description: '`jsonl`: one JSON object a line; `csv`: a header line, then one record a line.' }),
    delimiter: z.string().length(1).default(',').meta({ description: 'CSV field delimiter.' }),
    decodeThreads: z
      .number()
      .int()
      .min(0)
      .max(16)
      .optional()
      .meta({ description: 'JSON Lines, opt-in: worker threads that parse lines while the pipeline runs. Unset or `0`: lines are parsed on the pipeline\'s thread — except when `settings.parallelism` is above 1 and every record goes through a keyBy on a plain field into parallel windows or process nodes that read known fields (a process node\'s code reading its record only as `event.x`): then, unless this is set, `parallelism` workers decode, keeping only the fields those nodes read (and the event-time field). Output and checkpoints are the same either way; whether workers are faster depends on the machine and the pipeline (`npm run bench -- decode` compares them). If workers cannot start, lines are parsed on the pipeline\'s thread.' }),
    eventTime: eventTime().optional(),
    fields: declaredFields(),
  }),
  inputs: [],
  outputs: [{ name: 'out', doc: 'One record per line.' }, ERRORS_PORT],
  keyed: 'none',
  keyOutput: 'clear',
  outputFields: ({ params, port }) => (port === 'out' && params.fields ? closedSet(params.fields.map((name: string) => ({ name, doc: 'sampled from the file' }))) : UNKNOWN),
  flinkExport: true,
  example: { path: 'events.jsonl', format: 'jsonl', eventTime: { field: 'ts', maxOutOfOrderness: '5s' } },
});
