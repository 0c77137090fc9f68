import { z } from 'zod';
import { filePath } from '../../format/params.js';
import { defineNode } from '../spec.js';

export const sinkFileSpec = defineNode({
  type: 'sink.file',
  title: 'File sink',
  category: 'sink',
  doc: 'Writes one JSON object a line, in emission order. The file appears only when the run ends well: output goes to a temporary file beside it that is renamed at the end, so a failed run leaves nothing half-written. With checkpoints the temporary file is continued after a crash from the length the last checkpoint recorded (exactly-once: no line lost or repeated), and an interrupt publishes it up to the savepoint. A run that publishes removes the in-progress files of this target left by killed runs (those of running processes stay).',
  params: z.strictObject({
    path: filePath('Output file; relative paths resolve against the pipeline file\'s folder. Missing folders are created.'),
    format: z.enum(['jsonl']).default('jsonl').meta({ description: 'Output format: `jsonl`, one JSON object per line.' }),
  }),
  inputs: [{ name: 'in', doc: 'Records to write.', multiple: true }],
  outputs: [],
  keyed: 'none',
  keyOutput: 'clear',
  flinkExport: true,
  example: { path: 'out/results.jsonl' },
});
