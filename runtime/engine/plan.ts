// From a validated pipeline to a job: one operator per node, except that runs of stateless nodes
// are fused into a chain (Flink's chaining rule: one-to-one edge, no fan-out, no fan-in).
import { type GraphEdge, keyedInputs, keyedPorts, topoOrder } from '../format/graph.js';
import type { Pipeline, PipelineNode } from '../format/validate.js';
import { type Flushable, isFlushable } from './barrier.js';
import { ChainOperator, type Stage } from './chain.js';
import type { BuildContext, Built, OperatorFactory, TextOut } from './factory.js';
import { Job } from './job.js';
import { hasLifecycle, type Lifecycle } from './lifecycle.js';
import { NodeMetrics } from './metrics.js';
import type { Operator, Output } from './operator.js';
import { parallelize } from './parallel/plan.js';
import { type EdgeProbe, outputProbe, stageProbe } from './probe.js';
import { SinkOperator } from './sink.js';
import { SourceOperator } from './source.js';

/** Most stages fused into one chain (Flink has no such limit; its chains are not generated code). */
export const MAX_CHAIN_STAGES = 64;

export interface PlanOptions {
  readonly operators: Readonly<Record<string, OperatorFactory>>;
  readonly resolvePath: (p: string) => string;
  readonly stdout: TextOut;
  /** The pipeline file's absolute path, if any. */
  readonly pipelinePath?: string;
  /** Where operators' warnings go. */
  readonly warn?: (message: string) => void;
}

interface Placed {
  readonly op: Operator;
  /** Index of this node's stage in its chain, or -1 for a plain operator. */
  readonly stage: number;
}

export function planJob(pipeline: Pipeline, opts: PlanOptions): Job {
  const job = new Job();
  const { nodes, edges } = pipeline;
  const { order } = topoOrder(nodes, edges);
  const keyed = keyedInputs(nodes, edges, order);
  const portsKeyed = keyedPorts(nodes, edges, order);
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const metrics = new Map(nodes.map((n) => [n.id, new NodeMetrics(n.id, n.type)]));

  const built = new Map<string, Built>();
  // Paths the factories resolve, so parallel instances in worker threads resolve them alike.
  const paths = new Map<string, string>();
  const resolvePath = (p: string): string => {
    const r = opts.resolvePath(p);
    paths.set(p, r);
    return r;
  };
  for (const n of nodes) built.set(n.id, build(n, { ...opts, resolvePath }, job, metrics.get(n.id)!, keyed.get(n.id) ?? false, portsKeyed.get(n.id)));
  const parallel = parallelize(pipeline, built, keyed, metrics, job, paths);

  // Group stages into chains, in topological order so a chain grows from its head.
  const chains: { head: string; ids: string[] }[] = [];
  const chainOf = new Map<string, { head: string; ids: string[] }>();
  const index = edgeIndex(edges);
  for (const id of order) {
    const b = built.get(id)!;
    if (!('stage' in b)) continue;
    const prev = fusablePredecessor(id, index, built);
    // A full chain ends and the next stage heads a new one: the generated loop nests one block
    // per stage, and thousands of stages would overflow the stack when it is generated and parsed.
    const open = prev !== null && chainOf.get(prev)!.ids.length < MAX_CHAIN_STAGES;
    const chain = open ? chainOf.get(prev)! : { head: id, ids: [] };
    if (!open) chains.push(chain);
    chain.ids.push(id);
    chainOf.set(id, chain);
  }

  const placed = new Map<string, Placed>();
  for (const chain of chains) {
    const stages: Stage[] = chain.ids.map((id) => {
      const b = built.get(id) as { stage: Omit<Stage, 'nodeId' | 'metrics'> };
      return { ...b.stage, nodeId: id, metrics: metrics.get(id)! };
    });
    const op = new ChainOperator(job, stages, keyed.get(chain.head) ?? false);
    chain.ids.forEach((id, stage) => placed.set(id, { op, stage }));
  }
  for (const [id, b] of built) if ('operator' in b) placed.set(id, { op: parallel.operators.get(id) ?? b.operator, stage: -1 });

  const probes = new Map<GraphEdge, EdgeProbe>();
  // Edges fanning out of one port share its Output, and so its one observer slot: they must share
  // one probe too, or a tap on one edge would silently replace the tap on its sibling.
  const outputProbes = new Map<Output, EdgeProbe>();
  for (const e of edges) {
    const from = placed.get(e.from)!;
    const to = placed.get(e.to)!;
    if (from.op === to.op) {
      // fused inside a chain
      probes.set(e, stageProbe(from.op as ChainOperator, from.stage, metrics.get(e.from)!));
      continue;
    }
    const out = outputFor(from, byId.get(e.from)!, e);
    out.connect(to.op, to.op.addInput(e.toPort));
    let probe = outputProbes.get(out);
    if (!probe) outputProbes.set(out, (probe = outputProbe(out)));
    probes.set(e, probe);
  }

  const ops = [...new Set([...placed.values()].map((p) => p.op))];
  job.attach({
    sources: ops.filter((o): o is SourceOperator => o instanceof SourceOperator),
    sinks: ops.filter((o): o is SinkOperator => o instanceof SinkOperator),
    metrics: nodes.map((n) => metrics.get(n.id)!),
    flushables: [...new Set(order.map((id) => placed.get(id)!.op))].filter((o): o is Operator & Flushable => isFlushable(o)),
    resources: ops.filter((o): o is Operator & Lifecycle => !(o instanceof SourceOperator) && !(o instanceof SinkOperator) && hasLifecycle(o)),
    edges: probes,
    operators: new Map([...placed].map(([id, p]) => [id, p.op])),
    notes: parallel.notes,
  });
  return job;
}

function build(n: PipelineNode, opts: PlanOptions, job: Job, metrics: NodeMetrics, inputKeyed: boolean, inputPortsKeyed?: ReadonlyMap<string, boolean>): Built {
  const factory = opts.operators[n.type];
  if (!factory) throw new Error(`no operator for node type '${n.type}'`);
  const ctx: BuildContext = { nodeId: n.id, type: n.type, job, metrics, inputKeyed, inputPortsKeyed, resolvePath: opts.resolvePath, stdout: opts.stdout, pipelinePath: opts.pipelinePath, warn: opts.warn };
  return factory(ctx, n.params);
}

/** Edges into each node and the number of `out` edges from each, counted once (not per node). */
function edgeIndex(edges: readonly GraphEdge[]): { into: Map<string, GraphEdge[]>; outs: Map<string, number> } {
  const into = new Map<string, GraphEdge[]>();
  const outs = new Map<string, number>();
  for (const e of edges) {
    const list = into.get(e.to);
    if (list) list.push(e);
    else into.set(e.to, [e]);
    if (e.fromPort === 'out') outs.set(e.from, (outs.get(e.from) ?? 0) + 1);
  }
  return { into, outs };
}

/** The upstream stage `id` can fuse with: its only input, whose `out` feeds only `id`. */
function fusablePredecessor(id: string, index: ReturnType<typeof edgeIndex>, built: ReadonlyMap<string, Built>): string | null {
  const incoming = index.into.get(id) ?? [];
  if (incoming.length !== 1) return null;
  const e = incoming[0]!;
  if (e.fromPort !== 'out' || !('stage' in built.get(e.from)!)) return null;
  return index.outs.get(e.from) === 1 ? e.from : null;
}

function outputFor(from: Placed, node: PipelineNode, e: GraphEdge): Output {
  if (from.stage >= 0) {
    const chain = from.op as ChainOperator;
    return e.fromPort === 'errors' ? chain.errorsOutput(from.stage) : chain.outputs[0]!;
  }
  const port = node.spec.outputs.findIndex((p) => p.name === e.fromPort);
  return from.op.outputs[port]!;
}
