// "Run on Flink…" in the editor's host: the pipeline is validated for Flink (every node that cannot
// run there named, with the reason, before anything is sent), the job jar built off this thread,
// uploaded and submitted over the cluster's REST API (runtime/flink/rest.ts, as `tributary flink
// run`), and the job then followed: its Flink state and per-operator figures go to the editor as
// `job` and `metrics` events, the same events an embedded run sends. The cluster's REST address is
// the only remote address contacted, and only over http(s). A job submitted earlier (the page
// reloaded, the document opened again, the host restarted) is followed again the same way (`attach`).
import { readFileSync } from 'node:fs';
import { compileForFlink, flinkProblems } from '../format/flink.js';
import type { Pipeline } from '../format/validate.js';
import { figuresFromFlink, distinctLabels, pollJob, type SubmittedNode } from '../flink/figures.js';
import { jobJarOffThread } from '../flink/jar.js';
import { call, cancel, failureOf, restBase, stopWithSavepoint, submit, TERMINAL } from '../flink/rest.js';
import type { FlinkJobInfo, FlinkRunResult, HostEvents, JobState, ResultOf } from './contract.js';
import type { FlinkJobRecord } from './flink-jobs.js';
import type { EventSink } from './rpc.js';

/** How often the job is polled: Flink's own web UI refreshes every 3 s; its metrics change about as often. */
export const FLINK_POLL_MS = 1000;
/** Polls that may fail in a row (the cluster restarting, a slow answer) before the run is given up. */
const MAX_FAILED_POLLS = 15;

/** Flink's job states (JobStatus) as the editor's run states. */
export function jobStateOf(flinkState: string): JobState {
  switch (flinkState) {
    case 'FINISHED':
      return 'finished';
    case 'CANCELED':
    case 'SUSPENDED':
      return 'stopped';
    case 'FAILED':
      return 'failed';
    default:
      return 'running'; // INITIALIZING, CREATED, RUNNING, FAILING, CANCELLING, RESTARTING, RECONCILING
  }
}

/** Flink's web UI page for the job (its Angular routes: running and completed jobs differ). */
export function webUiOf(base: string, jobId: string, state: string): string {
  return `${base}/#/job/${TERMINAL.has(state) ? 'completed' : 'running'}/${jobId}/overview`;
}

export type Prepared = { ok: true; base: string } | Exclude<FlinkRunResult, { ok: true }>;

/** Checks that need no cluster: the nodes that cannot run on Flink, and the address. */
export function checkForFlink(pipeline: Pipeline, jobmanager: string): Prepared {
  const problems = flinkProblems(pipeline);
  if (problems.length > 0) return { ok: false, reason: 'notOnFlink', problems };
  try {
    return { ok: true, base: restBase(jobmanager) };
  } catch (err) {
    return { ok: false, reason: 'failed', message: (err as Error).message, nodeId: null };
  }
}

/** One Flink job the editor follows. */
export class FlinkRun {
  private timer: NodeJS.Timeout | null = null;
  private failedPolls = 0;
  private readonly known = new Map<string, readonly string[]>();
  private ended = false;

  private constructor(
    readonly runId: number,
    readonly base: string,
    readonly jobId: string,
    readonly nodes: readonly SubmittedNode[],
    readonly edges: readonly { from: string; fromPort: string; to: string; toPort: string }[],
    private readonly emit: EventSink,
    /** Called once when the job ends while followed, with its last Flink state (UNKNOWN: the cluster was lost). */
    private readonly onEnd: (flinkState: string, jobId: string) => void,
    private state = 'INITIALIZING',
    private readonly startedAt = Date.now(),
  ) {}

  /** Start following: the job's state now, then a poll every FLINK_POLL_MS until it ends. */
  follow(): void {
    this.emitJob();
    this.timer = setInterval(() => void this.poll(), FLINK_POLL_MS);
    void this.poll();
  }

  /** Build, upload and submit; the caller then calls follow() (once it has noted the job). */
  static async submit(runId: number, pipeline: Pipeline, base: string, resolvePath: (p: string) => string, parallelism: number | undefined, emit: EventSink, onEnd: (flinkState: string, jobId: string) => void): Promise<FlinkRun> {
    // Reach the cluster before building: a wrong address is said in a second, not after a build.
    await call(`${base}/overview`);
    const compiled = compileForFlink(pipeline, resolvePath, parallelism, readFileSync);
    compiled.nodes = distinctLabels(compiled.nodes);
    const jar = await jobJarOffThread();
    const s = await submit(base, jar, compiled, { parallelism });
    return new FlinkRun(runId, base, s.jobId, compiled.nodes, compiled.edges, emit, onEnd);
  }

  /**
   * Follow a job submitted earlier (its record: cluster, job id, the operator names it was given),
   * whose state and duration the caller has just read from the cluster (GET /jobs/<id>).
   */
  static attach(runId: number, record: FlinkJobRecord, job: { state: string; duration: number }, emit: EventSink, onEnd: (flinkState: string, jobId: string) => void): FlinkRun {
    const run = new FlinkRun(runId, record.cluster, record.jobId, record.nodes, record.edges, emit, onEnd, job.state, Date.now() - Math.max(0, job.duration));
    run.follow();
    return run;
  }

  /** Say the job's state again (a reloaded page follows it from here). */
  announce(): void {
    if (!this.ended) this.emitJob();
  }

  info(): FlinkJobInfo {
    return { jobId: this.jobId, state: this.state, webUi: webUiOf(this.base, this.jobId, this.state), cluster: this.base };
  }

  private emitJob(error?: { message: string; nodeId: string | null }): void {
    this.emit('job', { runId: this.runId, state: jobStateOf(this.state), uptimeMs: Date.now() - this.startedAt, flink: this.info(), ...(error ? { error } : {}) });
  }

  private polling = false;

  async poll(): Promise<void> {
    if (this.polling || this.ended) return;
    this.polling = true;
    try {
      const { job, answers } = await pollJob(this.base, this.jobId, this.nodes, this.known);
      this.failedPolls = 0;
      if (this.ended) return;
      this.emit('metrics', figuresFromFlink(this.runId, this.nodes, this.edges, job, answers) satisfies HostEvents['metrics']);
      if (job.state !== this.state) {
        this.state = job.state;
        if (!TERMINAL.has(job.state)) this.emitJob();
      }
      if (TERMINAL.has(job.state)) await this.end(job.state === 'FAILED' ? await this.failure() : undefined);
    } catch (err) {
      if (++this.failedPolls >= MAX_FAILED_POLLS) {
        this.state = 'UNKNOWN';
        await this.end({ message: `lost the Flink cluster at ${this.base} (${(err as Error).message}); the job may still be running there`, nodeId: null }, 'failed');
      }
    } finally {
      this.polling = false;
    }
  }

  private async failure(): Promise<{ message: string; nodeId: string | null }> {
    try {
      const message = await failureOf(this.base, this.jobId);
      return { message, nodeId: /^node '([^']+)'/.exec(message)?.[1] ?? null };
    } catch (err) {
      return { message: `the Flink job failed (${(err as Error).message})`, nodeId: null };
    }
  }

  private async end(error?: { message: string; nodeId: string | null }, state?: JobState): Promise<void> {
    if (this.ended) return;
    this.ended = true;
    if (this.timer) clearInterval(this.timer);
    this.onEnd(this.state, this.jobId);
    this.emit('job', { runId: this.runId, state: state ?? jobStateOf(this.state), uptimeMs: Date.now() - this.startedAt, flink: this.info(), ...(error ? { error } : {}) });
  }

  /** Cancel, or stop with a savepoint; the job's end arrives with the next polls. */
  async stop(savepoint: boolean): Promise<ResultOf<'flinkStop'>> {
    if (this.ended) return { stopping: false };
    if (!savepoint) {
      await cancel(this.base, this.jobId);
      void this.poll();
      return { stopping: true };
    }
    try {
      const location = await stopWithSavepoint(this.base, this.jobId);
      void this.poll();
      return { stopping: true, savepoint: location };
    } catch (err) {
      return { stopping: false, savepointFailed: (err as Error).message };
    }
  }

  /** The editor went away: stop following (the job goes on running on the cluster, as after `flink run --detach`). */
  dispose(): void {
    this.ended = true;
    if (this.timer) clearInterval(this.timer);
  }
}
