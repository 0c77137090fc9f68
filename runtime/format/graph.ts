// Graph facts derived from nodes, edges and specs: order, cycles, and which streams are keyed.
// Used by the validator (to reject) and the planner (to chain operators), so both agree.
import type { NodeSpec } from '../nodes/spec.js';

export interface GraphNode {
  readonly id: string;
  readonly spec: NodeSpec;
}

export interface GraphEdge {
  readonly from: string;
  readonly fromPort: string;
  readonly to: string;
  readonly toPort: string;
}

/** Topological order, or the nodes on cycles when there is one (Kahn's algorithm). */
export function topoOrder(nodes: readonly GraphNode[], edges: readonly GraphEdge[]): { order: string[]; cyclic: string[] } {
  const indeg = new Map(nodes.map((n) => [n.id, 0]));
  const next = new Map<string, string[]>(nodes.map((n) => [n.id, []]));
  for (const e of edges) {
    if (!indeg.has(e.from) || !indeg.has(e.to)) continue;
    indeg.set(e.to, indeg.get(e.to)! + 1);
    next.get(e.from)!.push(e.to);
  }
  const queue = nodes.filter((n) => indeg.get(n.id) === 0).map((n) => n.id);
  const order: string[] = [];
  while (queue.length > 0) {
    const id = queue.shift()!;
    order.push(id);
    for (const t of next.get(id)!) {
      const d = indeg.get(t)! - 1;
      indeg.set(t, d);
      if (d === 0) queue.push(t);
    }
  }
  // Kahn leaves behind the cycles and everything downstream of them; keep only the nodes that can
  // reach themselves, so the message blames the cycle and not its consumers.
  const done = new Set(order);
  const left = nodes.filter((n) => !done.has(n.id)).map((n) => n.id);
  const onCycle = (start: string): boolean => {
    const seen = new Set<string>();
    const stack = [...next.get(start)!];
    while (stack.length > 0) {
      const id = stack.pop()!;
      if (id === start) return true;
      if (seen.has(id) || done.has(id)) continue;
      seen.add(id);
      stack.push(...next.get(id)!);
    }
    return false;
  };
  return { order, cyclic: left.filter(onCycle) };
}

/**
 * Whether each node's input stream is keyed. A keyBy sets a key; stateless nodes keep their
 * input's; sources and sinks have none; a node with several inputs is keyed only if all are.
 * Only the main `out` port carries the key: side outputs (errors, late…) are plain streams.
 * Call with a topological order (cycles make the question meaningless).
 */
export function keyedInputs(nodes: readonly GraphNode[], edges: readonly GraphEdge[], order: readonly string[]): Map<string, boolean> {
  return keyedStreams(nodes, edges, order).inKeyed;
}

/**
 * For nodes with several named input ports (joins, broadcast, connect): whether each port's
 * stream is keyed. Nodes with one input port are left out (`keyedInputs` answers for them).
 */
export function keyedPorts(nodes: readonly GraphNode[], edges: readonly GraphEdge[], order: readonly string[]): Map<string, Map<string, boolean>> {
  const { outKeyed } = keyedStreams(nodes, edges, order);
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const res = new Map<string, Map<string, boolean>>();
  for (const n of nodes) {
    if (n.spec.inputs.length < 2) continue;
    const ports = new Map<string, boolean>();
    for (const p of n.spec.inputs) {
      const incoming = edges.filter((e) => e.to === n.id && e.toPort === p.name && byId.has(e.from));
      ports.set(p.name, incoming.length > 0 && incoming.every((e) => e.fromPort === 'out' && outKeyed.get(e.from) === true));
    }
    res.set(n.id, ports);
  }
  return res;
}

function keyedStreams(nodes: readonly GraphNode[], edges: readonly GraphEdge[], order: readonly string[]): { inKeyed: Map<string, boolean>; outKeyed: Map<string, boolean> } {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const outKeyed = new Map<string, boolean>();
  const inKeyed = new Map<string, boolean>();
  const into = new Map<string, GraphEdge[]>();
  for (const e of edges) if (byId.has(e.from)) into.set(e.to, [...(into.get(e.to) ?? []), e]);
  for (const id of order) {
    const node = byId.get(id)!;
    const incoming = into.get(id) ?? [];
    const keyedIn = incoming.length > 0 && incoming.every((e) => e.fromPort === 'out' && outKeyed.get(e.from) === true);
    inKeyed.set(id, keyedIn);
    const k = node.spec.keyOutput;
    outKeyed.set(id, k === 'set' ? true : k === 'clear' ? false : keyedIn);
  }
  return { inKeyed, outKeyed };
}
