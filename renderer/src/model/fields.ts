// Which fields the records reaching a node have, for completion in expression editors: the field
// schemas that flow through the graph (runtime/format/fields.ts: sources declare theirs, every node
// spec says what it emits), plus field names sampled from the running job.
import { FieldFlow, type FieldInfo, type FieldSet, objectExpressionFields as objectFields } from '../../../runtime/format/fields.js';
import type { Registry } from '../../../runtime/nodes/registry.js';
import { type Doc, edgeId, portOf } from './doc.js';

export type { FieldInfo };

export type Sampled = Readonly<Record<string, readonly string[]>>;

/** The graph's field flow for the editor: half-edited params are read as they are. */
export function docFieldFlow(doc: Doc, registry: Registry, sampled: Sampled = {}): FieldFlow {
  const nodes = doc.nodes.flatMap((n) => {
    const spec = registry.get(n.type);
    if (!spec) return [];
    const parsed = spec.params.safeParse(n.params ?? {});
    return [{ id: n.id, spec, params: parsed.success ? parsed.data : (n.params ?? {}) }];
  });
  const edges = doc.edges.map((e) => ({ from: e.from, fromPort: portOf.from(e), to: e.to, toPort: portOf.to(e) }));
  return new FieldFlow(nodes, edges, (e) => sampled[edgeId(e)] ?? []);
}

/** Fields of the records arriving at `nodeId` (all its inputs together). */
export function inputFields(doc: Doc, registry: Registry, nodeId: string, sampled: Sampled = {}): FieldInfo[] {
  return [...docFieldFlow(doc, registry, sampled).input(nodeId).fields];
}

/** Keys of an object-literal expression; `...event` brings the input's fields. */
export function objectExpressionFields(src: string, input: () => FieldInfo[]): FieldInfo[] {
  const set: FieldSet = { fields: input(), open: false };
  return [...objectFields(src, set).fields];
}
