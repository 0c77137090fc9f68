// Saving: pretty-printed JSON with a stable key order, so a pipeline diffs well in git. Envelope,
// node and edge keys follow the format's order; params follow their spec's declared order (extra
// keys after, sorted); maps the user names (aggregates…) keep the user's order.
import type { z } from 'zod';
import { REGISTRY, type Registry } from '../nodes/registry.js';
import { edgeSchema, envelopeSchema, nodeEnvelopeSchema, positionSchema, settingsSchema } from './envelope.js';
import { childSchema, objectShape } from './schema-walk.js';

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Reorder `value`'s keys as `schema` declares them, recursively. */
export function orderBySchema(value: unknown, schema: z.ZodType | null): unknown {
  if (Array.isArray(value)) return value.map((v, i) => orderBySchema(v, schema ? childSchema(schema, value, i) : null));
  if (!isPlainObject(value)) return value;
  const shape = schema ? objectShape(schema) : null;
  let keys: string[];
  if (shape) {
    const declared = Object.keys(shape).filter((k) => k in value);
    const extra = Object.keys(value).filter((k) => !(k in shape)).sort();
    keys = [...declared, ...extra];
  } else if (schema) {
    keys = Object.keys(value); // a record: the user's order is meaningful
  } else {
    keys = Object.keys(value).sort();
  }
  const out: Record<string, unknown> = {};
  for (const k of keys) {
    if (value[k] === undefined) continue;
    out[k] = orderBySchema(value[k], schema ? childSchema(schema, value, k) : null);
  }
  return out;
}

function orderNode(node: unknown, registry: Registry): unknown {
  if (!isPlainObject(node)) return node;
  const spec = typeof node.type === 'string' ? registry.get(node.type) : undefined;
  const out = orderBySchema({ ...node, params: undefined }, nodeEnvelopeSchema) as Record<string, unknown>;
  if (isPlainObject(out.position)) out.position = orderBySchema(out.position, positionSchema);
  if (node.params !== undefined) out.params = orderBySchema(node.params, spec ? spec.params : null);
  return out;
}

function orderEdge(edge: unknown): unknown {
  if (!isPlainObject(edge)) return edge;
  // Default ports are left out, so the common case stays one short line of JSON.
  const e = { ...edge };
  if (e.fromPort === 'out') delete e.fromPort;
  if (e.toPort === 'in') delete e.toPort;
  return orderBySchema(e, edgeSchema);
}

/** The text a pipeline is saved as. */
export function serializePipeline(doc: Record<string, unknown>, registry: Registry = REGISTRY): string {
  const ordered = orderBySchema({ ...doc, nodes: undefined, edges: undefined, settings: undefined }, envelopeSchema) as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(envelopeSchema.shape)) {
    if (k === 'settings' && doc.settings !== undefined) out.settings = orderBySchema(doc.settings, settingsSchema);
    else if (k === 'nodes' && Array.isArray(doc.nodes)) out.nodes = doc.nodes.map((n) => orderNode(n, registry));
    else if (k === 'edges' && Array.isArray(doc.edges)) out.edges = doc.edges.map(orderEdge);
    else if (ordered[k] !== undefined) out[k] = ordered[k];
  }
  for (const k of Object.keys(ordered).sort()) if (!(k in out)) out[k] = ordered[k];
  return `${JSON.stringify(out, null, 2)}\n`;
}
