// The pipeline JSON Schema, generated from the node registry (editors and CI tools can validate
// against it; Tributary itself validates with the specs, which also check expressions and graphs).
import { z } from 'zod';
import type { Registry } from '../nodes/registry.js';
import { CURRENT_FORMAT, envelopeSchema, nodeEnvelopeSchema } from './envelope.js';

export const SCHEMA_ID = 'https://tributary.dev/schema/pipeline.v1.json';

export function pipelineZodSchema(registry: Registry) {
  const nodeSchemas = [...registry.values()].map((spec) =>
    nodeEnvelopeSchema.extend({
      type: z.literal(spec.type),
      params: spec.params.optional(),
    }).meta({ title: spec.type, description: spec.title }),
  );
  const node = nodeSchemas.length === 1 ? nodeSchemas[0]! : z.discriminatedUnion('type', nodeSchemas as [typeof nodeSchemas[0], ...typeof nodeSchemas]);
  return envelopeSchema.extend({
    format: z.literal(CURRENT_FORMAT),
    nodes: z.array(node),
  });
}

export function pipelineJsonSchema(registry: Registry): Record<string, unknown> {
  const schema = z.toJSONSchema(pipelineZodSchema(registry), { io: 'input', unrepresentable: 'any', target: 'draft-2020-12' });
  return { ...schema, $id: SCHEMA_ID, title: 'Tributary pipeline' };
}

/** The JSON Schema of one node type's params, for docs and forms. */
export function paramsJsonSchema(params: z.ZodType): Record<string, unknown> {
  return z.toJSONSchema(params, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
}
