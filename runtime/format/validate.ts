// The validator: everything that can be known about a pipeline before it runs. It lists every
// problem it finds, each with the node id and the JSON path, rather than stopping at the first.
import type { z } from 'zod';
import { REGISTRY, type Registry } from '../nodes/registry.js';
import type { NodeSpec } from '../nodes/spec.js';
import { CURRENT_FORMAT, envelopeSchema, NODE_ID, type Settings, settingsSchema } from './envelope.js';
import { type GraphEdge, keyedInputs, topoOrder } from './graph.js';
import { checkInputPorts } from './input-ports.js';
import { issuesToProblems } from './issues.js';
import { migrate } from './migrate.js';
import { envRefs, FORMATS } from './params.js';
import { closest, type Problem } from './problems.js';
import { metaOf, walk } from './schema-walk.js';

export interface PipelineNode {
  readonly id: string;
  readonly type: string;
  readonly label?: string;
  readonly spec: NodeSpec;
  /** Params after the spec's defaults were applied. */
  readonly params: unknown;
}

export interface Pipeline {
  readonly format: string;
  readonly name: string;
  readonly description?: string;
  readonly settings: Settings;
  readonly nodes: readonly PipelineNode[];
  readonly edges: readonly GraphEdge[];
  /** Nodes holding `code`, which runs only once the user trusts the file. */
  readonly codeNodes: readonly string[];
  /** Every file path a node's params name (as written), so the host can tell which leave the pipeline's folder. */
  readonly filePaths: readonly FilePathParam[];
  /** Every string in nodes' params and settings holding environment references, and every param that connects somewhere (as written), so the host can tell which bring values in from the environment and where they lead. */
  readonly envParams: readonly EnvParam[];
}

export interface EnvParam {
  /** null: the pipeline's `settings`. */
  readonly nodeId: string | null;
  /** Where in the node's params, e.g. `url` or `headers.authorization`. */
  readonly param: string;
  readonly value: string;
  /** What the value names once resolved (the spec's `x-connects`, e.g. `redis`), when the host checks where it leads. */
  readonly connects?: string;
}

export interface FilePathParam {
  readonly nodeId: string;
  /** Where in the node's params, e.g. `path` or `ssl.ca`. */
  readonly param: string;
  readonly value: string;
}

export interface ValidationResult {
  readonly problems: Problem[];
  /** Present only when there are no problems. */
  readonly pipeline: Pipeline | null;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

export function validatePipeline(input: unknown, registry: Registry = REGISTRY): ValidationResult {
  if (!isObject(input)) return fail({ nodeId: null, path: '$', message: 'a pipeline must be a JSON object' });
  const migrated = migrate(input);
  if (!migrated.ok) return fail({ nodeId: null, path: '$.format', message: migrated.message });
  const doc = migrated.doc;
  const problems: Problem[] = [];

  const env = envelopeSchema.safeParse(doc);
  if (!env.success) {
    const rawNodes = Array.isArray(doc.nodes) ? doc.nodes : [];
    for (const p of issuesToProblems(env.error.issues, envelopeSchema, doc, '$', null)) {
      // Name the node when the problem is inside one.
      const m = /^\$\.nodes\[(\d+)\]/.exec(p.path);
      const raw = m ? rawNodes[Number(m[1])] : undefined;
      const id = isObject(raw) && typeof raw.id === 'string' ? raw.id : null;
      problems.push({ ...p, nodeId: id });
    }
  }

  // Nodes: each one's params against its own spec.
  const nodes: PipelineNode[] = [];
  const seen = new Map<string, number>();
  const rawNodes: unknown[] = Array.isArray(doc.nodes) ? doc.nodes : [];
  const codeNodes: string[] = [];
  const filePaths: FilePathParam[] = [];
  const envParams: EnvParam[] = [];
  rawNodes.forEach((raw, i) => {
    if (!isObject(raw) || typeof raw.id !== 'string' || typeof raw.type !== 'string') return; // reported above
    const base = `$.nodes[${i}]`;
    if (seen.has(raw.id)) {
      problems.push({ nodeId: raw.id, path: `${base}.id`, message: `duplicate node id '${raw.id}' (also $.nodes[${seen.get(raw.id)}])` });
      return;
    }
    seen.set(raw.id, i);
    if (!NODE_ID.test(raw.id)) return; // reported above
    const spec = registry.get(raw.type);
    if (!spec) {
      const hint = closest(raw.type, registry.keys());
      problems.push({ nodeId: raw.id, path: `${base}.type`, message: `unknown node type '${raw.type}'${hint ? `; did you mean '${hint}'?` : ''}` });
      return;
    }
    const rawParams = raw.params ?? {};
    const parsed = spec.params.safeParse(rawParams);
    if (!parsed.success) {
      problems.push(...issuesToProblems(parsed.error.issues, spec.params, rawParams, `${base}.params`, raw.id, 'param'));
      return;
    }
    if (containsCode(spec.params, rawParams)) codeNodes.push(raw.id);
    filePaths.push(...pathsIn(raw.id, spec.params, rawParams));
    envParams.push(...envIn(raw.id, spec.params, parsed.data));
    nodes.push({ id: raw.id, type: raw.type, label: typeof raw.label === 'string' ? raw.label : undefined, spec, params: parsed.data });
  });
  if (rawNodes.length === 0 && Array.isArray(doc.nodes)) problems.push({ nodeId: null, path: '$.nodes', message: 'the pipeline has no nodes' });

  const edges = checkEdges(doc, seen, nodes, problems);
  checkGraph(nodes, edges, seen, problems);

  if (problems.length > 0 || !env.success) return { problems, pipeline: null };
  const e = env.data;
  envParams.push(...envIn(null, settingsSchema, e.settings));
  return {
    problems,
    pipeline: { format: CURRENT_FORMAT, name: e.name ?? 'pipeline', description: e.description, settings: e.settings, nodes, edges, codeNodes, filePaths, envParams },
  };
}

function fail(p: Problem): ValidationResult {
  return { problems: [p], pipeline: null };
}

function containsCode(schema: z.ZodType, value: unknown): boolean {
  let found = false;
  walk(schema, value, (s, v) => {
    if (typeof v === 'string' && v.trim() !== '' && metaOf(s)?.format === FORMATS.code) found = true;
  });
  return found;
}

function pathsIn(nodeId: string, schema: z.ZodType, value: unknown): FilePathParam[] {
  const found: FilePathParam[] = [];
  walk(schema, value, (s, v, at) => {
    if (typeof v === 'string' && metaOf(s)?.format === FORMATS.path) found.push({ nodeId, param: at.join('.'), value: v });
  });
  return found;
}

/**
 * Every string in a node's params (defaults applied: `${REDIS_URL:-…}` reads the environment too)
 * that holds an environment reference: all of them, not only the params declared as env strings,
 * so that a param some connector resolves without declaring it still reaches the trust check.
 */
function envIn(nodeId: string | null, schema: z.ZodType, value: unknown): EnvParam[] {
  const connects = new Map<string, string>();
  walk(schema, value, (s, v, at) => {
    const c = typeof v === 'string' ? metaOf(s)?.['x-connects'] : undefined;
    if (typeof c === 'string') connects.set(at.join('.'), c);
  });
  const found: EnvParam[] = [];
  const visit = (v: unknown, at: readonly (string | number)[]): void => {
    if (typeof v === 'string') {
      const param = at.join('.');
      const c = connects.get(param);
      // A param that connects somewhere is listed even without references: where it leads is checked too.
      if (envRefs(v).length === 0 && c === undefined) return;
      found.push({ nodeId, param, value: v, ...(c ? { connects: c } : {}) });
    } else if (Array.isArray(v)) v.forEach((x, i) => visit(x, [...at, i]));
    else if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v)) visit(x, [...at, k]);
  };
  visit(value, []);
  return found;
}

function checkEdges(doc: Record<string, unknown>, ids: Map<string, number>, nodes: readonly PipelineNode[], problems: Problem[]): GraphEdge[] {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const rawEdges: unknown[] = Array.isArray(doc.edges) ? doc.edges : [];
  const edges: GraphEdge[] = [];
  const seen = new Set<string>();
  rawEdges.forEach((raw, i) => {
    if (!isObject(raw) || typeof raw.from !== 'string' || typeof raw.to !== 'string') return; // envelope reported it
    const base = `$.edges[${i}]`;
    const e: GraphEdge = {
      from: raw.from,
      fromPort: typeof raw.fromPort === 'string' ? raw.fromPort : 'out',
      to: raw.to,
      toPort: typeof raw.toPort === 'string' ? raw.toPort : 'in',
    };
    let ok = true;
    for (const [end, id] of [['from', e.from], ['to', e.to]] as const) {
      if (!ids.has(id)) {
        const hint = closest(id, ids.keys());
        problems.push({ nodeId: null, path: `${base}.${end}`, message: `edge ${end} unknown node '${id}'${hint ? `; did you mean '${hint}'?` : ''}` });
        ok = false;
      }
    }
    const from = byId.get(e.from);
    if (from && !from.spec.outputs.some((p) => p.name === e.fromPort)) {
      problems.push({ nodeId: e.from, path: `${base}.fromPort`, message: portMessage(from, 'output', e.fromPort) });
      ok = false;
    }
    const to = byId.get(e.to);
    if (to && !to.spec.inputs.some((p) => p.name === e.toPort)) {
      problems.push({ nodeId: e.to, path: `${base}.toPort`, message: portMessage(to, 'input', e.toPort) });
      ok = false;
    }
    const sig = `${e.from}.${e.fromPort}->${e.to}.${e.toPort}`;
    if (ok && seen.has(sig)) {
      problems.push({ nodeId: e.to, path: base, message: `duplicate edge ${e.from}.${e.fromPort} → ${e.to}.${e.toPort}` });
      ok = false;
    }
    seen.add(sig);
    if (ok) edges.push(e);
  });
  return edges;
}

function portMessage(node: PipelineNode, kind: 'input' | 'output', port: string): string {
  const ports = (kind === 'input' ? node.spec.inputs : node.spec.outputs).map((p) => p.name);
  if (ports.length === 0) return `${node.type} has no ${kind} ports`;
  return `${node.type} has no ${kind} port '${port}' (${kind}s: ${ports.join(', ')})`;
}

/**
 * Natural bounds on a graph: every input of a multi-input port keeps its own watermark and queue,
 * and every source its own reader and buffers (a generator holds ~1 MB), so thousands of them
 * exhaust memory before the first record; no pipeline drawn by hand comes near these.
 */
export const MAX_FAN_IN = 256;
export const MAX_SOURCES = 256;

function checkGraph(nodes: readonly PipelineNode[], edges: readonly GraphEdge[], ids: Map<string, number>, problems: Problem[]): void {
  const path = (id: string) => `$.nodes[${ids.get(id)}]`;
  // One pass over the edges: per-node filtering is quadratic, and 10,000-node pipelines exist.
  const incoming = new Map<string, number>();
  for (const e of edges) incoming.set(`${e.to}\u0000${e.toPort}`, (incoming.get(`${e.to}\u0000${e.toPort}`) ?? 0) + 1);
  for (const n of nodes) {
    for (const port of n.spec.inputs) {
      const count = incoming.get(`${n.id}\u0000${port.name}`) ?? 0;
      if (count === 0) problems.push({ nodeId: n.id, path: path(n.id), message: `input '${port.name}' is not connected` });
      if (count > 1 && !port.multiple) problems.push({ nodeId: n.id, path: path(n.id), message: `input '${port.name}' takes one edge, got ${count} (merge them with a union)` });
      if (count > MAX_FAN_IN) problems.push({ nodeId: n.id, path: path(n.id), message: `input '${port.name}' has ${count} edges; the limit is ${MAX_FAN_IN}, as each input keeps its own watermark and buffers (read many files or topics with one source, or merge in stages)` });
    }
  }
  if (nodes.length > 0 && !nodes.some((n) => n.spec.category === 'source') && nodes.length === ids.size) {
    problems.push({ nodeId: null, path: '$.nodes', message: 'the pipeline has no source' });
  }
  const sources = nodes.filter((n) => n.spec.category === 'source');
  if (sources.length > MAX_SOURCES) {
    const extra = sources[MAX_SOURCES]!;
    problems.push({ nodeId: extra.id, path: path(extra.id), message: `the pipeline has ${sources.length} sources; the limit is ${MAX_SOURCES}, as each source holds its own reader and buffers (one source can read a whole topic or generate many users)` });
  }
  const { order, cyclic } = topoOrder(nodes, edges);
  if (cyclic.length > 0) {
    for (const id of cyclic) problems.push({ nodeId: id, path: path(id), message: `is on a cycle (${cyclic.join(', ')}); pipelines must be acyclic` });
    return;
  }
  const keyed = keyedInputs(nodes, edges, order);
  checkInputPorts(nodes, edges, order, path, problems);
  for (const n of nodes) {
    if (n.spec.keyed === 'required' && n.spec.inputs.length < 2 && !keyed.get(n.id)) {
      problems.push({ nodeId: n.id, path: path(n.id), message: `${n.type} needs a keyed input: add a keyBy upstream (stateless nodes in between keep the key)` });
    }
  }
}
