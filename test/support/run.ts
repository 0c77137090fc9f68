// Run a pipeline document in this process, through the real validator, planner and job.
import { planJob } from '../../runtime/engine/plan.js';
import type { Job } from '../../runtime/engine/job.js';
import { validatePipeline } from '../../runtime/format/validate.js';
import { OPERATORS } from '../../runtime/nodes/operators.js';
import { StringOut } from './harness.js';

export interface PipelineDoc {
  name?: string;
  nodes: { id: string; type: string; params?: Record<string, unknown> }[];
  edges: { from: string; to: string; fromPort?: string; toPort?: string }[];
}

export function plan(doc: PipelineDoc, stdout = new StringOut()): Job {
  const { pipeline, problems } = validatePipeline({ format: 'tributary.pipeline/v1', name: doc.name ?? 'test', ...doc });
  if (!pipeline) throw new Error(problems.map((p) => `${p.nodeId} ${p.path}: ${p.message}`).join('\n'));
  return planJob(pipeline, { operators: OPERATORS, resolvePath: (p) => p, stdout });
}

export async function runPipeline(doc: PipelineDoc): Promise<{ job: Job; outcome: string }> {
  const job = plan(doc);
  const outcome = await job.run();
  return { job, outcome };
}

export function metricsOf(job: Job, id: string) {
  return job.metrics.find((m) => m.nodeId === id)!;
}
