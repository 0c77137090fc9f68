import { z } from 'zod';
import { filePath } from '../../format/params.js';
import { defineNode, ERRORS_PORT } from '../spec.js';

export const sinkFileSpec = defineNode({
  type: 'sink.file',
  title: 'File sink',
  category: 'sink',
  doc: 'Writes one JSON object a line, in emission order. The file appears only when the run ends well: output goes to a temporary file beside it that is renamed at the end, so a failed run leaves nothing half-written. A record JSON cannot write (nested deeper than the stack allows, a toJSON that throws) goes to `errors` as `{node, error, record}`, with `record` a short text preview; without an edge from `errors` it fails the run. Nothing is written in its place. The path must name a file: a folder (or `.`) is refused before anything is written. With checkpoints the temporary file is continued after a crash from the length the last checkpoint recorded (exactly-once: no line lost or repeated), and an interrupt publishes it up to the savepoint. A run that publishes removes the in-progress files of this target left by killed runs (those of running processes stay).',
  params: z.strictObject({
    path: filePath('Output file; relative paths resolve against the pipeline file\'s folder. Missing folders are created.'),
    format: z.enum(['jsonl']).default('jsonl').meta({ description: 'Output format: `jsonl`, one JSON object per line.' }),
  }).superRefine((p, ctx) => {
    // `.`, `..` or a trailing slash name a folder: the temporary file would land beside it, outside.
    if (/(^|[\\/])\.{0,2}$/.test(p.path.trim())) ctx.addIssue({ code: 'custom', path: ['path'], message: 'path names a folder, not a file: add a file name (e.g. "out/results.jsonl")' });
  }),
  inputs: [{ name: 'in', doc: 'Records to write.', multiple: true }],
  outputs: [ERRORS_PORT],
  keyed: 'none',
  keyOutput: 'clear',
  flinkExport: true,
  example: { path: 'out/results.jsonl' },
});
