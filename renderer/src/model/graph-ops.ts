// Edits of the graph: adding, wiring, renaming, deleting, copying and pasting nodes. Pure functions
// over the document, with the reasons a connection is refused spelled out for the user.
import type { Registry } from '../../../runtime/nodes/registry.js';
import { NODE_ID } from '../../../runtime/format/envelope.js';
import { type Doc, type DocEdge, type DocNode, edgeId, nodeById, portOf } from './doc.js';

/** A readable, unique id for a new node of `type`: `filter`, `filter2`, `fileSink`… */
export function newNodeId(doc: Doc, type: string): string {
  const parts = type.split('.');
  const base = parts.length === 2 ? `${parts[1]}${parts[0]![0]!.toUpperCase()}${parts[0]!.slice(1)}` : type.replace(/[^A-Za-z0-9_-]/g, '');
  const ids = new Set(doc.nodes.map((n) => n.id));
  if (!ids.has(base)) return base;
  for (let i = 2; ; i++) if (!ids.has(`${base}${i}`)) return `${base}${i}`;
}

export function addNode(doc: Doc, registry: Registry, type: string, position: { x: number; y: number }): { doc: Doc; id: string } {
  const spec = registry.get(type);
  if (!spec) throw new Error(`unknown node type '${type}'`);
  const id = newNodeId(doc, type);
  const node: DocNode = { id, type, label: spec.title, position: { x: Math.round(position.x), y: Math.round(position.y) }, params: structuredClone(spec.example) as Record<string, unknown> };
  return { doc: { ...doc, nodes: [...doc.nodes, node] }, id };
}

export interface Connection {
  readonly source: string;
  readonly sourceHandle: string | null;
  readonly target: string;
  readonly targetHandle: string | null;
}

export type Verdict = { ok: true; edge: DocEdge } | { ok: false; reason: string };

/** Whether a connection may be made, and if not, why (shown to the user). */
export function checkConnection(doc: Doc, registry: Registry, c: Connection): Verdict {
  const from = nodeById(doc, c.source);
  const to = nodeById(doc, c.target);
  if (!from || !to) return { ok: false, reason: 'both ends must be nodes' };
  if (from.id === to.id) return { ok: false, reason: `a node cannot feed itself (${from.id})` };
  const fromSpec = registry.get(from.type);
  const toSpec = registry.get(to.type);
  if (!fromSpec || !toSpec) return { ok: false, reason: `unknown node type '${!fromSpec ? from.type : to.type}'` };
  const fromPort = c.sourceHandle ?? fromSpec.outputs[0]?.name;
  const toPort = c.targetHandle ?? toSpec.inputs[0]?.name;
  if (!fromPort || !fromSpec.outputs.some((p) => p.name === fromPort)) return { ok: false, reason: `${from.id} (${from.type}) has no output '${fromPort ?? ''}'` };
  if (!toPort) return { ok: false, reason: `${to.id} (${to.type}) has no inputs: it is a source` };
  const input = toSpec.inputs.find((p) => p.name === toPort);
  if (!input) return { ok: false, reason: `${to.id} (${to.type}) has no input '${toPort}'` };
  const edge: DocEdge = { from: from.id, ...(fromPort === 'out' ? {} : { fromPort }), to: to.id, ...(toPort === 'in' ? {} : { toPort }) };
  if (doc.edges.some((e) => edgeId(e) === edgeId(edge))) return { ok: false, reason: `${from.id}.${fromPort} is already connected to ${to.id}.${toPort}` };
  if (!input.multiple && doc.edges.some((e) => e.to === to.id && portOf.to(e) === toPort)) {
    return { ok: false, reason: `input '${toPort}' of ${to.id} takes one edge and already has one; merge streams with a union` };
  }
  if (reaches(doc, to.id, from.id)) return { ok: false, reason: `connecting ${from.id} → ${to.id} would make a cycle; pipelines must be acyclic` };
  return { ok: true, edge };
}

function reaches(doc: Doc, start: string, goal: string): boolean {
  const seen = new Set<string>();
  const stack = [start];
  while (stack.length > 0) {
    const id = stack.pop()!;
    if (id === goal) return true;
    if (seen.has(id)) continue;
    seen.add(id);
    for (const e of doc.edges) if (e.from === id) stack.push(e.to);
  }
  return false;
}

export function connect(doc: Doc, registry: Registry, c: Connection): { doc: Doc } | { reason: string } {
  const v = checkConnection(doc, registry, c);
  return v.ok ? { doc: { ...doc, edges: [...doc.edges, v.edge] } } : { reason: v.reason };
}

/** Remove nodes (with every edge touching them) and edges. */
export function removeElements(doc: Doc, nodeIds: readonly string[], edgeIds: readonly string[]): Doc {
  const nodes = new Set(nodeIds);
  const edges = new Set(edgeIds);
  return {
    ...doc,
    nodes: doc.nodes.filter((n) => !nodes.has(n.id)),
    edges: doc.edges.filter((e) => !nodes.has(e.from) && !nodes.has(e.to) && !edges.has(edgeId(e))),
  };
}

/** Rename a node and every edge that names it; refuses ids the format would reject. */
export function renameNode(doc: Doc, from: string, to: string): { doc: Doc } | { reason: string } {
  if (from === to) return { doc };
  if (!NODE_ID.test(to)) return { reason: 'a node id starts with a letter and holds only letters, digits, _ and -' };
  if (nodeById(doc, to)) return { reason: `there is already a node '${to}'` };
  return {
    doc: {
      ...doc,
      nodes: doc.nodes.map((n) => (n.id === from ? { ...n, id: to } : n)),
      edges: doc.edges.map((e) => ({ ...e, from: e.from === from ? to : e.from, to: e.to === from ? to : e.to })),
    },
  };
}

export function moveNodes(doc: Doc, moves: ReadonlyMap<string, { x: number; y: number }>): Doc {
  return { ...doc, nodes: doc.nodes.map((n) => (moves.has(n.id) ? { ...n, position: { x: Math.round(moves.get(n.id)!.x), y: Math.round(moves.get(n.id)!.y) } } : n)) };
}

/** What copy puts on the clipboard: the nodes and the edges between them, as pipeline JSON. */
export interface Fragment {
  readonly tributaryFragment: 1;
  readonly nodes: readonly DocNode[];
  readonly edges: readonly DocEdge[];
}

export function copyFragment(doc: Doc, ids: readonly string[]): Fragment {
  const set = new Set(ids);
  return { tributaryFragment: 1, nodes: doc.nodes.filter((n) => set.has(n.id)), edges: doc.edges.filter((e) => set.has(e.from) && set.has(e.to)) };
}

export function isFragment(v: unknown): v is Fragment {
  return typeof v === 'object' && v !== null && (v as Fragment).tributaryFragment === 1 && Array.isArray((v as Fragment).nodes);
}

/** Paste a fragment: clashing ids get fresh ones, positions shift by `offset`. */
export function pasteFragment(doc: Doc, frag: Fragment, offset: number): { doc: Doc; ids: string[] } {
  let out = doc;
  const rename = new Map<string, string>();
  const added: DocNode[] = [];
  for (const n of frag.nodes) {
    const id = nodeById(out, n.id) || added.some((a) => a.id === n.id) ? newNodeId({ ...out, nodes: [...out.nodes, ...added] }, n.type) : n.id;
    rename.set(n.id, id);
    const p = n.position ?? { x: 0, y: 0 };
    added.push({ ...n, id, position: { x: p.x + offset, y: p.y + offset } });
  }
  const edges = frag.edges.filter((e) => rename.has(e.from) && rename.has(e.to)).map((e) => ({ ...e, from: rename.get(e.from)!, to: rename.get(e.to)! }));
  out = { ...out, nodes: [...out.nodes, ...added], edges: [...out.edges, ...edges] };
  return { doc: out, ids: added.map((n) => n.id) };
}
