// Regenerates the files derived from the node registry: docs/pipeline-format.md and
// docs/pipeline.schema.json. `npm run gen`; test/format/generated.test.ts fails when they are stale.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { generatedFiles } from './generated.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
for (const [path, text] of Object.entries(generatedFiles())) {
  writeFileSync(`${root}/${path}`, text);
  process.stdout.write(`wrote ${path}\n`);
}
