// Which fields the records reaching a node have, for completion in expression editors: documented
// by the source's spec, followed through the nodes that keep records as they are, read off a map's
// object expression and a window's aggregates, and added to from records sampled while running.
import { parseExpressionAt, type Node as AcornNode } from 'acorn';
import type { Registry } from '../../../runtime/nodes/registry.js';
import { type Doc, type DocEdge, edgeId, nodeById, portOf } from './doc.js';

export interface FieldInfo {
  readonly name: string;
  readonly type?: string;
  readonly doc?: string;
}

/** Node types that pass records through unchanged (their output has their input's fields). */
const PRESERVING = new Set(['filter', 'keyBy', 'union', 'sink.console', 'sink.file']);

const SIDE_PORTS: Record<string, readonly FieldInfo[]> = {
  errors: [
    { name: 'node', type: 'string', doc: 'Node that failed.' },
    { name: 'error', type: 'string', doc: 'What went wrong.' },
    { name: 'record', type: 'object', doc: 'The record it could not process.' },
  ],
  timeout: [
    { name: 'key', doc: 'The key of the partial match.' },
    { name: 'match', type: 'object', doc: 'Records matched so far, by step name.' },
    { name: 'timeoutAt', type: 'number', doc: 'When the match timed out (epoch ms).' },
  ],
};

export type Sampled = Readonly<Record<string, readonly string[]>>;

function merge(into: Map<string, FieldInfo>, fields: Iterable<FieldInfo>): void {
  for (const f of fields) if (!into.has(f.name)) into.set(f.name, f);
}

/** Fields of the records arriving at `nodeId` (all its inputs together). */
export function inputFields(doc: Doc, registry: Registry, nodeId: string, sampled: Sampled = {}): FieldInfo[] {
  const out = new Map<string, FieldInfo>();
  for (const e of doc.edges) if (e.to === nodeId) merge(out, edgeFields(doc, registry, e, sampled, new Set()));
  return [...out.values()];
}

function edgeFields(doc: Doc, registry: Registry, e: DocEdge, sampled: Sampled, visiting: Set<string>): FieldInfo[] {
  const out = new Map<string, FieldInfo>();
  merge(out, outputFields(doc, registry, e.from, portOf.from(e), sampled, visiting));
  merge(out, (sampled[edgeId(e)] ?? []).map((name) => ({ name, doc: 'seen in records of the running pipeline' })));
  return [...out.values()];
}

function outputFields(doc: Doc, registry: Registry, nodeId: string, port: string, sampled: Sampled, visiting: Set<string>): FieldInfo[] {
  if (visiting.has(nodeId)) return []; // a cycle; the validator reports it
  const node = nodeById(doc, nodeId);
  const spec = node && registry.get(node.type);
  if (!node || !spec) return [];
  if (SIDE_PORTS[port]) return [...SIDE_PORTS[port]!];
  const next = new Set(visiting).add(nodeId);
  const upstream = () => {
    const m = new Map<string, FieldInfo>();
    for (const e of doc.edges) if (e.to === nodeId) merge(m, edgeFields(doc, registry, e, sampled, next));
    return [...m.values()];
  };
  if (port === 'late') return upstream();
  if (spec.fields) return [...spec.fields];
  if (PRESERVING.has(node.type)) return upstream();
  const params = node.params ?? {};
  // A lookup keeps the record and adds the value under `as` (merged fields show once sampled).
  if (node.type === 'lookup.redis') return typeof params.as === 'string' ? [...upstream(), { name: params.as, doc: 'value looked up in Redis' }] : upstream();
  if (node.type === 'map' && typeof params.expression === 'string') return objectExpressionFields(params.expression, upstream);
  if (node.type === 'window' && params.aggregates && typeof params.aggregates === 'object') {
    return [
      { name: 'key', doc: 'The window\'s key.' },
      { name: 'windowStart', type: 'number', doc: 'Window start, epoch ms (inclusive).' },
      { name: 'windowEnd', type: 'number', doc: 'Window end, epoch ms (exclusive).' },
      ...Object.entries(params.aggregates as Record<string, { fn?: string }>).map(([name, a]) => ({ name, doc: `${a?.fn ?? 'aggregate'} aggregate` })),
    ];
  }
  if (node.type === 'cep' && typeof params.select === 'string') return objectExpressionFields(params.select, () => []);
  if (node.type === 'cep' && params.select === undefined) {
    return [
      { name: 'key', doc: 'The match\'s key.' },
      { name: 'match', type: 'object', doc: 'Matched records by step name.' },
    ];
  }
  return [];
}

/** Keys of an object-literal expression; `...event` (or `...`anything) brings the input's fields. */
export function objectExpressionFields(src: string, input: () => FieldInfo[]): FieldInfo[] {
  let ast: AcornNode;
  try {
    ast = parseExpressionAt(src, 0, { ecmaVersion: 'latest' });
  } catch {
    return [];
  }
  if (ast.type !== 'ObjectExpression') return [];
  const out = new Map<string, FieldInfo>();
  for (const p of (ast as unknown as { properties: any[] }).properties) {
    if (p.type === 'SpreadElement') {
      if (p.argument.type === 'Identifier' && p.argument.name === 'event') merge(out, input());
      continue;
    }
    const k = p.key;
    const name = !p.computed && k.type === 'Identifier' ? k.name : k.type === 'Literal' ? String(k.value) : null;
    if (name !== null) out.set(name, { name, doc: 'set by the map expression' });
  }
  return [...out.values()];
}
