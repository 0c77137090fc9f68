// Field schemas flowing through the graph: which fields the records on each output port carry.
// Sources declare theirs (the generator documents its events; Kafka and file sources remember the
// fields the editor sampled, in their `fields` param); every other node says what it emits through
// its spec's `outputFields` hook, from its params and its input's fields. A set is `open` when
// more fields may be there than it lists (code builds the records, a source declared nothing):
// field checks then stay quiet, since records may be heterogeneous and a guess would mislead.
// Isomorphic: the validator, the CLI and the editor (completion, warnings) share it.
import { parseExpressionAt } from 'acorn';
import type { FieldDoc, NodeSpec } from '../nodes/spec.js';

export interface FieldInfo {
  readonly name: string;
  readonly type?: string;
  readonly doc?: string;
}

export interface FieldSet {
  readonly fields: readonly FieldInfo[];
  /** Records may carry fields not listed (so an unknown name is no reason to warn). */
  readonly open: boolean;
}

/** What a node's `outputFields` hook is given. */
export interface FieldContext {
  /** The node's params, defaults applied. */
  readonly params: any;
  /** Fields of the records arriving (all inputs together). */
  readonly input: FieldSet;
  /** Fields arriving per input port (a join's `left` and `right`); a port with no edge is unknown. */
  readonly inputs: Readonly<Record<string, FieldSet>>;
  /** The output port asked about. */
  readonly port: string;
}

export const UNKNOWN: FieldSet = Object.freeze({ fields: [], open: true });

export function closedSet(fields: readonly FieldInfo[]): FieldSet {
  return { fields, open: false };
}

/** The `outputFields` of a node that passes its records on unchanged (filter, keyBy, union). */
export const preserveFields = (ctx: FieldContext): FieldSet => ctx.input;

/** A two-input node's `late` records: `{side, record}` (the joins' side outputs). */
export const LATE_SIDE_FIELDS: readonly FieldDoc[] = [
  { name: 'side', type: 'string', doc: 'Input the record arrived on: "left" or "right".' },
  { name: 'record', type: 'object', doc: 'The late record, unchanged.' },
];

/** Every side output's records: `{node, error, record}`. */
export const ERROR_FIELDS: readonly FieldDoc[] = [
  { name: 'node', type: 'string', doc: 'Node that failed.' },
  { name: 'error', type: 'string', doc: 'What went wrong.' },
  { name: 'record', type: 'object', doc: 'The record it could not process.' },
];

/** Union of field sets (a node with several inputs, or several edges into one input). */
export function unionSets(sets: readonly FieldSet[]): FieldSet {
  if (sets.length === 0) return UNKNOWN;
  const seen = new Map<string, FieldInfo>();
  let open = false;
  for (const s of sets) {
    open ||= s.open;
    for (const f of s.fields) if (!seen.has(f.name)) seen.set(f.name, f);
  }
  return { fields: [...seen.values()], open };
}

/**
 * Fields of an object-literal expression (`{...event, total: price * quantity}`): its keys, plus
 * the input's fields for `...event` (or, given `spreads`, the fields of each named value: a
 * join's `...left`). Anything else (a spread of another value, not an object literal) makes the
 * set open.
 */
export function objectExpressionFields(src: string, input: FieldSet, doc = 'set by the expression', spreads: Readonly<Record<string, FieldSet>> = { event: input }): FieldSet {
  let ast: any;
  try {
    ast = parseExpressionAt(src, 0, { ecmaVersion: 'latest' });
  } catch {
    return UNKNOWN;
  }
  if (ast.type !== 'ObjectExpression') return UNKNOWN;
  const out = new Map<string, FieldInfo>();
  let open = false;
  for (const p of ast.properties as any[]) {
    if (p.type === 'SpreadElement') {
      const spread = p.argument.type === 'Identifier' && Object.hasOwn(spreads, p.argument.name) ? spreads[p.argument.name]! : null;
      if (spread) {
        for (const f of spread.fields) if (!out.has(f.name)) out.set(f.name, f);
        open ||= spread.open;
      } else open = true;
      continue;
    }
    const k = p.key;
    const name = !p.computed && k.type === 'Identifier' ? k.name : k.type === 'Literal' ? String(k.value) : null;
    if (name === null) open = true;
    else out.set(name, { name, doc });
  }
  return { fields: [...out.values()], open };
}

/** What one node emits on `port`, given what arrives; the spec decides, else its `fields`, else unknown. */
export function nodeOutputFields(spec: NodeSpec, params: unknown, input: FieldSet, port: string, inputs: Readonly<Record<string, FieldSet>> = {}): FieldSet {
  if (port === 'errors') return closedSet(ERROR_FIELDS);
  // One input: late records leave unchanged. Two (the joins): wrapped as `{side, record}`.
  if (port === 'late') return spec.inputs.length > 1 ? closedSet(LATE_SIDE_FIELDS) : input;
  if (spec.outputFields) {
    const byPort = Object.fromEntries(spec.inputs.map((i) => [i.name, inputs[i.name] ?? (spec.inputs.length === 1 ? input : UNKNOWN)]));
    return spec.outputFields({ params, input, inputs: byPort, port });
  }
  if (spec.fields && port === (spec.outputs[0]?.name ?? 'out')) return closedSet(spec.fields);
  return UNKNOWN;
}

export interface GraphNode {
  readonly id: string;
  readonly spec: NodeSpec;
  readonly params: unknown;
}

export interface GraphEdgeRef {
  readonly from: string;
  readonly fromPort: string;
  readonly to: string;
  readonly toPort: string;
}

/**
 * Field sets over a whole graph, memoised per (node, port); a cycle (reported by the validator)
 * reads as unknown. `extra` adds names seen on an edge while running (the editor's samples).
 */
export class FieldFlow {
  private readonly memo = new Map<string, FieldSet>();
  private readonly visiting = new Set<string>();
  private readonly byId: Map<string, GraphNode>;

  constructor(
    nodes: readonly GraphNode[],
    private readonly edges: readonly GraphEdgeRef[],
    private readonly extra: (e: GraphEdgeRef) => readonly string[] = () => [],
  ) {
    this.byId = new Map(nodes.map((n) => [n.id, n]));
  }

  /** Fields arriving at a node over all its inputs, or over one input port. */
  input(nodeId: string, port?: string): FieldSet {
    return unionSets(this.edges.filter((e) => e.to === nodeId && (port === undefined || e.toPort === port)).map((e) => this.edge(e)));
  }

  edge(e: GraphEdgeRef): FieldSet {
    const out = this.output(e.from, e.fromPort);
    const seen = this.extra(e);
    if (seen.length === 0) return out;
    return unionSets([out, closedSet(seen.map((name) => ({ name, doc: 'seen in records of the running pipeline' })))]);
  }

  output(nodeId: string, port: string): FieldSet {
    const key = `${nodeId}\u0000${port}`;
    const hit = this.memo.get(key);
    if (hit) return hit;
    const node = this.byId.get(nodeId);
    if (!node || this.visiting.has(nodeId)) return UNKNOWN;
    this.visiting.add(nodeId);
    let set: FieldSet;
    try {
      const inputs = node.spec.inputs.length > 1 ? Object.fromEntries(node.spec.inputs.map((i) => [i.name, this.input(nodeId, i.name)])) : {};
      set = nodeOutputFields(node.spec, node.params, this.input(nodeId), port, inputs);
    } catch {
      set = UNKNOWN; // a hook that cannot read half-edited params knows nothing
    } finally {
      this.visiting.delete(nodeId);
    }
    this.memo.set(key, set);
    return set;
  }
}
