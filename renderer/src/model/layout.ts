// Auto-layout with ELK's layered algorithm (elkjs), which places ports on node sides and routes
// side outputs (errors, late, timeout) below the main flow: left to right, like the data.
import * as elkNs from 'elkjs/lib/elk.bundled.js';
import type { ELK } from 'elkjs/lib/elk-api.js';
import type { Registry } from '../../../runtime/nodes/registry.js';
import { type Doc, portOf } from './doc.js';

export const NODE_WIDTH = 220;
export const NODE_HEIGHT = 120;

// A CommonJS module, seen differently by Node (module.exports as default) and by bundlers (interop
// namespace); its constructor is also its own `default`, so this finds it either way.
const ns = elkNs as unknown as { default: { default?: new () => ELK } & (new () => ELK) };
const elk = new (ns.default.default ?? ns.default)();

/** New positions for every node (or only `only`, keeping the others fixed in place). */
export async function layoutPositions(doc: Doc, registry: Registry): Promise<Map<string, { x: number; y: number }>> {
  const port = (node: string, dir: 'in' | 'out', name: string) => `${node}::${dir}::${name}`;
  const graph = {
    id: 'root',
    layoutOptions: {
      'elk.algorithm': 'layered',
      'elk.direction': 'RIGHT',
      'elk.layered.spacing.nodeNodeBetweenLayers': '80',
      'elk.spacing.nodeNode': '40',
      'elk.layered.nodePlacement.strategy': 'BRANDES_KOEPF',
      'elk.portConstraints': 'FIXED_ORDER',
    },
    children: doc.nodes.map((n) => {
      const spec = registry.get(n.type);
      const ins = spec?.inputs ?? [];
      const outs = spec?.outputs ?? [];
      return {
        id: n.id,
        width: NODE_WIDTH,
        height: NODE_HEIGHT,
        layoutOptions: { 'elk.portConstraints': 'FIXED_ORDER' },
        ports: [
          ...ins.map((p, i) => ({ id: port(n.id, 'in', p.name), layoutOptions: { 'elk.port.side': 'WEST', 'elk.port.index': String(i) } })),
          ...outs.map((p, i) => ({ id: port(n.id, 'out', p.name), layoutOptions: { 'elk.port.side': i === 0 ? 'EAST' : 'SOUTH', 'elk.port.index': String(i) } })),
        ],
      };
    }),
    edges: doc.edges.map((e, i) => ({ id: `e${i}`, sources: [port(e.from, 'out', portOf.from(e))], targets: [port(e.to, 'in', portOf.to(e))] })),
  };
  // Edges to ports a node does not have would make ELK throw; the validator reports them instead.
  const ports = new Set(graph.children.flatMap((c) => c.ports.map((p) => p.id)));
  graph.edges = graph.edges.filter((e) => ports.has(e.sources[0]!) && ports.has(e.targets[0]!));
  const out = await elk.layout(graph);
  return new Map((out.children ?? []).map((c) => [c.id, { x: Math.round(c.x ?? 0), y: Math.round(c.y ?? 0) }]));
}
