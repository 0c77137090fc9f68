// Whether a Flink job submitted earlier from a pipeline still runs: asked of its own cluster
// (GET /jobs/<id>, through rest.ts's `call`, so no redirect is followed), and said in a sentence
// when it does not (finished, failed with Flink's root cause, cancelled; dropped from the cluster's
// history; a cluster that does not answer).
import { call, failureOf, RestStatusError, TERMINAL } from '../flink/rest.js';
import type { FlinkJobRecord } from './flink-jobs.js';

export type LookedUp =
  | { readonly kind: 'running'; readonly job: { readonly state: string; readonly duration: number } }
  | { readonly kind: 'ended' | 'gone' | 'unreachable'; readonly state: string; readonly message: string };

/** Flink's terminal states (JobStatus) as the sentence ends. */
const ENDED: Readonly<Record<string, string>> = { FINISHED: 'finished', FAILED: 'failed', CANCELED: 'been cancelled', SUSPENDED: 'been suspended' };

export async function lookUpJob(record: FlinkJobRecord): Promise<LookedUp> {
  const what = `the Flink job ${record.jobId} submitted from this pipeline at ${new Date(record.submittedAt).toISOString().replace('T', ' ').slice(0, 16)} UTC`;
  let job: { state: string; duration: number };
  try {
    job = (await call(`${record.cluster}/jobs/${encodeURIComponent(record.jobId)}`)) as { state: string; duration: number };
  } catch (err) {
    const message = (err as Error).message;
    // Flink answers 404 for a job it does not know (FlinkJobNotFoundException): a finished job
    // leaves the history after `jobstore.expiration-time` (1 h by default), and a session cluster
    // without high availability forgets every job when it restarts.
    if (err instanceof RestStatusError && err.status === 404) {
      return { kind: 'gone', state: 'UNKNOWN', message: `the Flink cluster at ${record.cluster} no longer knows ${what}: it ended and has left the cluster's job history, or the cluster was restarted` };
    }
    if (err instanceof RestStatusError) return { kind: 'unreachable', state: 'UNKNOWN', message: `cannot ask the Flink cluster at ${record.cluster} about ${what} (${message}); it may still be running there` };
    return { kind: 'unreachable', state: 'UNKNOWN', message: `the Flink cluster at ${record.cluster} does not answer (${message}); ${what} may still be running there` };
  }
  if (typeof job?.state !== 'string') return { kind: 'unreachable', state: 'UNKNOWN', message: `${record.cluster} gave no Flink job state for ${what}` };
  if (!TERMINAL.has(job.state)) return { kind: 'running', job: { state: job.state, duration: Number(job.duration) || 0 } };
  let why = '';
  if (job.state === 'FAILED') why = `: ${await failureOf(record.cluster, record.jobId).catch((err: Error) => `its failure could not be read (${err.message})`)}`;
  return { kind: 'ended', state: job.state, message: `${what} has since ${ENDED[job.state] ?? job.state.toLowerCase()}${why}` };
}
