// Warnings: what may well be a mistake but does not stop a run, because it can be intended or
// the editor cannot know (records may be heterogeneous). A reference to a field the upstream
// records do not have (with a did-you-mean), and loose ends: an output that goes nowhere, a source
// whose records reach no sink. The editor shows them in Problems (and underlines the field in the
// expression editor); `tributary validate` prints them and still exits 0.
import type { z } from 'zod';
import { referencedFields } from '../expr/index.js';
import { REGISTRY, type Registry } from '../nodes/registry.js';
import { FieldFlow, type FieldSet, type GraphEdgeRef, type GraphNode, UNKNOWN } from './fields.js';
import { migrate } from './migrate.js';
import { FORMATS } from './params.js';
import { closest, jsonPath, type Problem } from './problems.js';
import { metaOf, walk } from './schema-walk.js';

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

interface Located extends GraphNode {
  readonly index: number;
  /** Its params parse (else the validator reports them, and it is checked for nothing here). */
  readonly valid: boolean;
}

/**
 * Every warning about a pipeline document. Works on what parses: a node whose params are invalid
 * (an error the validator reports) is not checked, and fields past it count as unknown.
 */
export function pipelineWarnings(input: unknown, registry: Registry = REGISTRY): Problem[] {
  if (!isObject(input)) return [];
  const migrated = migrate(input);
  if (!migrated.ok) return [];
  const doc = migrated.doc;
  const nodes: Located[] = [];
  const rawNodes: unknown[] = Array.isArray(doc.nodes) ? doc.nodes : [];
  rawNodes.forEach((raw, index) => {
    if (!isObject(raw) || typeof raw.id !== 'string' || typeof raw.type !== 'string') return;
    const spec = registry.get(raw.type);
    if (!spec) return;
    const parsed = spec.params.safeParse(raw.params ?? {});
    // A node with invalid params stays in the graph (else what feeds it would read as going
    // nowhere, a second, false complaint); what it emits is unknown.
    nodes.push(parsed.success ? { id: raw.id, spec, params: parsed.data, index, valid: true } : { id: raw.id, spec: { ...spec, fields: undefined, outputFields: () => UNKNOWN }, params: undefined, index, valid: false });
  });
  const ids = new Set(nodes.map((n) => n.id));
  const edges: GraphEdgeRef[] = [];
  for (const raw of Array.isArray(doc.edges) ? doc.edges : []) {
    if (!isObject(raw) || typeof raw.from !== 'string' || typeof raw.to !== 'string') continue;
    const e = { from: raw.from, fromPort: typeof raw.fromPort === 'string' ? raw.fromPort : 'out', to: raw.to, toPort: typeof raw.toPort === 'string' ? raw.toPort : 'in' };
    if (ids.has(e.from) && ids.has(e.to)) edges.push(e);
  }
  const flow = new FieldFlow(nodes, edges);
  const out: Problem[] = [];
  for (const n of nodes) if (n.valid) out.push(...fieldWarnings(n, flow.input(n.id), edges.some((e) => e.to === n.id)));
  out.push(...looseEnds(nodes, edges));
  return out;
}

/** Where a name first appears in an expression as a field read (1-based column), for the underline. */
function columnOf(src: string, name: string): { line: number; column: number } {
  const re = new RegExp(`(?<![\\w$])(?:event\\s*\\.\\s*)?${name.replace(/\$/g, '\\$')}(?![\\w$])`);
  const m = re.exec(src);
  const at = m ? m.index + m[0].length - name.length : 0;
  const before = src.slice(0, at).split('\n');
  return { line: before.length, column: before[before.length - 1]!.length + 1 };
}

function unknownField(name: string, input: FieldSet): string {
  const hint = closest(name, input.fields.map((f) => f.name));
  return `unknown field '${name}': the records arriving here have ${input.fields.length === 0 ? 'no fields' : input.fields.map((f) => f.name).join(', ')}${hint ? `; did you mean '${hint}'?` : ''}`;
}

function fieldWarnings(n: Located, input: FieldSet, hasInput: boolean): Problem[] {
  if (!hasInput || input.open) return [];
  const known = new Set(input.fields.map((f) => f.name));
  const out: Problem[] = [];
  const base = `$.nodes[${n.index}].params`;
  walk(n.spec.params as z.ZodType, n.params, (s, v, at) => {
    if (typeof v !== 'string') return;
    const meta = metaOf(s);
    if (meta?.format !== FORMATS.expression) return;
    const params = Array.isArray(meta['x-params']) ? (meta['x-params'] as string[]) : undefined;
    if (params && !params.includes('event')) return; // reads no record (cep's select)
    for (const f of referencedFields(v, params ? { params } : undefined)) {
      if (known.has(f)) continue;
      const { line, column } = columnOf(v, f);
      const where = line > 1 ? `line ${line}, column ${column}` : `column ${column}`;
      out.push({ nodeId: n.id, path: jsonPath(base, at), message: `${unknownField(f, input)} (${where})`, severity: 'warning' });
    }
  });
  // Aggregates name their field directly (window).
  const aggs = isObject(n.params) && isObject(n.params.aggregates) ? n.params.aggregates : null;
  if (aggs) {
    for (const [name, a] of Object.entries(aggs)) {
      const f = isObject(a) && typeof a.field === 'string' ? a.field : null;
      if (f !== null && !known.has(f)) out.push({ nodeId: n.id, path: jsonPath(base, ['aggregates', name, 'field']), message: unknownField(f, input), severity: 'warning' });
    }
  }
  return out;
}

function looseEnds(nodes: readonly Located[], edges: readonly GraphEdgeRef[]): Problem[] {
  const out: Problem[] = [];
  const reachesSink = new Map<string, boolean>();
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const reaches = (id: string, seen: Set<string>): boolean => {
    const hit = reachesSink.get(id);
    if (hit !== undefined) return hit;
    if (seen.has(id)) return false;
    seen.add(id);
    const n = byId.get(id);
    const r = n?.spec.category === 'sink' || edges.some((e) => e.from === id && reaches(e.to, seen));
    reachesSink.set(id, r);
    return r;
  };
  for (const n of nodes) {
    const main = n.spec.outputs[0];
    if (n.spec.category !== 'sink' && main && !edges.some((e) => e.from === n.id && e.fromPort === main.name)) {
      out.push({ nodeId: n.id, path: `$.nodes[${n.index}]`, message: `output '${main.name}' goes nowhere: its records are dropped (connect it to a sink)`, severity: 'warning' });
    } else if (n.spec.category === 'source' && !reaches(n.id, new Set())) {
      out.push({ nodeId: n.id, path: `$.nodes[${n.index}]`, message: 'no sink downstream: this source\'s records reach no output', severity: 'warning' });
    }
  }
  return out;
}
