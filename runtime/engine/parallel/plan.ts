// Plan time: which nodes run as `settings.parallelism` instances in worker threads. The job's
// thread keeps sources, timestamps and watermarks, the stateless chain up to keyBy and the sinks, so
// each instance sees exactly the per-record watermarks a single instance would have seen, and per
// key its results are those of parallelism 1. A node runs in parallel when it is a keyed, one-input,
// timed operator (window, process, cep) that holds no connection; every other node keeps one
// instance, and a note says why rather than risk a different result.
import type { Pipeline } from '../../format/validate.js';
import type { Built } from '../factory.js';
import { hasLifecycle } from '../lifecycle.js';
import type { NodeMetrics } from '../metrics.js';
import type { JobControl, Operator } from '../operator.js';
import { TimedOperator } from '../timed.js';
import { ParallelOperator } from './exchange.js';
import { defaultMaxParallelism } from './key-groups.js';
import { WorkerPool } from './pool.js';

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
  for (const n of pipeline.nodes) {
    const b = built.get(n.id)!;
    if (!('operator' in b) || !(b.operator instanceof TimedOperator)) continue;
    const why =
      n.spec.inputs.length !== 1 ? 'it has two inputs' : keyed.get(n.id) !== true ? 'its input is not keyed (as a non-keyed window in Flink, it has parallelism 1)' : hasLifecycle(b.operator) ? 'it holds a connection' : null;
    if (why !== null) {
      notes.push(`node '${n.id}' runs as one instance: ${why}`);
      continue;
    }
    operators.set(n.id, new ParallelOperator(job, n.id, n.type, n.params, b.operator.outputs.length, metrics.get(n.id)!, pool, maxParallelism));
  }
  for (const n of pipeline.nodes) {
    const b = built.get(n.id)!;
    if ('operator' in b && !(b.operator instanceof TimedOperator) && n.spec.inputs.length > 1) notes.push(`node '${n.id}' runs as one instance: it has two inputs`);
  }
  if (operators.size === 0) notes.push(`parallelism ${parallelism}: no keyed window, process or cep node to run in parallel; the pipeline runs on one thread`);
  else notes.push(`parallelism ${parallelism} (${maxParallelism} key groups): ${[...operators.keys()].map((id) => `'${id}'`).join(', ')} run${operators.size === 1 ? 's' : ''} in ${parallelism} worker threads; sources, stateless nodes and sinks on the job's thread`);
  return { operators, notes };
}
