// Plan time: which nodes run as `settings.parallelism` instances in worker threads. The job's
// thread keeps sources, timestamps and watermarks, the stateless chain up to keyBy and the sinks, so
// each instance sees exactly the per-record watermarks a single instance would have seen, and per
// key its results are those of parallelism 1. A node runs in parallel when it is a keyed, one-input,
// timed operator (window, process, cep) that holds no connection and, if it feeds a stateful node,
// emits only what records cause; every other node keeps one instance, and a note says why rather
// than risk a different result.
//
// Why the last condition: instances' outputs are merged by the position of the input record that
// caused them (exchange.ts), so what records cause leaves a parallel node in the order of
// parallelism 1, under the same watermarks. What timers emit does not: several instances can fire
// timers at one watermark, and which key's output comes first then differs from one instance's
// timer queue (as across Flink subtasks, where that order is not defined either). Sinks and
// stateless nodes do not mind (per key the order is kept), but a stateful node downstream keyed
// otherwise (a process node keyed by product after one keyed by user) could give other answers.
// A process node qualifies when its onTimer never names `emit` (the one way it sends records) and
// its `errors` port, where a failing timer's record would go, is not connected; windows and cep
// emit on timers by nature.
import type { Pipeline } from '../../format/validate.js';
import type { Built } from '../factory.js';
import { hasLifecycle } from '../lifecycle.js';
import type { NodeMetrics } from '../metrics.js';
import type { JobControl, Operator } from '../operator.js';
import { SinkOperator } from '../sink.js';
import { TimedOperator } from '../timed.js';
import { ParallelOperator } from './exchange.js';
import { defaultMaxParallelism } from './key-groups.js';
import { WorkerPool } from './pool.js';
import { fieldsRead, isProjectableSource, sourceProjection } from './projection.js';

export interface Parallelized {
  /** The operator standing in for each parallel node on the job's thread. */
  readonly operators: ReadonlyMap<string, Operator>;
  readonly notes: readonly string[];
}

export function parallelize(
  pipeline: Pipeline,
  built: ReadonlyMap<string, Built>,
  keyed: ReadonlyMap<string, boolean>,
  metrics: ReadonlyMap<string, NodeMetrics>,
  job: JobControl,
  paths: ReadonlyMap<string, string>,
): Parallelized {
  const parallelism = pipeline.settings.parallelism;
  const operators = new Map<string, Operator>();
  const notes: string[] = [];
  if (parallelism <= 1) return { operators, notes };
  const maxParallelism = defaultMaxParallelism(parallelism);
  const pool = new WorkerPool(parallelism, job, paths);
  const stateful = statefulDownstream(pipeline, built);
  const parallelFields = new Map<string, readonly string[] | null>();
  for (const n of pipeline.nodes) {
    const b = built.get(n.id)!;
    if (!('operator' in b) || !(b.operator instanceof TimedOperator)) continue;
    const below = stateful.get(n.id);
    const why =
      n.spec.inputs.length !== 1
        ? 'it has two inputs'
        : keyed.get(n.id) !== true
          ? 'its input is not keyed (as a non-keyed window in Flink, it has parallelism 1)'
          : hasLifecycle(b.operator)
            ? 'it holds a connection'
            : below !== undefined && !recordDriven(n, pipeline)
              ? `it feeds the stateful node '${below}' and emits from timers, whose order across keys parallel instances do not keep, so '${below}' could see its records in another order`
              : null;
    if (why !== null) {
      notes.push(`node '${n.id}' runs as one instance: ${why}`);
      continue;
    }
    const fields = fieldsRead(n, pipeline);
    parallelFields.set(n.id, fields);
    // Lockstep only where it matters, feeding a stateful node (and then record-driven, above): a
    // timer emitting through code outside onTimer fails the run there, while output to sinks and
    // stateless nodes is merged as any other, in order per key.
    const lockstep = below !== undefined;
    operators.set(n.id, new ParallelOperator(job, n.id, n.type, n.params, b.operator.outputs.length, metrics.get(n.id)!, pool, maxParallelism, fields, lockstep));
  }
  // Sources whose every record goes (through a keyBy) to parallel nodes reading known fields decode
  // in worker threads and keep only those fields: parsing is most of a file pipeline's work.
  for (const n of pipeline.nodes) {
    const b = built.get(n.id)!;
    if (!('operator' in b) || !isProjectableSource(b.operator)) continue;
    const fields = sourceProjection(n.id, pipeline, parallelFields);
    const kept = fields === null ? null : b.operator.projectDecode(fields, parallelism);
    if (kept !== null) notes.push(`node '${n.id}' decodes in worker threads, keeping only the fields read downstream: ${kept.join(', ')}`);
  }
  for (const n of pipeline.nodes) {
    const b = built.get(n.id)!;
    if ('operator' in b && !(b.operator instanceof TimedOperator) && n.spec.inputs.length > 1) notes.push(`node '${n.id}' runs as one instance: it has two inputs`);
  }
  if (operators.size === 0) notes.push(`parallelism ${parallelism}: no keyed window, process or cep node to run in parallel; the pipeline runs on one thread`);
  else notes.push(`parallelism ${parallelism} (${maxParallelism} key groups): ${[...operators.keys()].map((id) => `'${id}'`).join(', ')} run${operators.size === 1 ? 's' : ''} in ${parallelism} worker threads; sources, stateless nodes and sinks on the job's thread`);
  return { operators, notes };
}

/**
 * Whether every record the node emits is caused by an input record (none by a timer): a process
 * node whose onTimer never names `emit` and whose `errors` port (where a failing onTimer's record
 * goes) is not connected. A word check, so `emit` in a comment or a string counts too: it can only
 * keep a node on one instance, never let a timer's output through unordered.
 */
export function recordDriven(n: Pipeline['nodes'][number], pipeline: Pipeline): boolean {
  if (n.type !== 'process') return false;
  const onTimer = (n.params as { onTimer?: string }).onTimer ?? '';
  if (/\bemit\b/.test(onTimer)) return false;
  return !pipeline.edges.some((e) => e.from === n.id && e.fromPort === 'errors');
}

/**
 * For each node, the first stateful node (one with its own operator that is not a sink) reachable
 * downstream of it through any path; nodes with none are absent.
 */
function statefulDownstream(pipeline: Pipeline, built: ReadonlyMap<string, Built>): Map<string, string> {
  const next = new Map<string, string[]>();
  for (const e of pipeline.edges) next.set(e.from, [...(next.get(e.from) ?? []), e.to]);
  const isStateful = (id: string): boolean => {
    const b = built.get(id);
    return b !== undefined && 'operator' in b && !(b.operator instanceof SinkOperator);
  };
  const found = new Map<string, string>();
  for (const n of pipeline.nodes) {
    const seen = new Set<string>();
    const todo = [...(next.get(n.id) ?? [])];
    while (todo.length > 0) {
      const id = todo.pop()!;
      if (seen.has(id)) continue;
      seen.add(id);
      if (isStateful(id)) {
        found.set(n.id, id);
        break;
      }
      todo.push(...(next.get(id) ?? []));
    }
  }
  return found;
}
