// Rules for nodes with several named inputs (join.interval, join.window, broadcast, connect): each
// input port states whether its stream must be keyed, and the validator names the port that is
// not, so "both sides keyed alike" (Flink's KeyedStream.intervalJoin / connect on two KeyedStreams)
// is caught before the run.
import type { GraphEdge, GraphNode } from './graph.js';
import { keyedPorts } from './graph.js';
import type { Problem } from './problems.js';

export function checkInputPorts(
  nodes: readonly GraphNode[],
  edges: readonly GraphEdge[],
  order: readonly string[],
  path: (id: string) => string,
  problems: Problem[],
): void {
  const ports = keyedPorts(nodes, edges, order);
  for (const n of nodes) {
    const keyed = ports.get(n.id);
    if (!keyed) continue;
    const required = n.spec.inputs.filter((p) => p.keyed === 'required');
    for (const p of required) {
      // An unconnected port is reported on its own; one problem per cause.
      if (!edges.some((e) => e.to === n.id && e.toPort === p.name)) continue;
      if (keyed.get(p.name) === true) continue;
      const others = required.filter((q) => q !== p).map((q) => `'${q.name}'`);
      const alike = others.length > 0 ? ` (keyed alike with ${others.join(', ')}: records meet when their keys are equal, ===)` : '';
      problems.push({ nodeId: n.id, path: path(n.id), message: `${n.spec.type} input '${p.name}' needs a keyed stream: add a keyBy upstream of it${alike}` });
    }
  }
}
