// The derived files and their contents, shared by the generator script and the staleness test.
import { pipelineFormatMarkdown } from '../runtime/format/docs.js';
import { pipelineJsonSchema } from '../runtime/format/json-schema.js';
import { REGISTRY } from '../runtime/nodes/registry.js';

export function generatedFiles(): Record<string, string> {
  return {
    'docs/pipeline-format.md': pipelineFormatMarkdown(REGISTRY),
    'docs/pipeline.schema.json': `${JSON.stringify(pipelineJsonSchema(REGISTRY), null, 2)}\n`,
  };
}
