// Whether a node's input is keyed (a keyBy upstream), as the validator decides it
// (runtime/format/graph.ts): its state figures then count keys; without one, everything sits
// under one global key and "11 keys" would mislead.
import { keyedInputs, topoOrder } from '../../../runtime/format/graph.js';
import type { Registry } from '../../../runtime/nodes/registry.js';
import { type Doc, portOf } from './doc.js';

const memo = new WeakMap<Doc, Map<string, boolean>>();

export function keyedInput(doc: Doc, registry: Registry, nodeId: string): boolean {
  let keyed = memo.get(doc);
  if (!keyed) {
    const nodes = doc.nodes.flatMap((n) => {
      const spec = registry.get(n.type);
      return spec ? [{ id: n.id, spec }] : [];
    });
    const ids = new Set(nodes.map((n) => n.id));
    const edges = doc.edges.filter((e) => ids.has(e.from) && ids.has(e.to)).map((e) => ({ from: e.from, fromPort: portOf.from(e), to: e.to, toPort: portOf.to(e) }));
    const { order, cyclic } = topoOrder(nodes, edges);
    keyed = cyclic.length > 0 ? new Map() : keyedInputs(nodes, edges, order);
    memo.set(doc, keyed);
  }
  return keyed.get(nodeId) ?? false;
}

/** How the state figure reads: keys under a keyBy, else entries of the one global key. */
export function stateText(keyed: boolean, n: string): string {
  return keyed ? `${n} keys` : `${n} entries`;
}
